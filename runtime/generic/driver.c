/*
 * driver.c — the command-line program that --main adds to model.c:
 *
 *   ./model [-w WEIGHTS] --tokens "1 2 3" [--logits OUT] [--incremental]
 *           [--generate N] [--temperature T] [--top-p P] [--seed S]
 *           [--tokenizer tok.bin --prompt TEXT] [--timing]
 *
 * --logits OUT writes raw little-endian float32, n x out_dim, from one
 * forward call (--incremental: one call per token, through the KV cache).
 * --generate N then samples N more ids (sampler.c) and prints them on one
 * line.  With --tokenizer FILE (a llama2.c tokenizer.bin, tokenizer.c),
 * --prompt TEXT replaces --tokens (BOS + the encoded text) and --generate N
 * prints text instead: N positions after BOS, the prompt's tokens included,
 * stopping early at a BOS, as llama2.c's `run -n N -i TEXT` does.  --timing
 * reports the decode speed on stderr as run.c does ("achieved tok/s", timed
 * from the first sampled token on).  Without --logits or --generate, it
 * prints the arg-max of the last row.  Errors go to stderr and exit 1.  The
 * model is reached only through RtModel, so the same driver serves every
 * generated model; new options go in rt_driver_parse (one branch each) and
 * act in rt_driver_main.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* The generated model, as the driver sees it. */
typedef struct {
  void *(*open)(const char *weights_path);
  const char *(*last_error)(void);
  int (*forward)(void *m, const int32_t *tokens, int n, float *out);
  void (*reset)(void *m);
  void (*close)(void *m);
  int vocab;                /* valid ids 0..vocab-1 */
  int out_dim;              /* floats per output row */
  int max_seq;              /* context length */
  int is_decoder;           /* keeps a KV cache; can generate */
  const char *weights_name; /* default weights file beside the program; NULL if embedded */
} RtModel;

typedef struct {
  const char *weights;     /* -w */
  const char *tokens_text; /* --tokens */
  const char *logits_path; /* --logits */
  int incremental;         /* --incremental */
  long generate;           /* --generate N */
  float temperature;       /* --temperature (default 0: greedy) */
  float topp;              /* --top-p (default 1: off) */
  unsigned long long seed; /* --seed (default 42) */
  const char *tokenizer;   /* --tokenizer tok.bin: generation prints text */
  const char *prompt;      /* --prompt TEXT (needs --tokenizer) */
  int timing;              /* --timing: decode tok/s on stderr */
} RtDriverOptions;

RT_API int rt_driver_fail(const char *what, const char *detail) {
  fprintf(stderr, "error: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  return 1;
}

/* Parses a number with nothing after it; returns 0 on success. */
RT_API int rt_parse_number(const char *s, double *v) {
  char *end;
  *v = strtod(s, &end);
  return end == s || *end != 0;
}

/* Fills o from argv.  Returns 0, or 1 after a message. */
RT_API int rt_driver_parse(int argc, char **argv, RtDriverOptions *o) {
  o->topp = 1.0f, o->seed = 42;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    double x = 0;
    int takes = strcmp(a, "--incremental") != 0 && strcmp(a, "--timing") != 0;
    int text = !strcmp(a, "-w") || !strcmp(a, "--tokens") || !strcmp(a, "--logits") ||
               !strcmp(a, "--tokenizer") || !strcmp(a, "--prompt");
    if (takes && !v) return rt_driver_fail("missing value after", a);
    if (takes && !text && rt_parse_number(v, &x))
      return rt_driver_fail("expected a number after", a);
    if (!strcmp(a, "-w"))
      o->weights = v;
    else if (!strcmp(a, "--tokens"))
      o->tokens_text = v;
    else if (!strcmp(a, "--logits"))
      o->logits_path = v;
    else if (!strcmp(a, "--incremental"))
      o->incremental = 1;
    else if (!strcmp(a, "--tokenizer"))
      o->tokenizer = v;
    else if (!strcmp(a, "--prompt"))
      o->prompt = v;
    else if (!strcmp(a, "--timing"))
      o->timing = 1;
    else if (!strcmp(a, "--generate") && x >= 0)
      o->generate = (long)x;
    else if (!strcmp(a, "--temperature") && x >= 0)
      o->temperature = (float)x;
    else if (!strcmp(a, "--top-p"))
      o->topp = (float)x;
    else if (!strcmp(a, "--seed") && x >= 0)
      o->seed = (unsigned long long)x;
    else
      return rt_driver_fail("unknown option or bad value", a);
    i += takes;
  }
  if (o->prompt && !o->tokenizer) return rt_driver_fail("--prompt needs --tokenizer", NULL);
  if (o->prompt && o->tokens_text) return rt_driver_fail("give --tokens or --prompt", NULL);
  if (!o->tokens_text && !o->prompt)
    return rt_driver_fail("no input: give --tokens \"1 2 3\" or --prompt TEXT", NULL);
  return 0;
}

