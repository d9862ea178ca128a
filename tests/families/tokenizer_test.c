/*
 * tokenizer_test.c — the llama2.c tokenizer of runtime/generic/tokenizer.c
 * against the goldens of ../shared/models/llama2c/README.md (encodings of the
 * G1 and G3 prompts, the decoded text of G1 and G3), and against malformed
 * tokenizer files (truncated, bad lengths), which must be refused cleanly.
 *
 *     tokenizer_test SHARED_MODELS_DIR TMPDIR
 *
 * Exits 0 when all pass, 1 on a mismatch, 77 (skipped) when the real
 * tokenizer files are absent.
 */
#define _POSIX_C_SOURCE 200809L   /* fmemopen */
#include "../../runtime/generic/tokenizer.c"

static int failures;

static void check(int ok, const char *what) {
  if (!ok) failures++;
  printf("%s: %s\n", ok ? "ok" : "FAIL", what);
}

/* Encodes text and compares with the expected ids (BOS first). */
static void check_encode(const RtTokenizer *t, const char *text, const int32_t *want, int n) {
  int32_t ids[256];
  int got = rt_tok_encode(t, text, 1, ids);
  int ok = got == n;
  for (int i = 0; ok && i < n; i++) ok = ids[i] == want[i];
  if (!ok) {
    printf("  encode '%s' gave:", text);
    for (int i = 0; i < got; i++) printf(" %d", ids[i]);
    printf("\n");
  }
  check(ok, text);
}

/* Decodes BOS + ids as a driver prints them and compares with text. */
static void check_decode(const RtTokenizer *t, const char *ids, const char *want) {
  char out[4096];
  FILE *f = fmemopen(out, sizeof out, "w");
  int prev = RT_TOK_BOS, len = 0;
  for (const char *p = ids; sscanf(p, "%d%n", &(int){0}, &len) == 1; p += len) {
    int id = atoi(p);
    rt_tok_print(f, rt_tok_decode(t, prev, id));
    prev = id;
  }
  fclose(f);
  int ok = strcmp(out, want) == 0;
  if (!ok) printf("  decoded: '%s'\n  wanted:  '%s'\n", out, want);
  check(ok, "decode");
}

static const char g1_ids[] =
    "403 407 261 378 432 383 286 261 376 298 315 421 395 317 426 338 401 396 267 337 410 408 419 "
    "292 411 322 265 282 295 433 426 385 328 432 358 394 261 370 432 352 266 268 388 426 338 391 "
    "266 267 337 335 312 432 398 312 286 267 414 270 333 415 426 13 438 310";
static const char g1_text[] =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
    "One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily";
static const char g3_ids[] =
    "274 287 381 261 352 266 280 295 426 346 397 355 267 337 335 345 267 422 419 426 346 397 355 "
    "267 337 335 345 267 422 419 269 352 379 261 420 277 264 265 352 414 287 426 346 397 355 267 "
    "337 335 345 267 422 419 269 352 379 261 420 277 264 265 352 414 287 426";
static const char g3_text[] =
    "Tom had a red car. He liked to play with his toys. He liked to play with his toys and run "
    "around the room. He liked to play with his toys and run around the room.";

/* decode(encode(text)) gives text back, byte-fallback characters included. */
static void check_round_trip(const RtTokenizer *t, const char *text) {
  int32_t ids[256];
  char buf[1024] = "";
  int n = rt_tok_encode(t, text, 1, ids);
  for (int i = 1; i < n; i++) strcat(buf, rt_tok_decode(t, ids[i - 1], ids[i]));
  int ok = n > 1 && strcmp(buf, text) == 0;
  if (!ok) printf("  round trip gave '%s' (%d ids)\n", buf, n);
  check(ok, "round trip");
}

/* Writes bytes to path. */
static void write_file(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  fwrite(data, 1, n, f);
  fclose(f);
}

/* Malformed files must be refused with a message, never crash. */
static void check_malformed(const char *tmp) {
  char path[4096];
  snprintf(path, sizeof path, "%s/bad_tok.bin", tmp);
  RtTokenizer t;
  const char *err;
  unsigned char good[] = {4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'a',
                          0, 0, 0, 0, 1, 0, 0, 0, 'b'};
  write_file(path, good, sizeof good);
  check(rt_tok_load(&t, path, 2, &err) == 0, "a 2-piece file loads");
  rt_tok_free(&t);
  write_file(path, good, sizeof good - 3);
  check(rt_tok_load(&t, path, 2, &err) == -1 && err, "truncated file is refused");
  good[8] = 0xff, good[11] = 0x7f;   /* negative length */
  write_file(path, good, sizeof good);
  check(rt_tok_load(&t, path, 2, &err) == -1 && err, "negative piece length is refused");
  write_file(path, good, 2);
  check(rt_tok_load(&t, path, 2, &err) == -1 && err, "file shorter than its header is refused");
  check(rt_tok_load(&t, "/nonexistent/tok.bin", 2, &err) == -1 && err, "missing file is refused");
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: tokenizer_test SHARED_MODELS_DIR TMPDIR\n");
    return 2;
  }
  check_malformed(argv[2]);
  char path[4096];
  snprintf(path, sizeof path, "%s/llama2c/tok512.bin", argv[1]);
  RtTokenizer t;
  const char *err;
  if (rt_tok_load(&t, path, 512, &err)) {
    printf("SKIPPED: %s: %s (the real tokenizer is not here)\n", path, err);
    return failures ? 1 : 77;
  }
  check_encode(&t, "Once upon a time", (const int32_t[]){1, 403, 407, 261, 378}, 5);
  check_encode(&t, "Tom had a red car", (const int32_t[]){1, 274, 287, 381, 261, 352, 266, 280, 295}, 9);
  check_encode(&t, "", (const int32_t[]){1}, 1);
  check_round_trip(&t, "Caf\xc3\xa9 \xe2\x9c\x93 na\xc3\xafve, 42!");
  check_decode(&t, g1_ids, g1_text);
  check_decode(&t, g3_ids, g3_text);
  rt_tok_free(&t);
  return failures ? 1 : 0;
}
