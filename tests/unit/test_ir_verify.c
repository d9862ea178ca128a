/*
 * test_ir_verify.c — the builder's type rules reject bad inputs with a
 * diagnostic, and the verifier catches each broken invariant in a graph that
 * was valid and then broken by hand, naming the pass that broke it.
 */
#include "check.h"
#include "graphs.h"

/* ---- builder and type rules ---- */

static void expect_build_error(Graph *g, Op op, Value **in, int n, Attrs at, const char *msg) {
  capture_begin();
  Value *v = ir_node(g, op, in, n, &at, "bad", diag_loc("m.yaml", 3, 5));
  const char *text = capture_end();
  CHECK(v == NULL);
  CHECK_HAS(text, "m.yaml:3:5: error: ");
  CHECK_HAS(text, msg);
}

static void test_type_rules(void) {
  Arena *a = arena_new();
  Graph *g = ir_graph_new(a, "t", NN);
  Value *tok = ir_input(g, "tokens", DT_I32, ir_shape(1, (int64_t)IR_DIM_T));
  Value *w = test_const2(g, "w", 4, 8), *x = test_const2(g, "x", 3, 8), *b5 = test_const2(g, "b", 0, 5);
  Value *emb = test_const2(g, "emb", 16, 8);
  expect_build_error(g, OP_LINEAR, (Value *[]){x, w, b5}, 3, (Attrs){0}, "bias [5] does not match 4 outputs");
  expect_build_error(g, OP_LINEAR, (Value *[]){x, w}, 2, (Attrs){.w_layout = 1}, "does not take inputs of width 8");
  expect_build_error(g, OP_MATMUL, (Value *[]){x, x}, 2, (Attrs){0}, "matmul: [3,8] @ [3,8] does not fit");
  expect_build_error(g, OP_ADD, (Value *[]){x, b5}, 2, (Attrs){0}, "add: operand shapes [3,8] and [5] do not match");
  expect_build_error(g, OP_EMBEDDING, (Value *[]){emb, x}, 2, (Attrs){0}, "embedding: expected table");
  expect_build_error(g, OP_RELU, (Value *[]){x, x}, 2, (Attrs){0}, "relu: expected 1 inputs, found 2");
  expect_build_error(g, OP_ATTENTION, (Value *[]){x, x, x}, 3, (Attrs){.heads = 3, .kv_heads = 2, .head_dim = 4},
                     "3 heads are not a multiple of 2 kv heads");
  expect_build_error(g, OP_ROPE, (Value *[]){x}, 1, (Attrs){.heads = 1, .head_dim = 7}, "rope: width 8");
  expect_build_error(g, OP_SLICE, (Value *[]){x}, 1, (Attrs){.axis = 1, .start = 6, .length = 4}, "slice: [6, 10)");
  expect_build_error(g, OP_RESHAPE, (Value *[]){x}, 1, (Attrs){.to_shape = ir_shape(1, (int64_t)25)}, "reshape: [3,8] cannot become [25]");
  expect_build_error(g, OP_TRANSPOSE, (Value *[]){x}, 1, (Attrs){.perm = {1, 1}}, "not a permutation");
  expect_build_error(g, OP_CONCAT, (Value *[]){x, b5}, 2, (Attrs){0}, "cannot be joined");
  Value *e = ir_node(g, OP_EMBEDDING, (Value *[]){emb, tok}, 2, NULL, "e", LOC_NONE);
  CHECK(e && e->shape.rank == 2 && e->shape.dim[0] == IR_DIM_T && e->shape.dim[1] == 8);
  arena_free(a);
}

/* ---- the verifier ---- */

typedef void (*Breaker)(Graph *g);

static Node *node_named(Graph *g, const char *name) {
  for (int i = 0; i < g->n_nodes; i++)
    if (strcmp(g->nodes[i]->out->name, name) == 0) return g->nodes[i];
  return NULL;
}

static Value *value_named(Graph *g, const char *name) {
  for (int i = 0; i < g->n_values; i++)
    if (strcmp(g->values[i]->name, name) == 0) return g->values[i];
  return NULL;
}

