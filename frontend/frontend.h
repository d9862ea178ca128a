/*
 * frontend.h — readers that turn user input into a verified IR Graph.
 *
 *   model.yaml (libyaml)        yaml.c, model.c
 *   Hugging Face folder         model.c      (config.json + model.safetensors or its shards)
 *   JSON (config.json, headers) json.c
 *   safetensors                 safetensors.c (mmap'd, validated)
 *   mapping a weights file      mapped_file.c (fe_map_file, for both binary readers)
 *   config and weight access    family.c     (fe_config_*, fe_weight, fe_node)
 *   families                    gpt2.c, llama.c, bert.c, graph_family.c
 *   llama2.c checkpoints        llama2c.c
 *   GGUF (llama.cpp) files      gguf.c (reader, metadata API), gguf_quants.c (tensor types,
 *                               dequantization), gguf_model.c (llama / gpt2 from metadata)
 *   tokenizers                  tokenizer_hf.c (tokenizer.json, vocab.json + merges.txt,
 *                               vocab.txt), tokenizer_llama2c.c (tokenizer.bin),
 *                               tokenizer_gguf.c (tokenizer.ggml.* keys)
 *   RASP programs               rasp/ (rasp.h)
 *
 * Every error is reported with diag_error at the place in the user's file and
 * the reader returns NULL (or -1); nothing here exits.
 *
 * How a model is loaded (model.c):
 *
 *   1. model.yaml is parsed into a Doc tree (yaml.c), or an HF folder's
 *      config.json into the same tree (json.c).  Every Doc carries its Loc.
 *   2. The top-level keys are checked and an FeModel is filled: graph name,
 *      family, config (FeConfig), weights path.
 *   3. The weights are opened (safetensors.c → FeWeights) by the first
 *      fe_weight call, after the family has checked its config, unless the
 *      family reads its own format (weights_format: llama2c → fe_build_llama2c).
 *   4. The family builder (fe_build_gpt2, ...) reads config keys with
 *      fe_config_*, tensors with fe_weight, and adds nodes with fe_node.
 *   5. The graph is verified (ir_verify).
 *
 * A family builder is a function `int fe_build_X(FeModel *m)` that returns 0,
 * or -1 after a diagnostic.  It never needs to report out-of-memory: when it
 * fails without a diagnostic, model.c reports "out of memory"; and any error
 * reported while it ran fails the load even if it returned 0.
 */
#ifndef TFC_FRONTEND_H
#define TFC_FRONTEND_H

#include <math.h>

#include "ir.h"
#include "tokenizer.h"

/* Loads a model.yaml file or a Hugging Face model folder.  NULL after a diagnostic. */
Graph *fe_load_model(Arena *a, const char *path);

/* ======================================================================
 * frontend/json.c, frontend/yaml.c — documents as trees of Doc values
 * ====================================================================== */
typedef enum {
  DOC_NULL,      /* null, ~, or an empty YAML value */
  DOC_BOOL,      /* true / false */
  DOC_NUMBER,    /* a JSON number, or a YAML plain scalar that reads as one */
  DOC_STRING,    /* any other scalar (quoted YAML scalars are always strings) */
  DOC_ARRAY,     /* JSON array, YAML sequence */
  DOC_OBJECT     /* JSON object, YAML mapping; keys are strings */
} DocKind;

typedef struct Doc Doc;
struct Doc {
  DocKind kind;
  Loc loc;               /* where the value starts (file only for binary files) */
  bool boolean;          /* DOC_BOOL */
  double number;         /* DOC_NUMBER */
  bool is_integer;       /* DOC_NUMBER written as an integer that fits int64 */
  int64_t integer;       /* DOC_NUMBER with is_integer */
  const char *string;    /* DOC_STRING: NUL-terminated UTF-8 (no embedded NUL) */
  int n;                 /* DOC_ARRAY / DOC_OBJECT: number of items */
  Doc **items;           /* DOC_ARRAY: elements; DOC_OBJECT: values, in file order */
  const char **keys;     /* DOC_OBJECT: keys, parallel to items */
  Loc *key_locs;         /* DOC_OBJECT: where each key is written */
};

/* Limits for untrusted documents. */
#define FE_DOC_MAX_DEPTH 64          /* nesting of arrays/objects */
#define FE_DOC_MAX_ITEMS (1 << 20)   /* items in one array or object */

