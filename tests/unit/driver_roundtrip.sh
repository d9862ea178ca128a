#!/bin/sh
# driver_roundtrip.sh TFC MAKE_WEIGHTS SRCDIR WORKDIR — the textual IR of real models
# round-trips byte for byte through the driver: `tfc X --emit=ir` then
# `tfc OUT.tir --passes= --emit=ir` (parse, no passes, print) gives the same text.
# Covers the tiny GPT-2 example at -O0 and -O2 and the RASP sort example.
set -u
tfc=$1 make_weights=$2 src=$3 work=$4
mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

cp "$src/examples/tiny_gpt2/model.yaml" model.yaml || fail "no example model"
"$make_weights" tiny_gpt2.safetensors 512 64 64 2 7 || fail "tfc-make-weights"
for level in -O0 -O2; do
  "$tfc" model.yaml $level --emit=ir -o "gpt2$level.tir" || fail "$level --emit=ir"
  "$tfc" "gpt2$level.tir" --passes= --emit=ir -o "again$level.tir" || fail "$level parse"
  cmp -s "gpt2$level.tir" "again$level.tir" || fail "$level text changed: $(diff "gpt2$level.tir" "again$level.tir" | head)"
  echo "gpt2 $level: $(wc -l < "gpt2$level.tir") lines round-trip"
done
"$tfc" "$src/examples/rasp/sort.rasp" --emit=ir -o sort.tir || fail "rasp --emit=ir"
"$tfc" sort.tir --passes= --emit=ir -o sort_again.tir || fail "rasp parse"
cmp -s sort.tir sort_again.tir || fail "rasp text changed"
echo "driver round trip: all checks passed"