/* Parses "1 2 3" into a malloc'd array of *n ids.  NULL after a message. */
RT_API int32_t *rt_parse_tokens(const char *text, int vocab, int max_seq, int *n) {
  int32_t *ids = malloc(sizeof(int32_t) * ((size_t)max_seq + 1));
  char *end;
  *n = 0;
  for (const char *p = text; ids; p = end) {
    while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n') p++;
    if (!*p) break;
    long id = strtol(p, &end, 10);
    if (end == p || id < 0 || id >= vocab || *n >= max_seq) {
      rt_driver_fail(end == p        ? "not a token id"
                     : *n >= max_seq ? "too many tokens for the context"
                                     : "token id out of range",
                     p);
      free(ids);
      return NULL;
    }
    ids[(*n)++] = (int32_t)id;
  }
  if (ids && *n == 0) {
    rt_driver_fail("--tokens holds no ids", NULL);
    free(ids);
    return NULL;
  }
  return ids;
}

/* Runs the model over ids, in one call or one token at a time; out gets n rows. */
RT_API int rt_driver_run(const RtModel *md, void *m, const int32_t *ids, int n, float *out,
                         int incremental) {
  if (!incremental) return md->forward(m, ids, n, out);
  int rc = 0;
  for (int t = 0; t < n && rc == 0; t++)
    rc = md->forward(m, ids + t, 1, out + (size_t)t * md->out_dim);
  return rc;
}

RT_API int rt_write_floats(const char *path, const float *x, size_t n) {
  FILE *f = fopen(path, "wb");
  int ok = f && fwrite(x, sizeof(float), n, f) == n;
  if (f && fclose(f) != 0) ok = 0;
  return ok ? 0 : rt_driver_fail("cannot write", path);
}

