#!/usr/bin/env bash
# stories260k.sh — decode speed of the compiled stories260K against llama2.c.
#
# Compiles ../shared/models/llama2c/stories260K.bin with tfc -O2 --main, builds
# it with `cc -O2 -march=native`, and runs it single-threaded (TFC_NUM_THREADS=1)
# as llama2.c's `run stories260K.bin -z tok512.bin -t 0 -n 256` runs: greedy,
# empty prompt, 256 positions, timed from the first sampled token (--timing
# prints run.c's "achieved tok/s").  The figure is the median of RUNS runs.
#
# The peer: with LLAMA2C_DIR set to a llama2.c checkout, its run.c is built
# with -Ofast -march=native (as its README recommends) and measured in the same
# run (the two programs alternate, so that both see the same load); without
# it the ratio is against the figure of
# ../shared/models/llama2c/README.md for this machine class (18,214 tok/s).
# The target is 1.5x the reference.  The load average is printed: on a busy
# machine both figures drop.
#
#   bench/stories260k.sh                 (env: TFC, CC, RUNS, TFC_MODELS, LLAMA2C_DIR)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tfc=${TFC:-$root/build/tfc}
cc=${CC:-cc}
runs=${RUNS:-21}
models=${TFC_MODELS:-$root/../shared/models/llama2c}
documented=18214

for f in stories260K.bin tok512.bin; do
  [ -f "$models/$f" ] || { echo "stories260k: $models/$f not found" >&2; exit 1; }
done
[ -x "$tfc" ] || { echo "stories260k: $tfc not built (run make)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One run's "achieved tok/s", appended to file $1; the command follows.
rate_into() {
  local file=$1
  shift
  "$@" 2>&1 >/dev/null | sed -n 's/^achieved tok\/s: //p' >> "$file"
}

# The median of the rates in file $1.
median() {
  sort -g "$1" | awk '{ r[NR] = $1 } END { if (NR) printf "%.0f\n", r[int((NR + 1) / 2)] }'
}

cat > "$work/stories260K.yaml" <<EOF
tfc: 1
name: stories260K
family: llama
weights: $(cd "$models" && pwd)/stories260K.bin
weights_format: llama2c
EOF
"$tfc" "$work/stories260K.yaml" -O2 --main -o "$work/stories260K.c"
"$cc" -O2 -march=native "$work/stories260K.c" -o "$work/stories260K" -lm -lpthread
if [ -n "${LLAMA2C_DIR:-}" ]; then
  "$cc" -Ofast -march=native "$LLAMA2C_DIR/run.c" -o "$work/run" -lm
  ref_what="llama2.c run.c -Ofast -march=native, measured now, runs alternating"
else
  ref_what="llama2.c run.c -Ofast -march=native, documented for this machine class"
fi
: > "$work/ours"
: > "$work/ref"
for _ in $(seq "$runs"); do   # alternate, so that both see the same load
  TFC_NUM_THREADS=1 rate_into "$work/ours" "$work/stories260K" --tokenizer "$models/tok512.bin" \
    --prompt "" --generate 256 --temperature 0 --timing
  if [ -n "${LLAMA2C_DIR:-}" ]; then
    rate_into "$work/ref" "$work/run" "$models/stories260K.bin" -z "$models/tok512.bin" -t 0 -n 256
  fi
done
ours=$(median "$work/ours")
ref=$([ -n "${LLAMA2C_DIR:-}" ] && median "$work/ref" || echo "$documented")

echo "stories260K, 256 positions, greedy, single thread, median of $runs runs"
echo "  tfc -O2, cc -O2 -march=native : $ours tok/s"
echo "  reference ($ref_what) : $ref tok/s"
awk -v a="$ours" -v b="$ref" 'BEGIN { printf "  ratio tfc / reference          : %.2fx (target 1.50x)\n", a / b }'
echo "  load average                   : $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
