#!/bin/sh
# check_options.sh TFC README — the driver's one table of options (options[] in
# tools/tfc.c) against README.md's option table: every option `tfc --help` lists
# is a README row with the same meaning line (markdown backticks aside), and
# every README row but INPUT is an option --help lists.  Then the backends and
# targets tfc names but does not have yet fail with "not yet supported" and exit
# 2, before reading any input, and write nothing.
set -u
TFC=$1 README=$2
WORK=${3:-/tmp}
fail() { echo "FAIL: $*"; status=1; }
status=0
help=$("$TFC" --help) || { echo "FAIL: tfc --help failed"; exit 1; }
# "  NAME (20 columns) MEANING" lines before the pass table, as NAME<TAB>MEANING
opts=$(printf '%s\n' "$help" | sed -n '/^  [-]/p; /^passes:/q' |
       awk '{name = substr($0, 3, 20); sub(/ +$/, "", name); print name "\t" substr($0, 24)}')
rows=$(sed -n '/^| option | meaning |$/,/^$/p' "$README" | sed -n 's/^| `\([^`]*\)` | \(.*\) |$/\1\t\2/p' | grep -v '^INPUT	')
[ -n "$opts" ] && [ -n "$rows" ] || { echo "FAIL: could not read the two tables"; exit 1; }
count=0
while IFS='	' read -r name meaning; do
  count=$((count + 1))
  row=$(printf '%s\n' "$rows" | awk -F'\t' -v n="$name" '$1 == n {print $2}')
  [ -n "$row" ] || { fail "README.md has no row for $name"; continue; }
  [ "$(printf '%s' "$row" | tr -d '`')" = "$meaning" ] ||
    fail "$name: README says '$row', --help says '$meaning'"
done <<EOF2
$opts
EOF2
while IFS='	' read -r name meaning; do
  printf '%s\n' "$opts" | cut -f1 | grep -qxF -- "$name" || fail "README.md lists $name, which --help does not"
done <<EOF2
$rows
EOF2
mkdir -p "$WORK" && rm -f "$WORK/never.c"
for args in --target=cuda --emit=llvm --emit=cuda --emit=obj "--emit cuda"; do
  "$TFC" /nonexistent/model.yaml $args -o "$WORK/never.c" 2>"$WORK/err"
  rc=$?
  [ $rc = 2 ] || fail "$args: exit $rc, expected 2"
  grep -q "^tfc: error: not yet supported: " "$WORK/err" || fail "$args: said: $(cat "$WORK/err")"
  [ ! -e "$WORK/never.c" ] || fail "$args: wrote output"
done
[ $status = 0 ] && echo "ok: $count options, README.md and --help agree; cuda/llvm/obj: not yet supported (exit 2)"
exit $status
