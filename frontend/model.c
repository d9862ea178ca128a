/*
 * model.c — fe_load_model: a model.yaml file or a Hugging Face folder in,
 * a verified Graph out.
 *
 *   model.yaml:  tfc: 1, name, family, config, weights[, weights_format]
 *   HF folder:   config.json (model_type gpt2 | llama | bert) + model.safetensors
 *                (or model.safetensors.index.json and its shards);
 *                the graph is named after the folder, made a C identifier.
 *   FILE.gguf:   llama.cpp's format (by the extension, or GGUF's magic); its
 *                metadata gives the family and config (gguf_model.c); the graph
 *                is named after the file.
 *
 * This file checks the top level (unknown keys are errors that list the
 * allowed ones), opens the weights and hands an FeModel to the family's
 * builder; the builders read the config and tensors through family.c.
 */
#include "frontend.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*BuildFn)(FeModel *m);

typedef struct {
  const char *name;   /* as written in model.yaml / config.json; the graph's family label */
  BuildFn build;      /* fills m->g */
} FamilyEntry;

static const FamilyEntry families[] = {
    {"gpt2", fe_build_gpt2},
    {"llama", fe_build_llama},
    {"bert", fe_build_bert},
    {"graph", fe_build_graph},
};
#define N_FAMILIES ((int)(sizeof families / sizeof families[0]))

static const char *const top_keys[] = {"tfc", "name", "family", "config", "weights",
                                       "weights_format", "nodes", "output", NULL};

/* A C11 keyword: valid as an identifier by its letters, but not as a name. */
static bool is_keyword(const char *s) {
  static const char *const words[] = {
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
      "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
      "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
      "union", "unsigned", "void", "volatile", "while", "main", NULL};
  for (int i = 0; words[i]; i++)
    if (strcmp(s, words[i]) == 0) return true;
  return s[0] == '_' && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z'));   /* reserved */
}

