/*
 * codegen.h — emitters: self-contained C (emit_c*.c), RASP programs as C
 * (emit_rasp.c); LLVM IR and CUDA C where built.
 */
#ifndef TFC_CODEGEN_H
#define TFC_CODEGEN_H

#include "ir.h"
#include "target.h"   /* target/: kernel rows, target records */

typedef enum { WEIGHTS_AUTO, WEIGHTS_EMBED, WEIGHTS_FILE } WeightsMode;

/* Weights up to this many bytes are embedded in model.c under WEIGHTS_AUTO. */
#define CG_EMBED_LIMIT (1u << 20)

typedef struct CgOptions {
  TargetId target;           /* resolved target (never TARGET_HOST) */
  WeightsMode weights;       /* --weights=embed|file (auto: by CG_EMBED_LIMIT) */
  bool with_main;            /* --main: add the command-line driver */
  int opt_level;             /* for the header comment */
  const char *header_name;   /* "model.h": what model.c includes */
  const char *weights_name;  /* "model.bin": default weights path when not embedded */
  const char *command_line;  /* the tfc invocation, for the header comment */
  /* How to describe a pass that ran, for the header comment ("exact (bitwise)"):
   * the driver passes the pass manager's pass_kind; NULL prints names only.  A
   * function, not an include, so that codegen does not depend on passes/. */
  const char *(*pass_kind)(const char *pass);
} CgOptions;

/* The text of an embedded runtime file ("runtime/generic/matmul.c"), or NULL. */
const char *cg_embedded_file(const char *path);

/* Emits model.c into c, model.h into h, and the weights blob into weights
 * (left empty when embedded).  Returns 0, or -1 after a diagnostic. */
int cg_emit_c(const Graph *g, const CgOptions *opt, Buf *c, Buf *h, Buf *weights);

/* --emit=yaml (emit_yaml.c): g as a `family: graph` model.yaml that names
 * weights_name, and that safetensors file (f32 constants).  0, or -1 after a
 * diagnostic (RASP ops, non-f32 constants). */
int cg_emit_yaml(const Graph *g, const char *weights_name, Buf *yaml, Buf *weights);

/* --emit=gguf (emit_gguf.c): a Llama graph as a GGUF file llama.cpp loads (its
 * own tensors by source name: F32, F16/BF16 where the source was; Q/K rows in
 * llama.cpp's order; a GGUF input's tokenizer.* metadata copied through).  0,
 * or -1 after a diagnostic (not a Llama). */
int cg_emit_gguf(const Graph *g, Buf *out);

/* The serialized form of a tokenizer that runtime/generic/vocab_core.c reads
 * (emit_c_tokenizer.c; deterministic bytes, a multiple of 4 long). */
struct Tokenizer;
void cg_tokenizer_blob(const struct Tokenizer *t, Buf *out);

/* Emits a RASP program as readable C (prog.c / prog.h).  Returns 0 or -1. */
int cg_emit_rasp(const Graph *g, const CgOptions *opt, Buf *c, Buf *h);

/* ======================================================================
 * emit_c*.c internals: shared by the C emitter's files only
 * ====================================================================== */
#define CG_MAX_FILES 32

/* The model's dimensions (emit_c_config.c); 0 where the graph has none. */
typedef struct {
  int64_t dim, hidden_dim, kv_dim;
  int n_layers, n_heads, n_kv_heads, head_dim;
  unsigned used;             /* which size names the forward used (its locals) */
} CgConfig;

