/*
 * main.c — embedding a tfc-generated model in your own C program.
 *
 *   build/tfc examples/tiny_gpt2/model.yaml -O2 -o out/tiny_gpt2.c
 *   cc -O2 -I out examples/embed/main.c out/tiny_gpt2.c -lm -lpthread -o out/embed
 *   out/embed
 *
 * Feeds a prompt, then decodes greedily one token at a time through the KV cache.
 */
#include <stdio.h>

#include "tiny_gpt2.h"

enum { VOCAB = 512 };

static int argmax(const float *logits, int n) {
  int best = 0;
  for (int i = 1; i < n; i++)
    if (logits[i] > logits[best]) best = i;
  return best;
}

int main(void) {
  tiny_gpt2 *model = tiny_gpt2_open(NULL);   /* NULL: the weights embedded in the .c file */
  if (!model) {
    fprintf(stderr, "cannot open model: %s\n", tiny_gpt2_last_error());
    return 1;
  }
  static float logits[4 * VOCAB];
  int32_t prompt[4] = {1, 2, 3, 4};
  if (tiny_gpt2_forward(model, prompt, 4, logits) != 0) return 1;
  int32_t next = argmax(logits + 3 * VOCAB, VOCAB);   /* the last row predicts the next token */
  printf("generated:");
  for (int step = 0; step < 8; step++) {
    printf(" %d", next);
    if (tiny_gpt2_forward(model, &next, 1, logits) != 0) break;
    next = argmax(logits, VOCAB);
  }
  printf("\n");
  tiny_gpt2_close(model);
  return 0;
}
