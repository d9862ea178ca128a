/*
 * driver.c — the command-line program that --main adds to model.c:
 *
 *   ./model [-w WEIGHTS] --tokens "1 2 3" [--logits OUT] [--incremental]
 *           [--generate N] [--temperature T] [--top-p P] [--seed S]
 *           [--prompt TEXT [--chat]] [--tokenizer tok.bin] [--timing]
 *
 * --logits OUT writes raw little-endian float32, n x out_dim, from one
 * forward call (--incremental: one call per token, through the KV cache).
 * --generate N then samples N more ids (sampler.c) and prints them on one
 * line.  Text goes through an RtTextCodec: the tokenizer embedded in model.c
 * when the model carries one (vocab_driver.c), or --tokenizer FILE (a llama2.c
 * tokenizer.bin, tokenizer.c), which overrides it.  --prompt TEXT then
 * replaces --tokens and --generate N prints text: the prompt, then N new
 * tokens, stopping early at an end token (EOS, <|im_end|>, ...); --chat wraps
 * the prompt in ChatML turns (<|im_start|>user ... <|im_start|>assistant) and
 * prints only the answer; a chat model's codec (RtTextCodec.chat) makes that
 * the default, --raw undoes it, and RtModel.chat_system goes first.  With a llama2.c tokenizer.bin, N counts positions
 * after BOS, the prompt's tokens included, stopping early at a BOS, as
 * llama2.c's `run -n N -i TEXT` does.  --timing reports the decode speed on
 * stderr as run.c does ("achieved tok/s", timed from the first sampled token
 * on).  Without --logits or --generate, it prints the arg-max of the last
 * row.  Errors go to stderr and exit 1.  The model is reached only through
 * RtModel, so the same driver serves every generated model; new options go
 * in rt_driver_parse (one branch each) and act in rt_driver_main.
 */
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef RT_API
#define RT_API static __attribute__((unused))
#endif

/* Text to ids and back: a tokenizer as the driver sees it. */
typedef struct RtTextCodec {
  void *ctx;
  int (*encode)(void *ctx, const char *text, int32_t *out, int cap); /* ids, -1: too many */
  int (*decode)(void *ctx, int prev, int id, char *buf);  /* the bytes of id after prev (-1) */
  int (*is_end)(void *ctx, int id);                        /* generation stops at id */
  void (*close)(void *ctx);
  size_t piece_max;        /* decode writes at most this many bytes */
  int bos;                 /* not echoed when the encoding starts with it; -1: none */
  int counts_prompt;       /* --generate N counts the prompt's positions (llama2.c) */
  int chat;                /* the model is chat-tuned (ChatML): --prompt is a user turn */
} RtTextCodec;

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
  int (*open_text)(RtTextCodec *c, const char **err); /* the embedded tokenizer, or NULL */
  const char *chat_system;  /* the chat template's default system turn, before the user's; or NULL */
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
  const char *prompt;      /* --prompt TEXT (needs a tokenizer) */
  int chat;                /* 1: the prompt as a ChatML user turn (--chat, or the model's
                            * default); -1: --raw, the prompt as plain text; 0: the default */
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

/* 1 when x is a whole number in [0, max] (so converting it to an integer is
 * defined: no NaN, infinity or 1e30 reaches a cast). */
RT_API int rt_is_whole(double x, double max) {
  return x >= 0 && x <= max && x == (double)(unsigned long long)x;
}

/* What a numeric option accepts, for its error message; NULL for other options. */
RT_API const char *rt_value_range(const char *option) {
  if (!strcmp(option, "--generate")) return "--generate needs a whole number in [0, 1e9]";
  if (!strcmp(option, "--temperature")) return "--temperature needs a finite number >= 0";
  if (!strcmp(option, "--top-p")) return "--top-p needs a number in [0, 1]";
  if (!strcmp(option, "--seed")) return "--seed needs a whole number in [0, 2^64)";
  return NULL;
}

/* Fills o from argv.  Returns 0, or 1 after a message. */
RT_API int rt_driver_parse(int argc, char **argv, RtDriverOptions *o) {
  o->topp = 1.0f, o->seed = 42;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    double x = 0;
    int takes = strcmp(a, "--incremental") != 0 && strcmp(a, "--timing") != 0 &&
                strcmp(a, "--chat") != 0 && strcmp(a, "--raw") != 0;
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
    else if (!strcmp(a, "--chat"))
      o->chat = 1;
    else if (!strcmp(a, "--raw"))
      o->chat = -1;
    else if (!strcmp(a, "--generate") && rt_is_whole(x, 1e9))
      o->generate = (long)x;
    else if (!strcmp(a, "--temperature") && x >= 0 && x <= FLT_MAX)   /* NaN fails too */
      o->temperature = (float)x;
    else if (!strcmp(a, "--top-p") && x >= 0 && x <= 1)
      o->topp = (float)x;
    else if (!strcmp(a, "--seed") && rt_is_whole(x, 0x1p64 - 0x1p11))   /* below 2^64 */
      o->seed = (unsigned long long)x;
    else if (rt_value_range(a))
      return rt_driver_fail(rt_value_range(a), v);
    else
      return rt_driver_fail("unknown option or bad value", a);
    i += takes;
  }
  if (o->chat > 0 && !o->prompt) return rt_driver_fail("--chat needs --prompt", NULL);
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

