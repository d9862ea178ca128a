#!/bin/sh
# cpu_check.sh TFC MODEL_YAML WORK CC CFLAGS... — the AVX-512 build on any x86 machine:
# the generated C must compile cleanly with plain flags, and on a CPU without
# AVX-512F the program must refuse at open with a clear message (exit 1), never
# die on an illegal instruction; on a CPU with it, it must run.
set -u
tfc=$1 model=$2 work=$3 cc=$4
shift 4
mkdir -p "$work"
"$tfc" "$model" -O2 --target=x86-64-avx512 --main -o "$work/m.c" || exit 1
$cc "$@" "$work/m.c" -o "$work/m" -lm -lpthread || exit 1
"$work/m" --tokens "1 2 3" > "$work/out.txt" 2> "$work/err.txt"
rc=$?
if grep -q -w avx512f /proc/cpuinfo; then
  [ $rc -eq 0 ] || { echo "FAIL: exit $rc on an AVX-512 CPU"; cat "$work/err.txt"; exit 1; }
  echo "ok: runs on this AVX-512 CPU"
else
  [ $rc -eq 1 ] && grep -q "avx512f" "$work/err.txt" ||
    { echo "FAIL: expected exit 1 naming avx512f, got $rc:"; cat "$work/err.txt"; exit 1; }
  echo "ok: compiles; refuses at open on this CPU: $(cat "$work/err.txt")"
fi
