/*
 * interp.c — the reference interpreter: runs an nn-dialect graph in plain fp32.
 *
 * It is the oracle every other part is tested against (passes before/after,
 * generated C, kernels), so it is written to be obviously right rather than
 * fast: one buffer per value, row-major, allocated when its node runs; sums in
 * double; one small function per op behind a flat switch (ggml's
 * compute_forward).  It runs the whole sequence from position 0 with an empty
 * cache, so `positions` is t and attention sees rows 0..t.
 *
 * Op meanings are the one-liners in ops.def, made precise here:
 *   linear     w_layout 0: w [N,K], y = x w^T + b;  1: w [K,N] (GPT-2 Conv1D), y = x w + b
 *   layernorm  biased variance; gelu exact erf; gelu_tanh = gelu_new
 *   attention  head h reads kv head h / (H / KVH); scale 0 means 1/sqrt(head_dim);
 *              causal masks keys j > i; window w > 0 also masks keys j <= i - w
 *   rope       position t = row; ROPE_HALVES: Hugging Face rotate_half on each
 *              head ([x1, x2] halves), ROPE_INTERLEAVED: llama2.c pairs (2i, 2i+1);
 *              frequency theta^(-2i/head_dim) for pair i
 * RASP ops are executed by the RASP dialect's own interpreter (ir/rasp.h).
 */
#include "ir.h"
#include "rasp.h"   /* ir/rasp.h: RASP graphs run in their own interpreter */

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const Graph *g;
  int64_t T;            /* tokens in this call */
  const int32_t *tokens;
  void **buf;           /* per value id: its data (row-major, its dtype) */
  bool *owned;          /* per value id: buf was allocated here */
} Interp;

/* ---- buffers and shapes ---- */

static const float *F(const Interp *in, const Value *v) { return in->buf[v->id]; }
static float *OUT(const Interp *in, const Node *n) { return in->buf[n->out->id]; }
static int64_t numel(const Interp *in, const Value *v) { return ir_numel(v->shape, in->T); }
static int64_t width(const Value *v) { return ir_last_dim(v); }
static int64_t rows(const Interp *in, const Value *v) { return numel(in, v) / width(v); }

/* A dimension with T bound to this call's length. */
static int64_t dim(const Interp *in, const Value *v, int i) {
  return v->shape.dim[i] == IR_DIM_T ? in->T : v->shape.dim[i];
}

static int alloc_out(Interp *in, const Node *n) {
  size_t bytes = (size_t)numel(in, n->out) * ir_dtype_size(n->out->dtype);
  in->buf[n->out->id] = calloc(bytes ? bytes : 1, 1);
  if (!in->buf[n->out->id]) {
    diag_error(n->loc, "interpreter: out of memory for %%%s", n->out->name);
    return -1;
  }
  in->owned[n->out->id] = true;
  return 0;
}

/* ---- embeddings, positions, dense algebra ---- */

static int exec_embedding(Interp *in, const Node *n) {
  const Value *table = n->inputs[0];
  const int32_t *ids = in->buf[n->inputs[1]->id];
  int64_t V = table->shape.dim[0], D = width(table), rows_out = numel(in, n->inputs[1]);
  for (int64_t t = 0; t < rows_out; t++) {
    if (ids[t] < 0 || ids[t] >= V) {
      diag_error(n->loc, "embedding %%%s: id %d is outside [0, %lld)", n->out->name, ids[t],
                 (long long)V);
      return -1;
    }
    memcpy(OUT(in, n) + t * D, F(in, table) + (int64_t)ids[t] * D, sizeof(float) * (size_t)D);
  }
  return 0;
}

static void exec_positions(Interp *in, const Node *n, bool zero) {
  int32_t *out = in->buf[n->out->id];
  for (int64_t t = 0; t < in->T; t++) out[t] = zero ? 0 : (int32_t)t;
}

/* x [R,K] times w ([N,K], or [K,N] with w_layout 1), plus bias [N]. */
static double unary(const Node *n, double x);

/* The fused epilogue of a linear (passes/fuse_epilogue.c): act, then + residual,
 * rounded to f32 after each step exactly as the separate nodes would be. */
static float linear_epilogue(const Node *n, float y, const float *res, int64_t i) {
  if (n->attrs.act) {
    Node act = *n;
    act.op = (Op)n->attrs.act;
    y = (float)unary(&act, y);
  }
  return res ? (float)((double)y + res[i]) : y;
}

