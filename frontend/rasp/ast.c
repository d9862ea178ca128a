/*
 * ast.c — the RASP syntax tree: one named builder per construct, called from
 * the grammar actions in rasp.y (each action is one call).  Nodes live in the
 * compilation's arena.  Lists grow by doubling inside the arena; an allocation
 * failure marks the parser failed and the parse reports it.
 */
#include "rasp.h"

#include <string.h>

Loc rasp_loc(RaspParser *p, int line, int col) { return diag_loc(p->file, line, col); }

/* An allocation failed: say so once, at the lexer's position, and fail the parse. */
void rasp_out_of_memory(RaspParser *p) {
  if (!p->failed) diag_error(rasp_loc(p, p->line, p->col), "out of memory");
  p->failed = true;
}

Ast *rasp_ast_new(RaspParser *p, AstKind kind, Loc loc) {
  Ast *n = arena_alloc(p->arena, sizeof(Ast));
  if (!n) {
    rasp_out_of_memory(p);
    return NULL;
  }
  n->kind = kind;
  n->loc = loc;
  return n;
}

Ast *rasp_ast_num(RaspParser *p, AstKind kind, double num, Loc loc) {
  Ast *n = rasp_ast_new(p, kind, loc);
  if (n) n->num = num;
  return n;
}

Ast *rasp_ast_str(RaspParser *p, AstKind kind, const char *s, Loc loc) {
  Ast *n = rasp_ast_new(p, kind, loc);
  if (n) n->str = s;
  return n;
}

Ast *rasp_ast_node(RaspParser *p, AstKind kind, Ast *a, Ast *b, Ast *c, Loc loc) {
  Ast *n = rasp_ast_new(p, kind, loc);
  if (n) n->a = a, n->b = b, n->c = c;
  return n;
}

Ast *rasp_ast_unary(RaspParser *p, RaspOp op, Ast *a, Loc loc) {
  Ast *n = rasp_ast_node(p, AST_UNARY, a, NULL, NULL, loc);
  if (n) n->op = op;
  return n;
}

Ast *rasp_ast_binary(RaspParser *p, RaspOp op, Ast *a, Ast *b, Loc loc) {
  Ast *n = rasp_ast_node(p, AST_BINARY, a, b, NULL, loc);
  if (n) n->op = op;
  return n;
}

Ast *rasp_ast_with_items(RaspParser *p, AstKind kind, Ast *a, AstList items, Loc loc) {
  Ast *n = rasp_ast_node(p, kind, a, NULL, NULL, loc);
  if (n) n->items = items;
  return n;
}

Ast *rasp_ast_select(RaspParser *p, Ast *keys, Ast *queries, RaspPred pred, Loc loc) {
  Ast *n = rasp_ast_node(p, AST_SELECT, keys, queries, NULL, loc);
  if (n) n->pred = pred;
  return n;
}

Ast *rasp_ast_dict(RaspParser *p, AstList keys, AstList values, Loc loc) {
  Ast *n = rasp_ast_new(p, AST_DICT, loc);
  if (n) n->items = keys, n->items2 = values;
  return n;
}

/* [value for names in iter] (key NULL), or {key: value for names in iter}. */
Ast *rasp_ast_comp(RaspParser *p, AstKind kind, Ast *key, Ast *value, NameList names, Ast *iter,
                   Loc loc) {
  Ast *n = rasp_ast_node(p, kind, value, key, iter, loc);
  if (n) n->names = names;
  return n;
}

Ast *rasp_ast_assign(RaspParser *p, NameList names, AstList values, Loc loc) {
  Ast *n = rasp_ast_new(p, AST_ASSIGN, loc);
  if (n) n->names = names, n->items = values;
  return n;
}

Ast *rasp_ast_def(RaspParser *p, const char *name, NameList params, AstList body, AstList ret,
                  Loc loc) {
  Ast *n = rasp_ast_new(p, AST_DEF, loc);
  if (n) n->str = name, n->names = params, n->body = body, n->items = ret;
  return n;
}

Ast *rasp_ast_for(RaspParser *p, NameList names, Ast *iter, AstList body, Loc loc) {
  Ast *n = rasp_ast_node(p, AST_FOR, iter, NULL, NULL, loc);
  if (n) n->names = names, n->body = body;
  return n;
}

/* Appends x (by value: the grammar threads lists through its semantic values). */
AstList rasp_list_add(RaspParser *p, AstList l, Ast *x) {
  if (l.n == l.cap) {
    int cap = l.cap ? 2 * l.cap : 4;
    Ast **items = arena_alloc(p->arena, sizeof(Ast *) * (size_t)cap);
    if (!items) {
      rasp_out_of_memory(p);
      return l;
    }
    if (l.n) memcpy(items, l.items, sizeof(Ast *) * (size_t)l.n);
    l.items = items, l.cap = cap;
  }
  l.items[l.n++] = x;
  return l;
}

NameList rasp_names_add(RaspParser *p, NameList l, const char *name) {
  if (l.n == l.cap) {
    int cap = l.cap ? 2 * l.cap : 4;
    const char **items = arena_alloc(p->arena, sizeof(char *) * (size_t)cap);
    if (!items) {
      rasp_out_of_memory(p);
      return l;
    }
    if (l.n) memcpy(items, l.items, sizeof(char *) * (size_t)l.n);
    l.items = items, l.cap = cap;
  }
  l.items[l.n++] = name;
  return l;
}

AstList rasp_dict_pair(RaspParser *p, AstList l, Ast *key, Ast *value, Loc loc) {
  if (l.n == 0) l = rasp_list_add(p, l, rasp_ast_dict(p, (AstList){0}, (AstList){0}, loc));
  Ast *dict = l.n ? l.items[0] : NULL;
  if (!dict) return rasp_out_of_memory(p), l;
  dict->items = rasp_list_add(p, dict->items, key);
  dict->items2 = rasp_list_add(p, dict->items2, value);
  return l;
}
