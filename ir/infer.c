/*
 * infer.c — the type rules: the dtype and shape of each nn op's output from
 * its inputs and attributes.  The verifier re-runs these rules on every node,
 * so a pass that rewires a graph inconsistently fails at that pass.
 *
 * Dimensions are compared exactly; the symbolic T only matches T.
 */
#include "ir.h"

#include <string.h>


/* Formats a shape as [T,64] into a static ring of buffers (for messages). */
static const char *shape_str(Shape s) {
  static char ring[4][64];
  static int next;
  char *p = ring[next++ & 3];
  int n = snprintf(p, 64, "[");
  for (int i = 0; i < s.rank; i++) {
    if (s.dim[i] == IR_DIM_T)
      n += snprintf(p + n, 64 - (size_t)n, "%sT", i ? "," : "");
    else
      n += snprintf(p + n, 64 - (size_t)n, "%s%lld", i ? "," : "", (long long)s.dim[i]);
  }
  snprintf(p + n, 64 - (size_t)n, "]");
  return p;
}

#define CHECK(cond, ...)             \
  do {                               \
    if (!(cond)) {                   \
      diag_error(loc, __VA_ARGS__);  \
      return false;                  \
    }                                \
  } while (0)

static int64_t last(const Value *v) { return ir_last_dim(v); }

static Shape with_last(Shape s, int64_t d) {
  s.dim[s.rank - 1] = d;
  return s;
}

/* Element-wise binary ops: same shape, or b broadcast along the last axis. */
static bool infer_binary(const char *op, Value *a, Value *b, Loc loc, Shape *shape) {
  bool same = ir_shape_eq(a->shape, b->shape);
  bool row = b->shape.rank == 1 && a->shape.rank >= 1 && b->shape.dim[0] == last(a);
  CHECK(same || row, "%s: operand shapes %s and %s do not match", op, shape_str(a->shape),
        shape_str(b->shape));
  *shape = a->shape;
  return true;
}

static bool infer_linear(Value **in, int n, const Attrs *at, Loc loc, Shape *shape) {
  CHECK(n >= 2 && n <= 4, "linear: expected 2 to 4 inputs, found %d", n);
  Value *x = in[0], *w = in[1], *b = n >= 3 ? in[2] : NULL, *r = n == 4 ? in[3] : NULL;
  CHECK(x->shape.rank >= 1 && w->shape.rank == 2, "linear: weight must be 2-D, found %s",
        shape_str(w->shape));
  int64_t k = at->w_layout ? w->shape.dim[0] : w->shape.dim[1];
  int64_t out = at->w_layout ? w->shape.dim[1] : w->shape.dim[0];
  CHECK(k == last(x), "linear: weight %s '%s' does not take inputs of width %lld",
        shape_str(w->shape), w->source ? w->source : w->name, (long long)last(x));
  CHECK(!b || (b->shape.rank == 1 && b->shape.dim[0] == out),
        "linear: bias %s does not match %lld outputs", b ? shape_str(b->shape) : "", (long long)out);
  *shape = with_last(x->shape, out);
  CHECK(!r || ir_shape_eq(r->shape, *shape), "linear: residual %s does not match the output %s",
        r ? shape_str(r->shape) : "", shape_str(*shape));
  return true;
}

static bool infer_norm(const char *op, Value **in, int n, Loc loc, Shape *shape) {
  for (int i = 1; i < n; i++)
    CHECK(in[i]->shape.rank == 1 && in[i]->shape.dim[0] == last(in[0]),
          "%s: parameter %s does not match width %lld", op, shape_str(in[i]->shape),
          (long long)last(in[0]));
  *shape = in[0]->shape;
  return true;
}

static bool infer_attention(Value **in, const Attrs *at, Loc loc, Shape *shape) {
  CHECK(at->heads > 0 && at->kv_heads > 0 && at->head_dim > 0,
        "attention: heads, kv_heads and head_dim must be positive");
  CHECK(at->heads % at->kv_heads == 0, "attention: %d heads are not a multiple of %d kv heads",
        at->heads, at->kv_heads);
  CHECK(last(in[0]) == (int64_t)at->heads * at->head_dim,
        "attention: query width %lld is not heads*head_dim = %d", (long long)last(in[0]),
        at->heads * at->head_dim);
  for (int i = 1; i < 3; i++)
    CHECK(last(in[i]) == (int64_t)at->kv_heads * at->head_dim,
          "attention: key/value width %lld is not kv_heads*head_dim = %d", (long long)last(in[i]),
          at->kv_heads * at->head_dim);
  *shape = in[0]->shape;
  return true;
}

static bool infer_slice(Value *x, const Attrs *at, Loc loc, Shape *shape) {
  int axis = at->axis < 0 ? x->shape.rank + at->axis : at->axis;
  CHECK(axis >= 0 && axis < x->shape.rank, "slice: axis %d out of range", at->axis);
  int64_t d = x->shape.dim[axis];
  CHECK(d != IR_DIM_T && at->start >= 0 && at->length >= 1 && at->start + at->length <= d,
        "slice: [%lld, %lld) is outside axis of size %lld", (long long)at->start,
        (long long)(at->start + at->length), (long long)d);
  *shape = x->shape;
  shape->dim[axis] = at->length;
  return true;
}