static void exec_linear(Interp *in, const Node *n) {
  const Value *x = n->inputs[0], *w = n->inputs[1];
  const float *b = n->n_inputs > 2 && n->inputs[2] ? F(in, n->inputs[2]) : NULL;
  const float *res = n->n_inputs > 3 && n->inputs[3] ? F(in, n->inputs[3]) : NULL;
  bool kn = n->attrs.w_layout == 1;
  int64_t R = rows(in, x), K = width(x), N = width(n->out);
  const float *X = F(in, x), *W = F(in, w);
  for (int64_t r = 0; r < R; r++)
    for (int64_t j = 0; j < N; j++) {
      double acc = b ? b[j] : 0;
      for (int64_t k = 0; k < K; k++) acc += (double)X[r * K + k] * W[kn ? k * N + j : j * K + k];
      OUT(in, n)[r * N + j] = linear_epilogue(n, (float)acc, res, r * N + j);
    }
}

static void exec_matmul(Interp *in, const Node *n) {
  const Value *a = n->inputs[0], *b = n->inputs[1];
  int64_t M = dim(in, a, 0), K = dim(in, a, 1), N = dim(in, b, 1);
  const float *A = F(in, a), *B = F(in, b);
  for (int64_t i = 0; i < M; i++)
    for (int64_t j = 0; j < N; j++) {
      double acc = 0;
      for (int64_t k = 0; k < K; k++) acc += (double)A[i * K + k] * B[k * N + j];
      OUT(in, n)[i * N + j] = (float)acc;
    }
}

/* add/sub/mul: b has a's shape, or is a row [D] repeated over a's rows. */
static void exec_binary(Interp *in, const Node *n) {
  const float *A = F(in, n->inputs[0]), *B = F(in, n->inputs[1]);
  int64_t total = numel(in, n->out), nb = numel(in, n->inputs[1]);
  for (int64_t i = 0; i < total; i++) {
    double a = A[i], b = B[i % nb];
    OUT(in, n)[i] = (float)(n->op == OP_ADD ? a + b : n->op == OP_SUB ? a - b : a * b);
  }
}

/* ---- element-wise functions and normalizations ---- */

static double unary(const Node *n, double x) {
  switch (n->op) {
  case OP_SCALE: return x * n->attrs.scale;
  case OP_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
  case OP_GELU_TANH: return 0.5 * x * (1 + tanh(sqrt(2 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));
  case OP_RELU: return x > 0 ? x : 0;
  case OP_SILU: return x / (1 + exp(-x));
  default: TFC_UNREACHABLE();
  }
}

static void exec_unary(Interp *in, const Node *n) {
  const float *X = F(in, n->inputs[0]);
  int64_t total = numel(in, n->out);
  for (int64_t i = 0; i < total; i++) OUT(in, n)[i] = (float)unary(n, X[i]);
}

/* swiglu: gu [rows, 2F] -> [rows, F], silu of the gate half times the up
 * half, rounded as the silu and mul it replaces (passes/fuse_swiglu.c). */
static void exec_swiglu(Interp *in, const Node *n) {
  const float *GU = F(in, n->inputs[0]);
  int64_t R = rows(in, n->out), D = width(n->out);
  for (int64_t r = 0; r < R; r++)
    for (int64_t j = 0; j < D; j++) {
      double x = GU[r * 2 * D + j];
      float s = (float)(x / (1 + exp(-x)));
      OUT(in, n)[r * D + j] = (float)((double)s * GU[r * 2 * D + D + j]);
    }
}

/* layernorm (biased variance) and rmsnorm, over the last axis. */
static void exec_norm(Interp *in, const Node *n) {
  const Value *x = n->inputs[0];
  const float *X = F(in, x), *G = F(in, n->inputs[1]);
  const float *B = n->op == OP_LAYERNORM ? F(in, n->inputs[2]) : NULL;
  int64_t R = rows(in, x), D = width(x);
  for (int64_t r = 0; r < R; r++) {
    const float *row = X + r * D;
    double mean = 0, var = 0;
    if (B) {
      for (int64_t i = 0; i < D; i++) mean += row[i];
      mean /= (double)D;
    }
    for (int64_t i = 0; i < D; i++) var += (row[i] - mean) * (row[i] - mean);
    double inv = 1 / sqrt(var / (double)D + n->attrs.eps);
    for (int64_t i = 0; i < D; i++)
      OUT(in, n)[r * D + i] = (float)((row[i] - mean) * inv * G[i] + (B ? B[i] : 0));
  }
}

/* CRMSNorm: a row holds the first D-1 coordinates of a zero-mean vector, the
 * last being minus their sum (passes/crmsnorm.c). */
static void exec_crmsnorm(Interp *in, const Node *n) {
  const Value *x = n->inputs[0];
  const float *X = F(in, x);
  int64_t R = rows(in, x), D = width(x);
  for (int64_t r = 0; r < R; r++) {
    const float *row = X + r * D;
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < D; i++) sum += row[i], sq += (double)row[i] * row[i];
    double inv = 1 / sqrt((sq + sum * sum) / (double)(D + 1) + n->attrs.eps);
    for (int64_t i = 0; i < D; i++) OUT(in, n)[r * D + i] = (float)(row[i] * inv);
  }
}