/* Parses JSON text[0..len).  Errors are reported at FILE:LINE:COL when
 * `lines` is true (a text file such as config.json), else at FILE with the
 * byte offset (a header inside a binary file), prefixed by `what` when not
 * NULL ("safetensors header").  Duplicate keys are errors.  NULL after a
 * diagnostic. */
Doc *fe_json_parse(Arena *a, const char *text, size_t len, const char *file, bool lines,
                   const char *what);

/* Parses a YAML file (one document, block or flow style) with libyaml into a
 * Doc tree; every error at FILE:LINE:COL.  Anchors/aliases, tags and
 * duplicate keys are errors.  NULL after a diagnostic. */
Doc *fe_yaml_load(Arena *a, const char *path);

/* Appends item (with its key and the key's location; NULL/LOC_NONE in an array)
 * to an array or object under construction whose arrays hold *cap entries,
 * doubling them as needed.  false when out of memory, or after a diagnostic
 * at d past FE_DOC_MAX_ITEMS.  The JSON and YAML readers share it. */
bool fe_doc_append(Arena *a, Doc *d, int *cap, Doc *item, const char *key, Loc key_loc);
/* The value of key in an object, or NULL (also when obj is not an object). */
Doc *fe_doc_get(const Doc *obj, const char *key);
/* "an integer", "a string", ...: for messages. */
const char *fe_doc_kind_name(DocKind kind);

/* ======================================================================
 * frontend/mapped_file.c — a binary file mapped for the arena's lifetime
 * ====================================================================== */
/* How a reader names its file in fe_map_file's three errors, each at the path. */
typedef struct {
  const char *cannot_open;   /* "cannot read weights file": then ": <reason>" (missing,
                                unreadable, not a regular file) */
  const char *too_short;     /* a printf format given the size and min_bytes (both size_t):
                                "file too short for a safetensors header (%zu bytes)" */
  const char *cannot_map;    /* "cannot map": then ": <reason>" */
} FeFileErrors;

/* Maps the whole regular file at path read-only; *size gets its length.  The
 * mapping lasts until the arena is freed (arena_on_free), so tensors may point
 * into it.  A file shorter than min_bytes is an error.  NULL after a
 * diagnostic, or without one when out of memory. */
const unsigned char *fe_map_file(Arena *a, const char *path, size_t min_bytes,
                                 const FeFileErrors *err, size_t *size);

/* ======================================================================
 * frontend/safetensors.c — weights files, validated and mapped
 * ====================================================================== */
typedef enum {
  WT_F32, WT_F16, WT_BF16,   /* read by tfc (F16/BF16 converted to f32 on lookup) */
  WT_GGUF,                   /* a GGUF block type (Q4_1, Q6_K, ...): dequantized on lookup */
  WT_OTHER                   /* valid in the file (I64, U8, ...) but not readable */
} WeightType;

/* One tensor of a weights file. */
typedef struct {
  const char *name;          /* name in the file ("h.0.attn.c_attn.weight") */
  const char *file;          /* the file that holds it (a shard of a sharded checkpoint) */
  WeightType type;
  const char *type_name;     /* as written in the file ("F32", "I64", GGUF's "Q4_1") */
  int gguf_type;             /* WT_GGUF: the GGUF tensor type id (gguf_types.def) */
  int rank;                  /* 0..FE_MAX_RANK */
  int64_t dim[8];            /* sizes, outermost first */
  const void *raw;           /* the bytes in the file (mmap'd) */
  const float *data;         /* f32 data: raw for F32, converted into the arena otherwise;
                                NULL until first looked up */
  Value *value;              /* the graph constant made from it (one per tensor) */
} FeTensor;
#define FE_MAX_RANK 8

typedef struct {
  const char *file;          /* the weights file (or shard index) as named to the user */
  FeTensor *tensors;         /* sorted by name */
  int n_tensors;
} FeWeights;

/* Opens and validates a safetensors file: header length (8-byte LE), JSON
 * header, dtypes, shapes, data_offsets inside the data area, sizes equal to
 * numel x dtype size, no overlaps; `__metadata__` is ignored.  The file stays
 * mapped until the arena is freed (arena_on_free): F32 constants point into
 * the mapping and are never copied.  NULL after a diagnostic (at the file). */
FeWeights *fe_safetensors_open(Arena *a, const char *path);
/* A sharded checkpoint: model.safetensors.index.json, whose "weight_map"
 * maps each tensor to a shard beside it.  Every shard is opened as above and
 * their tensors merged; each tensor must be in the shard the index names, and
 * in no other.  Shard names may not leave the folder.  NULL after a diagnostic. */
