/*
 * rasp.y — the RASP grammar (docs/rasp.md; after tech-srl/RASP's RASP.g4).
 *
 * Precedence, loosest first, every level left-associative (this is not
 * Python's): `in`; `x if c else y`; `and`/`or` (one level); comparisons;
 * `+ -`; `%` (its own level); `* /`; `^`; prefix `not - +`; postfix calls and
 * indexing.  `!=` exists only inside select(...).  Each action is one call to
 * a named builder in ast.c; the tree is elaborated by elab.c.
 */
%define api.pure full
%define api.prefix {rasp_syn_}
%define parse.error verbose
%locations
%parse-param {RaspParser *p} {void *scanner}
%lex-param {void *scanner}

%code requires {
#include "rasp/rasp.h"   /* frontend/rasp/rasp.h */
}

%code {
#include <string.h>

int rasp_syn_lex(RASP_SYN_STYPE *lval, RASP_SYN_LTYPE *lloc, void *scanner);

/* The parser's stack holds one entry per open construct ('(', prefix '-',
 * ...); bison reports "memory exhausted" when it would grow past this. */
#define YYMAXDEPTH 10000

static void rasp_syn_error(RASP_SYN_LTYPE *loc, RaspParser *p, void *scanner, const char *msg) {
  (void)scanner;
  Loc at = rasp_loc(p, loc->first_line, loc->first_column);
  if (!p->failed && strcmp(msg, "memory exhausted") == 0)
    diag_error(at, "nesting too deep (limit %d)", YYMAXDEPTH);
  else if (!p->failed)
    diag_error(at, "%s", msg);
  p->failed = true;
}

#define L(at) rasp_loc(p, (at).first_line, (at).first_column)
}

%union {
  Ast *ast;
  AstList list;
  NameList names;
  const char *str;
  double num;
  int pred;
}

%token <str> ID "name" STRING "string"
%token <num> INT "integer" FLOAT "float"
%token DEF "def" RETURN "return" FOR "for" IN "in" IF "if" ELSE "else"
%token AND "and" OR "or" NOT "not" ROUND "round" INDICATOR "indicator"
%token SELECT "select(" AGGREGATE "aggregate(" RANGE "range(" ZIP "zip(" LEN "len("
%token EQ "==" NE "!=" LE "<=" GE ">="

%type <ast> stmt expr primary
%type <list> stmts exprs opt_exprs pairs_keys
%type <names> names opt_names
%type <pred> pred

%left IN
%left IF ELSE
%left AND OR
%left EQ LE GE '<' '>'
%left '+' '-'
%left '%'
%left '*' '/'
%left '^'
%precedence UNARY

%%

program
  : %empty
  | program stmt                         { p->program = rasp_list_add(p, p->program, $2); }
  ;

stmts
  : %empty                               { $$ = (AstList){0}; }
  | stmts stmt                           { $$ = rasp_list_add(p, $1, $2); }
  ;

/* stmt -> expr ';' | names '=' exprs ';' | def | for */
stmt
  : expr ';'                             { $$ = rasp_ast_node(p, AST_EXPR_STMT, $1, NULL, NULL, L(@1)); }
  | names '=' exprs ';'                  { $$ = rasp_ast_assign(p, $1, $3, L(@1)); }
  | DEF ID '(' opt_names ')' '{' stmts RETURN exprs ';' '}'
                                         { $$ = rasp_ast_def(p, $2, $4, $7, $9, L(@1)); }
  | FOR names IN expr '{' stmts '}'      { $$ = rasp_ast_for(p, $2, $4, $6, L(@1)); }
  ;

names
  : ID                                   { $$ = rasp_names_add(p, (NameList){0}, $1); }
  | names ',' ID                         { $$ = rasp_names_add(p, $1, $3); }
  ;

opt_names
  : %empty                               { $$ = (NameList){0}; }
  | names
  ;

exprs
  : expr                                 { $$ = rasp_list_add(p, (AstList){0}, $1); }
  | exprs ',' expr                       { $$ = rasp_list_add(p, $1, $3); }
  ;

opt_exprs
  : %empty                               { $$ = (AstList){0}; }
  | exprs
  ;

