/*
 * graph_family.c — `family: graph`: a model written as an explicit list of
 * IR nodes, for architectures outside the gpt2/llama/bert families.
 *
 *   family: graph
 *   config: {vocab_size: 10, max_seq: 16}     # is_decoder: true by default
 *   weights: w.safetensors
 *   nodes:
 *     - {name: x, op: embedding, inputs: [wte.weight, tokens]}
 *     - {name: h, op: linear, inputs: [x, fc.weight, fc.bias], layer: block0}
 *     - {name: logits, op: linear, inputs: [h, wte.weight]}
 *   output: logits                            # default: the last node
 *
 * An input names an earlier node, `tokens` (the i32 [T] token ids), or a
 * tensor of the weights file (used in the shape the file gives).  Every other
 * key of a node is an attribute, spelled as in the textual IR (docs/ir.md):
 * only those the op reads are accepted (ir_op_attrs, ir_attr_desc), so a
 * misspelt or misplaced attribute is an error, never silently ignored.  The
 * type rules (ir_infer) check each node, with errors at the node's line.
 */
#include "frontend.h"

#include <string.h>

typedef struct {
  FeModel *m;
  const char **names;   /* node names, in order */
  Value **values;       /* their values */
  int n;
  Value *tokens;        /* the graph input, made on first use */
} GraphReader;

/* The op called name in the nn dialect; -1 after a diagnostic at loc. */
static int find_op(const char *name, Loc loc) {
  for (int i = 0; i < OP_COUNT; i++) {
    if (strcmp(ir_op_info[i].name, name) != 0) continue;
    if (ir_op_info[i].dialect == NN) return i;
    diag_error(loc, "op '%s' belongs to RASP; write RASP programs as .rasp files", name);
    return -1;
  }
  diag_error(loc, "unknown op '%s' (docs/ir.md lists the ops)", name);
  return -1;
}

