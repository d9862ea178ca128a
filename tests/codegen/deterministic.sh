#!/bin/sh
# deterministic.sh TFC MAKE_WEIGHTS EXAMPLE_YAML WORKDIR — tfc run twice on the
# tiny GPT-2 example (-O2, host target, weights in a file) writes the same bytes:
# model.c, model.h and the weights file.
set -e
tfc=$1 make_weights=$2 yaml=$3 work=$4
rm -rf "$work" && mkdir -p "$work/a" "$work/b"
cp "$yaml" "$work/model.yaml"
"$make_weights" "$work/tiny_gpt2.safetensors" 512 64 64 2 7
for d in a b; do (cd "$work/$d" && "$tfc" ../model.yaml -O2 --main --weights=file -o m.c); done
for f in m.c m.h m.bin; do cmp "$work/a/$f" "$work/b/$f"; done
echo "deterministic: m.c m.h m.bin identical"
