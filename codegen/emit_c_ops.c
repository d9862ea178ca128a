/*
 * emit_c_ops.c — one step of the forward pass per node: a comment naming the
 * op (and what a pass did there), then one call to a runtime kernel with the
 * node's sizes spelled out.  The kernel is the portable one from
 * runtime/generic/ unless kernel selection set Node.kernel (rt.h gives the
 * convention: "DIR/FILE.c:function", same arguments as the portable kernel).
 *
 * Sizes are C expressions in T, the call's token count: "rows" is the
 * product of all but the last axis, "d" the last axis.
 */
#include <math.h>
#include <string.h>

#include "codegen.h"

/* The portable kernel file for op, or NULL (reshape is a memcpy). */
static const char *portable_file(Op op) {
  switch (op) {
  case OP_EMBEDDING:
  case OP_POSITIONS:
  case OP_TOKEN_TYPE: return "generic/embed.c";
  case OP_LINEAR:
  case OP_MATMUL: return "generic/linalg.c";
  case OP_ADD:
  case OP_SUB:
  case OP_MUL:
  case OP_SCALE:
  case OP_GELU:
  case OP_GELU_TANH:
  case OP_RELU:
  case OP_SILU:
  case OP_SWIGLU: return "generic/elementwise.c";
  case OP_LAYERNORM:
  case OP_RMSNORM:
  case OP_CRMSNORM:
  case OP_SOFTMAX: return "generic/norm.c";
  case OP_ROPE:
  case OP_ATTENTION: return "generic/attention.c";
  case OP_SLICE:
  case OP_CONCAT:
  case OP_TRANSPOSE: return "generic/layout.c";
  default: return NULL;
  }
}

/* Copies the file of a selected kernel ("FILE:function"; none for a bare name). */
static int copy_kernel_file(CgEmit *e, const char *kernel) {
  const char *colon = kernel ? strchr(kernel, ':') : NULL;
  if (!colon) return 0;
  char *path = arena_strdup(e->g->arena, kernel);
  if (!path) return -1;   /* out of memory: the driver reports it */
  path[colon - kernel] = 0;
  return cg_copy_runtime(e, path);
}

/* A SIMD kernel that applies the fused epilogue itself (select_kernels names
 * it rt_linear_epilogue_<isa>): one call with the weight's layout, the
 * activation and the residual, and no second pass over the output. */
static bool kernel_has_epilogue(const Node *n) {
  return n->kernel && strstr(n->kernel, ":rt_linear_epilogue_") != NULL;
}

int cg_op_runtime(CgEmit *e, const Node *n) {
  const char *file = portable_file(n->op);
  if (file && cg_copy_runtime(e, file)) return -1;
  bool epilogue = n->op == OP_LINEAR && (n->attrs.act || n->n_inputs > 3) &&
                  !kernel_has_epilogue(n);
  if (epilogue && cg_copy_runtime(e, "generic/elementwise.c")) return -1;
  if (copy_kernel_file(e, n->act_kernel)) return -1;
  return copy_kernel_file(e, n->kernel);
}

/* The function of a selected kernel ("FILE:function" or a bare name), else `portable`. */
static const char *selected_fn(const char *kernel, const char *portable) {
  if (!kernel) return portable;
  const char *colon = strchr(kernel, ':');
  return colon ? colon + 1 : kernel;
}

/* The function to call: Node.kernel's function when set, else `portable`. */
static const char *kernel_fn(const Node *n, const char *portable) {
  return selected_fn(n->kernel, portable);
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
  if (n->kernel) buf_printf(e->c, "  {kernel %s}", cg_comment(e, n->kernel));
  buf_puts(e->c, " */\n");
}

static const char *rows(const CgEmit *e, const Value *v) {
  return cg_dims(e, v->shape, 0, v->shape.rank - 1);
}

static const char *numel(const CgEmit *e, const Value *v) {
  return cg_dims(e, v->shape, 0, v->shape.rank);
}

static long long last(const Value *v) { return (long long)ir_last_dim(v); }

static const char *ref(const CgEmit *e, const Node *n, int k) {
  return k < n->n_inputs && n->inputs[k] ? cg_ref(e, n->inputs[k]) : "NULL";
}

/* The fused epilogue (passes/fuse_epilogue.c), in place on the output:
 * the activation, then the residual add. */
static void emit_linear_epilogue(CgEmit *e, const Node *n) {
  const char *out = cg_ref(e, n->out);
  if (n->attrs.act)
    buf_printf(e->c, "  %s(%s, %s, %s);   /* fused activation */\n",
               selected_fn(n->act_kernel, arena_printf(e->g->arena, "rt_%s",
                                                       ir_op_info[n->attrs.act].name)),
               out, out, numel(e, n->out));
  if (n->n_inputs > 3 && n->inputs[3])
    buf_printf(e->c, "  rt_add(%s, %s, %s, %s, %lld, %lld);   /* fused residual add */\n", out, out,
               cg_ref(e, n->inputs[3]), rows(e, n->out), last(n->out), last(n->out));
}

