/*
 * fuzz_harness.h — the part every fuzz target shares: libFuzzer's entry point
 * and, without libFuzzer, a main() that replays each file named on the command
 * line as one input.  The including file defines set_up() (0 or failure),
 * run_one(data, size) (0: loaded or cleanly rejected with a diagnostic; -1:
 * failed silently) and FUZZ_NAME (what the replay summary calls the target).
 */
#ifndef TFC_FUZZ_HARNESS_H
#define TFC_FUZZ_HARNESS_H

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  static int ready;
  if (!ready) {
    if (set_up()) abort();
    diag_set_stream(fopen("/dev/null", "w"));
    ready = 1;
  }
  if (run_one(data, size)) {
    fprintf(stderr, "fuzz: an input failed without a diagnostic\n");
    abort();
  }
  return 0;
}

#ifndef TFC_LIBFUZZER
/* Replays each file as one input; prints how many. */
int main(int argc, char **argv) {
  if (set_up()) return 2;
  diag_set_stream(fopen("/dev/null", "w"));
  int bad = 0;
  for (int i = 1; i < argc; i++) {
    Buf b = {0};
    if (buf_read_file(&b, argv[i])) return fprintf(stderr, "fuzz: cannot read %s\n", argv[i]), 2;
    if (run_one((const unsigned char *)b.data, b.len))
      fprintf(stderr, "FAIL: %s: failed without a diagnostic\n", argv[i]), bad = 1;
    buf_free(&b);
  }
  printf("%s: %d inputs replayed, %s\n", FUZZ_NAME, argc - 1,
         bad ? "FAILED" : "each loaded or cleanly rejected");
  return bad;
}
#endif
#endif
