/*
 * make_weights.c — writes a GPT-2 model's weights as safetensors, filled with
 * deterministic pseudo-random values, so the bundled examples need nothing
 * downloaded.  The values follow GPT-2's initialisation (normal, std 0.02;
 * LayerNorm gains 1, biases 0) plus a little noise on the norms so that every
 * parameter matters.
 *
 *   tfc-make-weights OUT.safetensors VOCAB N_POSITIONS N_EMBD N_LAYER [SEED]
 *
 * The tensors use Hugging Face GPT-2 names (Conv1D weights stored [in, out]).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char name[64];
  long rows, cols;   /* cols == 0: a vector of rows elements */
  int kind;          /* 0 weight, 1 gain (around 1), 2 bias (around 0) */
} Tensor;

static uint64_t rng_state;

static double uniform(void) {   /* xorshift64*, in (0, 1) */
  rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
  return ((rng_state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0) + 1e-300;
}

static float normal(double std) {   /* Box-Muller */
  return (float)(std * sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform()));
}

static long count(const Tensor *t) { return t->rows * (t->cols ? t->cols : 1); }

static int add(Tensor *ts, int n, const char *name, long rows, long cols, int kind) {
  snprintf(ts[n].name, sizeof ts[n].name, "%s", name);
  ts[n].rows = rows, ts[n].cols = cols, ts[n].kind = kind;
  return n + 1;
}

/* Lists GPT-2's tensors in Hugging Face order. */
static int list_gpt2(Tensor *ts, long vocab, long n_pos, long d, long layers) {
  int n = 0;
  char name[64];
  n = add(ts, n, "wte.weight", vocab, d, 0);
  n = add(ts, n, "wpe.weight", n_pos, d, 0);
  for (long l = 0; l < layers; l++) {
    static const struct { const char *suffix; int kind, rows_mul, cols_mul; } parts[] = {
        {"ln_1.weight", 1, 1, 0},        {"ln_1.bias", 2, 1, 0},
        {"attn.c_attn.weight", 0, 1, 3}, {"attn.c_attn.bias", 2, 3, 0},
        {"attn.c_proj.weight", 0, 1, 1}, {"attn.c_proj.bias", 2, 1, 0},
        {"ln_2.weight", 1, 1, 0},        {"ln_2.bias", 2, 1, 0},
        {"mlp.c_fc.weight", 0, 1, 4},    {"mlp.c_fc.bias", 2, 4, 0},
        {"mlp.c_proj.weight", 0, 4, 1},  {"mlp.c_proj.bias", 2, 1, 0}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
      snprintf(name, sizeof name, "h.%ld.%s", l, parts[i].suffix);
      n = add(ts, n, name, d * parts[i].rows_mul, d * parts[i].cols_mul, parts[i].kind);
    }
  }
  n = add(ts, n, "ln_f.weight", d, 0, 1);
  return add(ts, n, "ln_f.bias", d, 0, 2);
}

static void write_header(FILE *f, const Tensor *ts, int n) {
  char *json = malloc(256 * (size_t)n + 64);
  size_t len = 0;
  long offset = 0;
  len += (size_t)sprintf(json + len, "{");
  for (int i = 0; i < n; i++) {
    long bytes = count(&ts[i]) * 4;
    if (ts[i].cols)
      len += (size_t)sprintf(json + len, "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%ld,%ld],", i ? "," : "",
                             ts[i].name, ts[i].rows, ts[i].cols);
    else
      len += (size_t)sprintf(json + len, "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%ld],", i ? "," : "",
                             ts[i].name, ts[i].rows);
    len += (size_t)sprintf(json + len, "\"data_offsets\":[%ld,%ld]}", offset, offset + bytes);
    offset += bytes;
  }
  len += (size_t)sprintf(json + len, "}");
  while (len % 8) json[len++] = ' ';
  uint64_t header_len = len;
  unsigned char le[8];
  for (int i = 0; i < 8; i++) le[i] = (unsigned char)(header_len >> (8 * i));
  fwrite(le, 1, 8, f);
  fwrite(json, 1, len, f);
  free(json);
}

static void write_values(FILE *f, const Tensor *t) {
  for (long i = 0; i < count(t); i++) {
    float v = t->kind == 0 ? normal(0.02) : t->kind == 1 ? 1.0f + normal(0.1) : normal(0.02);
    unsigned char b[4];
    uint32_t u;
    memcpy(&u, &v, 4);
    for (int k = 0; k < 4; k++) b[k] = (unsigned char)(u >> (8 * k));
    fwrite(b, 1, 4, f);
  }
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: tfc-make-weights OUT.safetensors VOCAB N_POSITIONS N_EMBD N_LAYER [SEED]\n");
    return 2;
  }
  long vocab = atol(argv[2]), n_pos = atol(argv[3]), d = atol(argv[4]), layers = atol(argv[5]);
  if (vocab < 1 || n_pos < 1 || d < 1 || layers < 1 || layers > 64 || vocab * d > (1L << 28)) {
    fprintf(stderr, "tfc-make-weights: error: sizes out of range\n");
    return 2;
  }
  rng_state = argc > 6 ? strtoull(argv[6], NULL, 10) * 0x9E3779B97F4A7C15ull + 1 : 42;
  Tensor *ts = calloc(16 * (size_t)layers + 8, sizeof(Tensor));
  int n = list_gpt2(ts, vocab, n_pos, d, layers);
  FILE *f = fopen(argv[1], "wb");
  if (!f) {
    fprintf(stderr, "tfc-make-weights: error: cannot write %s\n", argv[1]);
    return 1;
  }
  write_header(f, ts, n);
  for (int i = 0; i < n; i++) write_values(f, &ts[i]);
  free(ts);
  return fclose(f) ? 1 : 0;
}
