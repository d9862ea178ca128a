#!/bin/sh
# driver_interpret.sh TFC CASEDIR WORKDIR — `tfc X --interpret --tokens .. --logits OUT`:
# writes n x last-dim float32 exactly, -O0 and -O2 agree within 1e-5 (relative),
# bad token lists exit 2, out-of-range ids exit 1, and neither leaves a file.
set -u
tfc=$1 cases=$2 work=$3
mkdir -p "$work" && cd "$work" || exit 1
rm -f out.f32 o0.f32 o2.f32
fail() { echo "FAIL: $*"; exit 1; }

"$tfc" "$cases/gpt2_block.tir" -O0 --interpret --tokens "1 2 3 12" --logits o0.f32 || fail "-O0 run"
"$tfc" "$cases/gpt2_block.tir" -O2 --interpret --tokens "1,2,3,12" --logits o2.f32 || fail "-O2 run"
[ "$(wc -c < o0.f32)" -eq $((4 * 13 * 4)) ] || fail "expected 4 x 13 floats"
/usr/bin/python3 - <<'PY' || fail "-O0 and -O2 differ"
import numpy as np
a, b = np.fromfile("o0.f32", np.float32), np.fromfile("o2.f32", np.float32)
err = abs(a - b).max() / max(1.0, abs(a).max())
print("-O0 vs -O2: max relative error %.2e" % err)
assert err <= 1e-5 and np.isfinite(a).all()
PY

"$tfc" "$cases/gpt2_block.tir" --interpret --tokens "1 two" --logits out.f32 2>err.txt
[ $? -eq 2 ] || fail "a bad token list must exit 2"
"$tfc" "$cases/gpt2_block.tir" --interpret --logits out.f32 2>err.txt
[ $? -eq 2 ] || fail "--interpret without --tokens must exit 2"
"$tfc" "$cases/gpt2_block.tir" --interpret --tokens "1 13" --logits out.f32 2>err.txt
[ $? -eq 1 ] || fail "token 13 of vocab 13 must exit 1"
grep -q "token 13 (at 1) is outside \[0, 13)" err.txt || fail "message: $(cat err.txt)"
"$tfc" "$cases/gpt2_block.tir" --interpret --tokens "1 2 3 4 5 6 7 8 9" --logits out.f32 2>err.txt
[ $? -eq 1 ] || fail "9 tokens in a context of 8 must exit 1"
[ ! -e out.f32 ] || fail "an error left an output file"
"$tfc" "$cases/gpt2_block.tir" --interpret --tokens "4 5" > summary.txt || fail "summary run"
grep -q "gpt2_block: 2 tokens -> 2 x 13 outputs; last row: argmax" summary.txt || fail "summary: $(cat summary.txt)"
echo "driver --interpret: all checks passed"
