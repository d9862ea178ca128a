#!/bin/sh
# check_rules.sh RULE SRCDIR — the grep-checkable docs/style.md habits:
#   pass-kind  habit 4: every passes/*.c except the manager states
#              "Kind: exact" or "Kind: lossy" in its header paragraph
#   no-exit    habit 9: library code (frontend ir passes codegen) never calls exit()
#   op-names   habit 2: op names are listed once, in ir/ops.def.  Heuristic: no
#              source file of the compiler or runtime spells 6 or more distinct op
#              names as string literals ("layernorm", "softmax", ...), and any
#              table indexed by [OP_*] is sized by OP_COUNT
#   lengths    habit 16: tools/function_lengths.awk over the compiler and runtime
#              (prints median/max per file; fails on a non-dispatch function
#              over 150 lines)
set -u
rule=$1 src=$2
cd "$src" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
case $rule in
pass-kind)
  bad=$(ls passes/*.c | grep -v '/pass_manager\.c$' | xargs grep -L 'Kind: \(exact\|lossy\)')
  [ -z "$bad" ] || fail "no 'Kind: exact|lossy' line in: $bad"
  echo "habit 4: $(ls passes/*.c | wc -l) pass files state their kind" ;;
no-exit)
  bad=$(grep -rnE --include='*.c' --include='*.h' --include='*.y' --include='*.l' \
        '(^|[^A-Za-z0-9_])(_?exit|_Exit|quick_exit) *\(' frontend ir passes codegen)
  [ -z "$bad" ] || fail "library code calls exit: $bad"
  echo "habit 9: no exit() in frontend ir passes codegen" ;;
op-names)
  ops=$(sed -n 's/^X([A-Z0-9_]*, *"\([a-z0-9_]*\)".*/\1/p' ir/ops.def)
  [ "$(echo $ops | wc -w)" -ge 10 ] || fail "could not read the op names from ir/ops.def"
  status=0
  for f in $(find ir frontend passes codegen tools runtime -name '*.[chly]' -o -name '*.def' | sort); do
    [ "$f" = ir/ops.def ] && continue
    hits=$(for o in $ops; do grep -q "\"$o\"" "$f" && echo "$o"; done)
    [ "$(echo $hits | wc -w)" -lt 6 ] || { echo "FAIL: $f spells op names: $(echo $hits)"; status=1; }
    if grep -q '\[OP_[A-Z0-9_]*\] *=' "$f" && ! grep -q 'OP_COUNT' "$f"; then
      echo "FAIL: $f has a table indexed by [OP_*] not sized or checked by OP_COUNT"; status=1
    fi
  done
  [ $status = 0 ] && echo "habit 2: $(echo $ops | wc -w) op names appear only in ir/ops.def"
  exit $status ;;
lengths)
  awk -f tools/function_lengths.awk $(ls ir/*.c frontend/*.c frontend/rasp/*.c passes/*.c \
      codegen/*.c tools/*.c runtime/*.c runtime/*/*.c 2>/dev/null) ;;
*) fail "unknown rule $rule" ;;
esac
