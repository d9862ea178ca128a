#!/bin/sh
# bench/passes.sh — what each optimization level and each pass buys: time and
# peak memory of the generated C for a GPT-2 shape and a Llama shape.
#
#   bench/passes.sh [RUNS] [THREADS]        (defaults: 3 runs, 1 thread)
#   BENCH_MODELS="llama" bench/passes.sh     (one model only)
#   BENCH_LEVELS="2 3" BENCH_PASSES="prepack" bench/passes.sh   (other rows)
#
# Models: bench/models.py's gpt2s (GPT-2 small) and llama (d 512, 8 layers,
# GQA 8/2, vocab 32000), made once into bench/out/models.  For each model and
# configuration the script compiles with tfc (weights in a file), builds
# bench/bench_model.c against it, and prints
#   prefill_ms   median of RUNS forward() calls on the 128 prompt tokens
#   decode_ms    median of RUNS single-token steps after 127 cached tokens
#   peak_rss_kb  the process's peak resident set (weights are mmapped and all read)
#   arena_bytes  the activation arena tfc planned (--stats; 0 without a plan)
#   rel_err      max |logits - PyTorch| / max |PyTorch| on the prompt
# Configurations: -O0..-O3, and -O2 with one pass left out (its effect is the
# difference from -O2), and -O2 with crmsnorm in front of ln_to_rmsnorm
# (CRMSNorm runs only by name).  Timings on a shared machine are noisy: the
# script prints the load average before and after; compare rows of one run.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TFC=${TFC:-$ROOT/build/tfc}
CC=${CC:-cc}
RUNS=${1:-3}
THREADS=${2:-1}
MODELS=$ROOT/bench/out/models
WORK=$ROOT/bench/out/passes
PY=/usr/bin/python3
mkdir -p "$WORK"
[ -x "$TFC" ] || { echo "bench/passes.sh: build tfc first (make)" >&2; exit 1; }
[ -f "$MODELS/gpt2s/model.yaml" ] && [ -f "$MODELS/llama/model.yaml" ] || $PY "$ROOT/bench/models.py" "$MODELS"

# The -O2 list minus one pass, from passes.def (levels 1..2, in order).
o2_without() {
  sed -n 's/^PASS(\([a-z_0-9]*\), *\([0-9]\).*/\1 \2/p' "$ROOT/passes/passes.def" |
    awk -v drop="$1" '$2 >= 1 && $2 <= 2 && $1 != drop { printf "%s%s", sep, $1; sep = "," }'
}

# bench_one MODEL LABEL TFC-FLAGS...
bench_one() {
  model=$1 label=$2
  shift 2
  dir=$WORK/$model.$label
  rm -rf "$dir" && mkdir -p "$dir"
  "$TFC" "$MODELS/$model/model.yaml" "$@" --weights=file -o "$dir/$model.c" 2>"$dir/tfc.log"
  arena=$("$TFC" "$MODELS/$model/model.yaml" "$@" --stats --emit=ir -o "$dir/ir.txt" |
          sed -n 's/^activation arena bytes *\([0-9]*\).*/\1/p')
  vocab=$(sed -n 's/^ *vocab_size: *\([0-9]*\)/\1/p' "$MODELS/$model/model.yaml")
  $CC -O2 -march=native -DMODEL="$model" -DOUT_DIM="$vocab" -I "$dir" "$ROOT/bench/bench_model.c" \
      "$dir/$model.c" -o "$dir/bench" -lm -lpthread
  /usr/bin/time -f "%M" -o "$dir/rss" "$dir/bench" "$dir/$model.bin" "$MODELS/$model/tokens.txt" \
      "$THREADS" "$RUNS" "$dir/logits.bin" >"$dir/times"
  err=$($PY -c "import numpy as np, sys; a = np.fromfile(sys.argv[1], '<f4'); b = np.fromfile(sys.argv[2], '<f4'); print('%.2g' % (abs(a - b).max() / abs(b).max()))" "$dir/logits.bin" "$MODELS/$model/logits.bin")
  printf "%-6s %-22s %10s %10s %12s %12s %8s\n" "$model" "$label" \
    "$(sed -n 's/prefill_ms //p' "$dir/times")" "$(sed -n 's/decode_ms //p' "$dir/times")" \
    "$(cat "$dir/rss")" "${arena:-0}" "$err"
  rm -f "$dir/$model.bin"   # hundreds of MB each
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; runs $RUNS, threads $THREADS"
printf "%-6s %-22s %10s %10s %12s %12s %8s\n" model config prefill_ms decode_ms peak_rss_kb arena_bytes rel_err
for model in ${BENCH_MODELS:-gpt2s llama}; do
  for o in ${BENCH_LEVELS:-0 1 2 3}; do bench_one $model "O$o" "-O$o"; done
  for p in ${BENCH_PASSES:-ln_to_rmsnorm fuse_linears fuse_epilogue plan_memory}; do
    grep -q "^PASS($p," "$ROOT/passes/passes.def" || continue
    bench_one $model "O2-no-$p" --passes="$(o2_without $p)"
  done
  bench_one $model "O2+crmsnorm" --passes="$(o2_without none | sed 's/ln_to_rmsnorm/crmsnorm,ln_to_rmsnorm/')"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