FeWeights *fe_safetensors_open_index(Arena *a, const char *index_path);

/* A table of weights that a reader fills itself (llama2.c checkpoints): adds
 * one f32 tensor whose data stays owned by the caller (mmap or arena).
 * Returns 0, or -1 on out-of-memory.  Call fe_weights_sort when done. */
FeWeights *fe_weights_new(Arena *a, const char *file);
int fe_weights_add(Arena *a, FeWeights *w, const char *name, Shape shape, const float *data);
void fe_weights_sort(FeWeights *w);

/* IEEE half and bfloat16 to float (exact). */
float fe_f16_to_f32(uint16_t h);
float fe_bf16_to_f32(uint16_t h);

/* The tensor called name, or NULL. */
FeTensor *fe_weights_find(const FeWeights *w, const char *name);
/* t's data as f32 (converting F16/BF16 into the arena once); NULL for
 * WT_OTHER or on out-of-memory.  fe_weight calls this; readers rarely need to. */
const float *fe_tensor_f32(Arena *a, FeTensor *t);

/* ======================================================================
 * frontend/gguf.c — llama.cpp's GGUF files (versions 2 and 3), mapped and
 * validated; a metadata API for the model builder and the tokenizer
 *
 * Every count, length, size and offset is checked against the file before it
 * is used; errors read "FILE: error: MESSAGE at byte OFFSET".  Strings point
 * into the mapping (GgufStr: bytes and length, not NUL-terminated); keys and
 * tensor names are NUL-terminated copies.  Everything lives until the arena
 * is freed.
 * ====================================================================== */
typedef enum {                /* metadata value types, numbered as in the file */
  GGUF_U8, GGUF_I8, GGUF_U16, GGUF_I16, GGUF_U32, GGUF_I32, GGUF_F32, GGUF_BOOL,
  GGUF_STRING, GGUF_ARRAY, GGUF_U64, GGUF_I64, GGUF_F64,
  GGUF_N_VALUE_TYPES
} GgufType;

typedef struct {
  const char *s;              /* the bytes, in the mapping (not NUL-terminated) */
  size_t len;
} GgufStr;

/* One metadata value.  Scalars fill exactly one of i, u, f, b, str; arrays
 * (one level: nested arrays are rejected) keep their elements in the file. */
typedef struct {
  GgufType type;
  size_t offset;              /* where the value starts in the file (for messages) */
  int64_t i;                  /* I8..I64, and U8..U32 (exact); U64 when <= INT64_MAX */
  uint64_t u;                 /* U8..U64 */
  double f;                   /* F32, F64 */
  bool b;                     /* BOOL */
  GgufStr str;                /* STRING */
  GgufType elem;              /* ARRAY: element type (never GGUF_ARRAY) */
  uint64_t n;                 /* ARRAY: number of elements */
  const unsigned char *raw;   /* ARRAY of numbers/bools: n little-endian elements, unaligned */
  GgufStr *strs;              /* ARRAY of strings: n entries */
} GgufValue;

typedef struct {
  const char *key;            /* "llama.block_count" */
  GgufValue v;
  size_t offset;              /* where the pair starts (its key's length) */
  size_t end;                 /* one past its last byte: [offset, end) is the pair as written */
} GgufKv;

typedef struct {
  const char *name;           /* "blk.0.attn_q.weight" */
  int type;                   /* GGUF tensor type id (gguf_types.def) */
  int n_dims;                 /* 1..4 */
  int64_t ne[4];              /* GGUF order: ne[0] is the row (fastest-varying) length */
  uint64_t offset;            /* from the start of the data area, a multiple of the alignment */
  size_t bytes;               /* numel / block size x bytes per block */
  const unsigned char *data;  /* in the mapping */
  size_t info_offset;         /* where its tensor info starts (for messages) */
} GgufTensor;

typedef struct {
  const char *path;
  Arena *arena;
  const unsigned char *map;   /* the whole file */
  size_t size;
  uint32_t version;           /* 2 or 3 */
  GgufKv *kvs;                /* in file order */
  int64_t n_kvs;
  GgufKv **kv_sorted;         /* by key, for lookup */
  GgufTensor *tensors;        /* in file order */
  int64_t n_tensors;
  uint64_t alignment;         /* general.alignment (default 32) */
  size_t data_offset;         /* start of the data area */
} GgufFile;

