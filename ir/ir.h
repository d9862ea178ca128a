/*
 * ir.h — the map of tfc's intermediate representation (like chibicc.h / QBE's all.h).
 *
 * A Graph is a typed dataflow graph in SSA form: every Value is a tensor with a
 * dtype and a Shape, produced by exactly one Node (or a graph input, or a
 * constant).  Nodes are kept in topological order in Graph.nodes.  Shapes may
 * use the symbolic sequence length T (IR_DIM_T): the number of tokens in one
 * forward call.  Constants point at weight data that lives elsewhere (an mmap'd
 * file, or the arena for converted F16/BF16 data) and are never copied by passes.
 *
 * Ops are defined once in ops.def.  Each folder has a prefix: ir_ (this folder;
 * helpers use arena_, diag_, buf_), fe_/rasp_ (frontend), pass_, cg_, rt_.
 *
 * Memory: one Arena per compilation; nothing is freed before arena_free.
 */
#ifndef TFC_IR_H
#define TFC_IR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TFC_VERSION "0.1.0"

/* Compiler bugs (never user errors) abort with the place they were found. */
#define TFC_UNREACHABLE() ir_unreachable(__FILE__, __LINE__)
_Noreturn void ir_unreachable(const char *file, int line);

/* ======================================================================
 * ir/arena.c — one region of memory per compilation, freed at once
 * ====================================================================== */
typedef struct Arena Arena;

Arena *arena_new(void);
void *arena_alloc(Arena *a, size_t size);            /* zeroed; NULL on out-of-memory */
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(Arena *a);
/* Calls fn(ctx) when a is freed (latest first): unmaps files whose data the
 * graph points into.  Returns 0, or -1 on out-of-memory (fn not registered). */
int arena_on_free(Arena *a, void (*fn)(void *ctx), void *ctx);
/* Test hook: make the Nth allocation from now on fail (0 disables). */
void arena_fail_at(long n);
/* Test hook: counts one allocation that is not an arena's (a Buf growing) and
 * says whether it is the one arena_fail_at asked to fail. */
bool arena_fail_now(void);
/* Test hook: true while a failure asked for by arena_fail_at has not happened yet. */
bool arena_fail_pending(void);
/* True once any allocation from a has failed, even one its caller survived (a
 * skipped rewrite, a missing debug name): the driver then reports out of memory
 * rather than write output that may differ from a run with enough memory. */
bool arena_failed(const Arena *a);

/* ======================================================================
 * ir/buf.c — growable byte buffers
 * ====================================================================== */
typedef struct {
  char *data;   /* malloc'd, NUL-terminated for convenience */
  size_t len;   /* bytes used */
  size_t cap;   /* bytes allocated */
  bool failed;  /* out of memory: it could not grow, so it was emptied (data "",
                 * not malloc'd: free it with buf_free); later appends are ignored */
} Buf;

