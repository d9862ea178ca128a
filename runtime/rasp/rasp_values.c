/*
 * rasp_values.c — RASP run-time values and their element-wise semantics
 * (docs/rasp.md, "Values").  One copy of the rules serves both paths: tfc's
 * interpreter (ir/interp_rasp.c) includes this file, and the RASP emitter
 * (codegen/emit_rasp.c) copies it into every generated program, so the two
 * cannot disagree.
 *
 * A value is a string, bool, int or float.  Ints are stored as doubles and are
 * exact up to 2^53; a result beyond that is an error rather than a wrong
 * digit.  Errors never abort: the first one is kept in rt_error and the
 * operation returns a placeholder; callers test rt_error after each s-op and
 * stop, so no wrong value is ever printed.  Strings made at run time
 * (concatenation) live in a pool released by rt_release().
 */
#ifndef RT_RASP_VALUES   /* several programs may share one translation unit */
#define RT_RASP_VALUES

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A program uses only some of these helpers; clang (unlike gcc) warns about
 * unused static inline functions in the main file, which -Werror makes fatal. */
#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#endif

typedef enum { RT_STR, RT_BOOL, RT_INT, RT_FLOAT } RtKind;

typedef struct {
  RtKind kind;
  double num;       /* bool (0/1), int, float */
  const char *str;  /* RT_STR */
} RtVal;

#define RT_INT_LIMIT 9007199254740992.0  /* 2^53: larger ints lose digits in a double */

static char rt_error[512];     /* the first run-time error; "" while none */
static char **rt_pool;         /* strings made at run time */
static size_t rt_pool_len, rt_pool_cap;

/* Records the first error; returns a placeholder value so callers can go on. */
static inline RtVal rt_fail(const char *fmt, ...) {
  if (!rt_error[0]) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt_error, sizeof rt_error, fmt, ap);
    va_end(ap);
  }
  RtVal zero = {RT_INT, 0, NULL};
  return zero;
}

static inline void rt_release(void) {
  for (size_t i = 0; i < rt_pool_len; i++) free(rt_pool[i]);
  free(rt_pool);
  rt_pool = NULL, rt_pool_len = rt_pool_cap = 0;
}

static inline RtVal rt_int(double x) {
  RtVal v = {RT_INT, x + 0.0, NULL};
  if (fabs(x) > RT_INT_LIMIT) return rt_fail("integer %.0f is too large (limit 2^53)", x);
  if (x == 0) v.num = 0;   /* no -0 among ints */
  return v;
}
static inline RtVal rt_float(double x) { RtVal v = {RT_FLOAT, x, NULL}; return v; }
static inline RtVal rt_bool(int b) { RtVal v = {RT_BOOL, b ? 1 : 0, NULL}; return v; }
static inline RtVal rt_str(const char *s) { RtVal v = {RT_STR, 0, s}; return v; }

static inline const char *rt_kind_name(RtKind k) {
  static const char *names[] = {"string", "bool", "int", "float"};
  return names[k];
}

/* Python truthiness: non-empty strings, non-zero numbers. */
static inline int rt_truthy(RtVal v) { return v.kind == RT_STR ? v.str[0] != 0 : v.num != 0; }

static inline int rt_is_number(RtVal v) { return v.kind != RT_STR; }   /* bools count as 0/1 */

/* ---- arithmetic ---- */

static inline RtVal rt_concat(RtVal a, RtVal b) {
  size_t na = strlen(a.str), nb = strlen(b.str);
  char *s = malloc(na + nb + 1);
  if (!s) return rt_fail("out of memory");
  if (rt_pool_len == rt_pool_cap) {
    size_t cap = rt_pool_cap ? 2 * rt_pool_cap : 64;
    char **p = realloc(rt_pool, cap * sizeof *p);
    if (!p) return free(s), rt_fail("out of memory");
    rt_pool = p, rt_pool_cap = cap;
  }
  memcpy(s, a.str, na);
  memcpy(s + na, b.str, nb + 1);
  rt_pool[rt_pool_len++] = s;
  return rt_str(s);
}