/* Milliseconds from an arbitrary origin (C11 timespec_get), for --timing. */
RT_API double rt_now_ms(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* What generation prints: ids separated by spaces, or text through a tokenizer. */
typedef struct {
  const RtTokenizer *tok;  /* NULL: ids */
  int32_t prev;            /* the token before (decoding drops a space after BOS) */
  long count;              /* tokens printed */
} RtEcho;

RT_API void rt_echo(RtEcho *e, int32_t id) {
  if (e->tok)
    rt_tok_print(stdout, rt_tok_decode(e->tok, e->prev, id)), fflush(stdout);
  else
    printf("%s%d", e->count ? " " : "", (int)id);
  e->prev = id;
  e->count++;
}

/* Samples after the prompt ids[0..n_prompt) whose last row is last_row.
 * Ids: o->generate new ids.  Text (tok): o->generate positions after BOS,
 * the prompt's included, stopping at a sampled BOS (llama2.c's -n). */
RT_API int rt_driver_generate(const RtModel *md, void *m, const RtDriverOptions *o, float *last_row,
                              const int32_t *ids, int n_prompt, const RtTokenizer *tok) {
  RtSampler sm = {md->out_dim, o->temperature, o->topp, o->seed ? o->seed : 0x9E3779B97F4A7C15ull,
                  malloc(sizeof(RtProbIndex) * (size_t)md->out_dim)};
  if (!sm.scratch) return rt_driver_fail("out of memory", NULL);
  RtEcho e = {tok, ids[0], 0};
  for (int i = 1; tok && i < n_prompt && e.count < o->generate; i++) rt_echo(&e, ids[i]);
  double start = 0;
  long timed = 0;
  for (long i = 0; e.count < o->generate; i++) {
    int32_t next = rt_sample(&sm, last_row);
    if (tok && next == RT_TOK_BOS) break;
    rt_echo(&e, next);
    if (i == 0) start = rt_now_ms();
    if (e.count == o->generate) break;
    if (n_prompt + i + 1 > md->max_seq) {
      fprintf(stderr, "note: context of %d tokens is full; stopped\n", md->max_seq);
      break;
    }
    int rc = md->forward(m, &next, 1, last_row);
    if (rc) return free(sm.scratch), rt_driver_fail("forward failed", md->last_error());
    timed++;
  }
  printf("\n");
  if (o->timing && timed)
    fprintf(stderr, "achieved tok/s: %f\n", (double)timed / (rt_now_ms() - start) * 1000.0);
  free(sm.scratch);
  return 0;
}

/* BOS + the encoded prompt, in a malloc'd array of *n ids.  NULL after a message. */
RT_API int32_t *rt_driver_encode(const RtTokenizer *tok, const char *text, int max_seq, int *n) {
  int32_t *ids = malloc(sizeof(int32_t) * (strlen(text) + 2));
  *n = ids ? rt_tok_encode(tok, text, 1, ids) : -1;
  if (*n < 0 || *n > max_seq) {
    rt_driver_fail(*n < 0 ? "cannot encode the prompt" : "prompt too long for the context", NULL);
    free(ids);
    return NULL;
  }
  return ids;
}

/* Opens the weights: -w, else embedded, else the default file beside argv0. */
RT_API void *rt_driver_open(const RtModel *md, const char *argv0, const char *weights) {
  if (weights || !md->weights_name) return md->open(weights);
  const char *slash = strrchr(argv0, '/');
  size_t dir = slash ? (size_t)(slash - argv0 + 1) : 0;
  char *path = malloc(dir + strlen(md->weights_name) + 1);
  if (!path) return NULL;
  memcpy(path, argv0, dir);
  strcpy(path + dir, md->weights_name);
  void *m = md->open(path);
  free(path);
  return m;
}

RT_API int rt_driver_main(int argc, char **argv, const RtModel *md) {
  RtDriverOptions o = {0};
  int n = 0, rc = rt_driver_parse(argc, argv, &o);
  if (rc) return rc;
  if (o.generate && !md->is_decoder) return rt_driver_fail("--generate needs a decoder", NULL);
  if (o.incremental && !md->is_decoder)   /* an encoder sees each call as a whole sequence */
    return rt_driver_fail("--incremental needs a decoder (a KV cache)", NULL);
  RtTokenizer tok = {0};
  const char *err = NULL;
  if (o.tokenizer && rt_tok_load(&tok, o.tokenizer, md->vocab, &err))
    return rt_driver_fail(err, o.tokenizer);
  int32_t *ids = o.prompt ? rt_driver_encode(&tok, o.prompt, md->max_seq, &n)
                          : rt_parse_tokens(o.tokens_text, md->vocab, md->max_seq, &n);
  void *m = ids ? rt_driver_open(md, argv[0], o.weights) : NULL;
  float *out = m ? malloc(sizeof(float) * (size_t)n * (size_t)md->out_dim) : NULL;
  if (!ids) return rt_tok_free(&tok), 1;
  if (!m) {
    free(ids), rt_tok_free(&tok);
    return rt_driver_fail("cannot open the model", md->last_error());
  }
  if (!out) rc = rt_driver_fail("out of memory", NULL);
  if (!rc && rt_driver_run(md, m, ids, n, out, o.incremental))
    rc = rt_driver_fail("forward failed", md->last_error());
  if (!rc && o.logits_path) rc = rt_write_floats(o.logits_path, out, (size_t)n * md->out_dim);
  float *last = out ? out + (size_t)(n - 1) * md->out_dim : NULL;
  if (!rc && o.generate)
    rc = rt_driver_generate(md, m, &o, last, ids, n, o.tokenizer ? &tok : NULL);
  if (!rc && !o.logits_path && !o.generate)
    printf("%d tokens; last row arg-max %d\n", n, rt_argmax(last, md->out_dim));
  free(out), free(ids);
  rt_tok_free(&tok);
  md->close(m);
  return rc;
}
