/*
 * emit_c_state.c — the state of a generated model: where every activation,
 * KV cache, the attention scratch row and the RoPE tables live in the one
 * block of memory NAME_open allocates, the NAME_State struct that names them,
 * bind_state, and the tables NAME_open fills.
 *
 * Activations the memory plan placed (Value.planned) sit at their plan
 * offset in the first g->plan_bytes; the others get a buffer each, sized for
 * T = max_seq; the graph output whose node writes straight into forward's
 * out (CgEmit.out_value) has no buffer here.  Each attention node owns a K
 * and a V cache [max_seq, kv_heads*head_dim]; each distinct (head_dim,
 * theta) of the rope nodes owns a cos/sin table, so the forward pass computes
 * no trigonometry.
 */
#include <string.h>

#include "codegen.h"

/* Is v an activation: written by a live node into the state (not into the
 * caller's out)? */
static bool is_activation(const CgEmit *e, const Value *v) {
  return e->used[v->id] && !v->is_const && !v->is_input && v != e->out_value;
}

static bool has_attention(const CgEmit *e) {
  for (int i = 0; i < e->g->n_nodes; i++)
    if (!e->g->nodes[i]->dead && e->g->nodes[i]->op == OP_ATTENTION) return true;
  return false;
}

static bool same_rope(const Node *a, const Node *b) {
  return a->attrs.head_dim == b->attrs.head_dim && a->attrs.rope_theta == b->attrs.rope_theta;
}

/* Is node i the first live rope of its (head_dim, theta)?  Each such node
 * owns a table of cos/sin by position, filled once at open. */
static bool is_first_rope(const CgEmit *e, int i) {
  const Node *n = e->g->nodes[i];
  if (n->dead || n->op != OP_ROPE) return false;
  for (int k = 0; k < i; k++) {
    const Node *m = e->g->nodes[k];
    if (!m->dead && m->op == OP_ROPE && same_rope(m, n)) return false;
  }
  return true;
}

int cg_rope_table(const CgEmit *e, const Node *rope) {
  int table = 0;
  for (int i = 0; i < e->g->n_nodes; i++) {
    if (!is_first_rope(e, i)) continue;
    if (same_rope(e->g->nodes[i], rope)) return table;
    table++;
  }
  TFC_UNREACHABLE();
}

/* One of an attention node's two caches: [max_seq, kv_heads*head_dim] floats. */
static int64_t kv_cache_bytes(const CgEmit *e, const Node *n) {
  return cg_align64(e->g->max_seq * n->attrs.kv_heads * n->attrs.head_dim * 4);
}

static int64_t rope_table_bytes(const CgEmit *e, const Node *n) {
  return cg_align64(e->g->max_seq * n->attrs.head_dim * 4);
}

/* Places every activation: planned values at their plan offset in the first
 * g->plan_bytes, the others after it, one buffer each at T = max_seq; then
 * the KV caches and the attention scratch row. */
void cg_plan_state(CgEmit *e) {
  const Graph *g = e->g;
  int64_t at = cg_align64(g->plan_bytes);
  for (int k = 0; k < e->n_order; k++) {
    const Value *v = e->order[k];
    int i = v->id;
    if (!is_activation(e, v)) continue;
    if (v->planned) {
      e->offset[i] = v->plan_offset;
    } else {
      e->offset[i] = at;
      at += cg_align64(ir_numel(v->shape, g->max_seq) * (int64_t)ir_dtype_size(v->dtype));
    }
  }
  e->kv_offset = at;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->dead || n->op != OP_ATTENTION) continue;
    at += 2 * kv_cache_bytes(e, n);
  }
  e->kv_bytes = at - e->kv_offset;
  if (has_attention(e)) at += cg_align64(g->max_seq * 4);
  e->rope_offset = at;
  for (int i = 0; i < g->n_nodes; i++)
    if (is_first_rope(e, i)) at += rope_table_bytes(e, g->nodes[i]);
  e->state_bytes = at;
}

