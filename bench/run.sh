#!/usr/bin/env bash
# bench/run.sh — `make bench`: tfc's generated C against PyTorch, ONNX Runtime
# and (on SmolLM2) llama.cpp on the same models, 1 and 2 threads, plus tfc's
# linear kernels against OpenBLAS sgemm.  Everything it makes goes to bench/out/ (ignored by git); the
# tables go to bench/out/results.md.  See bench/README.md.
#
#   RUNS=11 bench/run.sh          (medians of RUNS timed runs after one warm-up)
#   MODELS="gpt2s llama smollm2"  (which models)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out}
RUNS=${RUNS:-11}
MODELS=${MODELS:-gpt2s llama smollm2}
PY=.venv/bin/python   # scripts/install-python-deps: Debian's torch and numpy stay visible in it
TFC=${TFC:-build/tfc}
mkdir -p "$OUT/build"
log() { printf '== %s\n' "$*" >&2; }

# ---- peers: OpenBLAS (Debian); ONNX Runtime and llama.cpp (llama-cpp-python, built from
# source once) from PyPI, into the project's venv
if ! dpkg-query -W -f='${Status}' libopenblas-dev 2>/dev/null | grep -q 'install ok installed'; then
  log "installing libopenblas-dev"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends libopenblas-dev
fi
scripts/install-python-deps bench

# ---- the models (random weights, seeded), their ONNX graphs and PyTorch logits
$PY bench/models.py "$OUT/models" $MODELS

results="$OUT/results.tsv"
: > "$results"
{ # the machine and the versions, for the report
  echo "cpu	$(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores; $(grep -o -w -m1 'avx512f\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' '))"
  echo "load_before	$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "cc	$(cc --version | head -1)"
  echo "torch	$($PY -c 'import torch; print(torch.__version__)')"
  echo "onnxruntime	$($PY -c 'import onnxruntime; print(onnxruntime.__version__)')"
  echo "llama_cpp	$($PY -c 'import llama_cpp; print(llama_cpp.__version__)')"
  echo "llama_cpp_system	$($PY -c 'import llama_cpp; print(llama_cpp.llama_print_system_info().decode().strip())')"
  echo "openblas	$(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || dpkg-query -W -f='${Version}' libopenblas-dev)"
  echo "openblas_env	OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
  echo "runs	$RUNS"
} > "$OUT/meta.tsv"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$results"; }   # model peer threads what ms
measure() {   # measure MODEL PEER THREADS command...: records prefill_ms and decode_ms lines
  local model=$1 peer=$2 threads=$3; shift 3
  log "$model: $peer, $threads thread(s)"
  "$@" | while read -r key value; do
    case $key in prefill_ms|decode_ms) record "$model" "$peer" "$threads" "${key%_ms}" "$value" ;; esac
  done
}

for m in $MODELS; do
  dir="$OUT/models/$m" b="$OUT/build/$m"
  input="$dir/model.yaml"; [ -e "$input" ] || input="$dir/model.gguf"
  log "$m: tfc $input -O2 -> $b.c"
  $TFC "$input" -O2 -o "$b.c"
  vocab=$(grep -o '[0-9]* floats per output row' "$b.h" | cut -d' ' -f1)
  name=$(sed -n 's/^typedef struct \([A-Za-z_0-9]*\) .*/\1/p' "$b.h")   # the API's prefix
  cc -std=c11 -O2 -DMODEL="$name" -DMODEL_HEADER="\"$m.h\"" -DOUT_DIM="$vocab" -I "$OUT/build" \
     bench/bench_model.c "$b.c" -o "$b.bench" -lm -lpthread
  # correctness first: tfc's prefill logits against PyTorch's
  "$b.bench" "$b.bin" "$dir/tokens.txt" 1 1 "$b.logits" > /dev/null
  $PY -c "
import numpy as np
a = np.fromfile('$b.logits', '<f4'); r = np.fromfile('$dir/logits.bin', '<f4')
print('$m\tcheck\t0\tmax_abs_err\t%.3g' % np.abs(a - r).max())
print('$m\tcheck\t0\tmax_abs_ref\t%.3g' % np.abs(r).max())" >> "$results"
  for t in 1 2; do
    measure "$m" tfc "$t" env TFC_NUM_THREADS="$t" "$b.bench" "$b.bin" "$dir/tokens.txt" "$t" "$RUNS"
    measure "$m" pytorch "$t" env OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$t" \
      $PY bench/torch_bench.py "$dir" "$m" "$t" "$RUNS"
    if [ -n "${OPENBLAS_CORETYPE:-}${OPENBLAS_L2_SIZE:-}" ]; then   # report both settings
      measure "$m" pytorch-openblas-default "$t" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$t" $PY bench/torch_bench.py "$dir" "$m" "$t" "$RUNS"
    fi
    measure "$m" onnxruntime "$t" $PY bench/ort_bench.py "$dir" "$t" "$RUNS"
    if [ -e "$dir/model.f32.gguf" ]; then   # llama.cpp: F32 weights and KV cache; F16 both
      measure "$m" llama.cpp-f32 "$t" $PY bench/llama_bench.py "$dir/model.f32.gguf" \
        "$dir/tokens.txt" "$t" "$RUNS" f32
      measure "$m" llama.cpp-f16 "$t" $PY bench/llama_bench.py "$dir/model.f16.gguf" \
        "$dir/tokens.txt" "$t" "$RUNS" f16
    fi
  done
  # bytes a decode step reads: every tensor but the embedding tables it only
  # picks one row from (wpe; an untied Llama's embed_tokens)
  wbytes=$($PY -c "
import json, struct
f = open('$dir/model.safetensors', 'rb'); h = json.loads(f.read(struct.unpack('<Q', f.read(8))[0]))
skip = {'wpe.weight'} | ({'model.embed_tokens.weight'} if 'lm_head.weight' in h else set())
print(sum(v['data_offsets'][1] - v['data_offsets'][0] for k, v in h.items()
          if k != '__metadata__' and k not in skip))")
  record "$m" weights 0 bytes "$wbytes"
done

# ---- GEMM table and memory bandwidth
log "gemm: tfc kernels vs OpenBLAS sgemm"
cc -std=c11 -O2 -I runtime bench/gemm.c -o "$OUT/build/gemm" -lopenblas -lm -lpthread
cc -std=c11 -O2 bench/bandwidth.c -o "$OUT/build/bandwidth" -lpthread
cc -std=c11 -O2 bench/peak.c -o "$OUT/build/peak"
"$OUT/build/peak" | while read -r key value; do record all peak 1 "$key" "$value"; done
for t in 1 2; do
  OPENBLAS_NUM_THREADS=$t "$OUT/build/gemm" "$t" > "$OUT/gemm_$t.md"
  "$OUT/build/bandwidth" "$t" | while read -r key value; do record all bandwidth "$t" "$key" "$value"; done
done
echo "load_after	$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/meta.tsv"
$PY bench/report.py "$OUT" > "$OUT/results.md"
cat "$OUT/results.md"
