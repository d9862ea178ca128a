#!/bin/sh
# fault_loop.sh TFC WORK INPUT [TFC-ARGS...] — docs/style.md habit 15: out of memory at
# every arena allocation in turn, for the whole driver.
#
# For N = 1, 2, ... runs `TFC_FAIL_ALLOC_AT=N tfc INPUT ARGS -o WORK/out/model.c`
# (the test hook in tools/tfc.c makes the Nth arena allocation fail) and expects:
# exit status 1, an "out of memory" diagnostic, and nothing left in WORK/out
# (no model.c/.h/.bin, no temporary file).  The loop ends at the first N the
# run never reaches (tfc says "TFC_FAIL_ALLOC_AT: not reached"); that run must
# succeed and write its files.  Any crash, abort, other status, silent failure
# or swallowed failure (exit 0 although the allocation failed) is reported.
# TFC_FAULT_STRIDE=k tries every kth N only (the sanitizer build, where each
# run is several times slower).
set -u
stride=${TFC_FAULT_STRIDE:-1}
tfc=$1 work=$2 input=$3
shift 3
out=$work/out
mkdir -p "$out" || exit 1
errors=0 n=1
while [ $n -le 20000 ]; do
  rm -rf "$out" && mkdir "$out"
  TFC_FAIL_ALLOC_AT=$n "$tfc" "$input" "$@" -o "$out/model.c" >"$work/stdout" 2>"$work/stderr"
  rc=$?
  if grep -q 'TFC_FAIL_ALLOC_AT: not reached' "$work/stderr"; then
    case " $* " in
    *" --interpret "*) made=$work/stdout ;;   # the interpreter prints; it writes no file
    *) made=$out/model.c ;;
    esac
    [ $rc = 0 ] && [ -s "$made" ] || { echo "FAIL: the run without a failure: status $rc"; cat "$work/stderr"; exit 1; }
    break
  fi
  left=$(ls -A "$out")
  if [ $rc != 1 ] || ! grep -q 'out of memory' "$work/stderr" || [ -n "$left" ]; then
    echo "FAIL: TFC_FAIL_ALLOC_AT=$n: status $rc, files left: '$left', stderr: $(head -c 400 "$work/stderr")"
    errors=$((errors + 1))
    [ $errors -ge 10 ] && { echo "(stopping after 10 failures)"; exit 1; }
  fi
  n=$((n + stride))
done
echo "$input $*: about $((n - 1)) allocations, failing cleanly (every ${stride} tried); $errors failures"
[ $errors = 0 ]
