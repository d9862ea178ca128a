#!/bin/sh
# check_symbols.sh OBJDIR SRCDIR — docs/style.md habits 6 and 3 on the compiler's objects
# (OBJDIR is the build's CMakeFiles: one tfc<folder>.dir per library).
#
# Habit 6: every global symbol an object defines carries its folder's prefix:
#   ir/        ir_ arena_ diag_ buf_
#   frontend/  fe_ rasp_            (the flex/bison output, rasp_lexer.c and
#                                    rasp_parser.c, is frontend's: rasp_syn_*)
#   passes/    pass_
#   codegen/   cg_                  (embedded_sources.c, made by tools/embed_text.c
#                                    for the emitter, is codegen's)
# and nothing anywhere is yaml_* or yy* (libyaml's and bison's).  Violations
# listed in known_violations.txt (with their owner) print as KNOWN; a listed one
# that no longer occurs fails too, so that list only shrinks.
# Habit 3: each pass named in passes/passes.def has passes/<name>.c defining
# exactly one global function, pass_<name>.
set -u
objdir=$1 src=$(cd "$2" && pwd)
known=$(grep -v '^#' "$src/tests/style/known_violations.txt" | awk 'NF {print $1 " " $2}')
seen=""
status=0
fail() { echo "FAIL: $*"; status=1; }

prefixes() {
  case $1 in
  ir/*) echo 'ir_|arena_|diag_|buf_' ;;
  frontend/*|rasp_lexer.c.o|rasp_parser.c.o) echo 'fe_|rasp_' ;;
  passes/*) echo 'pass_' ;;
  codegen/*|embedded_sources.c.o) echo 'cg_' ;;
  target/*) echo 'tg_' ;;
  embedded_prelude.c.o) echo 'fe_' ;;
  *) echo '' ;;
  esac
}

cd "$objdir" || exit 1
objpath() { echo "$paths" | grep -m1 "\.dir/$1\$"; }
paths=$(find tfcir.dir tfcfrontend.dir tfcpasses.dir tfccodegen.dir tfctarget.dir -name '*.c.o' \
        2>/dev/null | sort)
objects=$(echo "$paths" | sed 's|^tfc[a-z]*\.dir/||')
[ -n "$objects" ] || { echo "FAIL: no objects under $objdir"; exit 1; }
count=0
for o in $objects; do
  p=$(prefixes "$o")
  [ -n "$p" ] || { fail "$o: no folder rule (add one to check_symbols.sh)"; continue; }
  # names starting with __ are the compiler's (ASan's __odr_asan.*), not ours
  for sym in $(nm -g --defined-only "$(objpath "$o")" | awk 'NF == 3 && $3 !~ /^__/ {print $3}'); do
    count=$((count + 1))
    if ! echo "$sym" | grep -Eq "^($p)"; then
      if echo "$known" | grep -qx "$o $sym"; then
        echo "KNOWN: $o exports '$sym' without a prefix ($p)"
        seen="$seen$o $sym
"
      else
        fail "$o exports '$sym' without a prefix ($p)"
      fi
    fi
    echo "$sym" | grep -Eiq '^(yaml_|yy)' && fail "$o exports '$sym' (yaml_/yy belong to libyaml/bison)"
  done
done
echo "$known" | while read -r o sym; do
  [ -z "$o" ] || echo "$seen" | grep -qx "$o $sym" ||
    { echo "FAIL: known_violations.txt lists '$o $sym', which is gone: remove the line"; exit 1; }
done || status=1
echo "habit 6: $count global symbols in $(echo "$objects" | wc -l) objects checked"

passes=$(sed -n 's/^PASS(\([a-z0-9_]*\),.*/\1/p' "$src/passes/passes.def")
[ -n "$passes" ] || fail "no PASS lines in passes.def"
for p in $passes; do
  o=tfcpasses.dir/passes/$p.c.o
  [ -f "$o" ] || { fail "pass '$p' has no passes/$p.c"; continue; }
  funcs=$(nm -g --defined-only "$o" | awk 'NF == 3 && $2 == "T" {print $3}' | tr '\n' ' ')
  [ "$funcs" = "pass_$p " ] || fail "passes/$p.c should define only pass_$p, defines: $funcs"
done
echo "habit 3: $(echo $passes | wc -w) passes each define one entry point"
exit $status
