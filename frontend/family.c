/*
 * family.c — what every family builder (gpt2.c, llama.c, bert.c) uses to
 * read its input: typed config keys with range checks, weight tensors with
 * exact shapes, and nodes that tolerate earlier errors.
 *
 * Config keys come from model.yaml's `config:` map or from config.json; both
 * are Doc trees, so one set of accessors serves both and every message points
 * at the value the user wrote ("config key 'n_head' must be a positive
 * integer").  Weights are looked up by their Hugging Face name, then with the
 * family's optional prefix ("transformer."); each tensor becomes one graph
 * constant that points at the file's data.
 */
#include "frontend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- config keys ---- */

/* The value of key (NULL when absent or null); marks the key as read. */
static const Doc *config_value(const FeConfig *cfg, const char *key) {
  for (int i = 0; cfg->map && i < cfg->map->n; i++) {
    if (strcmp(cfg->map->keys[i], key) != 0) continue;
    if (cfg->read) cfg->read[i] = true;
    const Doc *d = cfg->map->items[i];
    return d->kind != DOC_NULL ? d : NULL;
  }
  return NULL;
}

void fe_config_warn_unread(const FeConfig *cfg, const char *family) {
  for (int i = 0; cfg->read && i < cfg->map->n; i++)
    if (!cfg->read[i])
      diag_warning(cfg->map->key_locs[i], "unknown key '%s' (the %s family does not read it)",
                   cfg->map->keys[i], family);
}

bool fe_config_has(const FeConfig *cfg, const char *key) { return config_value(cfg, key) != NULL; }

static int missing(const FeConfig *cfg, const char *key) {
  diag_error(cfg->loc, "missing config key '%s'", key);
  return -1;
}

/* "a positive integer (at most 1024)", "an integer >= 0", "an integer in [2, 8]" */
static const char *int_range(char *buf, size_t n, int64_t min, int64_t max) {
  if (min == 1 && max == INT64_MAX) return "a positive integer";
  if (min == 1) snprintf(buf, n, "a positive integer (at most %lld)", (long long)max);
  else if (max == INT64_MAX) snprintf(buf, n, "an integer >= %lld", (long long)min);
  else snprintf(buf, n, "an integer in [%lld, %lld]", (long long)min, (long long)max);
  return buf;
}

int fe_config_int(const FeConfig *cfg, const char *key, int64_t def, int64_t min, int64_t max,
                  int64_t *out) {
  const Doc *d = config_value(cfg, key);
  if (!d) return def == FE_REQUIRED ? missing(cfg, key) : (*out = def, 0);
  char buf[96];
  if (d->kind != DOC_NUMBER || !d->is_integer || d->integer < min || d->integer > max) {
    diag_error(d->loc, "config key '%s' must be %s", key, int_range(buf, sizeof buf, min, max));
    return -1;
  }
  *out = d->integer;
  return 0;
}

int fe_config_float(const FeConfig *cfg, const char *key, double def, double min, double max,
                    double *out) {
  const Doc *d = config_value(cfg, key);
  if (!d) return def == FE_REQUIRED_F ? missing(cfg, key) : (*out = def, 0);
  if (d->kind != DOC_NUMBER || !(d->number >= min && d->number <= max)) {
    diag_error(d->loc, "config key '%s' must be a number in [%g, %g]", key, min, max);
    return -1;
  }
  *out = d->number;
  return 0;
}

int fe_config_string(const FeConfig *cfg, const char *key, const char *def, const char **out) {
  const Doc *d = config_value(cfg, key);
  if (!d) return !def ? missing(cfg, key) : (*out = def, 0);
  if (d->kind != DOC_STRING) {
    diag_error(d->loc, "config key '%s' must be a string, not %s", key, fe_doc_kind_name(d->kind));
    return -1;
  }
  *out = d->string;
  return 0;
}

int fe_config_bool(const FeConfig *cfg, const char *key, bool def, bool *out) {
  const Doc *d = config_value(cfg, key);
  if (!d) return *out = def, 0;
  if (d->kind != DOC_BOOL) {
    diag_error(d->loc, "config key '%s' must be true or false", key);
    return -1;
  }
  *out = d->boolean;
  return 0;
}

int fe_config_choice(const FeConfig *cfg, const char *key, const char *const *choices, int def,
                     int *out) {
  const char *s;
  if (fe_config_string(cfg, key, def >= 0 ? choices[def] : NULL, &s)) return -1;
  for (int i = 0; choices[i]; i++)
    if (strcmp(s, choices[i]) == 0) return *out = i, 0;
  Buf list = {0};
  for (int i = 0; choices[i]; i++) buf_printf(&list, "%s%s", i ? ", " : "", choices[i]);
  diag_error(config_value(cfg, key)->loc, "config key '%s' is '%s'; expected one of: %s", key, s,
             list.data);
  buf_free(&list);
  return -1;
}

/* ---- weights ---- */

/* "[64, 192]" */
static void shape_text(Buf *b, int rank, const int64_t *dim) {
  buf_puts(b, "[");
  for (int i = 0; i < rank; i++) buf_printf(b, "%s%lld", i ? ", " : "", (long long)dim[i]);
  buf_puts(b, "]");
}

static bool tensor_fits(const FeTensor *t, Shape shape) {
  if (t->rank != shape.rank) return false;
  for (int i = 0; i < t->rank; i++)
    if (t->dim[i] != shape.dim[i]) return false;
  return true;
}

/* "model.safetensors.index.json": a sharded checkpoint's index. */
static bool is_index(const char *path) {
  size_t n = strlen(path), k = strlen(".index.json");
  return n > k && strcmp(path + n - k, ".index.json") == 0;
}

