/*
 * emit_c_ops.c — one step of the forward pass per node: a comment naming the
 * op (and what a pass did there), then one call to a runtime kernel with the
 * node's sizes spelled out.  The kernel is the op's portable row of
 * target/kernels.def (runtime/generic/) unless kernel selection set
 * Node.kernel to another row: its function takes the portable kernel's
 * arguments (runtime/rt.h), plus layout, activation and residual when the
 * row fuses them.
 *
 * Sizes are C expressions in T, the call's token count: "rows" is the
 * product of all but the last axis, "d" the last axis.
 */
#include <math.h>
#include <string.h>

#include "codegen.h"

/* Copies the file of kernel row id (none for KERNEL_NONE). */
static int copy_kernel_file(CgEmit *e, KernelId id) {
  const Kernel *k = tg_kernel(id);
  return k ? cg_copy_runtime(e, k->file) : 0;
}

/* Does the node's kernel apply its fused epilogue (activation, residual)
 * itself (kernels.def's fuses column)?  Then one call with the weight's
 * layout, the activation and the residual, and no second pass over the output. */
static bool kernel_fuses(const Node *n) {
  const Kernel *k = tg_kernel(n->kernel);
  return k && (k->fuses & ~(unsigned)FUSE_BIAS);
}

int cg_op_runtime(CgEmit *e, const Node *n) {
  if (copy_kernel_file(e, tg_portable(n->op))) return -1;
  if (n->op == OP_LINEAR && !kernel_fuses(n)) {   /* the epilogue, as second passes */
    if (n->attrs.act && copy_kernel_file(e, tg_portable((Op)n->attrs.act))) return -1;
    if (n->n_inputs > 3 && copy_kernel_file(e, KERNEL_ADD)) return -1;
  }
  if (copy_kernel_file(e, n->act_kernel)) return -1;
  return copy_kernel_file(e, n->kernel);
}

/* The function to call: the row kernel selection chose, else `portable`. */
static const char *kernel_fn(const Node *n, KernelId portable) {
  const Kernel *k = tg_kernel(n->kernel);
  return (k ? k : tg_kernel(portable))->function;
}

/* An input's name for comments: the tensor's source name for weights. */
static const char *input_label(const CgEmit *e, const Value *v) {
  return cg_comment(e, v->is_const && v->source ? v->source : v->name);
}

/* "ln_1 = layernorm(x, h.0.ln_1.weight, h.0.ln_1.bias)  [note]" */
static void emit_comment(CgEmit *e, const Node *n, const char *extra) {
  buf_printf(e->c, "  /* %s = %s(", cg_comment(e, n->out->name), ir_op_info[n->op].name);
  for (int k = 0; k < n->n_inputs; k++)
    if (n->inputs[k]) buf_printf(e->c, "%s%s", k ? ", " : "", input_label(e, n->inputs[k]));
  buf_printf(e->c, ")%s%s", extra ? "  " : "", extra ? extra : "");
  if (n->note) buf_printf(e->c, "  [%s]", cg_comment(e, n->note));
  const Kernel *k = tg_kernel(n->kernel);
  if (k) buf_printf(e->c, "  {kernel %s:%s}", k->file, k->function);
  buf_puts(e->c, " */\n");
}

static const char *rows(const CgEmit *e, const Value *v) {
  return cg_dims(e, v->shape, 0, v->shape.rank - 1);
}

/* v's last axis, named from the config where it is one of its sizes. */
static const char *width(CgEmit *e, const Value *v) { return cg_width(e, ir_last_dim(v)); }

/* Elements of v: rows times its width ("T * dim"). */
static const char *numel(CgEmit *e, const Value *v) {
  if (v->shape.rank < 2) return cg_dims(e, v->shape, 0, v->shape.rank);
  const char *w = width(e, v);
  return arena_printf(e->g->arena, strchr(w, ' ') ? "%s * (%s)" : "%s * %s", rows(e, v), w);
}

static const char *ref(const CgEmit *e, const Node *n, int k) {
  return k < n->n_inputs && n->inputs[k] ? cg_ref(e, n->inputs[k]) : "NULL";
}

/* The epilogue fuse_epilogue moved into a linear whose kernel does not fuse
 * it: the activation, then the residual add, each a second pass in place on
 * the output (the comments say so: nothing here is fused into the kernel). */
static void emit_linear_epilogue(CgEmit *e, const Node *n) {
  const char *out = cg_ref(e, n->out);
  if (n->attrs.act)
    buf_printf(e->c, "  %s(%s, %s, %s);   /* its activation, in place */\n",
               tg_kernel(n->act_kernel ? n->act_kernel : tg_portable((Op)n->attrs.act))->function,
               out, out, numel(e, n->out));
  if (n->n_inputs > 3 && n->inputs[3])
    buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %s);   /* its residual add, in place */\n",
               tg_kernel(KERNEL_ADD)->function, out, out,
               cg_ref(e, n->inputs[3]), rows(e, n->out), width(e, n->out), width(e, n->out));
}