/* Softmax of n values in place, in double. */
static void softmax(double *x, int64_t n) {
  double max = -INFINITY, sum = 0;
  for (int64_t i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
  for (int64_t i = 0; i < n; i++) sum += x[i] = isinf(x[i]) && x[i] < 0 ? 0 : exp(x[i] - max);
  for (int64_t i = 0; i < n; i++) x[i] /= sum;
}

static int exec_softmax(Interp *in, const Node *n) {
  const Value *x = n->inputs[0];
  int64_t R = rows(in, x), D = width(x);
  double *row = malloc(sizeof(double) * (size_t)D);
  if (!row) return diag_error(n->loc, "interpreter: out of memory"), -1;
  for (int64_t r = 0; r < R; r++) {
    for (int64_t i = 0; i < D; i++) row[i] = F(in, x)[r * D + i];
    softmax(row, D);
    for (int64_t i = 0; i < D; i++) OUT(in, n)[r * D + i] = (float)row[i];
  }
  free(row);
  return 0;
}

/* ---- attention ---- */

/* Rotates one head's hd values at position pos. */
static void rope_head(const float *x, float *out, int hd, double pos, const Attrs *a) {
  for (int i = 0; i < hd / 2; i++) {
    double angle = pos * pow(a->rope_theta, -2.0 * i / hd);
    double c = cos(angle), s = sin(angle);
    int i0 = a->rope_style == ROPE_HALVES ? i : 2 * i;
    int i1 = a->rope_style == ROPE_HALVES ? i + hd / 2 : 2 * i + 1;
    out[i0] = (float)(x[i0] * c - x[i1] * s);
    out[i1] = (float)(x[i1] * c + x[i0] * s);
  }
}

static void exec_rope(Interp *in, const Node *n) {
  const Value *x = n->inputs[0];
  int64_t R = rows(in, x), W = width(x);
  int64_t per_pos = x->shape.rank >= 2 ? R / dim(in, x, 0) : R;  /* rows per position */
  int H = n->attrs.heads, hd = n->attrs.head_dim;
  for (int64_t r = 0; r < R; r++)
    for (int h = 0; h < H; h++)
      rope_head(F(in, x) + r * W + h * hd, OUT(in, n) + r * W + h * hd, hd,
                (double)(r / per_pos), &n->attrs);
}

/* Key j is visible from query i. */
static bool visible(const Attrs *a, int64_t i, int64_t j) {
  if (a->causal && j > i) return false;
  return a->window <= 0 || j > i - a->window;
}

/* One query row of one head: out = softmax(q k^T * scale) v over visible keys. */
static void attend(const Interp *in, const Node *n, int64_t i, int h, double *p) {
  const Attrs *a = &n->attrs;
  int hd = a->head_dim, kvh = h / (a->heads / a->kv_heads);
  int64_t Tk = rows(in, n->inputs[1]), qw = width(n->inputs[0]), kw = width(n->inputs[1]);
  double scale = a->scale != 0 ? a->scale : 1 / sqrt((double)hd);
  const float *q = F(in, n->inputs[0]) + i * qw + h * hd;
  for (int64_t j = 0; j < Tk; j++) {
    const float *k = F(in, n->inputs[1]) + j * kw + kvh * hd;
    double dot = 0;
    for (int d = 0; d < hd; d++) dot += (double)q[d] * k[d];
    p[j] = visible(a, i, j) ? dot * scale : -INFINITY;
  }
  softmax(p, Tk);
  for (int d = 0; d < hd; d++) {
    double acc = 0;
    for (int64_t j = 0; j < Tk; j++) acc += p[j] * F(in, n->inputs[2])[j * kw + kvh * hd + d];
    OUT(in, n)[i * qw + h * hd + d] = (float)acc;
  }
}

static int exec_attention(Interp *in, const Node *n) {
  int64_t Tq = rows(in, n->inputs[0]), Tk = rows(in, n->inputs[1]);
  double *p = malloc(sizeof(double) * (size_t)(Tk + 1));
  if (!p) return diag_error(n->loc, "interpreter: out of memory"), -1;
  for (int64_t i = 0; i < Tq; i++)
    for (int h = 0; h < n->attrs.heads; h++) attend(in, n, i, h, p);
  free(p);
  return 0;
}

/* ---- layout: slice, concat, reshape, transpose (any dtype, by bytes) ---- */

/* Sizes around an axis: outer = product before it, inner = bytes of one step after it. */
static void split_at(const Interp *in, const Value *v, int axis, int64_t *outer, int64_t *inner) {
  *outer = 1;
  *inner = (int64_t)ir_dtype_size(v->dtype);
  for (int i = 0; i < v->shape.rank; i++) {
    if (i < axis) *outer *= dim(in, v, i);
    if (i > axis) *inner *= dim(in, v, i);
  }
}

static int norm_axis(int axis, int rank) { return axis < 0 ? axis + rank : axis; }

/* Copies the parts of each outer block: slice takes a window, concat appends two. */
static void exec_slice_concat(Interp *in, const Node *n) {
  const Value *a = n->inputs[0];
  int axis = norm_axis(n->attrs.axis, a->shape.rank);
  int64_t outer, inner;
  split_at(in, a, axis, &outer, &inner);
  char *out = in->buf[n->out->id];
  int64_t out_step = dim(in, n->out, axis) * inner;
  for (int64_t o = 0; o < outer; o++) {
    const char *src = (const char *)in->buf[a->id] + o * dim(in, a, axis) * inner;
    if (n->op == OP_SLICE) {
      memcpy(out + o * out_step, src + n->attrs.start * inner, (size_t)out_step);
      continue;
    }
    const Value *b = n->inputs[1];
    int64_t a_step = dim(in, a, axis) * inner, b_step = dim(in, b, axis) * inner;
    memcpy(out + o * out_step, src, (size_t)a_step);
    memcpy(out + o * out_step + a_step, (const char *)in->buf[b->id] + o * b_step, (size_t)b_step);
  }
}

static void exec_transpose(Interp *in, const Node *n) {
  const Value *x = n->inputs[0];
  int rank = x->shape.rank;
  size_t es = ir_dtype_size(x->dtype);
  int64_t in_stride[IR_MAX_RANK], idx[IR_MAX_RANK] = {0}, total = numel(in, x);
  for (int64_t i = rank - 1, s = 1; i >= 0; s *= dim(in, x, (int)i), i--) in_stride[i] = s;
  for (int64_t o = 0; o < total; o++) {
    int64_t src = 0;
    for (int i = 0; i < rank; i++) src += idx[i] * in_stride[n->attrs.perm[i]];
    const char *from = (const char *)in->buf[x->id] + src * (int64_t)es;
    memcpy((char *)in->buf[n->out->id] + o * (int64_t)es, from, es);
    for (int i = rank - 1; i >= 0 && ++idx[i] == dim(in, n->out, i); i--) idx[i] = 0;
  }
}

/* ---- dispatch ---- */

static int exec_node(Interp *in, const Node *n) {
  if (alloc_out(in, n)) return -1;
  switch (n->op) {
  case OP_EMBEDDING: return exec_embedding(in, n);
  case OP_POSITIONS: exec_positions(in, n, false); return 0;
  case OP_TOKEN_TYPE: exec_positions(in, n, true); return 0;
  case OP_LINEAR: exec_linear(in, n); return 0;
  case OP_MATMUL: exec_matmul(in, n); return 0;
  case OP_ADD:
  case OP_SUB:
  case OP_MUL: exec_binary(in, n); return 0;
  case OP_SCALE:
  case OP_GELU:
  case OP_GELU_TANH:
  case OP_RELU:
  case OP_SILU: exec_unary(in, n); return 0;
  case OP_SWIGLU: exec_swiglu(in, n); return 0;
  case OP_LAYERNORM:
  case OP_RMSNORM: exec_norm(in, n); return 0;
  case OP_CRMSNORM: exec_crmsnorm(in, n); return 0;
  case OP_SOFTMAX: return exec_softmax(in, n);
  case OP_ROPE: exec_rope(in, n); return 0;
  case OP_ATTENTION: return exec_attention(in, n);
  case OP_SLICE:
  case OP_CONCAT: exec_slice_concat(in, n); return 0;
  case OP_RESHAPE:
    memcpy(in->buf[n->out->id], in->buf[n->inputs[0]->id],
           (size_t)numel(in, n->out) * ir_dtype_size(n->out->dtype));
    return 0;
  case OP_TRANSPOSE: exec_transpose(in, n); return 0;
  default:
    /* RASP ops: add a case here calling the RASP dialect's interpreter. */
    diag_error(n->loc, "interpreter: op '%s' cannot run here", ir_op_info[n->op].name);
    return -1;
  }
}

/* ---- entry point ---- */

static int check_tokens(const Graph *g, const int32_t *tokens, int n) {
  Loc loc = diag_loc(g->source, 0, 0);
  if (n < 1) return diag_error(loc, "no tokens to run"), -1;
  if (g->max_seq > 0 && n > g->max_seq) {
    diag_error(loc, "%d tokens do not fit the context of %lld", n, (long long)g->max_seq);
    return -1;
  }
  for (int i = 0; g->vocab_size > 0 && i < n; i++)
    if (tokens[i] < 0 || tokens[i] >= g->vocab_size) {
      diag_error(loc, "token %d (at %d) is outside [0, %lld)", tokens[i], i,
                 (long long)g->vocab_size);
      return -1;
    }
  return 0;
}

/* Binds constants to their data and the token-id inputs to tokens. */
static int bind_inputs(Interp *in) {
  const Graph *g = in->g;
  for (int i = 0; i < g->n_values; i++)
    if (g->values[i]->is_const) in->buf[i] = (void *)g->values[i]->data;
  for (int i = 0; i < g->n_inputs; i++) {
    const Value *v = g->inputs[i];
    if (v->dtype != DT_I32 || v->shape.rank != 1 || v->shape.dim[0] != IR_DIM_T) {
      diag_error(v->loc, "interpreter: input %%%s is not token ids i32[T]", v->name);
      return -1;
    }
    in->buf[v->id] = (void *)in->tokens;
  }
  return 0;
}

/* Converts the first output to floats. */
static void write_output(const Interp *in, float *out) {
  const Value *v = in->g->outputs[0];
  const void *data = in->buf[v->id];
  for (int64_t i = 0, total = numel(in, v); i < total; i++)
    switch (v->dtype) {
    case DT_F32: out[i] = ((const float *)data)[i]; break;
    case DT_F64: out[i] = (float)((const double *)data)[i]; break;
    case DT_I32: out[i] = (float)((const int32_t *)data)[i]; break;
    case DT_BOOL: out[i] = ((const unsigned char *)data)[i]; break;
    default: TFC_UNREACHABLE();
    }
}

int ir_interpret(const Graph *g, const int32_t *tokens, int n, float *out) {
  if (ir_verify(g, NULL) || check_tokens(g, tokens, n)) return -1;
  if (g->dialect == RASP) return ir_rasp_interpret_ids(g, tokens, n, out);   /* ir/rasp.h */
  Interp in = {g, n, tokens, calloc((size_t)g->n_values + 1, sizeof(void *)),
               calloc((size_t)g->n_values + 1, sizeof(bool))};
  int rc = in.buf && in.owned ? bind_inputs(&in) : -1;
  for (int i = 0; rc == 0 && i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) rc = exec_node(&in, g->nodes[i]);
  if (rc == 0) write_output(&in, out);
  for (int i = 0; in.owned && i < g->n_values; i++)
    if (in.owned[i]) free(in.buf[i]);
  free(in.buf);
  free(in.owned);
  return rc;
}
