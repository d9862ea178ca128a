/*
 * rasp.h — the RASP language (docs/rasp.md): flex lexer (rasp.l), bison
 * parser (rasp.y) building the syntax tree (ast.c), and the elaborator
 * (elab.c) that runs the program's compile-time part — functions, loops,
 * comprehensions, constants — and lowers what remains into rasp-dialect IR.
 */
#ifndef TFC_RASP_H
#define TFC_RASP_H

#include "ir.h"
#include "../../ir/rasp.h"

typedef struct {
  const char *output;   /* --output NAME: the s-op to produce; NULL = last top-level assignment */
} RaspOptions;

/* Parses and checks a .rasp file and builds its graph.  NULL after a diagnostic. */
Graph *rasp_load(Arena *a, const char *path, const RaspOptions *opt);

/* Interpret mode: runs g on the given tokens (strings as the user typed them)
 * and prints the output sequence to out as the compiled driver would.
 * Returns 0, or 1 after printing a run-time error (as the driver does). */
int rasp_run(const Graph *g, const char *const *tokens, int n, FILE *out);

/* Splits s into one token per character (UTF-8 sequences stay whole), in the
 * arena.  NULL when out of memory. */
const char **rasp_split_chars(Arena *a, const char *s, int *n);

/* ======================================================================
 * Inside frontend/rasp: the syntax tree (ast.c), built by the parser
 * ====================================================================== */
/* The frontend's embedded files ("frontend/rasp/prelude.rasp"), or NULL: a table
 * made at build time by tools/embed_text.c (codegen has its own, of the runtime). */
const char *fe_embedded_file(const char *path);

typedef enum {
  /* expressions */
  AST_INT, AST_FLOAT, AST_STR, AST_NAME,   /* num / str */
  AST_LIST, AST_DICT,                       /* items; dict: items = keys, items2 = values */
  AST_LISTCOMP, AST_DICTCOMP,               /* a (value), b (dict key), c (iterable), names */
  AST_INDEX, AST_CALL,                      /* a[b]; a(items) */
  AST_UNARY, AST_BINARY,                    /* op a; a op b */
  AST_SELECT,                               /* select(a, b, pred) */
  AST_AGGREGATE,                            /* aggregate(a, b[, c]) */
  AST_IF,                                   /* a if b else c */
  AST_IN,                                   /* a in b */
  AST_RANGE, AST_ZIP, AST_LEN,              /* range(items), zip(items), len(a) */
  /* statements */
  AST_EXPR_STMT,                            /* a; */
  AST_ASSIGN,                               /* names = items; */
  AST_DEF,                                  /* def str(names) { body; return items; } */
  AST_FOR,                                  /* for names in a { body } */
} AstKind;

typedef struct Ast Ast;

typedef struct {
  Ast **items;
  int n, cap;
} AstList;

typedef struct {
  const char **items;
  int n, cap;
} NameList;

struct Ast {
  AstKind kind;
  Loc loc;                /* first token of the construct */
  double num;             /* AST_INT, AST_FLOAT */
  const char *str;        /* AST_STR text, AST_NAME / AST_DEF name */
  RaspOp op;              /* AST_UNARY, AST_BINARY */
  RaspPred pred;          /* AST_SELECT */
  Ast *a, *b, *c;         /* operands (see AstKind) */
  AstList items, items2;  /* list items, call arguments, dict keys/values, right-hand sides */
  NameList names;         /* assignment targets, parameters, loop variables */
  AstList body;           /* AST_DEF, AST_FOR: statements */
};

/* Parser state shared by the lexer and the grammar actions. */
typedef struct {
  Arena *arena;
  const char *file;       /* for locations */
  int line, col;          /* the lexer's position (next character) */
  AstList program;        /* top-level statements */
  bool failed;            /* a syntax error was reported */
} RaspParser;

/* Parses text (len bytes, NULs allowed) into p->program.  0, or -1 after a diagnostic. */
int rasp_parse_text(RaspParser *p, const char *text, size_t len);

/* Builders called by the grammar actions (ast.c). */
Loc rasp_loc(RaspParser *p, int line, int col);
void rasp_out_of_memory(RaspParser *p);   /* reports once, marks the parse failed */
Ast *rasp_ast_new(RaspParser *p, AstKind kind, Loc loc);
Ast *rasp_ast_num(RaspParser *p, AstKind kind, double num, Loc loc);
Ast *rasp_ast_str(RaspParser *p, AstKind kind, const char *s, Loc loc);
Ast *rasp_ast_unary(RaspParser *p, RaspOp op, Ast *a, Loc loc);
Ast *rasp_ast_binary(RaspParser *p, RaspOp op, Ast *a, Ast *b, Loc loc);
Ast *rasp_ast_node(RaspParser *p, AstKind kind, Ast *a, Ast *b, Ast *c, Loc loc);
Ast *rasp_ast_with_items(RaspParser *p, AstKind kind, Ast *a, AstList items, Loc loc);
Ast *rasp_ast_select(RaspParser *p, Ast *keys, Ast *queries, RaspPred pred, Loc loc);
Ast *rasp_ast_dict(RaspParser *p, AstList keys, AstList values, Loc loc);
Ast *rasp_ast_comp(RaspParser *p, AstKind kind, Ast *key, Ast *value, NameList names, Ast *iter,
                   Loc loc);
Ast *rasp_ast_assign(RaspParser *p, NameList names, AstList values, Loc loc);
Ast *rasp_ast_def(RaspParser *p, const char *name, NameList params, AstList body, AstList ret,
                  Loc loc);
Ast *rasp_ast_for(RaspParser *p, NameList names, Ast *iter, AstList body, Loc loc);
AstList rasp_list_add(RaspParser *p, AstList l, Ast *x);
/* Adds key: value to the AST_DICT node kept as l.items[0] (made on the first pair). */
AstList rasp_dict_pair(RaspParser *p, AstList l, Ast *key, Ast *value, Loc loc);
NameList rasp_names_add(RaspParser *p, NameList l, const char *name);

/* elab.c: runs the prelude, then the program (text, len bytes, from file), into
 * g, and makes the chosen s-op g's output.  0, or -1 after a diagnostic. */
int rasp_elaborate(Graph *g, const char *prelude, const char *prelude_name, const char *text,
                   size_t len, const char *file, const RaspOptions *opt);

#endif