/* A linear whose kernel applies the fused epilogue itself (kernel_fuses):
 * the portable rt_linear's arguments, then the weight's layout (RT_W_*), the
 * activation (RT_ACT_*) and the residual or NULL (runtime/linear_simd.c). */
static void emit_linear_with_epilogue(CgEmit *e, const Node *n) {
  const Value *w = n->inputs[1];
  const char *layout = w->pack_nr ? "RT_W_PACKED" : n->attrs.w_layout == 1 ? "RT_W_KN" : "RT_W_NK";
  const char *act = n->attrs.act == OP_GELU_TANH ? "RT_ACT_GELU_TANH"
                    : n->attrs.act == OP_SILU    ? "RT_ACT_SILU"
                                                 : "RT_ACT_NONE";
  emit_comment(e, n, "fused epilogue inside the kernel");
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s);\n", kernel_fn(n, KERNEL_NONE),
             cg_ref(e, n->out), ref(e, n, 0), ref(e, n, 1), ref(e, n, 2), rows(e, n->out),
             width(e, n->inputs[0]), width(e, n->out), layout, act, ref(e, n, 3));
}

static void emit_linear(CgEmit *e, const Node *n) {
  if (kernel_fuses(n)) {
    emit_linear_with_epilogue(e, n);
    return;
  }
  const Value *w = n->inputs[1];
  bool kn = n->attrs.w_layout == 1 && !w->pack_nr && !(w->is_const && e->transposed[w->id]);
  const char *K = width(e, n->inputs[0]), *N = width(e, n->out);
  emit_comment(e, n, kn ? "W (k,n) stored as is" : NULL);
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %s, %s);\n",
             kernel_fn(n, kn ? KERNEL_LINEAR_KN : KERNEL_LINEAR), cg_ref(e, n->out), ref(e, n, 0),
             ref(e, n, 1), ref(e, n, 2), rows(e, n->out), K, N);
  emit_linear_epilogue(e, n);
}

static void emit_binary(CgEmit *e, const Node *n, KernelId fn) {
  const Value *a = n->inputs[0], *b = n->inputs[1];
  bool row = !ir_shape_eq(a->shape, b->shape);
  emit_comment(e, n, row ? "b broadcast over rows" : NULL);
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %s);\n", kernel_fn(n, fn), cg_ref(e, n->out),
             cg_ref(e, a), cg_ref(e, b), rows(e, a), width(e, a), row ? "0" : width(e, a));
}

static void emit_unary(CgEmit *e, const Node *n, KernelId fn) {
  emit_comment(e, n, NULL);
  buf_printf(e->c, "  %s(%s, %s, %s);\n", kernel_fn(n, fn), cg_ref(e, n->out), ref(e, n, 0),
             numel(e, n->out));
}

static void emit_norm(CgEmit *e, const Node *n) {
  const char *eps = cg_float(e, n->attrs.eps);
  emit_comment(e, n, arena_printf(e->g->arena, "eps=%s", eps));
  if (n->op == OP_LAYERNORM)
    buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %s, %s);\n", kernel_fn(n, KERNEL_LAYERNORM),
               cg_ref(e, n->out), ref(e, n, 0), ref(e, n, 1), ref(e, n, 2), rows(e, n->out),
               width(e, n->out), eps);
  else if (n->op == OP_CRMSNORM)
    buf_printf(e->c, "  %s(%s, %s, %s, %s, %s);\n", kernel_fn(n, KERNEL_CRMSNORM),
               cg_ref(e, n->out), ref(e, n, 0), rows(e, n->out), width(e, n->out), eps);
  else
    buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %s);\n", kernel_fn(n, KERNEL_RMSNORM),
               cg_ref(e, n->out), ref(e, n, 0), ref(e, n, 1), rows(e, n->out), width(e, n->out), eps);
}

static void emit_rope(CgEmit *e, const Node *n) {
  const Attrs *a = &n->attrs;
  bool inter = a->rope_style == ROPE_INTERLEAVED;
  emit_comment(e, n, arena_printf(e->g->arena, "theta=%g, %s pairs, at positions pos0+t",
                                  a->rope_theta, inter ? "interleaved" : "rotate-half"));
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, pos0, s->rope_table_%d, %d);\n",
             kernel_fn(n, KERNEL_ROPE), cg_ref(e, n->out), ref(e, n, 0), rows(e, n->out),
             cg_heads(e, a->heads, false), cg_head_dim(e, a->head_dim), cg_rope_table(e, n), inter);
}