static bool is_ident_char(char c) {
  return c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* A C identifier usable as the prefix of generated symbols. */
static bool is_identifier(const char *s) {
  if (!*s || (*s >= '0' && *s <= '9') || strlen(s) > 64 || is_keyword(s)) return false;
  for (; *s; s++)
    if (!is_ident_char(*s)) return false;
  return true;
}

static const FamilyEntry *find_family(const char *name) {
  for (int i = 0; i < N_FAMILIES; i++)
    if (strcmp(families[i].name, name) == 0) return &families[i];
  return NULL;
}

/* dir of path + "/" + rel, unless rel is absolute. */
static const char *relative_to(Arena *a, const char *path, const char *rel) {
  const char *slash = strrchr(path, '/');
  if (rel[0] == '/' || !slash) return arena_strdup(a, rel);
  return arena_printf(a, "%.*s/%s", (int)(slash - path), path, rel);
}

/* ---- model.yaml ---- */

/* A required top-level key of the given kind; NULL after a diagnostic. */
static const Doc *top_key(const Doc *doc, const char *key, DocKind kind) {
  const Doc *d = fe_doc_get(doc, key);
  if (!d) return diag_error(doc->loc, "missing key '%s'", key), NULL;
  if (d->kind != kind)
    return diag_error(d->loc, "'%s' must be %s, not %s", key, fe_doc_kind_name(kind),
                      fe_doc_kind_name(d->kind)), NULL;
  return d;
}

static bool check_top_keys(const Doc *doc) {
  for (int i = 0; i < doc->n; i++) {
    bool known = false;
    for (int k = 0; top_keys[k] && !known; k++) known = strcmp(doc->keys[i], top_keys[k]) == 0;
    if (!known) {
      diag_error(doc->key_locs[i], "unknown key '%s' (allowed: tfc, name, family, config, "
                 "weights, weights_format; nodes and output with family: graph)", doc->keys[i]);
      return false;
    }
  }
  return true;
}

static bool check_version(const Doc *doc) {
  const Doc *v = top_key(doc, "tfc", DOC_NUMBER);
  if (v && (!v->is_integer || v->integer != 1))
    return diag_error(v->loc, "unsupported model description version %g (this tfc reads 'tfc: 1')",
                      v->number), false;
  return v != NULL;
}

/* name: a C identifier, the prefix of every generated symbol. */
static const char *read_name(const Doc *doc) {
  const Doc *n = top_key(doc, "name", DOC_STRING);
  if (n && !is_identifier(n->string))
    return diag_error(n->loc, "name '%s' is not a C identifier (letters, digits and '_', "
                      "not starting with a digit, at most 64 characters, not a C keyword)",
                      n->string), NULL;
  return n ? n->string : NULL;
}

static const FamilyEntry *read_family(const Doc *doc) {
  const Doc *f = top_key(doc, "family", DOC_STRING);
  if (!f) return NULL;
  const FamilyEntry *e = find_family(f->string);
  if (!e)
    diag_error(f->loc, "unknown family '%s' (expected gpt2, llama, bert or graph)", f->string);
  return e;
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* weights_format: safetensors | llama2c | gguf; absent: gguf for a weights
 * file named *.gguf, else safetensors.  *reader: the builder that reads its
 * own format (NULL: the family's builder through safetensors). */
static int read_format(const Doc *doc, BuildFn *reader) {
  static const struct { const char *name; BuildFn reader; } formats[] = {
      {"safetensors", NULL}, {"llama2c", fe_build_llama2c}, {"gguf", fe_build_gguf}};
  const Doc *f = fe_doc_get(doc, "weights_format"), *w = fe_doc_get(doc, "weights");
  *reader = !f && w && w->kind == DOC_STRING && has_suffix(w->string, ".gguf") ? fe_build_gguf
                                                                               : NULL;
  if (!f) return 0;
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (f->kind == DOC_STRING && strcmp(f->string, formats[i].name) == 0)
      return *reader = formats[i].reader, 0;
  diag_error(f->loc, "'weights_format' must be safetensors, llama2c or gguf");
  return -1;
}

/* nodes: and output: describe a family: graph model and nothing else. */
static bool graph_keys_fit(const Doc *doc, const FamilyEntry *family) {
  for (int i = 0; i < doc->n; i++)
    if (family->build != fe_build_graph &&
        (!strcmp(doc->keys[i], "nodes") || !strcmp(doc->keys[i], "output")))
      return diag_error(doc->key_locs[i], "'%s' is read only with family: graph", doc->keys[i]),
             false;
  return true;
}

/* Fills m from a model.yaml; returns the family, or NULL after a diagnostic. */
static const FamilyEntry *read_yaml(FeModel *m, const char **name, BuildFn *reader) {
  const Doc *doc = fe_yaml_load(m->arena, m->path);
  if (!doc) return NULL;
  if (doc->kind != DOC_OBJECT)
    return diag_error(doc->loc, "expected a mapping with keys tfc, name, family, config and "
                      "weights"), NULL;
  if (!check_top_keys(doc) || !check_version(doc) || !(*name = read_name(doc))) return NULL;
  const FamilyEntry *family = read_family(doc);
  if (!family || read_format(doc, reader) || !graph_keys_fit(doc, family)) return NULL;
  bool need_cfg = !*reader || fe_doc_get(doc, "config");  /* llama2c, gguf: the file has it */
  const Doc *cfg = need_cfg ? top_key(doc, "config", DOC_OBJECT) : NULL;
  const Doc *w = cfg || !need_cfg ? top_key(doc, "weights", DOC_STRING) : NULL;
  if (!w) return NULL;
  bool *read = cfg ? arena_alloc(m->arena, sizeof(bool) * (size_t)(cfg->n + 1)) : NULL;
  if (cfg && !read) return NULL;
  m->cfg = (FeConfig){cfg, cfg ? cfg->loc : doc->loc, read};
  m->doc = doc;
  m->weights_path = relative_to(m->arena, m->path, w->string);
  m->weights_loc = w->loc;
  return m->weights_path ? family : NULL;
}

/* ---- Hugging Face folders ---- */

/* "models/gpt2-small/" -> "gpt2_small": the folder's last name as a C identifier. */
static const char *folder_name(Arena *a, const char *path) {
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') n--;
  size_t start = n;
  while (start > 0 && path[start - 1] != '/') start--;
  if (n - start > 60) n = start + 60;
  bool digit = path[start] >= '0' && path[start] <= '9';
  char *s = arena_printf(a, "%s%.*s", digit ? "_" : "", (int)(n - start), path + start);
  if (!s) return NULL;
  for (char *p = s; *p; p++)
    if (!is_ident_char(*p)) *p = '_';
  return is_identifier(s) && strspn(s, "_") < strlen(s) ? s : "model";
}

static const FamilyEntry *read_folder(FeModel *m, const char **name) {
  size_t n = strlen(m->path);
  while (n > 1 && m->path[n - 1] == '/') n--;   /* "hf/" -> "hf/config.json" */
  const char *json = arena_printf(m->arena, "%.*s/config.json", (int)n, m->path);
  Buf text = {0};
  if (!json || buf_read_file(&text, json)) {
    diag_error(diag_loc(m->path, 0, 0), "not a model folder: cannot read config.json: %s",
               errno == ENOMEM ? "out of memory" : strerror(errno));
    return buf_free(&text), NULL;
  }
  const Doc *cfg = fe_json_parse(m->arena, text.data, text.len, json, true, NULL);
  buf_free(&text);
  if (!cfg) return NULL;
  if (cfg->kind != DOC_OBJECT) return diag_error(cfg->loc, "expected a JSON object"), NULL;
  m->cfg = (FeConfig){cfg, cfg->loc, NULL};   /* config.json holds much that no family reads */
  int type;
  static const char *const types[] = {"gpt2", "llama", "bert", NULL};
  if (fe_config_choice(&m->cfg, "model_type", types, -1, &type)) return NULL;
  const FamilyEntry *family = find_family(types[type]);
  m->weights_path = arena_printf(m->arena, "%.*s/model.safetensors", (int)n, m->path);
  const char *index = arena_printf(m->arena, "%s.index.json", m->weights_path);
  if (m->weights_path && index && access(m->weights_path, F_OK) && !access(index, F_OK))
    m->weights_path = index;   /* a sharded checkpoint */
  m->weights_loc = diag_loc(m->path, 0, 0);
  *name = folder_name(m->arena, m->path);
  return m->weights_path && *name ? family : NULL;
}

/* ---- GGUF files ---- */

/* A regular file that starts with GGUF's magic (whatever its name). */
static bool has_gguf_magic(const char *path) {
  char magic[4] = {0};
  FILE *f = fopen(path, "rb");
  bool yes = f && fread(magic, 1, 4, f) == 4 && !memcmp(magic, "GGUF", 4);
  if (f) fclose(f);
  return yes;
}

/* "dir/SmolLM2-135M.Q4_1.gguf" -> "SmolLM2_135M_Q4_1". */
static const char *file_name(Arena *a, const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = arena_strdup(a, slash ? slash + 1 : path);
  size_t n = base ? strlen(base) - (has_suffix(base, ".gguf") ? 5 : 0) : 0;
  char *stem = base ? arena_printf(a, "%.*s", (int)n, base) : NULL;
  return stem ? folder_name(a, stem) : NULL;
}

/* A .gguf given as the input: the family from general.architecture. */
static const FamilyEntry *read_gguf(FeModel *m, const char **name) {
  const char *arch;
  m->gguf = fe_gguf_open(m->arena, m->path);
  if (!m->gguf || fe_gguf_string(m->gguf, "general.architecture", NULL, &arch)) return NULL;
  const FamilyEntry *family = strcmp(arch, "graph") ? find_family(arch) : NULL;
  if (!family || !strcmp(family->name, "bert")) {
    diag_error(m->loc, "general.architecture '%s' is not supported (tfc reads llama and gpt2) at "
               "byte %zu", arch, fe_gguf_get(m->gguf, "general.architecture")->offset);
    return NULL;
  }
  m->weights_path = m->path;
  m->weights_loc = m->loc;
  *name = file_name(m->arena, m->path);
  return *name ? family : NULL;
}

/* ---- loading ---- */

static int build(FeModel *m, const FamilyEntry *family, const char *name, BuildFn reader) {
  int errors = diag_error_count();
  m->g = ir_graph_new(m->arena, name, NN);
  if (m->g) m->g->family = family->name;
  int rc = !m->g ? -1 : reader ? reader(m) : family->build(m);
  if (diag_error_count() != errors) rc = -1;   /* e.g. a missing bias read as "no bias" */
  if (rc == 0 && ir_verify(m->g, "the frontend")) rc = -1;
  if (rc && diag_error_count() == errors) diag_error(diag_loc(m->path, 0, 0), "out of memory");
  return rc;
}

/* Checks the tokenizer found beside the model against the model's
 * vocabulary.  0, or -1 after a diagnostic. */
static int attach_tokenizer(Graph *g) {
  const Tokenizer *t = g->tokenizer;
  if (!t) return 0;
  if (g->vocab_size > 0 && t->n_tokens > g->vocab_size) {
    diag_error(diag_loc(t->source, 0, 0), "the tokenizer has %d tokens, more than the model's %lld",
               t->n_tokens, (long long)g->vocab_size);
    return -1;
  }
  return 0;
}

Graph *fe_load_model(Arena *a, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    diag_error(diag_loc(path, 0, 0), "cannot read: %s", strerror(errno));
    return NULL;
  }
  FeModel m = {.arena = a, .path = path, .loc = diag_loc(path, 0, 0)};
  const char *name = NULL;
  BuildFn reader = NULL;
  int errors = diag_error_count();
  bool gguf = !S_ISDIR(st.st_mode) && (has_suffix(path, ".gguf") || has_gguf_magic(path));
  if (gguf) reader = fe_build_gguf;
  const FamilyEntry *family = S_ISDIR(st.st_mode) ? read_folder(&m, &name)
                              : gguf              ? read_gguf(&m, &name)
                                                  : read_yaml(&m, &name, &reader);
  if (!family) {
    if (diag_error_count() == errors) diag_error(diag_loc(path, 0, 0), "out of memory");
    return NULL;
  }
  Tokenizer *tok = NULL;   /* read before the weights: its errors need no weights */
  if (S_ISDIR(st.st_mode) && fe_tokenizer_folder(a, path, &tok)) return NULL;
  if (build(&m, family, name, reader)) return NULL;
  fe_config_warn_unread(&m.cfg, family->name);   /* after a clean build: every read happened */
  if (!tok && m.gguf && fe_tokenizer_gguf(a, m.gguf, &tok)) return NULL;   /* a GGUF's vocabulary */
  m.g->source = path;
  m.g->tokenizer = tok;
  return attach_tokenizer(m.g) ? NULL : m.g;
}