/* Maps and validates path: header, every metadata pair, every tensor info
 * (dims, known type, rows a whole number of blocks, aligned offset, inside
 * the data area, no overlap, unique names).  NULL after a diagnostic. */
GgufFile *fe_gguf_open(Arena *a, const char *path);
/* The value of key, or NULL when absent. */
const GgufValue *fe_gguf_get(const GgufFile *f, const char *key);
/* "u32", "string", "array of string": for messages. */
const char *fe_gguf_type_name(GgufType t);
/* Typed lookups with range checks.  A required key (def FE_REQUIRED /
 * FE_REQUIRED_F / NULL) that is absent is an error ("missing metadata key
 * 'llama.block_count'"); a value of the wrong type or out of [min, max] is an
 * error at its byte offset.  Integers accept any integer type; floats accept
 * F32, F64 and integers.  fe_gguf_string returns a NUL-terminated copy (an
 * embedded NUL is an error).  0, or -1 after a diagnostic. */
int fe_gguf_int(const GgufFile *f, const char *key, int64_t def, int64_t min, int64_t max,
                int64_t *out);
int fe_gguf_float(const GgufFile *f, const char *key, double def, double min, double max,
                  double *out);
int fe_gguf_string(const GgufFile *f, const char *key, const char *def, const char **out);
/* The array under key whose elements have type elem (for integers and floats,
 * any numeric element type is accepted: read them with fe_gguf_array_i64 /
 * _f64).  Absent: *out = NULL and 0 unless required (then an error).  Not an
 * array, or the wrong element kind: error.  0, or -1 after a diagnostic. */
int fe_gguf_array(const GgufFile *f, const char *key, GgufType elem, bool required,
                  const GgufValue **out);
/* Element i < v->n of a numeric or bool array, converted (exact for every
 * integer type, u64 above INT64_MAX saturates; f32/f64 truncate toward zero in _i64). */
int64_t fe_gguf_array_i64(const GgufValue *v, uint64_t i);
double fe_gguf_array_f64(const GgufValue *v, uint64_t i);
/* The tensor called name, or NULL. */
const GgufTensor *fe_gguf_tensor(const GgufFile *f, const char *name);

/* ---- frontend/gguf_quants.c: GGUF tensor types (one row each in gguf_types.def) ---- */
typedef struct {
  const char *name;           /* "Q4_1" */
  int id;                     /* as stored in the file */
  int block;                  /* elements per block (1 for plain types) */
  int bytes;                  /* bytes per block */
  void (*dequant)(const unsigned char *block, float *out);   /* NULL: tfc cannot read it */
} GgufTypeInfo;
/* The row for a type id, or NULL for an unknown id. */
const GgufTypeInfo *fe_gguf_type(int id);
/* Dequantizes n elements (a whole number of blocks) of type id from src into
 * out, bit-for-bit as gguf-py's gguf.quants.dequantize.  -1 when tfc cannot
 * read the type. */
int fe_gguf_dequantize(int id, const unsigned char *src, int64_t n, float *out);

/* ======================================================================
 * frontend/family.c — what a family builder uses: config, weights, nodes
 * ====================================================================== */
typedef struct {
  const Doc *map;            /* the config object (model.yaml `config:` or config.json) */
  Loc loc;                   /* where the config starts: errors about missing keys */
  bool *read;                /* model.yaml: per key of map, whether the family read it
                                (the rest are warned about); NULL for config.json */
} FeConfig;

typedef struct FeModel {
  Arena *arena;
  Graph *g;                  /* created by model.c with the name and family */
  const char *path;          /* model.yaml, or the HF folder */
  Loc loc;                   /* Loc given to nodes (the model file) */
  FeConfig cfg;
  const char *weights_path;  /* resolved path of the weights file */
  Loc weights_loc;           /* where `weights:` is written (or the model file) */
  FeWeights *weights;        /* opened by the first fe_weight (so config errors come
                                first); stays NULL when the family reads its own format */
  bool weights_failed;       /* opening them failed (reported once) */
  const char *prefix;        /* fe_weight tries name, then prefix+name ("transformer.") */
  const Doc *doc;            /* the whole model.yaml (NULL for HF folders): family graph's nodes */
  GgufFile *gguf;            /* a GGUF model's file (input or model.yaml's weights), open
                                once fe_build_gguf ran (model.c opens an input .gguf first,
                                for its architecture); NULL for other formats */
} FeModel;

