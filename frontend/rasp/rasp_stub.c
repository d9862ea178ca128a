/* rasp_stub.c — placeholder until the RASP frontend lands. */
#include "rasp.h"
Graph *rasp_load(Arena *a, const char *path, const RaspOptions *opt) {
  (void)a, (void)opt;
  diag_error(diag_loc(path, 0, 0), "RASP frontend not built yet");
  return NULL;
}
int rasp_run(const Graph *g, const char *const *tokens, int n, FILE *out) {
  (void)g, (void)tokens, (void)n, (void)out;
  return 1;
}
