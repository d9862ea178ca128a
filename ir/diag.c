/*
 * diag.c — diagnostics that point at the user's input (like chibicc's verror_at).
 *
 *   model.yaml:7:12: error: config key 'n_head' must be a positive integer
 *       n_head: -4
 *               ^
 *
 * A Loc with a line shows the source line and a caret under the column; a Loc
 * with only a file prints `file: error: ...`.  Library code reports here and
 * returns an error value; only tools/tfc.c decides the exit status.
 */
#include "ir.h"

#include <string.h>

static FILE *stream;
static int error_count;
static bool remarks_on;

void diag_set_stream(FILE *f) { stream = f; }
void diag_set_remarks(bool on) { remarks_on = on; }
int diag_error_count(void) { return error_count; }

Loc diag_loc(const char *file, int line, int col) { return (Loc){file, line, col}; }

/* Prints line `line` of `file` and a caret under column `col`, when readable. */
static void show_source_line(FILE *out, Loc loc) {
  FILE *f = fopen(loc.file, "rb");
  if (!f) return;
  char text[512];
  int line = 1;
  bool found = false;
  while (fgets(text, sizeof text, f)) {
    bool whole = strchr(text, '\n') != NULL;
    if (line == loc.line) {
      found = true;
      break;
    }
    if (whole) line++;
  }
  fclose(f);
  if (!found) return;
  text[strcspn(text, "\r\n")] = 0;
  for (char *p = text; *p; p++)
    if ((unsigned char)*p < 32 && *p != '\t') *p = '?';
  fprintf(out, "    %s\n    ", text);
  for (int i = 1; i < loc.col && text[i - 1]; i++) fputc(text[i - 1] == '\t' ? '\t' : ' ', out);
  fputs("^\n", out);
}

static void vreport(Loc loc, const char *kind, const char *fmt, va_list ap) {
  FILE *out = stream ? stream : stderr;
  if (loc.file && loc.line > 0)
    fprintf(out, "%s:%d:%d: %s: ", loc.file, loc.line, loc.col > 0 ? loc.col : 1, kind);
  else if (loc.file)
    fprintf(out, "%s: %s: ", loc.file, kind);
  else
    fprintf(out, "tfc: %s: ", kind);
  vfprintf(out, fmt, ap);
  fputc('\n', out);
  if (loc.file && loc.line > 0) show_source_line(out, loc);
}

#define DEFINE_DIAG(fn, kind, before)   \
  void fn(Loc loc, const char *fmt, ...) { \
    before;                              \
    va_list ap;                          \
    va_start(ap, fmt);                   \
    vreport(loc, kind, fmt, ap);         \
    va_end(ap);                          \
  }

DEFINE_DIAG(diag_error, "error", error_count++)
DEFINE_DIAG(diag_warning, "warning", (void)0)
DEFINE_DIAG(diag_note, "note", (void)0)
DEFINE_DIAG(diag_remark, "remark", if (!remarks_on) return)