static int emit_attention(CgEmit *e, const Node *n) {
  const Attrs *a = &n->attrs;
  const char *cn = e->cname[n->out->id];
  if (n->inputs[0]->shape.rank != 2 || n->inputs[0]->shape.dim[0] != IR_DIM_T) {
    diag_error(n->loc, "C emitter: attention '%s' needs queries [T,%d]", n->out->name,
               a->heads * a->head_dim);
    return -1;
  }
  double scale = a->scale != 0 ? a->scale : 1.0 / sqrt((double)a->head_dim);
  emit_comment(e, n, arena_printf(e->g->arena, "%d heads, %d kv heads, head_dim %d%s%s",
                                  a->heads, a->kv_heads, a->head_dim, a->causal ? ", causal" : "",
                                  a->window ? ", windowed" : ""));
  buf_printf(e->c,
             "  %s(%s, %s, %s, %s, s->k_cache_%s, s->v_cache_%s, s->att, T, pos0, %s, %s, %s, %s, "
             "%d, %d);\n",
             kernel_fn(n, KERNEL_ATTENTION), cg_ref(e, n->out), ref(e, n, 0), ref(e, n, 1),
             ref(e, n, 2), cn, cn, cg_heads(e, a->heads, false), cg_heads(e, a->kv_heads, true),
             cg_head_dim(e, a->head_dim), cg_float(e, scale),
             a->causal, a->window);
  return 0;
}

static int axis_of(const Node *n, const Value *x) {
  return n->attrs.axis < 0 ? x->shape.rank + n->attrs.axis : n->attrs.axis;
}

static void emit_slice(CgEmit *e, const Node *n) {
  const Value *x = n->inputs[0];
  int ax = axis_of(n, x);
  emit_comment(e, n, arena_printf(e->g->arena, "[%lld:%lld] on axis %d", (long long)n->attrs.start,
                                  (long long)(n->attrs.start + n->attrs.length), ax));
  buf_printf(e->c, "  %s(%s, %s, %s, %lld, %lld, %lld, %s);\n", kernel_fn(n, KERNEL_SLICE),
             cg_ref(e, n->out), cg_ref(e, x), cg_dims(e, x->shape, 0, ax),
             (long long)x->shape.dim[ax], (long long)n->attrs.start, (long long)n->attrs.length,
             cg_bytes(e, x->shape, ax + 1, x->shape.rank, (int64_t)ir_dtype_size(x->dtype)));
}

static void emit_concat(CgEmit *e, const Node *n) {
  const Value *a = n->inputs[0], *b = n->inputs[1];
  int ax = axis_of(n, a);
  int64_t es = (int64_t)ir_dtype_size(a->dtype);
  emit_comment(e, n, arena_printf(e->g->arena, "on axis %d", ax));
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %s);\n", kernel_fn(n, KERNEL_CONCAT),
             cg_ref(e, n->out), cg_ref(e, a), cg_ref(e, b), cg_dims(e, a->shape, 0, ax),
             cg_bytes(e, a->shape, ax, a->shape.rank, es),
             cg_bytes(e, b->shape, ax, b->shape.rank, es));
}

static void emit_transpose(CgEmit *e, const Node *n) {
  const Value *x = n->inputs[0];
  int pad = 4 - x->shape.rank;
  Buf dims = {0}, perm = {0};
  for (int i = 0; i < 4; i++) {
    buf_printf(&dims, "%s%s", i ? ", " : "",
               i < pad ? "1" : cg_dims(e, x->shape, i - pad, i - pad + 1));
    buf_printf(&perm, "%s%d", i ? ", " : "", i < pad ? i : pad + n->attrs.perm[i - pad]);
  }
  emit_comment(e, n, NULL);
  buf_printf(e->c, "  %s(%s, %s, (const long[4]){%s}, (const int[4]){%s}, %zu);\n",
             kernel_fn(n, KERNEL_TRANSPOSE), cg_ref(e, n->out), cg_ref(e, x), dims.data, perm.data,
             ir_dtype_size(x->dtype));
  buf_free(&dims), buf_free(&perm);
}

/* A table prepack stored in panels (attrs.table_nr: a tied lm head reads it
 * too) is read by the panel gather.  The attribute must say how the blob
 * holds the table: a textual IR's table_nr on a table this compilation did
 * not pack is refused rather than read wrong. */
