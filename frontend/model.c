/* model.c — placeholder until the model.yaml frontend lands. */
#include "frontend.h"
Graph *fe_load_model(Arena *a, const char *path) {
  (void)a;
  diag_error(diag_loc(path, 0, 0), "model frontend not built yet");
  return NULL;
}
