/*
 * chat_template.c — what tfc reads from a model's chat template (GGUF
 * tokenizer.chat_template, tokenizer_config.json's chat_template).
 *
 * tfc does not run Jinja.  It recognises the one convention its driver
 * implements, ChatML: a template that writes "<|im_start|>" turns marks the
 * tokenizer TOK_CHATML, and the generated program then treats --prompt as a
 * user turn (--raw opts out).  Many ChatML templates (SmolLM2's, Qwen's) add
 * a default system turn when the conversation has none, written as one string
 * literal: "<|im_start|>system\n...<|im_end|>\n" with no Jinja inside.  That
 * literal is kept (Tokenizer.chat_system), so the program sends the same
 * tokens the template would; a system turn built from expressions is not
 * recognised and the program sends none.
 */
#include "frontend.h"

#include <string.h>

/* The default system turn inside template, or NULL: a literal from
 * "<|im_start|>system\n" to the first "<|im_end|>\n", free of quotes and
 * braces, right after a quote. */
static const char *default_system_turn(Arena *a, const char *template) {
  static const char open[] = "<|im_start|>system\n", close[] = "<|im_end|>\n";
  const char *start = strstr(template, open);
  if (!start || start == template || (start[-1] != '\'' && start[-1] != '"')) return NULL;
  const char *end = strstr(start, close);
  if (!end) return NULL;
  for (const char *p = start; p < end; p++)
    if (*p == '\'' || *p == '"' || *p == '{' || *p == '}') return NULL;
  return arena_printf(a, "%.*s", (int)(end + sizeof close - 1 - start), start);
}

void fe_tokenizer_chat_template(Arena *a, Tokenizer *t, const char *template) {
  if (!template || !strstr(template, "<|im_start|>")) return;
  t->flags |= TOK_CHATML;
  t->chat_system = default_system_turn(a, template);
}
