#!/bin/sh
# check_cli.sh TFC MODEL_DIR WORK — the pass manager's command line:
# --passes with an unknown name (exit 1, message), --print-after (IR on
# stderr after that pass), --remarks, --stats, prepack without select_kernels
# (refused) and --help's pass table.
set -u
TFC=$1 MODEL=$(cat "$2/input") WORK=$3
mkdir -p "$WORK"
fail() { echo "FAIL: $*"; exit 1; }

"$TFC" "$MODEL" --passes=cse,bogus --emit=ir -o "$WORK/x.ir" 2>"$WORK/err"
[ $? -eq 1 ] || fail "--passes=cse,bogus should exit 1"
grep -q "unknown pass 'bogus'" "$WORK/err" || fail "no 'unknown pass' message: $(cat "$WORK/err")"
[ ! -e "$WORK/x.ir" ] || fail "output written despite the error"

"$TFC" "$MODEL" -O2 --print-after=ln_to_rmsnorm --emit=ir -o "$WORK/o2.ir" 2>"$WORK/err" ||
  fail "-O2 --print-after failed: $(cat "$WORK/err")"
grep -q "^; IR after ln_to_rmsnorm" "$WORK/err" || fail "no IR after ln_to_rmsnorm on stderr"
grep -q "= rmsnorm" "$WORK/err" || fail "the printed IR has no rmsnorm"
grep -q "IR after cse" "$WORK/err" && fail "--print-after printed other passes"
grep -q "passes un_fold, fold, ln_to_rmsnorm" "$WORK/o2.ir" || fail "passes_run not recorded"

"$TFC" "$MODEL" -O2 --remarks --stats --emit=ir -o "$WORK/o2.ir" >"$WORK/out" 2>"$WORK/err" ||
  fail "--remarks --stats failed"
grep -q "remark: ln_to_rmsnorm: 'h.0.ln_1' (h.0) is now RMSNorm" "$WORK/err" || fail "no ln_to_rmsnorm remark"
grep -q "remark: plan_memory:" "$WORK/err" || fail "no plan_memory remark"
for key in "FLOPs per token" "weight bytes" "peak activation bytes" "activation arena bytes" \
           "output bytes" "KV-cache bytes"; do
  grep -q "^$key" "$WORK/out" || fail "--stats lacks '$key'"
done
# The logits are in the caller's buffer: the peak leaves them out, as the arena
# does, so the arena holds at least the peak.
peak=$(sed -n 's/^peak activation bytes *\([0-9]*\).*/\1/p' "$WORK/out")
arena=$(sed -n 's/^activation arena bytes *\([0-9]*\).*/\1/p' "$WORK/out")
[ "$peak" -le "$arena" ] || fail "--stats peak $peak exceeds the arena $arena"

# Pre-packed weights are read only by the kernels select_kernels picks: prepack
# alone used to give C that ran the row-major kernel on panels (relative error
# 1.58 in tests/ir/prepack's compiled comparison); now the emitter refuses it.
"$TFC" "$MODEL" --passes=prepack --target=x86-64-avx2 -o "$WORK/p.c" 2>"$WORK/err"
[ $? -eq 1 ] || fail "--passes=prepack without select_kernels should exit 1"
grep -q "no kernel reads its panels: run select_kernels after prepack" "$WORK/err" ||
  fail "no message for prepack without select_kernels: $(cat "$WORK/err")"
[ ! -e "$WORK/p.c" ] || fail "C written for prepack without select_kernels"

"$TFC" --help >"$WORK/help" || fail "--help failed"
for p in $(sed -n 's/^PASS(\([a-z_0-9]*\),.*/\1/p' "$(dirname "$0")/../../passes/passes.def"); do
  grep -q "^  $p " "$WORK/help" || fail "--help does not list $p"
done
echo "ok: --passes, --print-after, --remarks, --stats, prepack needs select_kernels, --help"