void buf_append(Buf *b, const void *data, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_free(Buf *b);
/* True once any Buf could not grow (out of memory): the driver then fails. */
bool buf_any_failed(void);
/* Reads a whole file into b.  Returns 0, or -1 (errno set; no diagnostic). */
int buf_read_file(Buf *b, const char *path);

/* ======================================================================
 * ir/output.c — output files replaced as a set, or not at all
 * ====================================================================== */
typedef struct {
  const char *path;   /* as the user named it: a new name, a regular file, or a
                         symbolic link (its target is replaced) */
  const Buf *data;    /* the file's whole contents */
} BufOutput;

/* Writes all n files to temporaries beside their targets, then renames them
 * into place in the order given (list last the file that names the others:
 * model.c records model.bin's checksum).  Refuses a name that exists and is
 * not a regular file (device, FIFO, socket, folder).  Returns 0, or -1 after a
 * diagnostic with no temporary left and, unless a rename itself failed, every
 * final name untouched.  Removes temporaries of killed runs beside each target. */
int buf_write_outputs(const BufOutput *outs, int n);
/* buf_write_outputs for one file. */
int buf_write_file(const Buf *b, const char *path);
/* Test hook (TFC_FAIL_WRITE_AT): the nth output step, counting each temporary
 * written and each rename, fails (ENOSPC after a short write; EIO). */
void buf_fail_write_at(long n);
/* Test hook: true while the failure asked for has not happened yet. */
bool buf_fail_write_pending(void);

/* ======================================================================
 * ir/diag.c — diagnostics: FILE:LINE:COL: error: message, source line, caret
 * ====================================================================== */
typedef struct {
  const char *file;  /* input file name as the user wrote it; NULL if none */
  int line;          /* 1-based; 0 when unknown */
  int col;           /* 1-based; 0 when unknown */
} Loc;

#define LOC_NONE ((Loc){0, 0, 0})
Loc diag_loc(const char *file, int line, int col);

void diag_error(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_note(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_remark(Loc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int diag_error_count(void);
void diag_set_remarks(bool on);     /* remarks are printed only when asked for (--remarks) */
void diag_set_stream(FILE *f);      /* default stderr; tests may redirect */

/* ======================================================================
 * Types and shapes
 * ====================================================================== */
typedef enum {
  DT_F32,   /* IEEE binary32: activations and weights */
  DT_F64,   /* binary64: RASP numerical values (specs compare at 1e-9) */
  DT_I32,   /* token ids, positions, RASP categorical ids */
  DT_BOOL,  /* selectors and masks, one byte each */
  DT_COUNT
} DType;

#define IR_MAX_RANK 4
#define IR_DIM_T (-1)  /* the symbolic sequence length */

typedef struct {
  int rank;                    /* 0..IR_MAX_RANK */
  int64_t dim[IR_MAX_RANK];    /* a size >= 1, or IR_DIM_T */
} Shape;

/* Quantization facts attached to a tensor (filled by quantization passes). */
typedef enum { QS_NONE, QS_PER_TENSOR, QS_PER_CHANNEL, QS_GROUP, QS_LOG2 } QuantScheme;
typedef struct {
  QuantScheme scheme;       /* how scales are shared */
  int bits;                 /* 8, 4, ... */
  int group_size;           /* QS_GROUP: elements per scale */
  int64_t n_scales;         /* number of entries in scales / zero_points */
  const float *scales;      /* dequantized = (q - zero_point) * scale */
  const int32_t *zero_points; /* NULL for symmetric schemes */
} QuantInfo;

/* RASP value types (categorical value sets, expression trees) are defined by
 * the RASP frontend in ir/rasp.h; the IR only carries pointers to them. */
typedef struct RaspType RaspType;
typedef struct RaspExpr RaspExpr;

/* ======================================================================
 * Ops (ops.def)
 * ====================================================================== */
typedef enum {
#define X(name, text, dialect, arity, flags, meaning) OP_##name,
#include "ops.def"
#undef X
  OP_COUNT
} Op;

enum { OPF_ELEMENTWISE = 1, OPF_FOLDABLE = 2, OPF_STATEFUL = 4 };
typedef enum { NN, RASP } Dialect;

typedef struct {
  const char *name;     /* textual IR spelling */
  Dialect dialect;
  int arity;            /* -1: variable */
  int flags;            /* OPF_* */
  const char *meaning;  /* one line, for --help and docs */
} OpInfo;
extern const OpInfo ir_op_info[OP_COUNT];   /* ir/build.c */

/* ======================================================================
 * Values, nodes, graphs
 * ====================================================================== */
typedef struct Node Node;

/* A runtime kernel: a row of target/kernels.def (target/target.h names the
 * rows, KERNEL_*); 0 = none, the op's portable kernel.  The IR knows no
 * kernels: it stores the id, and spells it in the textual IR by the names the
 * target library hands it (ir_set_kernel_names). */
typedef int KernelId;

typedef struct Value {
  int id;                 /* index in Graph.values; stable while printing */
  const char *name;       /* debug name from the model ("h.0.ln_1"), unique in the graph */
  DType dtype;
  Shape shape;
  Node *producer;         /* NULL for graph inputs and constants */
  bool is_input;          /* a graph input (the token ids) */
  bool is_const;          /* a constant (weights) */
  const void *data;       /* constants: row-major data of dtype, not owned */
  const char *source;     /* constants: tensor name in the weights file ("wte.weight") */
  const char *source_type; /* constants: its type in that file ("F16", "BF16", GGUF's "Q4_1"), data
                           * being its f32 values; NULL or "F32" for f32 (--emit=gguf keeps F16/BF16) */
  Loc loc;                /* where the value came from (tensor in the weights file, ...) */
  QuantInfo *quant;       /* NULL unless quantized */
  const RaspType *rasp;   /* RASP values: their value set and kind; NULL for nn */
  bool planned;           /* the static memory plan placed this value */
  int64_t plan_offset;    /* planned: byte offset in the activation arena (T = max_seq) */
  bool plan_out;          /* the plan put it in the caller's out buffer (NAME_forward's out), not
                           * the arena: no arena bytes, planned stays false ("@out" in text) */
  int pack_nr;            /* prepack: the blob stores this weight in panels of pack_nr output
                           * columns (the target's layout; codegen packs it); data stays
                           * row-major, what the IR means.  0 = row-major.  ("packed=16") */
} Value;

/* Attributes: plain fields; each op reads the ones its ops.def line names. */
typedef enum { ROPE_HALVES, ROPE_INTERLEAVED } RopeStyle;

typedef struct {
  double eps;             /* layernorm, rmsnorm */
  double scale;           /* scale op; attention score scale (0: 1/sqrt(head_dim)) */
  double rope_theta;      /* rope base */
  RopeStyle rope_style;   /* ROPE_HALVES (Hugging Face) | ROPE_INTERLEAVED (llama2.c) */
  int heads;              /* attention, rope: query heads */
  int kv_heads;           /* attention: key/value heads (grouped-query when < heads) */
  int head_dim;           /* attention, rope */
  bool causal;            /* attention: mask keys after the query */
  int window;             /* attention: sliding window, 0 = none */
  int w_layout;           /* linear: 0 = w [N,K] (PyTorch Linear), 1 = w [K,N] (GPT-2 Conv1D) */
  int act;                /* linear: activation fused after the bias (OP_GELU, OP_GELU_TANH, OP_RELU,
                           * OP_SILU); 0 = none (passes/fuse_epilogue.c) */
  int axis;               /* slice, concat: axis (negative counts from the end) */
  int64_t start, length;  /* slice */
  Shape to_shape;         /* reshape */
  int perm[IR_MAX_RANK];  /* transpose */
  int predicate;          /* select: RASP comparison (see ir/rasp.h) */
  const RaspExpr *rasp;   /* map, zipmap, selector_combine: the element-wise function */
  double default_value;   /* aggregate: value where no position is selected */
  int table_nr;           /* embedding: the stored table is packed in panels of table_nr rows
                           * (runtime/pack.h, passes/prepack.c); 0 = row-major */
} Attrs;

struct Node {
  int id;                 /* index in Graph.nodes at creation */
  Op op;
  int n_inputs;
  Value **inputs;         /* arena array of n_inputs; NULL entry = absent optional input */
  Value *out;             /* every node produces one value */
  Attrs attrs;
  Loc loc;                /* the user's input that created this node */
  const char *layer;      /* the layer it belongs to ("h.0"), for comments; NULL at top level */
  const char *note;       /* what a pass did here ("LN -> RMSNorm, exact"); NULL if untouched */
  bool dead;              /* removed by a pass; skipped everywhere */
  KernelId kernel;        /* the runtime kernel kernel selection chose; 0 = the portable one */
  KernelId act_kernel;    /* kernel selection: the kernel applying a linear's fused attrs.act in
                           * place after it (a linear kernel that does not fuse it); 0 = portable */
};


typedef struct Graph {
  Arena *arena;           /* owns every node, value, name and converted constant */
  const char *name;       /* C identifier: prefix of the generated symbols */
  Dialect dialect;        /* NN or RASP: which interpreter runs it, which emitter writes it */
  const char *family;     /* the frontend's label for where the graph came from ("gpt2",
                           * "rasp"; NULL = "graph"): printed in the textual IR, never read
                           * by ir, passes or codegen, which work from the graph's facts */
  const char *source;     /* input path, for the generated header comment */
  Node **nodes;           /* topological order */
  int n_nodes, cap_nodes;
  Value **values;         /* all values, by id */
  int n_values, cap_values;
  Value **inputs;         /* graph inputs (token ids i32 [T]) */
  int n_inputs;
  Value **outputs;        /* graph outputs (logits [T,V] or hidden [T,D]) */
  int n_outputs;
  int64_t max_seq;        /* largest T + cached tokens (context length) */
  int64_t vocab_size;     /* valid token ids are 0..vocab_size-1 */
  bool is_decoder;        /* keeps a KV cache across forward calls */
  int64_t plan_bytes;     /* activation arena size when the memory plan ran; 0 otherwise */
  const unsigned char *gguf_kv; /* a GGUF input's tokenizer.* metadata pairs, bytes as in the file
                           * (key, type, value; NULL if none): --emit=gguf copies them through */
  size_t gguf_kv_bytes;
  int64_t gguf_kv_count;  /* pairs in gguf_kv */
  const char **passes_run; /* names of the passes that ran, for the generated header */
  int n_passes_run;
  struct Tokenizer *tokenizer; /* the model's tokenizer (ir/tokenizer.h), or NULL */
} Graph;

/* ======================================================================
 * ir/build.c — constructing graphs
 * ====================================================================== */
Graph *ir_graph_new(Arena *a, const char *name, Dialect dialect);
Shape ir_shape(int rank, ...);               /* ir_shape(2, IR_DIM_T, 64) */
Value *ir_input(Graph *g, const char *name, DType dt, Shape shape);
Value *ir_const(Graph *g, const char *name, DType dt, Shape shape, const void *data,
                const char *source, Loc loc);
/* Adds a node; infers the output's dtype and shape (ir_infer).  Returns the
 * output value, or NULL after a diagnostic at loc when the inputs do not fit. */
Value *ir_node(Graph *g, Op op, Value **inputs, int n_inputs, const Attrs *attrs,
               const char *name, Loc loc);
/* Adds a node whose output type is given rather than inferred (RASP ops, tests). */
Value *ir_node_typed(Graph *g, Op op, Value **inputs, int n_inputs, const Attrs *attrs,
                     const char *name, Loc loc, DType dt, Shape shape);
void ir_set_layer(Graph *g, const char *layer);  /* layer tag for nodes created next */
void ir_output(Graph *g, Value *v);
const char *ir_unique_name(Graph *g, const char *base);  /* base, base.1, base.2, ... */
/* Output type of op on these inputs; false after a diagnostic at loc. */
bool ir_infer(Op op, Value **inputs, int n_inputs, const Attrs *attrs, Loc loc,
              DType *dt, Shape *shape);

/* Shape and dtype helpers */
int64_t ir_numel(Shape s, int64_t T);         /* element count with T bound */
bool ir_shape_eq(Shape a, Shape b);
int64_t ir_last_dim(const Value *v);
const char *ir_dtype_name(DType dt);
size_t ir_dtype_size(DType dt);
int ir_use_count(const Graph *g, const Value *v);   /* live nodes reading v, + outputs */
void ir_replace_uses(Graph *g, Value *from, Value *to);
void ir_compact(Graph *g);                    /* drop dead nodes from Graph.nodes */

/* ======================================================================
 * ir/verify.c — structural and type checks; run after every pass in tests
 * ====================================================================== */
/* Returns 0, or -1 after printing what is wrong (a compiler bug when it fails
 * after a pass: the message names the pass given in `after`). */
int ir_verify(const Graph *g, const char *after);
/* The packing facts alone (Value.pack_nr, Attrs.table_nr: what the C emitter
 * packs the blob from), which ir_parse checks on what it reads.  0, or -1. */
int ir_verify_packing(const Graph *g);

/* ======================================================================
 * ir/print.c, ir/parse.c — the textual IR (docs/ir.md); round-trips exactly
 * ====================================================================== */
void ir_print(const Graph *g, Buf *out);
/* Parses textual IR.  Constant data is not part of the text: `weights` supplies
 * it by source name (NULL: constants get deterministic pseudo-random data,
 * for tests).  Returns NULL after a diagnostic. */
typedef const void *(*IrWeightLookup)(void *ctx, const char *source, DType dt, Shape shape);
Graph *ir_parse(Arena *a, const char *text, const char *file, IrWeightLookup weights, void *ctx);
/* The textual names of kernel ids 1..count-1 (names[0] unused), as QBE's main
 * sets its global Target: the driver passes target/'s (tg_kernel_names).
 * Until then a node with a kernel id prints "kernel=#ID", and kernel names do
 * not parse. */
void ir_set_kernel_names(const char *const *names, int count);
const char *ir_kernel_name(KernelId k);   /* NULL: none, or no such name */

/* The attributes each op reads (ir/print.c): the printer prints exactly these,
 * the parser accepts exactly these, the verifier checks them, and passes can
 * compare two nodes' attributes with ir_attrs_equal. */
typedef enum {
  ATTR_EPS = 1 << 0,        /* eps=1e-05 */
  ATTR_SCALE = 1 << 1,      /* scale=0.125 */
  ATTR_ROPE_THETA = 1 << 2, /* rope_theta=10000 */
  ATTR_ROPE_STYLE = 1 << 3, /* rope_style=halves|interleaved */
  ATTR_HEADS = 1 << 4,      /* heads=4 */
  ATTR_KV_HEADS = 1 << 5,   /* kv_heads=2 */
  ATTR_HEAD_DIM = 1 << 6,   /* head_dim=16 */
  ATTR_CAUSAL = 1 << 7,     /* causal (a bare flag; absent = false) */
  ATTR_WINDOW = 1 << 8,     /* window=0 */
  ATTR_W_LAYOUT = 1 << 9,   /* w_layout=0|1 */
  ATTR_AXIS = 1 << 10,      /* axis=-1 */
  ATTR_START = 1 << 11,     /* start=0 */
  ATTR_LENGTH = 1 << 12,    /* length=64 */
  ATTR_TO_SHAPE = 1 << 13,  /* to_shape=[T,4,16] */
  ATTR_PERM = 1 << 14,      /* perm=[1,0,2] (as many entries as the output's rank) */
  ATTR_PREDICATE = 1 << 15, /* predicate=3 (RASP select; ir/rasp.h names the values) */
  ATTR_DEFAULT = 1 << 16,   /* default_value=0 (RASP aggregate) */
  ATTR_ACT = 1 << 17,       /* act=gelu (an activation op's name; absent = none) */
  ATTR_TABLE_NR = 1 << 18,  /* table_nr=16 (absent = 0: a row-major table) */
} AttrBit;

typedef enum {
  AK_REAL, AK_INT, AK_I64, AK_BOOL, AK_STYLE, AK_SHAPE, AK_PERM, AK_OP,
  AK_PANELS   /* a packed layout's panel width, printed only when nonzero (absent = 0); a
               * storage fact of this compilation: model.yaml neither reads nor writes it */
} AttrKind;
typedef struct {
  AttrBit bit;       /* which attribute */
  const char *key;   /* its spelling in the textual IR */
  AttrKind kind;     /* how it is stored in Attrs */
  size_t offset;     /* offsetof(Attrs, field) */
} AttrDesc;
extern const AttrDesc ir_attr_desc[];    /* one entry per AttrBit, in printing order */
extern const int ir_n_attr_desc;
unsigned ir_op_attrs(Op op);             /* the AttrBits op reads */
bool ir_attrs_equal(Op op, const Attrs *a, const Attrs *b, int rank);  /* on the bits op reads */
/* Formats a double as the shortest text that strtod reads back exactly. */
const char *ir_real_str(double x, char buf[32]);
/* Formats "f32[T,64]" into buf (for messages); returns buf. */
const char *ir_type_str(DType dt, Shape s, char *buf, size_t size);

/* ======================================================================
 * ir/analysis.c, ir/stats.c — facts about a graph that passes and emitters read
 * ====================================================================== */
/* Live range of each value (by id) over the live nodes in order: first[id] is
 * the index of the producing node, last[id] the index of the last reader
 * (n_nodes for graph outputs); -1 for values no live node produces. */
void ir_live_ranges(const Graph *g, int *first, int *last);
/* Bytes of v with T bound to max_seq. */
int64_t ir_value_bytes(const Graph *g, const Value *v);
/* The graph output whose node writes straight into NAME_forward's out (an
 * f32 node output laid out as out's n x out_dim rows), or NULL when forward
 * must copy it there (an input or constant, another dtype or layout).  The
 * memory plan gives it no arena bytes (Value.plan_out); the C emitter names
 * it `out` (passes/plan_memory.c says why that is safe). */
Value *ir_caller_output(const Graph *g);
/* --stats: FLOPs per token, weight bytes, activation and KV-cache bytes. */
void ir_print_stats(const Graph *g, FILE *out);
/* Formats the --stats table into out, each line starting with `prefix`
 * (e.g. " * " for a C comment).  Deterministic: the same graph gives the same bytes. */
void ir_format_stats(const Graph *g, const char *prefix, Buf *out);

/* ======================================================================
 * ir/interp.c — the reference interpreter: plain fp32 (fp64 for RASP), obviously right
 * ====================================================================== */
/* Runs g on tokens[0..n-1] from position 0 (empty cache).  Writes the first
 * output, row-major, to out (n * last dim floats).  Returns 0, or -1 after a
 * diagnostic (token out of range, n > max_seq, ...). */
int ir_interpret(const Graph *g, const int32_t *tokens, int n, float *out);

#endif