void cg_emit_state(CgEmit *e) {
  const Graph *g = e->g;
  Buf *c = e->c;
  buf_printf(c, "// --- state: activations (T = tokens in this call), KV caches, scratch\n\n"
                "typedef struct {\n");
  for (int k = 0; k < e->n_order; k++) {
    const Value *v = e->order[k];
    int i = v->id;
    if (!is_activation(e, v)) continue;
    buf_printf(c, "  %s *%s;  /* %s %s */\n", cg_c_type(v->dtype), e->cname[i],
               cg_comment(e, v->name), cg_shape_text(e, v->shape));
  }
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->dead || n->op != OP_ATTENTION) continue;
    const char *cn = e->cname[n->out->id];
    buf_printf(c, "  float *k_cache_%s;  /* keys of %s [max_seq=%lld, %d] */\n", cn,
               cg_comment(e, n->out->name), (long long)g->max_seq,
               n->attrs.kv_heads * n->attrs.head_dim);
    buf_printf(c, "  float *v_cache_%s;  /* values of %s [max_seq=%lld, %d] */\n", cn,
               cg_comment(e, n->out->name), (long long)g->max_seq,
               n->attrs.kv_heads * n->attrs.head_dim);
  }
  if (has_attention(e)) buf_printf(c, "  float *att;  /* attention scores of one query [max_seq] */\n");
  for (int i = 0, k = 0; i < g->n_nodes; i++)
    if (is_first_rope(e, i))
      buf_printf(c, "  float *rope_table_%d;  /* cos, sin [max_seq, %d, 2]: head_dim %d, theta %g */\n",
                 k++, g->nodes[i]->attrs.head_dim / 2, g->nodes[i]->attrs.head_dim,
                 g->nodes[i]->attrs.rope_theta);
  buf_printf(c, "  char unused_;  /* keeps the struct non-empty */\n} %s_State;\n\n", e->name);
}

/* bind_state: points every state buffer into one block of memory. */
void cg_emit_bind_state(CgEmit *e) {
  const Graph *g = e->g;
  Buf *c = e->c;
  buf_printf(c, "/* Points every buffer of s into mem (%lld bytes, 64-byte aligned)%s. */\n"
                "static void bind_state(%s_State *s, unsigned char *mem) {\n",
             (long long)e->state_bytes, g->plan_bytes ? "; the memory plan shares bytes" : "",
             e->name);
  for (int k = 0; k < e->n_order; k++) {
    const Value *v = e->order[k];
    int i = v->id;
    if (!is_activation(e, v)) continue;
    buf_printf(c, "  s->%s = (%s *)(mem + %lld);\n", e->cname[i], cg_c_type(v->dtype),
               (long long)e->offset[i]);
  }
  int64_t at = e->kv_offset;
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->dead || n->op != OP_ATTENTION) continue;
    int64_t bytes = kv_cache_bytes(e, n);
    buf_printf(c, "  s->k_cache_%s = (float *)(mem + %lld);\n", e->cname[n->out->id],
               (long long)at);
    buf_printf(c, "  s->v_cache_%s = (float *)(mem + %lld);\n", e->cname[n->out->id],
               (long long)(at + bytes));
    at += 2 * bytes;
  }
  if (has_attention(e)) buf_printf(c, "  s->att = (float *)(mem + %lld);\n", (long long)at);
  at = e->rope_offset;
  for (int i = 0, k = 0; i < g->n_nodes; i++) {
    if (!is_first_rope(e, i)) continue;
    buf_printf(c, "  s->rope_table_%d = (float *)(mem + %lld);\n", k++, (long long)at);
    at += rope_table_bytes(e, g->nodes[i]);
  }
  buf_printf(c, "  s->unused_ = 0;\n}\n\n");
}

/* The rest of NAME_open: tables that depend only on the sizes, and the
 * thread pool when a kernel uses it. */
void cg_emit_open_tables(CgEmit *e) {
  const Graph *g = e->g;
  for (int i = 0, k = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (is_first_rope(e, i))
      buf_printf(e->c, "  rt_rope_table(m->s.rope_table_%d, %lld, %d, %s);\n", k++,
                 (long long)g->max_seq, n->attrs.head_dim, cg_float(e, n->attrs.rope_theta));
  }
  for (int i = 0; i < e->n_files; i++)   /* the thread pool starts here, not in a forward call */
    if (strcmp(e->files[i], "threads.c") == 0)
      buf_puts(e->c, "  (void)rt_get_threads();  /* start the thread pool: forward allocates nothing */\n");
  buf_puts(e->c, "  return m;\n}\n\n");
}