/* Resolves an input name: an earlier node, tokens, or a weight tensor. */
static Value *input(GraphReader *r, const Doc *d) {
  if (d->kind != DOC_STRING)
    return diag_error(d->loc, "inputs must be names, not %s", fe_doc_kind_name(d->kind)), NULL;
  for (int i = r->n - 1; i >= 0; i--)
    if (strcmp(r->names[i], d->string) == 0) return r->values[i];
  if (strcmp(d->string, "tokens") == 0) {
    if (!r->tokens) r->tokens = ir_input(r->m->g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
    return r->tokens;
  }
  Shape shape;
  if (fe_weight_shape(r->m, d->string, &shape)) return fe_weight(r->m, shape, "%s", d->string);
  if (!r->m->weights_failed)
    diag_error(d->loc, "'%s' is not an earlier node, 'tokens' or a tensor of '%s'", d->string,
               r->m->weights_path);
  return NULL;
}

/* ---- attributes ---- */

static bool read_int(const Doc *v, const char *key, int64_t min, int64_t max, int64_t *out) {
  if (v->kind == DOC_NUMBER && v->is_integer && v->integer >= min && v->integer <= max)
    return *out = v->integer, true;
  diag_error(v->loc, "attribute '%s' must be an integer in [%lld, %lld]", key, (long long)min,
             (long long)max);
  return false;
}

/* to_shape: [T, 4, 16]  (T, or "T", is the sequence length) */
static bool read_shape(const Doc *v, Shape *s) {
  if (v->kind != DOC_ARRAY || v->n < 1 || v->n > IR_MAX_RANK)
    return diag_error(v->loc, "attribute 'to_shape' must be a list of 1 to %d sizes", IR_MAX_RANK),
           false;
  s->rank = v->n;
  for (int i = 0; i < v->n; i++) {
    const Doc *d = v->items[i];
    if (d->kind == DOC_STRING && strcmp(d->string, "T") == 0) s->dim[i] = IR_DIM_T;
    else if (!read_int(d, "to_shape", 1, FE_MAX_DIM, &s->dim[i])) return false;
  }
  return true;
}

static bool read_perm(const Doc *v, int *perm) {
  if (v->kind != DOC_ARRAY || v->n < 1 || v->n > IR_MAX_RANK)
    return diag_error(v->loc, "attribute 'perm' must be a list of 1 to %d axes", IR_MAX_RANK),
           false;
  for (int i = 0; i < v->n; i++) {
    int64_t axis;
    if (!read_int(v->items[i], "perm", 0, IR_MAX_RANK - 1, &axis)) return false;
    perm[i] = (int)axis;
  }
  return true;
}

/* An activation op's name, for linear's fused `act`. */
static bool read_act(const Doc *v, int *act) {
  static const Op acts[] = {OP_GELU, OP_GELU_TANH, OP_RELU, OP_SILU};
  for (int i = 0; i < 4 && v->kind == DOC_STRING; i++)
    if (strcmp(v->string, ir_op_info[acts[i]].name) == 0) return *act = acts[i], true;
  diag_error(v->loc, "attribute 'act' must be gelu, gelu_tanh, relu or silu");
  return false;
}

/* Stores one attribute value into at, by the IR's attribute table. */
static bool read_attr(const AttrDesc *desc, const Doc *v, Attrs *at) {
  char *field = (char *)at + desc->offset;
  int64_t i;
  switch (desc->kind) {
  case AK_REAL:
    if (v->kind != DOC_NUMBER)
      return diag_error(v->loc, "attribute '%s' must be a number", desc->key), false;
    return *(double *)field = v->number, true;
  case AK_INT:
    return read_int(v, desc->key, -FE_MAX_DIM, FE_MAX_DIM, &i) && (*(int *)field = (int)i, true);
  case AK_I64: return read_int(v, desc->key, 0, FE_MAX_DIM, (int64_t *)field);
  case AK_BOOL:
    if (v->kind != DOC_BOOL)
      return diag_error(v->loc, "attribute '%s' must be true or false", desc->key), false;
    return *(bool *)field = v->boolean, true;
  case AK_STYLE:
    if (v->kind == DOC_STRING && !strcmp(v->string, "halves"))
      return *(RopeStyle *)field = ROPE_HALVES, true;
    if (v->kind == DOC_STRING && !strcmp(v->string, "interleaved"))
      return *(RopeStyle *)field = ROPE_INTERLEAVED, true;
    return diag_error(v->loc, "attribute 'rope_style' must be halves or interleaved"), false;
  case AK_SHAPE: return read_shape(v, (Shape *)field);
  case AK_PERM: return read_perm(v, (int *)field);
  case AK_OP: return read_act(v, (int *)field);
  case AK_PANELS:   /* prepack's storage fact: model.yaml tensors are row-major */
    return diag_error(v->loc, "attribute '%s' is set by the compiler, not by a model",
                      desc->key), false;
  }
  TFC_UNREACHABLE();
}

/* A node key that is not name/op/inputs/layer: one of the op's attributes. */
static bool attribute(Op op, const char *key, const Doc *v, Loc key_loc, Attrs *at) {
  for (int i = 0; i < ir_n_attr_desc; i++) {
    const AttrDesc *d = &ir_attr_desc[i];
    if (strcmp(d->key, key) != 0) continue;
    if (!(ir_op_attrs(op) & d->bit)) break;
    return read_attr(d, v, at);
  }
  diag_error(key_loc, "%s does not take '%s'", ir_op_info[op].name, key);
  return false;
}

/* ---- nodes ---- */

static const Doc *string_key(const Doc *node, const char *key) {
  const Doc *d = fe_doc_get(node, key);
  if (!d) return diag_error(node->loc, "node without '%s'", key), NULL;
  if (d->kind != DOC_STRING) return diag_error(d->loc, "'%s' must be a string", key), NULL;
  return d;
}

/* The node's inputs (a list of names, possibly empty). */
static int node_inputs(GraphReader *r, const Doc *node, Value **in) {
  const Doc *list = fe_doc_get(node, "inputs");
  if (!list) return 0;
  if (list->kind != DOC_ARRAY || list->n > 8)
    return diag_error(list->loc, "'inputs' must be a list of at most 8 names"), -1;
  for (int i = 0; i < list->n; i++)
    if (!(in[i] = input(r, list->items[i]))) return -1;
  return list->n;
}

/* - {name: N, op: OP, inputs: [...], layer: L, ATTR: value...} */
static bool node(GraphReader *r, const Doc *node) {
  if (node->kind != DOC_OBJECT) return diag_error(node->loc, "a node must be a mapping"), false;
  const Doc *name = string_key(node, "name"), *opname = name ? string_key(node, "op") : NULL;
  int op = opname ? find_op(opname->string, opname->loc) : -1;
  if (op < 0) return false;
  if (strcmp(name->string, "tokens") == 0)
    return diag_error(name->loc, "'tokens' names the graph's input; pick another name"), false;
  for (int i = 0; i < r->n; i++)
    if (strcmp(r->names[i], name->string) == 0)
      return diag_error(name->loc, "node '%s' is defined twice", name->string), false;
  Attrs at = {0};
  const Doc *layer = fe_doc_get(node, "layer");
  for (int i = 0; i < node->n; i++) {
    const char *k = node->keys[i];
    bool known = !strcmp(k, "name") || !strcmp(k, "op") || !strcmp(k, "inputs") ||
                 !strcmp(k, "layer");
    if (!known && !attribute((Op)op, k, node->items[i], node->key_locs[i], &at)) return false;
  }
  if (layer && layer->kind != DOC_STRING)
    return diag_error(layer->loc, "'layer' must be a string"), false;
  Value *in[8];
  int n = node_inputs(r, node, in);
  if (n < 0) return false;
  ir_set_layer(r->m->g, layer ? layer->string : NULL);
  Value *v = ir_node(r->m->g, (Op)op, in, n, &at, name->string, node->loc);
  r->names[r->n] = name->string;
  r->values[r->n++] = v;
  return v != NULL;
}

/* output: NAME (default: the last node); f32 [T, N] */
static Value *output(GraphReader *r, const Doc *doc) {
  const Doc *o = fe_doc_get(doc, "output");
  if (!o) return r->values[r->n - 1];
  if (o->kind != DOC_STRING) return diag_error(o->loc, "'output' must be a node's name"), NULL;
  for (int i = 0; i < r->n; i++)
    if (strcmp(r->names[i], o->string) == 0) return r->values[i];
  return diag_error(o->loc, "no node is called '%s'", o->string), NULL;
}

/* Every embedding's table covers the ids it can see: vocab_size rows for the
 * tokens, max_seq for positions (so no id can read past a table). */
static int check_embeddings(const Graph *g) {
  for (int i = 0; i < g->n_nodes; i++) {
    const Node *n = g->nodes[i];
    if (n->op != OP_EMBEDDING) continue;
    const Value *table = n->inputs[0], *ids = n->inputs[1];
    Op from = ids->producer ? ids->producer->op : OP_COUNT;
    int64_t need = ids->is_input ? g->vocab_size : from == OP_POSITIONS ? g->max_seq
                   : from == OP_TOKEN_TYPE ? 1 : -1;
    if (need < 0)
      return diag_error(n->loc, "embedding ids must be tokens, positions or token_type"), -1;
    if (table->shape.dim[0] < need)
      return diag_error(n->loc, "embedding table '%s' has %lld rows; its ids go up to %lld",
                        table->name, (long long)table->shape.dim[0], (long long)need - 1), -1;
  }
  return 0;
}

int fe_build_graph(FeModel *m) {
  Graph *g = m->g;
  int64_t vocab, max_seq;
  if (fe_config_int(&m->cfg, "vocab_size", FE_REQUIRED, 1, FE_MAX_DIM, &vocab) ||
      fe_config_int(&m->cfg, "max_seq", FE_REQUIRED, 1, FE_MAX_DIM, &max_seq) ||
      fe_config_bool(&m->cfg, "is_decoder", true, &g->is_decoder))
    return -1;
  g->vocab_size = vocab, g->max_seq = max_seq;
  const Doc *nodes = fe_doc_get(m->doc, "nodes");
  if (!nodes) return diag_error(m->doc->loc, "family 'graph' needs a list 'nodes'"), -1;
  if (nodes->kind != DOC_ARRAY || nodes->n == 0)
    return diag_error(nodes->loc, "'nodes' must be a non-empty list"), -1;
  GraphReader r = {m, arena_alloc(m->arena, sizeof(char *) * (size_t)nodes->n),
                   arena_alloc(m->arena, sizeof(Value *) * (size_t)nodes->n), 0, NULL};
  if (!r.names || !r.values) return -1;
  for (int i = 0; i < nodes->n; i++)
    if (!node(&r, nodes->items[i])) return -1;
  ir_set_layer(g, NULL);
  Value *out = output(&r, m->doc);
  if (!out) return -1;
  if (out->dtype != DT_F32 || out->shape.rank != 2 || out->shape.dim[0] != IR_DIM_T) {
    diag_error(fe_doc_get(m->doc, "output") ? fe_doc_get(m->doc, "output")->loc : m->doc->loc,
               "the output must be f32 [T, N], one row per token");
    return -1;
  }
  if (!r.tokens) return diag_error(nodes->loc, "no node reads 'tokens'"), -1;
  if (check_embeddings(g)) return -1;
  ir_output(g, out);
  return g->n_outputs == 1 ? 0 : -1;
}