/* A linear whose kernel applies the fused epilogue itself (kernel_has_epilogue):
 * the portable rt_linear's arguments, then the weight's layout (RT_W_*), the
 * activation (RT_ACT_*) and the residual or NULL (runtime/linear_simd.c). */
static void emit_linear_with_epilogue(CgEmit *e, const Node *n) {
  const Value *w = n->inputs[1];
  const char *layout = w->packed ? "RT_W_PACKED" : n->attrs.w_layout == 1 ? "RT_W_KN" : "RT_W_NK";
  const char *act = n->attrs.act == OP_GELU_TANH ? "RT_ACT_GELU_TANH"
                    : n->attrs.act == OP_SILU    ? "RT_ACT_SILU"
                                                 : "RT_ACT_NONE";
  emit_comment(e, n, "fused epilogue inside the kernel");
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %lld, %lld, %s, %s, %s);\n", kernel_fn(n, NULL),
             cg_ref(e, n->out), ref(e, n, 0), ref(e, n, 1), ref(e, n, 2), rows(e, n->out),
             last(n->inputs[0]), last(n->out), layout, act, ref(e, n, 3));
}

static void emit_linear(CgEmit *e, const Node *n) {
  if (kernel_has_epilogue(n)) {
    emit_linear_with_epilogue(e, n);
    return;
  }
  const Value *w = n->inputs[1];
  bool kn = n->attrs.w_layout == 1 && !w->packed && !(w->is_const && e->packed[w->id]);
  long long K = last(n->inputs[0]), N = last(n->out);
  emit_comment(e, n, kn ? "W (k,n) stored as is" : NULL);
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %lld, %lld);\n",
             kernel_fn(n, kn ? "rt_linear_kn" : "rt_linear"), cg_ref(e, n->out), ref(e, n, 0),
             ref(e, n, 1), ref(e, n, 2), rows(e, n->out), K, N);
  emit_linear_epilogue(e, n);
}

static void emit_binary(CgEmit *e, const Node *n, const char *fn) {
  const Value *a = n->inputs[0], *b = n->inputs[1];
  bool row = !ir_shape_eq(a->shape, b->shape);
  emit_comment(e, n, row ? "b broadcast over rows" : NULL);
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %lld, %lld);\n", kernel_fn(n, fn), cg_ref(e, n->out),
             cg_ref(e, a), cg_ref(e, b), rows(e, a), last(a), row ? 0 : last(a));
}

static void emit_unary(CgEmit *e, const Node *n, const char *fn) {
  emit_comment(e, n, NULL);
  buf_printf(e->c, "  %s(%s, %s, %s);\n", kernel_fn(n, fn), cg_ref(e, n->out), ref(e, n, 0),
             numel(e, n->out));
}

static void emit_norm(CgEmit *e, const Node *n) {
  const char *eps = cg_float(e, n->attrs.eps);
  emit_comment(e, n, arena_printf(e->g->arena, "eps=%s", eps));
  if (n->op == OP_LAYERNORM)
    buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %lld, %s);\n", kernel_fn(n, "rt_layernorm"),
               cg_ref(e, n->out), ref(e, n, 0), ref(e, n, 1), ref(e, n, 2), rows(e, n->out),
               last(n->out), eps);
  else if (n->op == OP_CRMSNORM)
    buf_printf(e->c, "  %s(%s, %s, %s, %lld, %s);\n", kernel_fn(n, "rt_crmsnorm"),
               cg_ref(e, n->out), ref(e, n, 0), rows(e, n->out), last(n->out), eps);
  else
    buf_printf(e->c, "  %s(%s, %s, %s, %s, %lld, %s);\n", kernel_fn(n, "rt_rmsnorm"),
               cg_ref(e, n->out), ref(e, n, 0), ref(e, n, 1), rows(e, n->out), last(n->out), eps);
}

static void emit_rope(CgEmit *e, const Node *n) {
  const Attrs *a = &n->attrs;
  bool inter = a->rope_style == ROPE_INTERLEAVED;
  emit_comment(e, n, arena_printf(e->g->arena, "theta=%g, %s pairs, at positions pos0+t",
                                  a->rope_theta, inter ? "interleaved" : "rotate-half"));
  buf_printf(e->c, "  %s(%s, %s, %s, %d, %d, pos0, s->rope_table_%d, %d);\n",
             kernel_fn(n, "rt_rope"), cg_ref(e, n->out), ref(e, n, 0), rows(e, n->out), a->heads,
             a->head_dim, cg_rope_table(e, n), inter);
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
             "  %s(%s, %s, %s, %s, s->k_cache_%s, s->v_cache_%s, s->att, T, pos0, %d, %d, %d, %s, "
             "%d, %d);\n",
             kernel_fn(n, "rt_attention"), cg_ref(e, n->out), ref(e, n, 0), ref(e, n, 1),
             ref(e, n, 2), cn, cn, a->heads, a->kv_heads, a->head_dim, cg_float(e, scale),
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
  buf_printf(e->c, "  %s(%s, %s, %s, %lld, %lld, %lld, %s);\n", kernel_fn(n, "rt_slice"),
             cg_ref(e, n->out), cg_ref(e, x), cg_dims(e, x->shape, 0, ax),
             (long long)x->shape.dim[ax], (long long)n->attrs.start, (long long)n->attrs.length,
             cg_bytes(e, x->shape, ax + 1, x->shape.rank, (int64_t)ir_dtype_size(x->dtype)));
}