/* What the C emitter knows about one model while it writes it. */
typedef struct CgEmit {
  const Graph *g;
  const CgOptions *opt;
  Buf *c;                    /* model.c being written */
  const char *name;          /* the graph's name: prefix of the API */
  const char **cname;        /* by value id: C identifier (struct member) */
  const Value **order;       /* every value once, in model order: the input, then each live
                              * node's inputs and output as the forward meets them, the rest
                              * last; weights, state and names follow it, not value ids */
  int n_order;
  bool *used;                /* by value id: read by a live node or a graph output */
  bool *transposed;          /* by value id: constant stored transposed ([K,N] -> [N,K]) */
  int64_t *offset;           /* by value id: byte offset in the blob or the state memory */
  const Value *out_value;    /* the output its node writes straight into forward's out
                              * (ir_caller_output; no state buffer), or NULL: copied */
  int64_t blob_bytes;        /* weights blob size (constants, 64-byte aligned) */
  uint64_t blob_checksum;    /* rt_blob_checksum of the blob */
  bool embed;                /* blob embedded in model.c (else a weights file) */
  int64_t state_bytes;       /* activations + KV caches + scratch */
  int64_t kv_bytes;          /* of which KV caches */
  int64_t kv_offset;         /* where the KV caches start in the state memory */
  int64_t rope_offset;       /* where the rope tables start (after the attention scratch) */
  CgConfig config;           /* the model's dimensions, and which names the forward used */
  const char *files[CG_MAX_FILES]; /* runtime files copied so far */
  int n_files;
} CgEmit;

/* emit_c.c */
const char *cg_comment(const CgEmit *e, const char *text);   /* safe inside a C comment */
const char *cg_cstring(const CgEmit *e, const char *text);   /* safe inside a C string */
const char *cg_float(const CgEmit *e, double x);             /* "1e-05f": a float literal */
const char *cg_dims(const CgEmit *e, Shape s, int from, int to); /* "T*4": product of dims */
const char *cg_bytes(const CgEmit *e, Shape s, int from, int to, int64_t mult); /* mult * dims */
const char *cg_ref(const CgEmit *e, const Value *v);         /* "s->ln_1", "w->wte", "tokens" */
int cg_copy_runtime(CgEmit *e, const char *path);            /* "generic/norm.c"; 0 or -1 */
const char *cg_shape_text(const CgEmit *e, Shape s);         /* "[T,64]" */
const char *cg_c_type(DType dt);                              /* "float", "int32_t", ... */
int64_t cg_align64(int64_t x);                                /* rounded up to 64 bytes */
/* emit_c_config.c */
void cg_plan_config(CgEmit *e);         /* the model's dimensions, read off the graph */
void cg_emit_config(CgEmit *e);         /* NAME_Config and the config constant */
const char *cg_width(CgEmit *e, int64_t x);        /* "dim", "3 * dim", or "72" */
const char *cg_heads(CgEmit *e, int x, bool kv);   /* "n_heads" / "n_kv_heads" (kv first), or "4" */
const char *cg_head_dim(CgEmit *e, int x);         /* "head_dim", or "16" */
void cg_emit_size_locals(CgEmit *e);    /* `const int dim = config.dim;` for each name used */
/* emit_c_state.c */
void cg_plan_state(CgEmit *e);          /* offsets of activations, KV caches, tables */
void cg_emit_state(CgEmit *e);          /* NAME_State */
void cg_emit_bind_state(CgEmit *e);     /* bind_state() */
void cg_emit_open_tables(CgEmit *e);    /* the end of NAME_open: RoPE tables, return m */
int cg_rope_table(const CgEmit *e, const Node *rope);        /* its table: s->rope_table_<k> */
/* emit_c_weights.c */
int cg_plan_weights(CgEmit *e, Buf *blob);      /* offsets, packing, blob bytes; 0 or -1 */
void cg_emit_weights_struct(CgEmit *e);
void cg_emit_bind_weights(CgEmit *e);
void cg_emit_blob_data(CgEmit *e, const Buf *blob);
void cg_write_weights_file(CgEmit *e, const Buf *blob, Buf *out);
/* emit_c_ops.c */
int cg_op_runtime(CgEmit *e, const Node *n);    /* copies the kernels a node needs; 0 or -1 */
int cg_emit_node(CgEmit *e, const Node *n);     /* one step of the forward pass; 0 or -1 */
/* emit_c_driver.c */
void cg_emit_main(CgEmit *e);
/* emit_c_tokenizer.c: g->tokenizer as data and the driver's api_open_text; 0 or -1 */
int cg_emit_tokenizer(CgEmit *e);

#endif