expr
  : primary
  | NOT expr %prec UNARY                 { $$ = rasp_ast_unary(p, RO_NOT, $2, L(@1)); }
  | '-' expr %prec UNARY                 { $$ = rasp_ast_unary(p, RO_NEG, $2, L(@1)); }
  | '+' expr %prec UNARY                 { $$ = rasp_ast_unary(p, RO_POS, $2, L(@1)); }
  | expr '^' expr                        { $$ = rasp_ast_binary(p, RO_POW, $1, $3, L(@2)); }
  | expr '*' expr                        { $$ = rasp_ast_binary(p, RO_MUL, $1, $3, L(@2)); }
  | expr '/' expr                        { $$ = rasp_ast_binary(p, RO_DIV, $1, $3, L(@2)); }
  | expr '%' expr                        { $$ = rasp_ast_binary(p, RO_MOD, $1, $3, L(@2)); }
  | expr '+' expr                        { $$ = rasp_ast_binary(p, RO_ADD, $1, $3, L(@2)); }
  | expr '-' expr                        { $$ = rasp_ast_binary(p, RO_SUB, $1, $3, L(@2)); }
  | expr EQ expr                         { $$ = rasp_ast_binary(p, RO_EQ, $1, $3, L(@2)); }
  | expr LE expr                         { $$ = rasp_ast_binary(p, RO_LE, $1, $3, L(@2)); }
  | expr GE expr                         { $$ = rasp_ast_binary(p, RO_GE, $1, $3, L(@2)); }
  | expr '<' expr                        { $$ = rasp_ast_binary(p, RO_LT, $1, $3, L(@2)); }
  | expr '>' expr                        { $$ = rasp_ast_binary(p, RO_GT, $1, $3, L(@2)); }
  | expr AND expr                        { $$ = rasp_ast_binary(p, RO_AND, $1, $3, L(@2)); }
  | expr OR expr                         { $$ = rasp_ast_binary(p, RO_OR, $1, $3, L(@2)); }
  | expr IF expr ELSE expr               { $$ = rasp_ast_node(p, AST_IF, $1, $3, $5, L(@2)); }
  | expr IN expr                         { $$ = rasp_ast_node(p, AST_IN, $1, $3, NULL, L(@2)); }
  ;

primary
  : '(' expr ')'                         { $$ = $2; }
  | ID                                   { $$ = rasp_ast_str(p, AST_NAME, $1, L(@1)); }
  | INT                                  { $$ = rasp_ast_num(p, AST_INT, $1, L(@1)); }
  | FLOAT                                { $$ = rasp_ast_num(p, AST_FLOAT, $1, L(@1)); }
  | STRING                               { $$ = rasp_ast_str(p, AST_STR, $1, L(@1)); }
  | primary '[' expr ']'                 { $$ = rasp_ast_node(p, AST_INDEX, $1, $3, NULL, L(@2)); }
  | primary '(' opt_exprs ')'            { $$ = rasp_ast_with_items(p, AST_CALL, $1, $3, L(@2)); }
  | ROUND '(' expr ')'                   { $$ = rasp_ast_unary(p, RO_ROUND, $3, L(@1)); }
  | INDICATOR '(' expr ')'               { $$ = rasp_ast_unary(p, RO_INDICATOR, $3, L(@1)); }
  | SELECT expr ',' expr ',' pred ')'    { $$ = rasp_ast_select(p, $2, $4, (RaspPred)$6, L(@1)); }
  | AGGREGATE expr ',' expr ')'          { $$ = rasp_ast_node(p, AST_AGGREGATE, $2, $4, NULL, L(@1)); }
  | AGGREGATE expr ',' expr ',' expr ')' { $$ = rasp_ast_node(p, AST_AGGREGATE, $2, $4, $6, L(@1)); }
  | RANGE exprs ')'                      { $$ = rasp_ast_with_items(p, AST_RANGE, NULL, $2, L(@1)); }
  | ZIP exprs ')'                        { $$ = rasp_ast_with_items(p, AST_ZIP, NULL, $2, L(@1)); }
  | LEN expr ')'                         { $$ = rasp_ast_node(p, AST_LEN, $2, NULL, NULL, L(@1)); }
  | '[' opt_exprs ']'                    { $$ = rasp_ast_with_items(p, AST_LIST, NULL, $2, L(@1)); }
  | '[' expr FOR names IN expr ']'       { $$ = rasp_ast_comp(p, AST_LISTCOMP, NULL, $2, $4, $6, L(@1)); }
  | '{' '}'                              { $$ = rasp_ast_dict(p, (AstList){0}, (AstList){0}, L(@1)); }
  | '{' pairs_keys '}'                   { $$ = $2.n ? $2.items[0] : NULL; }
  | '{' expr ':' expr FOR names IN expr '}'
                                         { $$ = rasp_ast_comp(p, AST_DICTCOMP, $2, $4, $6, $8, L(@1)); }
  ;

/* key: value pairs, gathered into one AST_DICT node carried as items[0]. */
pairs_keys
  : expr ':' expr                        { $$ = rasp_dict_pair(p, (AstList){0}, $1, $3, L(@1)); }
  | pairs_keys ',' expr ':' expr         { $$ = rasp_dict_pair(p, $1, $3, $5, L(@1)); }
  ;

pred
  : EQ                                   { $$ = RP_EQ; }
  | NE                                   { $$ = RP_NE; }
  | '<'                                  { $$ = RP_LT; }
  | '>'                                  { $$ = RP_GT; }
  | LE                                   { $$ = RP_LE; }
  | GE                                   { $$ = RP_GE; }
  ;

%%
