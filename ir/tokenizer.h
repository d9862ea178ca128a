/*
 * tokenizer.h — the compile-time description of a model's tokenizer.
 *
 * A frontend that finds a tokenizer beside the model (HF tokenizer.json,
 * vocab.json + merges.txt, vocab.txt; GGUF tokenizer.ggml.* keys; llama2.c
 * tokenizer.bin) fills one Tokenizer and hangs it on Graph.tokenizer; passes
 * leave it alone; the C emitter (codegen/emit_c_tokenizer.c) serializes it
 * into the generated program, where runtime/generic/vocab*.c encode and
 * decode text with it.  The runtime never sees this header: the serialized
 * bytes are the contract (their layout is documented in runtime/generic/vocab.c).
 *
 * Tokens are kept as the source spells them, so a writer (--emit=gguf) can
 * give them back unchanged: GPT-2 byte-level vocabularies in their
 * byte-to-unicode alphabet ("Ġthe"), SentencePiece vocabularies with U+2581
 * for a space and "<0x0A>" byte tokens, WordPiece vocabularies with "##"
 * continuations.  Every string is NUL-terminated UTF-8 and lives in the arena.
 */
#ifndef TFC_TOKENIZER_H
#define TFC_TOKENIZER_H

#include "ir.h"

/* The model: how a pre-tokenized piece becomes ids. */
typedef enum {
  TOK_BPE_BYTES,     /* GPT-2 byte-level BPE: ranked merges over bytes (GGUF model "gpt2") */
  TOK_BPE_SCORES,    /* SentencePiece BPE: merge the pair whose result scores highest, byte
                        fallback (GGUF model "llama", llama2.c tokenizer.bin) */
  TOK_WORDPIECE      /* BERT: greedy longest match with "##" continuations (GGUF "bert") */
} TokKind;

/* How text is split before the model sees it (the pre-tokenizer). */
typedef enum {
  TOK_PRE_NONE,      /* the whole text (SentencePiece) */
  TOK_PRE_GPT2,      /* GPT-2's regex: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+|
                        ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
  TOK_PRE_SMOLLM,    /* every digit alone (\p{N}), then GPT-2's regex: llama.cpp's "smollm",
                        HF Sequence[Digits(individual_digits), ByteLevel] */
  TOK_PRE_BERT       /* BertPreTokenizer: split at whitespace, punctuation a piece of its own */
} TokPre;

/* Token types, numbered as GGUF's tokenizer.ggml.token_type (llama.cpp). */
typedef enum {
  TOK_TYPE_UNDEFINED = 0,
  TOK_TYPE_NORMAL = 1,
  TOK_TYPE_UNKNOWN = 2,      /* <unk>, [UNK] */
  TOK_TYPE_CONTROL = 3,      /* special: BOS/EOS/CLS/SEP/PAD, chat markers; found in text whole */
  TOK_TYPE_USER_DEFINED = 4, /* added tokens (not special): also found in text whole */
  TOK_TYPE_UNUSED = 5,
  TOK_TYPE_BYTE = 6          /* SentencePiece "<0xNN>" byte fallback */
} TokType;

/* Flags (Tokenizer.flags). */
enum {
  TOK_ADD_BOS = 1,           /* encoding starts with bos (llama) */
  TOK_ADD_EOS = 2,           /* encoding ends with eos */
  TOK_ADD_CLS_SEP = 4,       /* [CLS] text [SEP] (BERT's post-processor) */
  TOK_SPACE_PREFIX = 8,      /* SentencePiece: a space before the text (add_dummy_prefix) */
  TOK_LOWERCASE = 16,        /* BERT: lowercase (full Unicode mappings) */
  TOK_STRIP_ACCENTS = 32,    /* BERT: NFD, then drop nonspacing marks */
  TOK_CLEAN_TEXT = 64,       /* BERT: drop controls and U+FFFD, whitespace becomes ' ' */
  TOK_CJK_CHARS = 128,       /* BERT: every CJK ideograph a word of its own */
  TOK_BYTE_FALLBACK = 256,   /* SentencePiece: unknown characters become <0xNN> tokens */
  TOK_CHATML = 512           /* the model's chat template writes ChatML turns (<|im_start|>):
                              * the generated program treats --prompt as a user turn */
};

typedef struct Tokenizer {
  TokKind kind;
  TokPre pre;
  unsigned flags;            /* TOK_ADD_BOS | ... */
  int n_tokens;              /* ids 0..n_tokens-1 (may be below the model's vocab_size) */
  const char **tokens;       /* [n_tokens] each token as the source spells it */
  float *scores;             /* [n_tokens] TOK_BPE_SCORES merge priority; NULL otherwise */
  uint8_t *types;            /* [n_tokens] TokType */
  int n_merges;              /* TOK_BPE_BYTES: ranked merges, best first */
  int32_t (*merges)[2];      /* [n_merges] the left and right token of each merge */
  int bos, eos, unk, pad, cls, sep, mask;   /* special ids, -1 when absent */
  int max_word_chars;        /* WordPiece: longer words become unk (HF: 100) */
  const char *source;        /* the file it came from, for the generated header */
  const char *chat_system;   /* TOK_CHATML: the system turn the chat template writes when the
                              * conversation has none ("<|im_start|>system\n...<|im_end|>\n");
                              * NULL: none */
  /* a lookup table by token text, built by ir_tokenizer_find on first use */
  int32_t *index;
  uint32_t index_mask;
} Tokenizer;

/* ======================================================================
 * ir/tokenizer.c
 * ====================================================================== */
/* A tokenizer of n_tokens empty tokens (types NORMAL, scores NULL, no merges,
 * every special id -1, max_word_chars 100).  NULL on out-of-memory. */
Tokenizer *ir_tokenizer_new(Arena *a, TokKind kind, int n_tokens);
/* The lowest id whose token is text, or -1.  Builds the index on first use
 * (after that, tokens must not change); -2 on out-of-memory. */
int ir_tokenizer_find(Arena *a, Tokenizer *t, const char *text);
/* "gpt2 byte-level BPE", ...: for messages and the generated header. */
const char *ir_tokenizer_kind_name(TokKind kind);
const char *ir_tokenizer_pre_name(TokPre pre);
/* GPT-2's byte-to-unicode alphabet: the code point that stands for byte b, and
 * back (-1 for a code point that stands for no byte). */
uint32_t ir_byte_to_unicode(uint8_t b);
int ir_unicode_to_byte(uint32_t cp);
/* The length (1-4) of the well-formed UTF-8 character at s, with *cp its code
 * point; 0 for a malformed one (overlong, surrogate, truncated at a NUL). */
int ir_utf8_char(const char *s, uint32_t *cp);
/* True when token is well-formed UTF-8 spelling only characters of that alphabet. */
bool ir_is_byte_level(const char *token);

#endif
