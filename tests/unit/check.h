/*
 * check.h — the smallest test harness: CHECK(cond) counts failures and says
 * where; capture_begin/capture_end collect diagnostics so tests can assert on
 * the messages (diag_set_stream into an open_memstream buffer).
 */
#ifndef TFC_TEST_CHECK_H
#define TFC_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static int check_failures;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      check_failures++;                                                      \
    }                                                                        \
  } while (0)

static char *capture_text;
static size_t capture_len;
static FILE *capture_file;

/* Diagnostics go into a buffer until capture_end, which returns them. */
static void capture_begin(void) {
  free(capture_text);
  capture_text = NULL;
  capture_file = open_memstream(&capture_text, &capture_len);
  diag_set_stream(capture_file);
}

static const char *capture_end(void) {
  fclose(capture_file);
  diag_set_stream(NULL);
  return capture_text ? capture_text : "";
}

/* CHECK that the captured text contains needle, showing it when it does not. */
#define CHECK_HAS(text, needle)                                                    \
  do {                                                                             \
    if (!strstr((text), (needle))) {                                               \
      fprintf(stderr, "%s:%d: expected \"%s\" in:\n%s\n", __FILE__, __LINE__, (needle), (text)); \
      check_failures++;                                                            \
    }                                                                              \
  } while (0)

static int check_report(const char *name) {
  free(capture_text);
  if (check_failures) fprintf(stderr, "%s: %d checks failed\n", name, check_failures);
  else printf("%s: all checks passed\n", name);
  return check_failures ? 1 : 0;
}

#endif
