/*
 * emit_c_driver.c — `--main`: the command-line program at the end of
 * model.c.  The driver itself is runtime/generic/driver.c (with the sampler),
 * copied verbatim and written against RtModel, a table of the model's API
 * and sizes; this file emits that table and a three-line main.  New driver
 * options therefore go into driver.c, not here.
 */
#include "codegen.h"
#include "tokenizer.h"   /* ir/tokenizer.h: TOK_CHATML, chat_system */

void cg_emit_main(CgEmit *e) {
  const char *N = e->name;
  const Graph *g = e->g;
  Buf *c = e->c;
  const char *system = g->tokenizer && (g->tokenizer->flags & TOK_CHATML) ? g->tokenizer->chat_system : NULL;
  cg_copy_runtime(e, "generic/driver.c");   /* embedded in every tfc: cannot fail */
  if (g->tokenizer) cg_emit_tokenizer(e);    /* the same */
  buf_printf(c,
             "// --- main: ./%s [-w WEIGHTS] --tokens \"1 2 3\" [--logits OUT] [--incremental]\n"
             "//           [--generate N] [--temperature T] [--top-p P] [--seed S]\n"
             "//           [--prompt TEXT [--chat|--raw]] [--tokenizer tok.bin] [--timing]\n\n"
             "static void *api_open(const char *path) { return %s_open(path); }\n"
             "static int api_forward(void *m, const int32_t *tokens, int n, float *out) {\n"
             "  return %s_forward(m, tokens, n, out);\n}\n"
             "static void api_reset(void *m) { %s_reset(m); }\n"
             "static void api_close(void *m) { %s_close(m); }\n\n",
             N, N, N, N, N);
  const char *weights = e->embed ? "NULL"
                                 : arena_printf(g->arena, "\"%s\"",
                                                cg_cstring(e, e->opt->weights_name
                                                                  ? e->opt->weights_name
                                                                  : "model.bin"));
  buf_printf(c,
             "int main(int argc, char **argv) {\n"
             "  static const RtModel model = {\n"
             "      .open = api_open, .last_error = %s_last_error, .forward = api_forward,\n"
             "      .reset = api_reset, .close = api_close, .vocab = %lld, .out_dim = %lld,\n"
             "      .max_seq = %lld, .is_decoder = %d, .weights_name = %s,\n"
             "      .open_text = %s%s%s%s};\n"
             "  return rt_driver_main(argc, argv, &model);\n}\n",
             N, (long long)(g->vocab_size > 0 ? g->vocab_size : 2147483647),
             (long long)ir_last_dim(g->outputs[0]), (long long)g->max_seq, g->is_decoder ? 1 : 0,
             weights, g->tokenizer ? "api_open_text" : "NULL", system ? ",\n      .chat_system = \"" : "",
             system ? cg_cstring(e, system) : "", system ? "\"" : "");
}
