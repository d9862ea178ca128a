/*
 * rasp.h — the RASP language (specs/rasp.md): flex lexer, bison parser,
 * checks, and lowering of a program into rasp-dialect IR.
 */
#ifndef TFC_RASP_H
#define TFC_RASP_H

#include "ir.h"

typedef struct {
  const char *output;   /* --output NAME: the s-op to produce; NULL = last top-level assignment */
} RaspOptions;

/* Parses and checks a .rasp file and builds its graph.  NULL after a diagnostic. */
Graph *rasp_load(Arena *a, const char *path, const RaspOptions *opt);

/* Interpret mode: runs g on the given tokens (strings as the user typed them)
 * and prints the output sequence to out as the compiled driver would.
 * Returns 0, or 1 after printing a run-time error (as the driver does). */
int rasp_run(const Graph *g, const char *const *tokens, int n, FILE *out);

#endif