/* Sentinels for required config keys. */
#define FE_REQUIRED INT64_MIN
#define FE_REQUIRED_F (-INFINITY)

/* Reads an integer config key into *out.  def == FE_REQUIRED: the key must be
 * present.  A value outside [min, max] or not an integer is an error at the
 * value ("config key 'n_head' must be a positive integer", "... an integer in
 * [1, 1048576]").  A null value means the default.  Returns 0 or -1. */
int fe_config_int(const FeConfig *cfg, const char *key, int64_t def, int64_t min, int64_t max,
                  int64_t *out);
/* Same for a number (integers accepted); def == FE_REQUIRED_F: required. */
int fe_config_float(const FeConfig *cfg, const char *key, double def, double min, double max,
                    double *out);
/* A string key; def == NULL: required. */
int fe_config_string(const FeConfig *cfg, const char *key, const char *def, const char **out);
/* A boolean key. */
int fe_config_bool(const FeConfig *cfg, const char *key, bool def, bool *out);
/* A string key that must be one of choices (NULL-terminated); *out is the
 * index.  def: the index used when absent, or -1 when required.  The error
 * lists the choices. */
int fe_config_choice(const FeConfig *cfg, const char *key, const char *const *choices, int def,
                     int *out);
/* True when the key is present and not null. */
bool fe_config_has(const FeConfig *cfg, const char *key);
/* model.yaml: a warning at each config key the family never read (a typo such
 * as 'n_layr' must not pass unseen), named after the family. */
void fe_config_warn_unread(const FeConfig *cfg, const char *family);

/* Caps that keep every size computation far from overflow. */
#define FE_MAX_DIM ((int64_t)1 << 20)        /* any one width, vocabulary, context */
#define FE_MAX_LAYERS 1024
#define FE_MAX_PARAMS ((int64_t)1 << 36)     /* total parameters of a model */

/* The constant for weight tensor `fmt...` (printf-style name), which must
 * have exactly `shape` (rank and sizes; IR_DIM_T not allowed).  Tries the
 * name, then m->prefix + name.  Errors at the weights file:
 *   tiny.safetensors: error: tensor 'h.0.attn.c_attn.weight': expected [64, 192], found [64, 128]
 *   tiny.safetensors: error: tensor 'wte.weight' not found
 * Looking the same tensor up twice returns the same Value (tied embeddings).
 * The constant's debug name and source are the tensor's name in the file.
 * NULL after a diagnostic. */
