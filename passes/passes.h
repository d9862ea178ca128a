/*
 * passes.h — the pass manager and its passes (passes/passes.def lists them).
 */
#ifndef TFC_PASSES_H
#define TFC_PASSES_H

#include "ir.h"

typedef struct PassOptions {
  int opt_level;            /* 0..3: which list of passes -O selects */
  const char *pass_list;    /* --passes=a,b,c: run exactly these (overrides opt_level) */
  const char *print_after;  /* --print-after=PASS ("all" for every pass): IR to stderr */
  bool remarks;             /* --remarks: say which rewrites fired where, and why not */
  bool verify_each;         /* run ir_verify after every pass (tests, debug builds) */
  Target target;            /* for kernel selection */
} PassOptions;

/* Runs the selected passes in order.  Returns 0, or -1 after a diagnostic. */
int pass_run_pipeline(Graph *g, const PassOptions *opt);
/* Prints the pass table (for --help). */
void pass_print_help(FILE *out);
/* --stats: FLOPs per token, weight bytes, activation and KV-cache bytes. */
void pass_print_stats(const Graph *g, FILE *out);

#endif
