#!/bin/sh
# check_generated.sh TFC INPUT WORK CC... — house rules for one model's generated C
# (docs/style.md habits 7 and 22):
#   - determinism: two runs of tfc (with and without --main) give identical bytes
#     for model.c, model.h and the weights file;
#   - the C compiles under -std=c11 -Wall -Wextra -Werror -O2 with each compiler
#     given (gcc, and clang when installed);
#   - the object exports only NAME_* (and main with --main): nm -g --defined-only.
set -u
tfc=$1 input=$2 work=$3
shift 3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work/a" "$work/b" || exit 1
case $input in /*) ;; *) input=$(pwd)/$input ;; esac

for flags in "" "--main"; do
  for run in a b; do
    (cd "$work/$run" && "$tfc" "$input" -O2 $flags -o model.c) || fail "tfc $input $flags"
  done
  for f in "$work"/a/*; do
    cmp -s "$f" "$work/b/${f##*/}" || fail "$input $flags: ${f##*/} differs between two runs"
  done
  name=$(sed -n 's/^const char \*\([A-Za-z0-9_]*\)_last_error(.*/\1/p' "$work/a/model.h")
  [ -n "$name" ] || fail "$input: no NAME_last_error in model.h"
  for cc in "$@"; do
    $cc -std=c11 -Wall -Wextra -Werror -O2 -c "$work/a/model.c" -o "$work/a/model.o" ||
      fail "$input $flags: $cc -Werror"
    bad=$(nm -g --defined-only "$work/a/model.o" | awk '{print $3}' |
          grep -v -e "^${name}_" $( [ -n "$flags" ] && echo "-e ^main\$" ))
    [ -z "$bad" ] || fail "$input $flags ($cc): exported besides ${name}_*: $(echo $bad)"
  done
  echo "$input $flags: deterministic, -Werror clean with $*, exports only ${name}_*"
  rm -f "$work"/a/* "$work"/b/*
done
