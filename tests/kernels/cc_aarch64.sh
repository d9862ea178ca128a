#!/bin/sh
# cc_aarch64.sh — a C compiler for the end-to-end NEON tests: compiles with
# aarch64-linux-gnu-gcc (static) and leaves at the -o path a small script that
# runs the binary under qemu-aarch64, so test scripts that build and run a
# generated model (tests/ref/check_gpt2.py, tests/families/check_model.py)
# work unchanged.
set -e
out=a.out
prev=
for a in "$@"; do
  [ "$prev" = "-o" ] && out=$a
  prev=$a
done
aarch64-linux-gnu-gcc -static "$@"
mv "$out" "$out.aarch64"
printf '#!/bin/sh\nexec qemu-aarch64 "%s" "$@"\n' "$out.aarch64" > "$out"
chmod +x "$out"
