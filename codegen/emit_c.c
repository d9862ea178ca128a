/* emit_c.c — placeholder until the C emitter lands. */
#include "codegen.h"
int cg_emit_c(const Graph *g, const CgOptions *opt, Buf *c, Buf *h, Buf *weights) {
  (void)g, (void)opt, (void)c, (void)h, (void)weights;
  diag_error(LOC_NONE, "C emitter not built yet");
  return -1;
}
