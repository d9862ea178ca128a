#!/bin/sh
# yaml_keys.sh TFC PYTHON MODELS WORK — issue 12, finding 5 (frontend/yaml.c,
# frontend/family.c).
#
#   typo   a config key no family reader asks for ('n_layr' beside n_layer)
#          is a warning at its place, FILE:LINE:COL: warning: unknown key
#          'n_layr', and the model still compiles (exit 0).  Before: silent.
#   many   200 000 keys and a duplicate of the middle one: the duplicate is
#          reported at its line within the test's timeout (the hash in
#          yaml.c).  Before: the check was quadratic (80k keys 7.3 s; 200k
#          keys took 4 min 34 s here).
set -u
tfc=$1 python=$2 models=$3 work=$4
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
rm -rf "$work" && mkdir -p "$work" || exit 1

cp "$models/gpt2/tiny_gpt2.safetensors" "$work/"
sed 's/^  n_layer: 1$/  n_layer: 1\n  n_layr: 2/' "$models/gpt2/model.yaml" >"$work/typo.yaml"
line=$(grep -n 'n_layr' "$work/typo.yaml" | cut -d: -f1)
"$tfc" "$work/typo.yaml" -o "$work/typo.c" 2>"$work/typo.err"
rc=$?
[ $rc = 0 ] && [ -s "$work/typo.c" ] || fail "typo: status $rc: $(cat "$work/typo.err")"
grep -q "^$work/typo.yaml:$line:3: warning: unknown key 'n_layr'" "$work/typo.err" ||
  fail "typo: no warning at $line:3: $(cat "$work/typo.err")"
[ "$(grep -c warning "$work/typo.err")" = 1 ] || fail "typo: other warnings: $(cat "$work/typo.err")"

"$python" -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(200000):
        f.write("k%d: %d\n" % (i, i))
    f.write("k100000: 1\n")
' "$work/many.yaml"
"$tfc" "$work/many.yaml" -o "$work/many.c" 2>"$work/many.err"
rc=$?
[ $rc = 1 ] && grep -q "^$work/many.yaml:200001:1: error: duplicate key 'k100000'" "$work/many.err" ||
  fail "many: status $rc: $(head -c 300 "$work/many.err")"
echo "yaml keys: $failures failures"
[ $failures = 0 ]
