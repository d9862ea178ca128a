/*
 * passes.h — the pass manager and its passes (passes/passes.def lists them).
 *
 * Every pass maps a verified graph to a verified graph.  Exact passes keep the
 * interpreter's outputs within their stated tolerance; the pass manager runs
 * ir_verify after each one when verify_each is set (tests, debug builds).
 * A pass that declines to rewrite says why with diag_remark (--remarks).
 */
#ifndef TFC_PASSES_H
#define TFC_PASSES_H

#include "ir.h"
#include "target.h"   /* target/: the kernel table and target records */

typedef struct PassOptions {
  int opt_level;            /* 0..3: which list of passes -O selects */
  const char *pass_list;    /* --passes=a,b,c: run exactly these (overrides opt_level) */
  const char *print_after;  /* --print-after=PASS ("all" for every pass): IR to stderr */
  bool remarks;             /* --remarks: say which rewrites fired where, and why not */
  bool verify_each;         /* run ir_verify after every pass (tests, debug builds) */
  TargetId target;          /* for prepack and kernel selection (never TARGET_HOST) */
} PassOptions;

/* ======================================================================
 * passes/pass_manager.c — the pipeline
 * ====================================================================== */
/* Runs the selected passes in order.  Returns 0, or -1 after a diagnostic. */
int pass_run_pipeline(Graph *g, const PassOptions *opt);
/* Prints the pass table (for --help). */
void pass_print_help(FILE *out);
/* "exact (rel. 1e-5)" / "lossy (...)" for a pass name from passes.def; NULL if unknown. */
const char *pass_kind(const char *name);

/* What a pass promises, read from its kind in passes.def, and how tests check it. */
typedef enum { PASS_CHECK_INTERP, PASS_CHECK_COMPILED } PassCheck;
typedef struct {
  bool bitwise;     /* "exact (bitwise)": the same bits before and after */
  double rel;       /* "exact (rel. X)": max |after - before| <= rel * max |before|;
                     * 0 when bitwise; INFINITY for a lossy pass */
  bool compiled;    /* a COMPILED pass: only the generated C sees what it records */
} PassStrength;
/* The strength of one pass; false when the name is unknown. */
bool pass_strength(const char *name, PassStrength *s);
/* What the passes g->passes_run promise together: bitwise when each is, else
 * the sum of their relative tolerances; compiled when any is. */
PassStrength pass_run_strength(const Graph *g);

/* Entry points, one per file (passes/<name>.c).  Each returns 0, or -1 after a diagnostic. */
#define PASS(name, level, kind, check, summary) int pass_##name(Graph *g, const PassOptions *opt);
#include "passes.def"
#undef PASS

/* ======================================================================
 * passes/rewrite.c — helpers the passes share (not passes themselves)
 * ====================================================================== */
/* The live nodes that read v (up to max of them in users); returns how many there are. */
int pass_users(const Graph *g, const Value *v, Node **users, int max);
bool pass_is_output(const Graph *g, const Value *v);
/* An f32 constant with data the passes can read (not quantized). */
bool pass_is_f32_const(const Value *v);
/* n zeroed floats from the graph's arena; NULL after a diagnostic. */
float *pass_alloc_f32(Graph *g, int64_t n);
/* A new f32 constant owned by the arena, named after `like` with `suffix`
 * ("wte.weight" -> source "wte.weight@centred").  NULL after a diagnostic. */
Value *pass_new_const(Graph *g, const Value *like, const char *suffix, Shape shape,
                      const float *data);
/* Adds a node computing op(inputs) right before node `before` in the order
 * (layer and Loc taken from it).  Returns its output, or NULL after a diagnostic. */
Value *pass_insert_before(Graph *g, Node *before, Op op, Value **inputs, int n_inputs,
                          const Attrs *attrs, const char *name);
/* Linear weight element (output n, input k) for either layout. */
int64_t pass_w_index(const Node *linear, int64_t n, int64_t k);
/* Replaces the constant weight and bias of `linear` (x -> W x + b) by those of
 * x -> W (a*x + b0) + b: W' = W diag(a), b' = b + W b0.  a or b0 may be NULL
 * (1 or 0).  Returns 0, or -1 after a diagnostic. */
int pass_fold_affine_into_linear(Graph *g, Node *linear, const double *a, const double *b0,
                                 const char *suffix);
/* Appends `note` to node->note ("; " between notes). */
void pass_add_note(Graph *g, Node *n, const char *note);
/* "h.0" or "top level", for remarks. */
const char *pass_where(const Node *n);

/* ======================================================================
 * passes/residual.c — the residual stream of a pre-LN model (ln_to_rmsnorm, crmsnorm)
 * ====================================================================== */
/* What the analysis found; nothing is changed until pass_stream_centre. */
typedef struct {
  Graph *g;
  char *in_stream;      /* by value id < n_values: the value is the residual stream */
  int n_values;         /* values when the analysis ran (later ones are not the stream) */
  Node **centre_w;      /* residual-writing linears: centre W's columns and b */
  Node **centre_b;      /* adds whose per-channel constant inputs[1] must be centred */
  Node **embeds;        /* embeddings writing the stream: centre the table's rows */
  Node **norms;         /* LayerNorms reading the stream */
  int n_w, n_b, n_embeds, n_norms;
  const char *why;      /* first reason the rewrite is ruled out; NULL if none */
  const Node *why_at;   /* where */
} PassStream;

/* Finds and checks the stream.  Returns 0, or -1 after a diagnostic (out of memory). */
int pass_stream_analyze(Graph *g, PassStream *s);
void pass_stream_free(PassStream *s);
bool pass_in_stream(const PassStream *s, const Value *v);
/* Remarks why `pass` does not apply; true when it does not. */
bool pass_stream_refused(const PassStream *s, const char *pass);
/* Makes every write into the stream zero-mean (new constants).  0, or -1. */
/* share_tied: a tied head shares the centred table (ln_to_rmsnorm); else it is untied. */
int pass_stream_centre(Graph *g, PassStream *s, bool share_tied);
/* b minus its mean, as a new constant; NULL after a diagnostic. */
Value *pass_centred_vector(Graph *g, const Value *b);
/* True when v's n readers (users) are all linears taking v as x with constant
 * weights and bias, and v is no graph output (n <= 64). */
bool pass_read_by_linears(const Graph *g, const Value *v, Node **users, int n);

#endif
