#!/bin/sh
# check_layering.sh SRCDIR — the compiler's layering, read from its #include lines
# (docs/architecture.md draws the same arrows).
#
# Every `#include "X"` in ir/ frontend/ passes/ codegen/ target/ tools/ (and in
# runtime/, which may include only runtime/) is resolved as the old all-folders
# include path did: next to the including file first, then in each folder of the
# compiler and the runtime.  Headers it cannot find are generated (bison, the
# embedded tables) or the system's.  Each resolved include is an edge between
# two folders (frontend/rasp counts as frontend).  An edge is allowed when it
#   - stays in its folder;
#   - follows an arrow below, into the other folder's public header;
#   - or reaches one of the runtime files the compiler shares with the code it
#     generates (SHARED below), which the compiler compiles in so that the two
#     agree by construction.
# Anything else is forbidden: the script prints each forbidden edge
# (FILE -> HEADER: why), then the counts, and fails.
set -u
cd "$1" || exit 1

# The arrows: FROM:TO,TO,...  (target/ arrives with the kernel tables.)
ARROWS="frontend:ir passes:ir,target codegen:ir,target target:ir tools:ir,frontend,passes,codegen,target"
# Each library's public headers: what another folder may include.
PUBLIC="ir/ir.h ir/ops.def ir/rasp.h ir/tokenizer.h ir/gguf_llama.def frontend/frontend.h frontend/rasp/rasp.h passes/passes.h
        codegen/codegen.h target/target.h"
# Runtime files compiled into tfc as well as copied into generated code:
#   runtime/pack.h               packed weight layout (target/target.c packs with it)
#   runtime/layout.h             the panel widths (pack.h and the kernels share them)
#   runtime/generic/weights.c    weights file header and checksum (codegen writes it)
#   runtime/rasp/rasp_values.c   RASP value rules (the IR interpreter runs them)
SHARED="runtime/pack.h runtime/generic/weights.c runtime/rasp/rasp_values.c runtime/layout.h"
SEARCH="ir frontend frontend/rasp passes codegen target runtime"

folder() { case $1 in frontend/*) echo frontend ;; *) echo "${1%%/*}" ;; esac; }
listed() { case " $(echo $2) " in *" $1 "*) return 0 ;; esac; return 1; }
resolve() {   # resolve FILE HEADER: the included file relative to SRCDIR, or nothing
  dir=$(dirname "$1")
  if [ -f "$dir/$2" ]; then realpath -m --relative-to=. "$dir/$2"; return; fi
  for d in $SEARCH; do
    if [ -f "$d/$2" ]; then realpath -m --relative-to=. "$d/$2"; return; fi
  done
}
why_forbidden() {   # why_forbidden FROM_FILE TO_FILE: prints the reason, or nothing if allowed
  from=$(folder "$1") to=$(folder "$2")
  [ "$from" = "$to" ] && return
  if [ "$to" = runtime ]; then
    listed "$2" "$SHARED" || echo "$from may include only the shared runtime files"
    return
  fi
  [ "$from" = runtime ] && { echo "runtime knows nothing of the compiler"; return; }
  allowed=""
  for a in $ARROWS; do [ "${a%%:*}" = "$from" ] && allowed=${a#*:}; done
  case ",$allowed," in
  *",$to,"*) listed "$2" "$PUBLIC" || echo "$2 is private to $to/" ;;
  *) echo "no arrow $from -> $to" ;;
  esac
}

files=$(find ir frontend passes codegen target tools runtime \
        \( -name '*.[chly]' -o -name '*.def' \) 2>/dev/null | sort)
total=0 cross=0 bad=0
for f in $files; do
  for h in $(sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f"); do
    r=$(resolve "$f" "$h")
    [ -n "$r" ] || continue
    total=$((total + 1))
    [ "$(folder "$f")" = "$(folder "$r")" ] || cross=$((cross + 1))
    why=$(why_forbidden "$f" "$r")
    [ -z "$why" ] && continue
    bad=$((bad + 1))
    echo "FORBIDDEN: $f -> $r: $why"
  done
done
echo "include edges: $total, of which $cross cross folders, $bad forbidden"
[ "$bad" = 0 ]
