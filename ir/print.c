/* print.c — placeholder until the printer lands. */
#include "ir.h"
void ir_print(const Graph *g, Buf *out) { buf_printf(out, "graph %s {}\n", g->name); }