static void emit_concat(CgEmit *e, const Node *n) {
  const Value *a = n->inputs[0], *b = n->inputs[1];
  int ax = axis_of(n, a);
  int64_t es = (int64_t)ir_dtype_size(a->dtype);
  emit_comment(e, n, arena_printf(e->g->arena, "on axis %d", ax));
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %s, %s);\n", kernel_fn(n, "rt_concat"),
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
             kernel_fn(n, "rt_transpose"), cg_ref(e, n->out), cg_ref(e, x), dims.data, perm.data,
             ir_dtype_size(x->dtype));
  buf_free(&dims), buf_free(&perm);
}

/* A table prepack stored in panels (attrs.table_nr: a tied lm head reads it
 * too) is read by the panel gather.  The attribute must say how the blob
 * holds the table: a textual IR's table_nr on a table this compilation did
 * not pack is refused rather than read wrong. */
static int emit_embedding(CgEmit *e, const Node *n) {
  const Value *table = n->inputs[0];
  int nr = n->attrs.table_nr, stored = table->packed ? table->pack_nr : 0;
  if (stored != nr) {
    diag_error(n->loc, "C emitter: embedding '%s' reads '%s' in panels of %d rows (0: row-major), "
               "but it is stored in panels of %d", n->out->name, table->name, nr, stored);
    return -1;
  }
  emit_comment(e, n, nr ? arena_printf(e->g->arena, "table in panels of %d rows", nr) : NULL);
  buf_printf(e->c, "  %s(%s, %s, %s, %s, %lld, %lld%s);\n",
             kernel_fn(n, nr ? "rt_embedding_packed" : "rt_embedding"), cg_ref(e, n->out),
             cg_ref(e, table), ref(e, n, 1), numel(e, n->inputs[1]),
             (long long)table->shape.dim[0], (long long)table->shape.dim[1],
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
    emit_simple(e, n, arena_printf(a, "%s(%s, T, pos0)", kernel_fn(n, "rt_positions"), out));
    return 0;
  case OP_TOKEN_TYPE:
    emit_simple(e, n, arena_printf(a, "%s(%s, T, 0)", kernel_fn(n, "rt_fill_i32"), out));
    return 0;
  case OP_LINEAR: emit_linear(e, n); return 0;
  case OP_MATMUL:
    emit_simple(e, n, arena_printf(a, "%s(%s, %s, %s, %s, %lld, %lld)", kernel_fn(n, "rt_matmul"),
                                   out, ref(e, n, 0), ref(e, n, 1), rows(e, n->out),
                                   last(n->inputs[0]), last(n->out)));
    return 0;
  case OP_ADD: emit_binary(e, n, "rt_add"); return 0;
  case OP_SUB: emit_binary(e, n, "rt_sub"); return 0;
  case OP_MUL: emit_binary(e, n, "rt_mul"); return 0;
  case OP_SCALE:
    emit_simple(e, n, arena_printf(a, "%s(%s, %s, %s, %s)", kernel_fn(n, "rt_scale"), out,
                                   ref(e, n, 0), numel(e, n->out), cg_float(e, n->attrs.scale)));
    return 0;
  case OP_LAYERNORM:
  case OP_RMSNORM:
  case OP_CRMSNORM: emit_norm(e, n); return 0;
  case OP_GELU: emit_unary(e, n, "rt_gelu"); return 0;
  case OP_GELU_TANH: emit_unary(e, n, "rt_gelu_tanh"); return 0;
  case OP_RELU: emit_unary(e, n, "rt_relu"); return 0;
  case OP_SILU: emit_unary(e, n, "rt_silu"); return 0;
  case OP_SWIGLU:   /* gu (rows, 2F), gate first -> (rows, F) */
    emit_simple(e, n, arena_printf(a, "%s(%s, %s, %s, %lld)", kernel_fn(n, "rt_swiglu"), out,
                                   ref(e, n, 0), rows(e, n->out), last(n->out)));
    return 0;
  case OP_SOFTMAX:
    emit_simple(e, n, arena_printf(a, "%s(%s, %s, %s, %lld)", kernel_fn(n, "rt_softmax"), out,
                                   ref(e, n, 0), rows(e, n->out), last(n->out)));
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
