/* emit_rasp.c — placeholder until the RASP emitter lands. */
#include "codegen.h"
int cg_emit_rasp(const Graph *g, const CgOptions *opt, Buf *c, Buf *h) {
  (void)g, (void)opt, (void)c, (void)h;
  diag_error(LOC_NONE, "RASP emitter not built yet");
  return -1;
}
