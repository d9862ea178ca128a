#!/bin/sh
# RASP command line: --chars (interpreted and compiled), --output, negative
# tokens, run-time errors, byte-identical output, and examples/rasp/sort.rasp.
# usage: cli.sh TFC CC CFLAGS SOURCE_DIR WORK
set -u
tfc=$1 cc=$2 cflags=$3 src=$4 work=$5
specs=$src/../shared/specs/rasp/programs
mkdir -p "$work" && cd "$work" || exit 1
fails=0
check() {   # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected '$2', got '$3'"; fails=$((fails + 1)); fi
}
build() {   # build NAME FILE.rasp [tfc options]: NAME.c and ./NAME
  name=$1 file=$2; shift 2
  "$tfc" "$file" -o "$name.c" --main "$@" && $cc $cflags "$name.c" -o "$name" -lm
}

check "interpret --chars" "P P P T P" "$("$tfc" "$specs/dyck1.rasp" --interpret --chars "(())(")"
build dyck1 "$specs/dyck1.rasp" || fails=$((fails + 1))
check "compiled --chars" "P P P T P" "$(./dyck1 --chars "(())(")"
printf 'n = length;\n' > len.rasp
check "utf-8 characters" "5 5 5 5 5" "$("$tfc" len.rasp --interpret --chars "héllo")"
build len len.rasp || fails=$((fails + 1))
check "compiled utf-8 characters" "5 5 5 5 5" "$(./len --chars "héllo")"
check "--output" "2 1 2" "$("$tfc" "$specs/most_freq.rasp" --output _count --interpret a b a)"
check "negative tokens" "-3 0 2" "$("$tfc" "$src/examples/rasp/sort.rasp" --interpret 2 -3 0)"
build sort "$src/examples/rasp/sort.rasp" || fails=$((fails + 1))
check "sort example" "0 1 2 3 3" "$(./sort 3 1 2 3 0)"
mkdir -p again && (cd again && "$tfc" "$src/examples/rasp/sort.rasp" -o sort.c --main)
cmp -s sort.c again/sort.c && check "deterministic output" same same || check "deterministic output" same different

for prog in most_freq dyck1 sort_ints; do   # textual IR: round trip, and C from the text
  "$tfc" "$specs/$prog.rasp" --emit=ir -o "$prog.tir" && "$tfc" "$prog.tir" --passes= --emit=ir -o "$prog.again.tir"
  cmp -s "$prog.tir" "$prog.again.tir" && check "$prog: textual IR round trip" same same || check "$prog: textual IR round trip" same different
done
"$tfc" sort_ints.tir -o from_tir.c --main && $cc $cflags from_tir.c -o from_tir -lm
check "C from textual IR" "0 1 2 3 3" "$(./from_tir 3 1 2 3 0)"

printf 'y = indices;\nfor k in [1, 2] {\n  z = indices * k;\n}\n' > loop.rasp
check "output assigned last inside a top-level loop" "0 2 4" "$("$tfc" loop.rasp --interpret a b c)"

# string constants index, iterate and test membership like Python strings
printf 'a = "qwertyuioplkjhgfdsazxcvbnm";\nb = a[6] + a[indices] + a[indices * 3];\nfor c in "xy" { b = b + c; }\nout = b if "rty" in a else 0;\n' > idx.rasp
check "string constants as lists" "uqqxy uwrxy ueuxy urpxy utjxy" "$("$tfc" idx.rasp --interpret 1 2 3 4 5)"
build idx idx.rasp || fails=$((fails + 1))
check "string constants as lists (compiled)" "uqqxy uwrxy ueuxy urpxy utjxy" "$(./idx 1 2 3 4 5)"

# variables named like what the C uses, in a program named like the runtime
printf 'free = indices;\nsize_t = free + 1;\nprint_to = size_t * 2;\ntext = print_to;\nmean = text + 0;\ncount = selector_width(select(mean, mean, <));\nint = count;\nout = int + 0;\n' > rt.rasp
build rt rt.rasp || fails=$((fails + 1))
check "C names that clash" "0 1 2" "$(./rt a b c)"

# floats print as Python's repr (expected text from python3 -c 'print(repr(...))')
printf 'f = [0.1 * 3, 100000000000000000.0, 0.00001, 2.5, 1.0, 123456789.125, -0.0, 1 / 3][indices];\n' > fmt.rasp
want="0.30000000000000004 1e+17 1e-05 2.5 1.0 123456789.125 -0.0 0.3333333333333333"
check "float format (interpreted)" "$want" "$("$tfc" fmt.rasp --interpret a b c d e f g h)"
build fmt fmt.rasp || fails=$((fails + 1))
check "float format (compiled)" "$want" "$(./fmt a b c d e f g h)"

printf 'q = 1 / indices;\n' > div.rasp
build div div.rasp || fails=$((fails + 1))
out=$(./div a b 2>err.txt); rc=$?
check "division by zero: exit 1, nothing printed" "1:" "$rc:$out"
grep -q "division by zero" err.txt && check "division by zero: message" yes yes || check "division by zero: message" yes no
out=$("$tfc" div.rasp --interpret a b 2>err.txt); rc=$?
check "interpreted division by zero" "1:" "$rc:$out"
check "no tokens" "1" "$(./sort >/dev/null 2>&1; echo $?)"
exit $fails