/* Python's % : the result takes the sign of the divisor. */
static inline double rt_pymod(double a, double b) {
  double r = fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

/* a OP b for OP in + - * / % ^, following Python per element (^ is **). */
static inline RtVal rt_arith(char op, RtVal a, RtVal b) {
  if (op == '+' && a.kind == RT_STR && b.kind == RT_STR) return rt_concat(a, b);
  if (!rt_is_number(a) || !rt_is_number(b))
    return rt_fail("cannot apply '%c' to %s and %s", op, rt_kind_name(a.kind), rt_kind_name(b.kind));
  int is_float = a.kind == RT_FLOAT || b.kind == RT_FLOAT;
  double x = a.num, y = b.num;
  if ((op == '/' || op == '%') && y == 0) return rt_fail("division by zero");
  switch (op) {
  case '+': x += y; break;
  case '-': x -= y; break;
  case '*': x *= y; break;
  case '/': return rt_float(x / y);
  case '%': x = rt_pymod(x, y); break;
  default:
    if (x == 0 && y < 0) return rt_fail("zero cannot be raised to a negative power");
    if (!is_float && y < 0) return rt_float(pow(x, y));
    if (x < 0 && y != floor(y)) return rt_fail("negative number raised to a fractional power");
    x = pow(x, y);
  }
  if (is_float) {
    if (isinf(x) || isnan(x)) return rt_fail("float result out of range");
    return rt_float(x);
  }
  return rt_int(x);
}
static inline RtVal rt_add(RtVal a, RtVal b) { return rt_arith('+', a, b); }
static inline RtVal rt_sub(RtVal a, RtVal b) { return rt_arith('-', a, b); }
static inline RtVal rt_mul(RtVal a, RtVal b) { return rt_arith('*', a, b); }
static inline RtVal rt_div(RtVal a, RtVal b) { return rt_arith('/', a, b); }
static inline RtVal rt_mod(RtVal a, RtVal b) { return rt_arith('%', a, b); }
static inline RtVal rt_pow(RtVal a, RtVal b) { return rt_arith('^', a, b); }

static inline RtVal rt_neg(RtVal a) {
  if (!rt_is_number(a)) return rt_fail("cannot negate a string");
  return a.kind == RT_FLOAT ? rt_float(-a.num) : rt_int(-a.num);
}
static inline RtVal rt_pos(RtVal a) {
  if (!rt_is_number(a)) return rt_fail("cannot apply unary '+' to a string");
  return a.kind == RT_FLOAT ? a : rt_int(a.num);
}
/* round-half-to-even, as Python's round(); gives an int. */
static inline RtVal rt_round(RtVal a) {
  if (!rt_is_number(a)) return rt_fail("cannot round a string");
  if (isinf(a.num) || isnan(a.num)) return rt_fail("cannot round %g to an int", a.num);
  return rt_int(nearbyint(a.num));
}
static inline RtVal rt_indicator(RtVal a) { return rt_int(rt_truthy(a)); }
static inline RtVal rt_not(RtVal a) { return rt_bool(!rt_truthy(a)); }
static inline RtVal rt_and(RtVal a, RtVal b) { return rt_bool(rt_truthy(a) && rt_truthy(b)); }
static inline RtVal rt_or(RtVal a, RtVal b) { return rt_bool(rt_truthy(a) || rt_truthy(b)); }
/* c ? a : b per element; a and b are both evaluated, as the s-ops they are. */
static inline RtVal rt_if(RtVal c, RtVal a, RtVal b) { return rt_truthy(c) ? a : b; }

/* ---- comparisons (give C truth values; selectors use them directly) ---- */

/* == across kinds: strings equal strings; numbers (and bools) compare by value. */
static inline int rt_eq(RtVal a, RtVal b) {
  if ((a.kind == RT_STR) != (b.kind == RT_STR)) return 0;
  return a.kind == RT_STR ? strcmp(a.str, b.str) == 0 : a.num == b.num;
}
static inline int rt_ne(RtVal a, RtVal b) { return !rt_eq(a, b); }

/* Ordering: -1, 0, 1; strings lexicographically, numbers by value. */
static inline int rt_order(RtVal a, RtVal b) {
  if ((a.kind == RT_STR) != (b.kind == RT_STR)) {
    rt_fail("cannot order %s and %s", rt_kind_name(a.kind), rt_kind_name(b.kind));
    return 0;
  }
  if (a.kind == RT_STR) {
    int c = strcmp(a.str, b.str);
    return (c > 0) - (c < 0);
  }
  return (a.num > b.num) - (a.num < b.num);
}
static inline int rt_lt(RtVal a, RtVal b) { return rt_order(a, b) < 0; }
static inline int rt_gt(RtVal a, RtVal b) { return rt_order(a, b) > 0; }
static inline int rt_le(RtVal a, RtVal b) { return rt_order(a, b) <= 0 && !rt_error[0]; }
static inline int rt_ge(RtVal a, RtVal b) { return rt_order(a, b) >= 0 && !rt_error[0]; }

/* ---- lists and dicts (constant tables in the program) ---- */

static inline RtVal rt_in(const RtVal *items, int n, RtVal x) {
  for (int k = 0; k < n; k++)
    if (rt_eq(items[k], x)) return rt_bool(1);
  return rt_bool(0);
}

static inline RtVal rt_list_get(const RtVal *items, int n, RtVal index) {
  if (index.kind != RT_INT && index.kind != RT_BOOL)
    return rt_fail("list index must be an int, not %s", rt_kind_name(index.kind));
  double k = index.num < 0 ? index.num + n : index.num;
  if (k < 0 || k >= n) return rt_fail("list index %.0f out of range (list of %d)", index.num, n);
  return items[(int)k];
}

static inline RtVal rt_dict_get(const RtVal *keys, const RtVal *values, int n, RtVal key) {
  for (int k = 0; k < n; k++)
    if (rt_eq(keys[k], key)) return values[k];
  if (key.kind == RT_STR) return rt_fail("key \"%s\" is not in the dict", key.str);
  return rt_fail("key %g is not in the dict", key.num);
}

/* ---- tokens ---- */

static inline RtVal rt_to_int(RtVal t) {
  const char *s = t.str;
  char *end;
  double x = strtod(s, &end);
  size_t k = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (!s[k] || *end || strspn(s + k, "0123456789") != strlen(s + k))
    return rt_fail("token \"%s\" is not an int", s);
  return rt_int(x);
}
static inline RtVal rt_to_float(RtVal t) {
  char *end;
  double x = strtod(t.str, &end);
  if (!t.str[0] || *end) return rt_fail("token \"%s\" is not a number", t.str);
  return rt_float(x);
}
static inline RtVal rt_to_bool(RtVal t) {
  if (!strcmp(t.str, "True") || !strcmp(t.str, "true") || !strcmp(t.str, "1")) return rt_bool(1);
  if (!strcmp(t.str, "False") || !strcmp(t.str, "false") || !strcmp(t.str, "0")) return rt_bool(0);
  return rt_fail("token \"%s\" is not a bool (True or False)", t.str);
}

/* ---- aggregate: the mean of the selected values ---- */

typedef struct {
  int count;     /* positions selected so far */
  RtVal first;   /* the value when exactly one is selected */
  double sum;    /* running sum, in key order */
  int bad;       /* a string or bool among them: not averageable */
  RtKind bad_kind;
} RtMean;

static inline void rt_mean_add(RtMean *m, RtVal v) {
  if (m->count++ == 0) m->first = v;
  if (v.kind == RT_STR || v.kind == RT_BOOL) m->bad = 1, m->bad_kind = v.kind;
  else m->sum += v.num;
}

/* No position: the default; one: that value unchanged; several: a float mean. */
static inline RtVal rt_mean_end(const RtMean *m, RtVal dflt) {
  if (m->count == 0) return dflt;
  if (m->count == 1) return m->first;
  if (m->bad)
    return rt_fail("aggregate selects %d positions holding %s values, which cannot be averaged",
                   m->count, rt_kind_name(m->bad_kind));
  return rt_float(m->sum / m->count);
}

/* ---- sequences ---- */

static inline int rt_class(RtKind k) { return k == RT_FLOAT ? RT_INT : (int)k; }

/* An s-op holds one type (ints and floats may mix); reports the first clash. */
static inline void rt_check_seq(const RtVal *s, int n) {
  for (int i = 1; i < n; i++)
    if (rt_class(s[i].kind) != rt_class(s[0].kind)) {
      rt_fail("sequence mixes %s (position 0) and %s (position %d) values",
              rt_kind_name(s[0].kind), rt_kind_name(s[i].kind), i);
      return;
    }
}

/* Python's repr of a float: shortest round-trip digits, 1e+16 / 1e-05 style. */
static inline const char *rt_format_float(double x, char *buf) {
  if (isnan(x)) return "nan";
  if (isinf(x)) return x > 0 ? "inf" : "-inf";
  char e[40];
  for (int p = 1; p <= 17; p++) {
    snprintf(e, sizeof e, "%.*e", p - 1, x);
    if (strtod(e, NULL) == x) break;
  }
  char digits[24];
  int nd = 0, neg = e[0] == '-';
  const char *c = e + neg;
  for (; *c != 'e'; c++)
    if (*c != '.') digits[nd++] = *c;
  digits[nd] = 0;
  int exp = atoi(c + 1);
  char *o = buf + sprintf(buf, "%s", neg ? "-" : "");
  if (exp < -4 || exp >= 16) {
    o += sprintf(o, "%c", digits[0]);
    if (nd > 1) o += sprintf(o, ".%s", digits + 1);
    sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
  } else if (exp < 0) {
    sprintf(o, "0.%.*s%s", -exp - 1, "0000", digits);
  } else if (nd <= exp + 1) {
    sprintf(o, "%s%.*s.0", digits, exp + 1 - nd, "0000000000000000");
  } else {
    sprintf(o, "%.*s.%s", exp + 1, digits, digits + exp + 1);
  }
  return buf;
}

/* The printed form of a value (buf: at least 40 bytes; strings are returned as is). */
static inline const char *rt_format(RtVal v, char *buf) {
  switch (v.kind) {
  case RT_STR: return v.str;
  case RT_BOOL: return v.num ? "True" : "False";
  case RT_INT: snprintf(buf, 40, "%.0f", v.num); return buf;
  default: return rt_format_float(v.num, buf);
  }
}

#ifdef __clang__
#pragma clang diagnostic pop
#endif

#endif /* RT_RASP_VALUES */
