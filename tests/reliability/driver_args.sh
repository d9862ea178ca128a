#!/bin/sh
# driver_args.sh TFC CC CFLAGS MODELS WORK — issue 12: the generated --main
# program against hostile arguments (findings 2, 3 and 4, and the table of
# "What to build beyond the fixes").
#
# For each tiny model of tests/style/make_models.py (GPT-2, Llama, BERT, a
# llama2.c checkpoint; vocabulary 32, context 8) it compiles `tfc --main
# --weights=file` with CFLAGS (the sanitizers in the ASan build) and runs the
# table below.  Each row: the exit status, a text stderr must hold ('-':
# none, and stdout must not be empty), and the arguments.  Every run has 20 s;
# a hang (a FIFO opened for reading) is a failure, as is any sanitizer report.
# Before the fixes: `--generate 1e30` printed nothing and exited 0, `inf` and
# `--seed 1e30` converted out-of-range floats (UB), `--top-p nan` read before
# the sampler's array, `--temperature 1e-40` printed one id forever or read
# out of bounds, and `-w FIFO` blocked in open().  Last, a GPT-2 whose logits
# are NaN must fail generation cleanly ("cannot sample").
set -u
tfc=$1 cc=$2 cflags=$3 models=$4 work=$5
failures=0 runs=0
rm -rf "$work" && mkdir -p "$work" || exit 1

# One run: expected status, stderr text, arguments (already split).
run() {
  want=$1 text=$2
  shift 2
  runs=$((runs + 1))
  timeout 20 "$exe" "$@" >"$work/stdout" 2>"$work/stderr"
  rc=$?
  bad=
  [ "$rc" = "$want" ] || bad="status $rc, expected $want"
  if [ "$text" = - ]; then
    [ -s "$work/stdout" ] || bad="$bad; no output"
  elif ! grep -qF -- "$text" "$work/stderr"; then
    bad="$bad; stderr lacks '$text'"
  fi
  grep -q 'Sanitizer' "$work/stderr" && bad="$bad; sanitizer report"
  if [ -n "$bad" ]; then
    failures=$((failures + 1))
    echo "FAIL $family: $* -> $bad"
    head -c 600 "$work/stderr"
  fi
}

# The table: status | stderr text | arguments (sh words; $W is the folder of bad weights).
table() {
  cat <<'ROWS'
0|-|--tokens "1 2 3"
1|token id out of range|--tokens "1 32"
1|token id out of range|--tokens "-1"
1|not a token id|--tokens "1 x"
1|too many tokens for the context|--tokens "1 2 3 4 5 6 7 8 9"
1|holds no ids|--tokens ""
1|holds no ids|--tokens " , "
1|no input|-w x.bin
1|missing value after|--tokens
1|unknown option|--tokens 1 --frobnicate 3
1|expected a number after|--tokens 1 --seed seven
1|--generate needs a whole number|--tokens 1 --generate 1e30
1|--generate needs a whole number|--tokens 1 --generate inf
1|--generate needs a whole number|--tokens 1 --generate nan
1|--generate needs a whole number|--tokens 1 --generate -1
1|--generate needs a whole number|--tokens 1 --generate 1.5
1|--seed needs a whole number|--tokens 1 --generate 1 --seed 1e30
1|--seed needs a whole number|--tokens 1 --generate 1 --seed -5
1|--seed needs a whole number|--tokens 1 --generate 1 --seed nan
1|--temperature needs a finite number|--tokens 1 --generate 1 --temperature nan
1|--temperature needs a finite number|--tokens 1 --generate 1 --temperature inf
1|--temperature needs a finite number|--tokens 1 --generate 1 --temperature -0.5
1|--temperature needs a finite number|--tokens 1 --generate 1 --temperature 1e39
1|--top-p needs a number in [0, 1]|--tokens 1 --generate 1 --top-p nan
1|--top-p needs a number in [0, 1]|--tokens 1 --generate 1 --top-p inf
1|--top-p needs a number in [0, 1]|--tokens 1 --generate 1 --top-p -0.1
1|--top-p needs a number in [0, 1]|--tokens 1 --generate 1 --top-p 1.5
1|cannot open the model|--tokens 1 -w $W/missing.bin
1|truncated|--tokens 1 -w $W/truncated.bin
1|not a tfc weights file|--tokens 1 -w $W/garbage.bin
1|weights of another model|--tokens 1 -w $W/other.bin
1|not a regular file|--tokens 1 -w $W/fifo
1|not a regular file|--tokens 1 -w $W
1|not a regular file|--tokens 1 -w /dev/zero
1|empty or unreadable|--tokens 1 -w $W/empty.bin
ROWS
  if [ "$decoder" = 1 ]; then
    cat <<'ROWS'
0|-|--tokens "1 2" --generate 3
1|cannot sample|--tokens "1 2" --generate 3 --temperature 1.4e-45 --top-p 0.9 --seed 0
0|-|--tokens "1 2" --generate 3 --temperature 1e-30 --top-p 1e-30
0|-|--tokens "1 2" --generate 3 --temperature 0.8 --top-p 1e-45 --seed 18446744073709549568
0|-|--tokens "1 2" --generate 3 --temperature 3e38 --top-p 1
0|-|--tokens "1 2 3 4 5 6 7" --generate 1000000000
0|-|--tokens "1 2" --generate 0 --incremental
ROWS
  else
    cat <<'ROWS'
1|--generate needs a decoder|--tokens "1 2" --generate 3
1|--incremental needs a decoder|--tokens "1 2" --incremental
ROWS
  fi
}