/* Opens m->weights_path once; false (reported once) when it cannot be read. */
static bool open_weights(FeModel *m) {
  if (m->weights || m->weights_failed) return m->weights != NULL;
  struct stat st;
  const char *why = stat(m->weights_path, &st) ? strerror(errno)
                    : S_ISDIR(st.st_mode)      ? "it is a folder" : NULL;
  if (why)
    diag_error(m->weights_loc, "cannot read weights file '%s': %s", m->weights_path, why);
  else if (is_index(m->weights_path))
    m->weights = fe_safetensors_open_index(m->arena, m->weights_path);
  else
    m->weights = fe_safetensors_open(m->arena, m->weights_path);
  m->weights_failed = !m->weights;
  return m->weights != NULL;
}

/* The tensor called name, or prefix+name. */
static FeTensor *find(const FeModel *m, const char *name) {
  if (!m->weights) return NULL;
  FeTensor *t = fe_weights_find(m->weights, name);
  if (t || !m->prefix) return t;
  char *full = malloc(strlen(m->prefix) + strlen(name) + 1);
  if (!full) return NULL;
  strcpy(full, m->prefix);
  strcat(full, name);
  t = fe_weights_find(m->weights, full);
  free(full);
  return t;
}

static Value *not_found(const FeModel *m, const char *name) {
  Loc loc = diag_loc(m->weights ? m->weights->file : m->path, 0, 0);
  if (m->prefix)
    diag_error(loc, "tensor '%s' not found (nor '%s%s')", name, m->prefix, name);
  else
    diag_error(loc, "tensor '%s' not found", name);
  return NULL;
}

static Value *wrong_shape(const FeModel *m, const FeTensor *t, Shape shape) {
  Buf want = {0}, found = {0};
  shape_text(&want, shape.rank, shape.dim);
  shape_text(&found, t->rank, t->dim);
  diag_error(diag_loc(t->file, 0, 0), "tensor '%s': expected %s, found %s", t->name,
             want.data, found.data);
  buf_free(&want), buf_free(&found);
  return NULL;
}

/* The constant for t, made once (tied embeddings look it up twice). */
static Value *constant(FeModel *m, FeTensor *t, Shape shape) {
  if (t->value) return t->value;
  if (t->type == WT_OTHER) {
    diag_error(diag_loc(t->file, 0, 0), "tensor '%s' has dtype %s; tfc reads F32, F16 and BF16 "
               "(and in GGUF files Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K)",
               t->name, t->type_name);
    return NULL;
  }
  const float *data = fe_tensor_f32(m->arena, t);
  if (!data) return NULL;
  t->value = ir_const(m->g, t->name, DT_F32, shape, data, t->name, diag_loc(t->file, 0, 0));
  if (t->value) t->value->source_type = t->type_name;
  return t->value;
}

static Value *weight(FeModel *m, Shape shape, const char *name) {
  if (!open_weights(m)) return NULL;
  FeTensor *t = find(m, name);
  if (!t) return not_found(m, name);
  if (!tensor_fits(t, shape)) return wrong_shape(m, t, shape);
  return constant(m, t, shape);
}

Value *fe_weight(FeModel *m, Shape shape, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *name = NULL;
  Buf b = {0};
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  name = b.failed ? NULL : b.data;   /* out of memory: reported by the driver */
  Value *v = name ? weight(m, shape, name) : NULL;
  buf_free(&b);
  return v;
}

bool fe_weight_shape(FeModel *m, const char *name, Shape *shape) {
  FeTensor *t = open_weights(m) ? find(m, name) : NULL;
  if (!t || t->rank > IR_MAX_RANK) return false;
  shape->rank = t->rank;
  for (int i = 0; i < t->rank; i++) shape->dim[i] = t->dim[i];
  return true;
}

bool fe_has_weight(FeModel *m, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Buf b = {0};
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  bool found = b.data && !b.failed && open_weights(m) && find(m, b.data);
  buf_free(&b);
  return found;
}

/* ---- nodes ---- */

Value *fe_node(FeModel *m, Op op, const char *name, const Attrs *at, Value *a, Value *b,
               Value *c) {
  Value *in[3] = {a, b, c};
  int n = ir_op_info[op].arity >= 0 ? ir_op_info[op].arity : (c ? 3 : b ? 2 : a ? 1 : 0);
  for (int i = 0; i < n; i++)
    if (!in[i]) return NULL;   /* an earlier error, already reported */
  return ir_node(m->g, op, in, n, at, name, m->loc);
}

Value *fe_linear(FeModel *m, const char *name, Value *x, Value *w, Value *bias, int w_layout) {
  Attrs at = {.w_layout = w_layout};
  if (!x || !w) return NULL;
  Value *in[3] = {x, w, bias};
  return ir_node(m->g, OP_LINEAR, in, bias ? 3 : 2, &at, name, m->loc);
}

int fe_check_params(const FeModel *m, double count) {
  if (count <= (double)FE_MAX_PARAMS) return 0;
  diag_error(m->cfg.loc, "the model would have %.3g parameters (limit is %.3g)", count,
             (double)FE_MAX_PARAMS);
  return -1;
}

int fe_check_activation(const FeModel *m, int64_t max_seq, int64_t width) {
  if (max_seq * width < INT32_MAX) return 0;   /* both <= 2^20: no overflow */
  diag_error(m->cfg.loc, "%lld positions x width %lld is too large for one activation "
             "(limit is 2^31 elements)", (long long)max_seq, (long long)width);
  return -1;
}
