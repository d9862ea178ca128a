/*
 * rasp.h — the RASP dialect of the IR (docs/rasp.md): value kinds, constants,
 * element-wise expression trees and the dialect's reference interpreter.
 *
 * An s-op is a Value of shape [T]; a selector is a bool Value of shape [T,T].
 * Every element of an s-op is dynamically one of string, bool, int or float
 * (an aggregate can give an int at one position and a float at another), so
 * each s-op Value carries a RaspType with the *static* kind the frontend could
 * prove: one class (RK_STR, RK_BOOL, RK_INT, RK_FLOAT), numbers of either kind
 * (RK_NUM), or unknown (RK_ANY: may mix classes, checked at run time).
 *
 * map / zipmap / selector_combine nodes hold a RaspExpr: a small tree over the
 * node's inputs (RX_ARG k) and constants, printed as C by the emitter and
 * evaluated element by element by the interpreter.
 */
#ifndef TFC_IR_RASP_H
#define TFC_IR_RASP_H

#include "ir.h"

/* Kind of one value (an element of an s-op, or a compile-time constant). */
typedef enum { RV_STR, RV_BOOL, RV_INT, RV_FLOAT } RaspValKind;

typedef struct {
  RaspValKind kind;
  double num;        /* bool (0/1), int (exact below 2^53), float */
  const char *str;   /* RV_STR: arena (compile time) or run-time pool */
} RaspVal;

/* Static kind of a whole s-op (or selector). */
typedef enum { RK_STR, RK_BOOL, RK_INT, RK_FLOAT, RK_NUM, RK_ANY, RK_SELECTOR } RaspKind;

struct RaspType {
  RaspKind kind;       /* what every element is known to be */
  bool named;          /* bound to a source variable (else a temporary) */
  const char *src;     /* the source statement's first line, for comments in generated C */
  int src_line;        /* its line number */
  const char *src_file; /* the file it is in (its name, no directory), when the textual IR
                         * said so; NULL: the node's Loc names it */
};

/* Comparison predicates of select (attrs.predicate); also element-wise compares. */
typedef enum { RP_EQ, RP_NE, RP_LT, RP_GT, RP_LE, RP_GE } RaspPred;

/* Element-wise operators (RX_UNARY / RX_BINARY). */
typedef enum {
  RO_ADD, RO_SUB, RO_MUL, RO_DIV, RO_MOD, RO_POW,   /* arithmetic, + also concatenates */
  RO_EQ, RO_LT, RO_GT, RO_LE, RO_GE,                /* comparisons, give bool */
  RO_AND, RO_OR,                                    /* truthiness, give bool */
  RO_NOT, RO_NEG, RO_POS, RO_ROUND, RO_INDICATOR,   /* unary */
  RO_TO_INT, RO_TO_FLOAT, RO_TO_BOOL,               /* token conversions */
  RO_COUNT
} RaspOp;

typedef enum {
  RX_ARG,      /* input arg of the node */
  RX_CONST,    /* value */
  RX_UNARY,    /* op a */
  RX_BINARY,   /* a op b */
  RX_IF,       /* a if b else c (per element, by truthiness of b) */
  RX_IN,       /* a in items[0..n) */
  RX_LOOKUP,   /* items[a] (list) or values[keys.index(a)] (dict, keys != NULL) */
} RaspExprKind;

struct RaspExpr {
  RaspExprKind kind;
  RaspOp op;               /* RX_UNARY, RX_BINARY */
  int arg;                 /* RX_ARG: input index */
  RaspVal value;           /* RX_CONST */
  const RaspExpr *a, *b, *c;
  const RaspVal *items;    /* RX_IN, RX_LOOKUP: list items or dict values */
  const RaspVal *keys;     /* RX_LOOKUP on a dict: its keys; NULL for a list */
  int n_items;
};

/* ---- ir/rasp.c: constructors, names, type rules, printing ---- */
RaspExpr *ir_rasp_expr_new(Arena *a, RaspExprKind kind);
RaspExpr *ir_rasp_expr_arg(Arena *a, int k);
RaspExpr *ir_rasp_expr_const(Arena *a, RaspVal v);
RaspExpr *ir_rasp_expr_unary(Arena *a, RaspOp op, const RaspExpr *x);
RaspExpr *ir_rasp_expr_binary(Arena *a, RaspOp op, const RaspExpr *x, const RaspExpr *y);
/* The expression with every RX_ARG k replaced by RX_ARG map[k]. */
RaspExpr *ir_rasp_expr_remap(Arena *a, const RaspExpr *e, const int *map);

const char *ir_rasp_op_text(RaspOp op);       /* "+", "round", ... */
const char *ir_rasp_pred_text(RaspPred p);    /* "==", "<", ... */
const char *ir_rasp_kind_name(RaspKind k);    /* "string", "selector", ... */
RaspKind ir_rasp_val_kind(RaspValKind k);
/* Static result kind of op applied to kinds a (and b); NULL, or a message for
 * a combination that fails on every input ("cannot apply '+' to string and int"). */
const char *ir_rasp_op_kind(RaspOp op, RaspKind a, RaspKind b, RaspKind *out);
RaspKind ir_rasp_join_kind(RaspKind a, RaspKind b);   /* kind of a sequence holding both */
RaspKind ir_rasp_expr_kind(const RaspExpr *e, const RaspKind *args);

void ir_rasp_val_print(RaspVal v, Buf *out);          /* as the program prints it */
void ir_rasp_val_print_literal(RaspVal v, Buf *out);  /* strings quoted */
void ir_rasp_expr_print(const RaspExpr *e, Buf *out);  /* textual IR / comments */
/* Textual IR: a rasp node's dialect attributes as one line of text
 * ("f=($0 + 1) kind=int named src=sort.rasp:12: sort = ...;"), printed by
 * ir/print.c as rasp="...", and read back by ir/parse.c (0, or -1 with *error
 * set).  src= is the source statement the generated C quotes; `src=^` says
 * "the same statement as the node before" (prev: the previous node printed or
 * parsed), so nodes of one statement share it again after a round trip. */
void ir_rasp_attr_text(const Node *n, const Node *prev, Buf *out);
int ir_rasp_parse_attr_text(Node *n, const Node *prev, const char *text, Arena *a,
                            const char **error);
/* The name (no directory) of the file n's source statement is in, for comments. */
const char *ir_rasp_src_file(const Node *n);
int ir_rasp_verify_node(const Node *n);

/* ---- ir/interp_rasp.c: the reference interpreter of the dialect ---- */
/* Constant folding with the run-time semantics: 0, or -1 with a message in err. */
int ir_rasp_eval_unary(RaspOp op, RaspVal a, RaspVal *out, Arena *arena, char *err, size_t n);
int ir_rasp_eval_binary(RaspOp op, RaspVal a, RaspVal b, RaspVal *out, Arena *arena, char *err,
                     size_t n);
bool ir_rasp_truthy(RaspVal v);
bool ir_rasp_val_equal(RaspVal a, RaspVal b);
/* Runs a rasp graph on tokens (as typed) and appends the printed output line
 * (values separated by single spaces, newline-terminated) to out.  Returns 0,
 * or -1 after a diagnostic naming the node and position that failed. */
int ir_rasp_interpret(const Graph *g, const char *const *tokens, int n, Buf *out);
/* ir_interpret's form (ir/interp.c hands rasp graphs here): token ids become
 * their decimal text, the output's numbers (bools 0/1) are written to out[n]. */
int ir_rasp_interpret_ids(const Graph *g, const int32_t *ids, int n, float *out);

#endif
