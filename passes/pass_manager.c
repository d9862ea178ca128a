/* pass_manager.c — placeholder until the pass manager lands. */
#include "passes.h"
int pass_run_pipeline(Graph *g, const PassOptions *opt) { (void)g, (void)opt; return 0; }
void pass_print_help(FILE *out) { fprintf(out, "  (none yet)\n"); }
void pass_print_stats(const Graph *g, FILE *out) { (void)g, (void)out; }
