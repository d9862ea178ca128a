/*
 * fuzz_target.c — one libFuzzer target per input parser (docs/style.md, habit 15):
 *
 *   TFC_FUZZ_KIND  the file the fuzzer's bytes become        loaded through
 *   yaml           model.yaml (beside real weights)           fe_load_model
 *   safetensors    the weights of a GPT-2 model.yaml          fe_load_model
 *   json           config.json of an HF folder (BERT weights) fe_load_model
 *   llama2c        the .bin of a weights_format: llama2c yaml fe_load_model
 *   gguf           a .gguf file given as the input            fe_load_model
 *   rasp           a .rasp program                            rasp_load
 *
 * (The textual IR has its own target, tests/unit/fuzz_ir_parse.c.)  Every
 * input must load or fail with a diagnostic, never crash; under ASan/UBSan any
 * memory error fails too.  The companion files (weights, the yaml that points
 * at a mutated .bin) come from the tiny models of tests/style/make_models.py,
 * found through the environment variable TFC_FUZZ_MODELS.
 *
 * Built with -DTFC_LIBFUZZER (cmake -DTFC_FUZZ=ON with clang, tests/fuzz.cmake)
 * it is a libFuzzer target:
 *     TFC_FUZZ_MODELS=build/tests/style/models build-fuzz/fuzz_yaml \
 *         -max_total_time=60 corpus_dir tests/fuzz/corpus/yaml
 * Without it, main() replays each file named on the command line as one input
 * (CTest: fuzz.replay.<kind>, over tests/fuzz/corpus/<kind>/: the seeds, a few
 * of the fuzzer's own inputs ("fuzzed-*") and any crash kept after its fix).
 *
 * As run (clang 14, 45 s each on a loaded 2-core machine, from the seeds):
 * yaml 18,075 inputs, json 28,239, llama2c 25,303, rasp 6,276, safetensors
 * 2,707 (each run maps a 17 KB file); no crash, leak or undiagnosed failure.
 * gguf (clang 14, 120 s, from its two 3.5 KB seeds): 611,848 inputs, 227 in
 * the corpus; no crash, leak or undiagnosed failure.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontend.h"
#include "rasp/rasp.h"

#ifndef TFC_FUZZ_KIND
#error "define TFC_FUZZ_KIND (yaml, safetensors, json, llama2c, gguf or rasp)"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

enum { PATH_MAX_ = 4096 };
static char work[1024];             /* a private folder: the input and links to its companions */

/* Links name in work to models/<model>/<file>. */
static int link_model_file(const char *models, const char *model, const char *file,
                           const char *name) {
  char from[PATH_MAX_], to[PATH_MAX_];
  snprintf(from, sizeof from, "%s/%s/%s", models, model, file);
  snprintf(to, sizeof to, "%s/%s", work, name);
  unlink(to);
  return access(from, R_OK) || symlink(from, to) ? -1 : 0;
}

/* Makes the work folder and the companion files for this kind, once. */
static int set_up(void) {
  const char *models = getenv("TFC_FUZZ_MODELS");
  if (!models) return fprintf(stderr, "fuzz: set TFC_FUZZ_MODELS (tests/style/make_models.py)\n"), -1;
  snprintf(work, sizeof work, "%s/fuzz_%s_%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
           STR(TFC_FUZZ_KIND), (int)getpid());
  mkdir(work, 0755);
  const char *kind = STR(TFC_FUZZ_KIND);
  int rc = 0;
  if (!strcmp(kind, "yaml") || !strcmp(kind, "safetensors")) {
    rc |= link_model_file(models, "gpt2", "tiny_gpt2.safetensors", "tiny_gpt2.safetensors");
    rc |= link_model_file(models, "bert", "model.safetensors", "model.safetensors");
    rc |= link_model_file(models, "llama2c", "model.bin", "model.bin");
  }
  if (!strcmp(kind, "safetensors")) rc |= link_model_file(models, "gpt2", "model.yaml", "model.yaml");
  if (!strcmp(kind, "json")) rc |= link_model_file(models, "bert", "model.safetensors", "model.safetensors");
  if (!strcmp(kind, "llama2c")) rc |= link_model_file(models, "llama2c", "model.yaml", "model.yaml");
  if (rc) fprintf(stderr, "fuzz: companion files missing under %s\n", models);
  return rc;
}

/* The file the input becomes, and the path tfc loads. */
static void paths(char *file, char *input, size_t n) {
  static const struct { const char *kind, *file, *input; } table[] = {
      {"yaml", "model.yaml", "model.yaml"},       {"safetensors", "tiny_gpt2.safetensors", "model.yaml"},
      {"json", "config.json", ""},                {"llama2c", "model.bin", "model.yaml"},
      {"rasp", "prog.rasp", "prog.rasp"},        {"gguf", "model.gguf", "model.gguf"}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (!strcmp(table[i].kind, STR(TFC_FUZZ_KIND))) {
      snprintf(file, n, "%s/%s", work, table[i].file);
      snprintf(input, n, "%s%s%s", work, *table[i].input ? "/" : "", table[i].input);
      return;
    }
  abort();
}

/* One input: write it, load it; 0 when it loaded or failed with a diagnostic. */
static int run_one(const unsigned char *data, size_t size) {
  char file[PATH_MAX_], input[PATH_MAX_];
  paths(file, input, sizeof file);
  unlink(file);   /* a link to a companion file: never write through it */
  FILE *f = fopen(file, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f)) return fprintf(stderr, "fuzz: cannot write %s\n", file), -1;
  Arena *a = arena_new();
  int errors = diag_error_count();
  RaspOptions opt = {0};
  Graph *g = !strcmp(STR(TFC_FUZZ_KIND), "rasp") ? rasp_load(a, input, &opt) : fe_load_model(a, input);
  int rc = g || diag_error_count() > errors ? 0 : -1;
  arena_free(a);
  return rc;
}

#define FUZZ_NAME STR(TFC_FUZZ_KIND)
#include "fuzz_harness.h"