/* ---- llama2.c's tokenizer.bin (tokenizer.c) as an RtTextCodec ---- */

static int rt_l2c_encode(void *ctx, const char *text, int32_t *out, int cap) {
  return (int)strlen(text) + 2 > cap ? -1 : rt_tok_encode(ctx, text, 1, out);
}

static int rt_l2c_decode(void *ctx, int prev, int id, char *buf) {
  const char *piece = rt_tok_decode(ctx, prev, id);
  size_t n = strlen(piece);
  memcpy(buf, piece, n);
  return (int)n;
}

static int rt_l2c_is_end(void *ctx, int id) { return (void)ctx, id == RT_TOK_BOS; }

static void rt_l2c_close(void *ctx) {
  rt_tok_free(ctx);
  free(ctx);
}

/* Opens a llama2.c tokenizer.bin as c.  0, or -1 with *err set. */
RT_API int rt_l2c_open(RtTextCodec *c, const char *path, int vocab, const char **err) {
  RtTokenizer *t = malloc(sizeof *t);
  if (!t) return *err = "out of memory", -1;
  if (rt_tok_load(t, path, vocab, err)) return free(t), -1;
  *c = (RtTextCodec){t, rt_l2c_encode, rt_l2c_decode, rt_l2c_is_end, rt_l2c_close,
                     (size_t)t->max_token_length + 1, RT_TOK_BOS, 1, 0};
  return 0;
}

/* Writes bytes, dropping control bytes other than whitespace (as run.c's
 * safe_printstr does), so a model cannot write escape sequences to a terminal. */
RT_API void rt_print_safe(FILE *out, const char *s, int n) {
  for (const unsigned char *p = (const unsigned char *)s; p < (const unsigned char *)s + n; p++)
    if (*p >= 0x20 ? *p != 0x7F : (*p >= '\t' && *p <= '\r')) fputc(*p, out);
}

/* What generation prints: ids separated by spaces, or text through a codec. */
typedef struct {
  const RtTextCodec *text; /* NULL: ids */
  char *buf;               /* text->piece_max bytes */
  int32_t prev;            /* the token before (-1: none) */
  long count;              /* tokens printed */
} RtEcho;

RT_API void rt_echo(RtEcho *e, int32_t id) {
  if (e->text)
    rt_print_safe(stdout, e->buf, e->text->decode(e->text->ctx, e->prev, id, e->buf)), fflush(stdout);
  else
    printf("%s%d", e->count ? " " : "", (int)id);
  e->prev = id;
  e->count++;
}

/* Samples after the prompt ids[0..n_prompt) whose last row is last_row.
 * Ids: o->generate new ids.  Text: the prompt (without a leading BOS; not
 * with --chat), then o->generate new tokens, stopping at an end token; a
 * codec that counts_prompt counts the prompt's tokens in o->generate. */
RT_API int rt_driver_generate(const RtModel *md, void *m, const RtDriverOptions *o, float *last_row,
                              const int32_t *ids, int n_prompt, const RtTextCodec *text) {
  RtSampler sm = {md->out_dim, o->temperature, o->topp, o->seed ? o->seed : 0x9E3779B97F4A7C15ull,
                  malloc(sizeof(RtProbIndex) * (size_t)md->out_dim)};
  RtEcho e = {text, text ? malloc(text->piece_max) : NULL, -1, 0};
  if (!sm.scratch || (text && !e.buf)) return free(sm.scratch), free(e.buf), rt_driver_fail("out of memory", NULL);
  int first = text && ids[0] == text->bos;
  long limit = o->generate;
  if (first) e.prev = ids[0];
  for (int i = first; text && !o->chat && i < n_prompt && (e.count < limit || !text->counts_prompt); i++)
    rt_echo(&e, ids[i]);
  if (text && !text->counts_prompt) limit += e.count;
  double start = 0;
  long timed = 0;
  for (long i = 0; e.count < limit; i++) {
    int32_t next = rt_sample(&sm, last_row);
    if (next < 0)
      return free(sm.scratch), free(e.buf), rt_driver_fail("cannot sample", "the logits hold NaN or infinity, "
                                                            "or overflow at this --temperature");
    if (text && text->is_end(text->ctx, next)) break;
    rt_echo(&e, next);
    if (i == 0) start = rt_now_ms();
    if (e.count == limit) break;
    if (n_prompt + i + 1 > md->max_seq) {
      fprintf(stderr, "note: context of %d tokens is full; stopped\n", md->max_seq);
      break;
    }
    int rc = md->forward(m, &next, 1, last_row);
    if (rc) return free(sm.scratch), free(e.buf), rt_driver_fail("forward failed", md->last_error());
    timed++;
  }
  printf("\n");
  fflush(stdout);   /* the text ends before the timing line on a shared terminal */
  if (o->timing && timed)
    fprintf(stderr, "achieved tok/s: %f\n", (double)timed / (rt_now_ms() - start) * 1000.0);
  free(sm.scratch), free(e.buf);
  return 0;
}