Value *fe_weight(FeModel *m, Shape shape, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* When the tensor exists (with or without the prefix) with rank <= IR_MAX_RANK,
 * stores its shape and returns true; false otherwise, without a diagnostic
 * unless the weights file cannot be opened.  For readers that take shapes
 * from the file (family graph). */
bool fe_weight_shape(FeModel *m, const char *name, Shape *shape);
/* True when the tensor exists (with or without the prefix): optional weights
 * such as an untied lm_head or biases. */
bool fe_has_weight(FeModel *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds a node with up to three inputs; trailing NULL inputs are absent (a
 * linear without bias).  Returns NULL without a new diagnostic when a given
 * input is NULL (an earlier error), so builders may chain calls and check
 * once at the end.  `name` is the debug name ("ln_1", "attn"). */
Value *fe_node(FeModel *m, Op op, const char *name, const Attrs *at, Value *a, Value *b,
               Value *c);
/* linear(x, w, bias) with w's layout (0: [out,in] PyTorch, 1: [in,out] Conv1D). */
Value *fe_linear(FeModel *m, const char *name, Value *x, Value *w, Value *bias, int w_layout);

/* Checks that count parameters of a model stay under FE_MAX_PARAMS; error
 * at the config otherwise.  Returns 0 or -1. */
int fe_check_params(const FeModel *m, double count);
/* Checks that one activation of max_seq rows of `width` (the widest: logits,
 * MLP, fused QKV) has fewer than 2^31 elements, so generated code can index
 * it with int.  Error at the config otherwise.  Returns 0 or -1. */
int fe_check_activation(const FeModel *m, int64_t max_seq, int64_t width);

/* ======================================================================
 * Families: each fills m->g from m->cfg and m->weights.  0, or -1 after a diagnostic.
 * ====================================================================== */
int fe_build_gpt2(FeModel *m);      /* gpt2.c */
int fe_build_llama(FeModel *m);     /* llama.c */
int fe_build_bert(FeModel *m);      /* bert.c */
int fe_build_graph(FeModel *m);     /* graph_family.c: model.yaml's explicit `nodes:` list */
/* weights_format: llama2c — reads m->weights_path (a llama2.c .bin) itself;
 * m->weights is NULL on entry.  It may fill an FeWeights with HF names
 * (fe_weights_new/add) and call fe_build_llama. */
int fe_build_llama2c(FeModel *m);   /* llama2c.c */
/* weights_format: gguf, or a .gguf input (gguf_model.c): the architecture
 * (llama, gpt2) and its config from the metadata, the tensors entered under
 * their Hugging Face names, then that family's builder.  m->weights_path is
 * the .gguf; m->cfg may hold model.yaml's config (keys it gives must agree). */
int fe_build_gguf(FeModel *m);

/* llama.c, shared with llama2c.c: a Llama decoder from explicit dimensions. */
typedef struct {
  int64_t dim;           /* hidden_size */
  int64_t hidden_dim;    /* intermediate_size (SwiGLU width) */
  int64_t n_layers;      /* num_hidden_layers */
  int64_t n_heads;       /* num_attention_heads */
  int64_t n_kv_heads;    /* num_key_value_heads (grouped-query when < n_heads) */
  int64_t vocab_size;
  int64_t max_seq;       /* max_position_embeddings (llama2.c: seq_len) */
  double norm_eps;       /* rms_norm_eps */
  double rope_theta;     /* rope base */
  RopeStyle rope_style;  /* ROPE_HALVES (HF) | ROPE_INTERLEAVED (llama2.c) */
  bool tied;             /* classifier = embedding table (no lm_head.weight) */
} FeLlamaDims;
/* Heads divide the width, kv heads divide heads, even head size, parameter
 * cap; -1 after a diagnostic at loc. */
int fe_llama_check_dims(const FeModel *m, const FeLlamaDims *d, Loc loc);
/* Builds tokens i32 [T] -> logits [T, vocab] into m->g with the HF tensor
 * names of m->weights.  0, or -1 after a diagnostic. */
int fe_llama_graph(FeModel *m, const FeLlamaDims *d);

/* ======================================================================
 * frontend/tokenizer_hf.c, tokenizer_llama2c.c — tokenizers (ir/tokenizer.h)
 * ====================================================================== */
/* Each returns the Tokenizer, or NULL after a diagnostic at FILE:LINE:COL. */
Tokenizer *fe_tokenizer_json(Arena *a, const char *path);          /* HF tokenizer.json */
Tokenizer *fe_tokenizer_vocab_txt(Arena *a, const char *path);     /* WordPiece vocab.txt */
Tokenizer *fe_tokenizer_bpe_files(Arena *a, const char *vocab_json, const char *merges_txt);
/* llama2.c's tokenizer.bin for a vocabulary of vocab_size tokens (BPE by scores). */
Tokenizer *fe_tokenizer_llama2c(Arena *a, const char *path, int vocab_size);
/* The tokenizer of an HF model folder: tokenizer.json, else vocab.json +
 * merges.txt, else vocab.txt (with tokenizer_config.json's special tokens and
 * flags).  0 with *out NULL when there is none; -1 after a diagnostic. */
int fe_tokenizer_folder(Arena *a, const char *dir, Tokenizer **out);
/* GGUF's tokenizer.ggml.* keys (model gpt2 with pre gpt2/default/smollm, or
 * llama).  0 with *out NULL when the file has no tokenizer, or one tfc does
 * not implement (a warning says so: the model still compiles); -1 after a
 * diagnostic ("FILE: error: ... at byte N"). */
int fe_tokenizer_gguf(Arena *a, const GgufFile *f, Tokenizer **out);
/* chat_template.c: a ChatML chat template (NULL: none) marks t TOK_CHATML and
 * keeps its default system turn (t->chat_system) when it writes one literally. */
void fe_tokenizer_chat_template(Arena *a, Tokenizer *t, const char *template);
/* Merge rank r of t from the text "LEFT RIGHT" (len bytes): both halves and
 * their concatenation must be tokens.  0, or -1 after a diagnostic at loc. */
int fe_tokenizer_merge(Arena *a, Tokenizer *t, int r, const char *text, size_t len, Loc loc);

#endif