# Bad weights files for every model: truncated, garbage, another model's, FIFO, empty.
make_bad_weights() {
  W=$work/bad_weights
  mkdir -p "$W"
  head -c 100 "$1" >"$W/truncated.bin"
  printf 'not weights at all, but long enough to hold a tfc header of 64 bytes .....' >"$W/garbage.bin"
  : >"$W/empty.bin"
  [ -p "$W/fifo" ] || mkfifo "$W/fifo"
}

families="gpt2 llama bert llama2c"
for family in $families; do
  dir=$work/$family
  mkdir -p "$dir"
  "$tfc" "$models/$family/model.yaml" --main --weights=file -o "$dir/m.c" >"$dir/tfc.log" 2>&1 &&
    $cc $cflags "$dir/m.c" -o "$dir/m" -lm -lpthread >>"$dir/tfc.log" 2>&1 ||
    { echo "FAIL $family: cannot build the program"; cat "$dir/tfc.log"; exit 1; }
done
other=llama2c   # each model gets the weights of the one before it
for family in $families; do
  exe=$work/$family/m
  make_bad_weights "$work/$family/m.bin"
  cp "$work/$other/m.bin" "$W/other.bin"
  other=$family
  decoder=1
  [ "$family" = bert ] && decoder=0
  table >"$work/rows"
  while IFS='|' read -r want text args; do
    eval "set -- $args"
    run "$want" "$text" "$@"
  done <"$work/rows"
done
# A NaN logits row (GPT-2 with ln_f.weight all NaN): generation is a clean
# error, greedy or sampled (before: greedy printed arbitrary ids, exit 0).
family=nan
mkdir -p "$work/nan" && cp "$models/gpt2/"* "$work/nan/"
"${PYTHON:-python3}" -c '
import json, struct, sys
path = sys.argv[1]
b = bytearray(open(path, "rb").read())
n = struct.unpack("<Q", b[:8])[0]
start, end = json.loads(b[8:8 + n])["ln_f.weight"]["data_offsets"]
b[8 + n + start:8 + n + end] = struct.pack("<f", float("nan")) * ((end - start) // 4)
open(path, "wb").write(b)
' "$work/nan/tiny_gpt2.safetensors" &&
  "$tfc" "$work/nan/model.yaml" --main -o "$work/nan/m.c" >"$work/nan/tfc.log" 2>&1 &&
  $cc $cflags "$work/nan/m.c" -o "$work/nan/m" -lm -lpthread >>"$work/nan/tfc.log" 2>&1 ||
  { echo "FAIL nan: cannot build the program"; cat "$work/nan/tfc.log"; exit 1; }
exe=$work/nan/m
run 1 "cannot sample" --tokens "1 2" --generate 2
run 1 "cannot sample" --tokens "1 2" --generate 2 --temperature 0.7 --top-p 0.9
echo "driver arguments: $runs runs over 4 families and a NaN model, $failures failures"
[ "$failures" = 0 ]