static void swap_nodes(Graph *g) {  /* %q before %ln_1, which it reads */
  Node *ln = node_named(g, "ln_1"), *q = node_named(g, "q");
  g->nodes[ln->id] = q, g->nodes[q->id] = ln;
}
static void kill_used(Graph *g) { node_named(g, "q")->dead = true; }
static void wrong_producer(Graph *g) { value_named(g, "k")->producer = node_named(g, "v"); }
static void duplicate_name(Graph *g) { value_named(g, "v")->name = "k"; }
static void const_without_data(Graph *g) { value_named(g, "wq")->data = NULL; }
static void no_outputs(Graph *g) { g->n_outputs = 0; }
static void output_dead(Graph *g) { node_named(g, "probs")->dead = true; }
static void wrong_shape(Graph *g) { value_named(g, "o")->shape.dim[1] = 9; }
static void bad_heads(Graph *g) { node_named(g, "attn")->attrs.kv_heads = 3; }
static void bad_eps(Graph *g) { node_named(g, "ln_1")->attrs.eps = -1; }
static void bad_layout(Graph *g) { node_named(g, "q")->attrs.w_layout = 2; }
static void bad_theta(Graph *g) { node_named(g, "q_rot")->attrs.rope_theta = 0; }
static void bad_window(Graph *g) { node_named(g, "attn")->attrs.window = -2; }
static void wrong_dtype(Graph *g) { value_named(g, "rms.g")->dtype = DT_F64; }
static void rewired_input(Graph *g) { node_named(g, "up")->inputs[1] = value_named(g, "wq"); }
static void stranger_input(Graph *g) {  /* a value that belongs to no graph */
  static Value stranger;
  stranger = *value_named(g, "wo");
  stranger.id = 3;
  node_named(g, "o")->inputs[1] = &stranger;
}
static void defined_twice(Graph *g) { value_named(g, "k")->is_input = true; }
static void reproduced(Graph *g) { node_named(g, "v")->out = value_named(g, "k"); }
static void wrong_arity(Graph *g) { node_named(g, "relu")->n_inputs = 2; }
static void const_with_t(Graph *g) { value_named(g, "wo")->shape.dim[0] = IR_DIM_T; }

static const struct {
  Breaker breaker;
  const char *message;
} broken[] = {
    {swap_nodes, "node %q (linear) reads %ln_1 before it is defined"},
    {kill_used, "node %q_rot (rope) reads %q, the output of a dead node"},
    {wrong_producer, "its output value names another producer"},
    {duplicate_name, "two values are named %k"},
    {const_without_data, "constant %wq has no data"},
    {no_outputs, "graph 'all_ops' has no output"},
    {output_dead, "graph output %probs is not defined by a live node"},
    {wrong_shape, "node %o (linear) is recorded as f32[T,9] but its type rule gives f32[T,8]"},
    {bad_heads, "node %attn (attention) breaks its type rule"},
    {bad_eps, "node %ln_1 (layernorm): eps -1 is not a finite number >= 0"},
    {bad_layout, "w_layout 2 is not 0 or 1"},
    {bad_theta, "rope_theta 0 is not positive"},
    {bad_window, "window -2 is negative"},
    {wrong_dtype, "input %rms.g is f64, expected f32"},
    {rewired_input, "node %up (matmul) is recorded as f32[T,16] but its type rule gives f32[T,8]"},
    {stranger_input, "input 1 is not a value of this graph"},
    {defined_twice, "node %k: value %k is defined twice"},
    {reproduced, "node %k: its output value names another producer"},
    {const_with_t, "constant %wo has a T dimension"},
    {wrong_arity, "node %relu (relu) has 2 inputs; the op takes 1"},
};

static void test_verifier(void) {
  for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
    Arena *a = arena_new();
    Graph *g = test_graph_all_ops(a);
    CHECK(g && ir_verify(g, "fuse_qkv") == 0);
    broken[i].breaker(g);
    capture_begin();
    int rc = ir_verify(g, "fuse_qkv");
    const char *text = capture_end();
    CHECK(rc == -1);
    CHECK_HAS(text, "after pass 'fuse_qkv': ");
    CHECK_HAS(text, broken[i].message);
    arena_free(a);
  }
}

/* Dead nodes whose outputs nobody reads are fine, and compacting keeps it valid. */
static void test_dead_ok(void) {
  Arena *a = arena_new();
  Graph *g = test_graph_all_ops(a);
  node_named(g, "relu")->dead = true;
  node_named(g, "sum")->inputs[1] = value_named(g, "prod");
  CHECK(ir_verify(g, "dce") == 0);
  ir_compact(g);
  CHECK(ir_verify(g, "dce") == 0);
  arena_free(a);
}

int main(void) {
  test_type_rules();
  test_verifier();
  test_dead_ok();
  return check_report("test_ir_verify");
}