static bool infer_concat(Value *a, Value *b, const Attrs *at, Loc loc, Shape *shape) {
  int axis = at->axis < 0 ? a->shape.rank + at->axis : at->axis;
  CHECK(a->shape.rank == b->shape.rank && axis >= 0 && axis < a->shape.rank,
        "concat: shapes %s and %s cannot be joined on axis %d", shape_str(a->shape),
        shape_str(b->shape), at->axis);
  for (int i = 0; i < a->shape.rank; i++)
    CHECK(i == axis || a->shape.dim[i] == b->shape.dim[i],
          "concat: shapes %s and %s differ off axis %d", shape_str(a->shape), shape_str(b->shape),
          at->axis);
  CHECK(a->shape.dim[axis] != IR_DIM_T && b->shape.dim[axis] != IR_DIM_T,
        "concat: cannot join along T");
  *shape = a->shape;
  shape->dim[axis] += b->shape.dim[axis];
  return true;
}

static bool infer_reshape(Value *x, const Attrs *at, Loc loc, Shape *shape) {
  int64_t a = ir_numel(x->shape, 1), b = ir_numel(at->to_shape, 1);
  int ta = 0, tb = 0;
  for (int i = 0; i < x->shape.rank; i++) ta += x->shape.dim[i] == IR_DIM_T;
  for (int i = 0; i < at->to_shape.rank; i++) tb += at->to_shape.dim[i] == IR_DIM_T;
  CHECK(a == b && ta == tb, "reshape: %s cannot become %s", shape_str(x->shape),
        shape_str(at->to_shape));
  *shape = at->to_shape;
  return true;
}

static bool infer_transpose(Value *x, const Attrs *at, Loc loc, Shape *shape) {
  int seen = 0;
  for (int i = 0; i < x->shape.rank; i++) {
    CHECK(at->perm[i] >= 0 && at->perm[i] < x->shape.rank && !(seen & (1 << at->perm[i])),
          "transpose: perm is not a permutation of %d axes", x->shape.rank);
    seen |= 1 << at->perm[i];
    shape->dim[i] = x->shape.dim[at->perm[i]];
  }
  shape->rank = x->shape.rank;
  return true;
}

bool ir_infer(Op op, Value **in, int n, const Attrs *at, Loc loc, DType *dt, Shape *shape) {
  const OpInfo *info = &ir_op_info[op];
  CHECK(info->arity < 0 || info->arity == n, "%s: expected %d inputs, found %d", info->name,
        info->arity, n);
  for (int i = 0; i < n; i++)   /* only a linear's bias is optional (absent: `_`) */
    CHECK(in[i] || (op == OP_LINEAR && i == 2), "%s: input %d is missing", info->name, i);
  *dt = DT_F32;
  memset(shape, 0, sizeof *shape);
  switch (op) {
  case OP_EMBEDDING:
    CHECK(in[0]->shape.rank == 2 && in[1]->dtype == DT_I32 && in[1]->shape.rank == 1,
          "embedding: expected table [V,D] and ids i32 [T], found %s and %s",
          shape_str(in[0]->shape), shape_str(in[1]->shape));
    *shape = ir_shape(2, in[1]->shape.dim[0], in[0]->shape.dim[1]);
    return true;
  case OP_POSITIONS:
  case OP_TOKEN_TYPE:
    *dt = DT_I32;
    *shape = ir_shape(1, (int64_t)IR_DIM_T);
    return true;
  case OP_LINEAR:
    return infer_linear(in, n, at, loc, shape);
  case OP_MATMUL:
    CHECK(in[0]->shape.rank == 2 && in[1]->shape.rank == 2 &&
              in[0]->shape.dim[1] == in[1]->shape.dim[0],
          "matmul: %s @ %s does not fit", shape_str(in[0]->shape), shape_str(in[1]->shape));
    *shape = ir_shape(2, in[0]->shape.dim[0], in[1]->shape.dim[1]);
    return true;
  case OP_ADD:
  case OP_SUB:
  case OP_MUL:
    return infer_binary(info->name, in[0], in[1], loc, shape);
  case OP_LAYERNORM:
  case OP_RMSNORM:
    return infer_norm(info->name, in, n, loc, shape);
  case OP_SCALE:
  case OP_CRMSNORM:
  case OP_GELU:
  case OP_GELU_TANH:
  case OP_RELU:
  case OP_SILU:
  case OP_SOFTMAX:
    *shape = in[0]->shape;
    return true;
  case OP_SWIGLU:
    CHECK(in[0]->shape.rank >= 1 && last(in[0]) != IR_DIM_T && last(in[0]) % 2 == 0,
          "swiglu: input %s does not end in an even width 2F", shape_str(in[0]->shape));
    *shape = with_last(in[0]->shape, last(in[0]) / 2);
    return true;
  case OP_ROPE:
    CHECK(at->heads > 0 && at->head_dim > 0 && at->head_dim % 2 == 0 &&
              last(in[0]) == (int64_t)at->heads * at->head_dim,
          "rope: width %lld is not heads*head_dim with an even head_dim", (long long)last(in[0]));
    *shape = in[0]->shape;
    return true;
  case OP_ATTENTION:
    return infer_attention(in, at, loc, shape);
  case OP_SLICE:
    return infer_slice(in[0], at, loc, shape);
  case OP_CONCAT:
    return infer_concat(in[0], in[1], at, loc, shape);
  case OP_RESHAPE:
    return infer_reshape(in[0], at, loc, shape);
  case OP_TRANSPOSE:
    return infer_transpose(in[0], at, loc, shape);
  default:
    /* RASP ops carry their types from the RASP frontend (ir_node_typed). */
    diag_error(loc, "%s: output type must be given by the builder", info->name);
    return false;
  }
}
