/* interp.c — placeholder until the interpreter lands. */
#include "ir.h"
int ir_interpret(const Graph *g, const int32_t *tokens, int n, float *out) {
  (void)g, (void)tokens, (void)n, (void)out;
  diag_error(LOC_NONE, "interpreter not built yet");
  return -1;
}