/* The encoded prompt (chat: the model's default system turn, the prompt as a
 * ChatML user turn, then the assistant's turn opened), in a malloc'd array of
 * *n ids.  NULL after a message. */
RT_API int32_t *rt_driver_encode(const RtTextCodec *text, const RtDriverOptions *o, const char *system,
                                 int max_seq, int *n) {
  static const char user[] = "<|im_start|>user\n", assistant[] = "<|im_end|>\n<|im_start|>assistant\n";
  if (!o->chat || !system) system = "";
  size_t len = strlen(system) + strlen(o->prompt) + (o->chat ? sizeof user + sizeof assistant : 0);
  char *prompt = malloc(len + 1);
  int cap = (int)(2 * len + 4);
  int32_t *ids = malloc(sizeof(int32_t) * (size_t)cap);
  if (prompt)
    snprintf(prompt, len + 1, "%s%s%s%s", system, o->chat ? user : "", o->prompt, o->chat ? assistant : "");
  *n = ids && prompt ? text->encode(text->ctx, prompt, ids, cap) : -1;
  free(prompt);
  if (*n <= 0 || *n > max_seq) {
    rt_driver_fail(*n < 0 ? "cannot encode the prompt" : *n == 0 ? "the prompt encodes to no tokens"
                                                                  : "prompt too long for the context", NULL);
    free(ids);
    return NULL;
  }
  return ids;
}

/* The text codec: --tokenizer FILE, else the embedded tokenizer.  0 (c->ctx
 * NULL when there is none and none is needed), or 1 after a message. */
RT_API int rt_driver_text(const RtModel *md, const RtDriverOptions *o, RtTextCodec *c) {
  const char *err = NULL;
  memset(c, 0, sizeof *c);
  if (o->tokenizer && rt_l2c_open(c, o->tokenizer, md->vocab, &err)) return rt_driver_fail(err, o->tokenizer);
  if (!o->tokenizer && o->prompt && md->open_text && md->open_text(c, &err))
    return rt_driver_fail("cannot open the embedded tokenizer", err);
  if (o->prompt && !c->ctx)
    return rt_driver_fail("--prompt needs a tokenizer: this model carries none; give --tokenizer", NULL);
  return 0;
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
  RtTextCodec text;
  if (rt_driver_text(md, &o, &text)) return 1;
  o.chat = o.chat > 0 || (o.chat == 0 && o.prompt && text.chat);   /* a chat model answers */
  int32_t *ids = o.prompt ? rt_driver_encode(&text, &o, md->chat_system, md->max_seq, &n)
                          : rt_parse_tokens(o.tokens_text, md->vocab, md->max_seq, &n);
  void *m = ids ? rt_driver_open(md, argv[0], o.weights) : NULL;
  float *out = m ? malloc(sizeof(float) * (size_t)n * (size_t)md->out_dim) : NULL;
  if (!m) {
    if (ids) rt_driver_fail("cannot open the model", md->last_error());
    free(ids);
    if (text.ctx) text.close(text.ctx);
    return 1;
  }
  if (!out) rc = rt_driver_fail("out of memory", NULL);
  if (!rc && rt_driver_run(md, m, ids, n, out, o.incremental))
    rc = rt_driver_fail("forward failed", md->last_error());
  if (!rc && o.logits_path) rc = rt_write_floats(o.logits_path, out, (size_t)n * md->out_dim);
  float *last = out ? out + (size_t)(n - 1) * md->out_dim : NULL;
  if (!rc && o.generate)
    rc = rt_driver_generate(md, m, &o, last, ids, n, o.prompt || o.tokenizer ? &text : NULL);
  if (!rc && !o.logits_path && !o.generate)
    printf("%d tokens; last row arg-max %d\n", n, rt_argmax(last, md->out_dim));
  free(out), free(ids);
  if (text.ctx) text.close(text.ctx);
  md->close(m);
  return rc;
}
