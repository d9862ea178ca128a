#!/usr/bin/awk -f
# function_lengths.awk — docs/style.md habit 16: function lengths per C file.
#
#   awk -f tools/function_lengths.awk [-v limit=150] [-v warn=60] FILE.c ...
#
# A function is a definition in chibicc/Lua layout: its signature starts in
# column 0 and its body ends at the next '}' in column 0; its length counts the
# lines from the signature to that brace.  It is "flat dispatch" when a switch
# holds at least a third of its lines as case labels.  For each file the script
# prints the count, median and maximum length (and the longest function's
# name); each function over `warn` lines (default 60) that is not flat dispatch
# gets a "long" line, and one over `limit` lines (default 150) a "FAIL" line and
# exit status 1.  The limits follow docs/style.md (habit 16): aim for a median under 20, only a
# flat switch over op kinds should exceed 60; 150 is where a function plainly
# needs splitting.
BEGIN { if (!limit) limit = 150; if (!warn) warn = 60; failed = 0 }

FNR == 1 { if (prev != "") report(prev); prev = FILENAME; n = 0; infn = 0; pending = "" }

# A candidate signature: column 0, not a comment, preprocessor line, brace or label.
!infn && /^[A-Za-z_][A-Za-z0-9_ \t\*]*[A-Za-z0-9_\*][ \t]*\(/ && !/;[ \t]*$/ && !/^(typedef|struct [A-Za-z_]+ *\{|enum|static const|const)/ {
  pending = $0; start = FNR
}
!infn && pending != "" && /\{[ \t]*$/ {
  infn = 1; cases = 0; switches = 0
  name = pending; sub(/\(.*/, "", name); sub(/.*[ \t\*]/, "", name)
  next
}
!infn && /;[ \t]*$/ { pending = "" }
infn && /^[ \t]*(case .*|default[ \t]*):/ { cases++ }
infn && /switch[ \t]*\(/ { switches++ }
infn && /^\}/ {
  len = FNR - start + 1
  n++; lens[n] = len; names[n] = name
  flat = switches > 0 && cases * 3 >= len
  if (len > limit && !flat) { printf "FAIL %s:%d: %s is %d lines (limit %d)\n", FILENAME, start, name, len, limit; failed = 1 }
  else if (len > warn && !flat) printf "long %s:%d: %s is %d lines\n", FILENAME, start, name, len
  infn = 0; pending = ""
}

function report(file,   i, j, t, sorted, maxi) {
  if (n == 0) { printf "%-40s no functions\n", file; return }
  for (i = 1; i <= n; i++) sorted[i] = lens[i]
  for (i = 2; i <= n; i++)   # insertion sort: a file has at most a few hundred
    for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) { t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t }
  maxi = 1
  for (i = 2; i <= n; i++) if (lens[i] > lens[maxi]) maxi = i
  printf "%-40s %4d functions  median %4s  max %4d (%s)\n", file, n,
         n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2, lens[maxi], names[maxi]
}

END { if (prev != "") report(prev); exit failed }
