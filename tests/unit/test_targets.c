/*
 * test_targets.c — target/'s tables agree with the runtime they describe:
 * every kernel row's file is a PIECE row and defines the row's function
 * (RT_API ... function( in the embedded runtime text); every file a piece
 * needs is a piece; every target that packs offers a PANELS row of its own
 * panel width (runtime/layout.h) and every row it offers is for an op its
 * ISA's CPU features cover; each nn op but reshape has a portable row; the
 * names the textual IR spells are the functions, unique.
 */
#include "check.h"
#include "codegen.h"   /* cg_embedded_file: the runtime text copied into model.c */
#include "target.h"

/* Does runtime/<file> define function (` function(`, or through an entry
 * macro: `RT_LINEAR_ENTRY(function,`)? */
static bool defines(const char *file, const char *function) {
  char path[256], call[128], entry[128];
  snprintf(path, sizeof path, "runtime/%s", file);
  snprintf(call, sizeof call, " %s(", function);
  snprintf(entry, sizeof entry, "_ENTRY(%s,", function);
  const char *text = cg_embedded_file(path);
  return text && (strstr(text, call) || strstr(text, entry));
}

static void test_kernel_rows(void) {
  const char *const *names = tg_kernel_names();
  for (KernelId k = KERNEL_NONE + 1; k < KERNEL_COUNT; k++) {
    const Kernel *row = tg_kernel(k);
    CHECK(row && tg_piece_needs(row->file) != NULL);
    CHECK(row && defines(row->file, row->function));
    CHECK(row && strcmp(names[k], row->function) == 0);
    for (KernelId j = KERNEL_NONE + 1; j < k; j++) CHECK(strcmp(names[j], names[k]) != 0);
    bool panels = row && (row->layout == KL_PANELS || row->layout == KL_ANY);
    CHECK(!row || row->isa == TARGET_GENERIC || panels == (row->nr != 0));
  }
  for (int op = 0; op < OP_COUNT; op++)
    if (ir_op_info[op].dialect == NN && op != OP_RESHAPE) CHECK(tg_portable((Op)op) != KERNEL_NONE);
}

/* Every file a kernel's file needs is a piece too (recursively, by one step
 * per row: each row is checked). */
static void test_pieces(void) {
  for (KernelId k = KERNEL_NONE + 1; k < KERNEL_COUNT; k++) {
    const char *needs = tg_piece_needs(tg_kernel(k)->file);
    for (const char *p = needs; p && *p;) {
      char file[128];
      size_t len = strcspn(p, " ");
      snprintf(file, sizeof file, "%.*s", (int)len, p);
      CHECK(tg_piece_needs(file) != NULL);
      char path[160];
      snprintf(path, sizeof path, "runtime/%s", file);
      CHECK(cg_embedded_file(path) != NULL);
      p += len + (p[len] == ' ');
    }
  }
}

static void test_targets(void) {
  for (int t = 0; t < TARGET_COUNT; t++) {
    const Target *rec = tg_target((TargetId)t);
    TargetId back;
    CHECK(tg_parse_target(rec->name, &back) == 0 && back == (TargetId)t);
    bool panels = false;
    for (const KernelId *id = rec->kernels; *id; id++) {
      const Kernel *row = tg_kernel(*id);
      panels |= row->layout == KL_PANELS && row->nr == rec->panel_nr;
      /* an offered row runs on this target: its ISA is this one, or one whose
       * features this one's include (AVX-512 machines run the AVX2 rows) */
      CHECK(row->isa == (TargetId)t || (t == TARGET_AVX512 && row->isa == TARGET_AVX2));
    }
    CHECK(panels == (rec->panel_nr != 0));
  }
  TargetId host = tg_host();
  CHECK(host != TARGET_HOST && host != TARGET_CUDA);
}

int main(void) {
  test_kernel_rows();
  test_pieces();
  test_targets();
  printf("targets: %d kernel rows, %d targets checked: %s\n", KERNEL_COUNT - 1, TARGET_COUNT,
         check_failures ? "FAIL" : "ok");
  return check_failures != 0;
}