static int emit_embedding(CgEmit *e, const Node *n) {
  const Value *table = n->inputs[0];
  int nr = n->attrs.table_nr, stored = table->pack_nr;
  if (stored != nr) {
    diag_error(n->loc, "C emitter: embedding '%s' reads '%s' in panels of %d rows (0: row-major), "
               "but it is stored in panels of %d", n->out->name, table->name, nr, stored);
    return -1;
  }
  emit_comment(e, n, nr ? arena_printf(e->g->arena, "table in panels of %d rows", nr) : NULL);
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %s%s);\n",
             kernel_fn(n, nr ? KERNEL_EMBEDDING_PACKED : KERNEL_EMBEDDING), cg_ref(e, n->out),
             cg_ref(e, table), ref(e, n, 1), numel(e, n->inputs[1]),
             cg_width(e, table->shape.dim[0]), cg_width(e, table->shape.dim[1]),
             nr ? arena_printf(e->g->arena, ", %d", nr) : "");
  return 0;
}

static void emit_simple(CgEmit *e, const Node *n, const char *call) {
  emit_comment(e, n, NULL);
  buf_printf(e->c, "  %s;\n", call);
}

int cg_emit_node(CgEmit *e, const Node *n) {
  Arena *a = e->g->arena;
  const char *out = cg_ref(e, n->out);
  if (ir_op_info[n->op].flags & OPF_ELEMENTWISE && n->op != OP_ADD && n->op != OP_SUB &&
      n->op != OP_MUL && n->out->dtype != DT_F32) {
    diag_error(n->loc, "C emitter: %s on %s values is not supported", ir_op_info[n->op].name,
               ir_dtype_name(n->out->dtype));
    return -1;
  }
  switch (n->op) {
  case OP_EMBEDDING: return emit_embedding(e, n);
  case OP_POSITIONS:
    emit_simple(e, n, arena_printf(a, "%s(%s, T, pos0)", kernel_fn(n, KERNEL_POSITIONS), out));
    return 0;
  case OP_TOKEN_TYPE:
    emit_simple(e, n, arena_printf(a, "%s(%s, T, 0)", kernel_fn(n, KERNEL_FILL_I32), out));
    return 0;
  case OP_LINEAR: emit_linear(e, n); return 0;
  case OP_MATMUL:
    emit_simple(e, n, arena_printf(a, "%s(%s, %s, %s, %s, %s, %s)", kernel_fn(n, KERNEL_MATMUL),
                                   out, ref(e, n, 0), ref(e, n, 1), rows(e, n->out),
                                   width(e, n->inputs[0]), width(e, n->out)));
    return 0;
  case OP_ADD: emit_binary(e, n, KERNEL_ADD); return 0;
  case OP_SUB: emit_binary(e, n, KERNEL_SUB); return 0;
  case OP_MUL: emit_binary(e, n, KERNEL_MUL); return 0;
  case OP_SCALE:
    emit_simple(e, n, arena_printf(a, "%s(%s, %s, %s, %s)", kernel_fn(n, KERNEL_SCALE), out,
                                   ref(e, n, 0), numel(e, n->out), cg_float(e, n->attrs.scale)));
    return 0;
  case OP_LAYERNORM:
  case OP_RMSNORM:
  case OP_CRMSNORM: emit_norm(e, n); return 0;
  case OP_GELU: emit_unary(e, n, KERNEL_GELU); return 0;
  case OP_GELU_TANH: emit_unary(e, n, KERNEL_GELU_TANH); return 0;
  case OP_RELU: emit_unary(e, n, KERNEL_RELU); return 0;
  case OP_SILU: emit_unary(e, n, KERNEL_SILU); return 0;
  case OP_SWIGLU:   /* gu (rows, 2F), gate first -> (rows, F) */
    emit_simple(e, n, arena_printf(a, "%s(%s, %s, %s, %s)", kernel_fn(n, KERNEL_SWIGLU), out,
                                   ref(e, n, 0), rows(e, n->out), width(e, n->out)));
    return 0;
  case OP_SOFTMAX:
    emit_simple(e, n, arena_printf(a, "%s(%s, %s, %s, %s)", kernel_fn(n, KERNEL_SOFTMAX), out,
                                   ref(e, n, 0), rows(e, n->out), width(e, n->out)));
    return 0;
  case OP_ROPE: emit_rope(e, n); return 0;
  case OP_ATTENTION: return emit_attention(e, n);
  case OP_SLICE: emit_slice(e, n); return 0;
  case OP_CONCAT: emit_concat(e, n); return 0;
  case OP_RESHAPE:
    emit_simple(e, n, arena_printf(a, "memcpy(%s, %s, sizeof *%s * (size_t)(%s))", out,
                                   ref(e, n, 0), out, numel(e, n->out)));
    return 0;
  case OP_TRANSPOSE: emit_transpose(e, n); return 0;
  default:
    diag_error(n->loc, "C emitter: op %s is not supported", ir_op_info[n->op].name);
    return -1;
  }
}
