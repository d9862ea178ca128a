/*
 * target.c — the kernel table (kernels.def, made into Kernel rows) and the
 * target records: the facts kernel selection, prepack, the C emitter and the
 * driver read instead of knowing targets themselves.
 *
 * A record lists the kernel rows the target offers, most preferred first:
 * select_kernels takes, for each node, the first row whose op, dtypes, weight
 * layout and fused work fit (passes/select_kernels.c says how).  AVX-512
 * machines also run the AVX2 attention and glue kernels (no gain from wider
 * vectors was measured on them yet), so the AVX-512 record offers those rows
 * too, and a model using them checks avx2 and fma at open as well.
 */
#include <string.h>

#include "target.h"
#include "../runtime/pack.h"   /* rt_pack_panels, the layout the kernels stream */

static const Kernel kernels[KERNEL_COUNT] = {
#define KERNEL(id, op, isa, dtypes, fuses, layout, nr, max_head, file, function) \
  [KERNEL_##id] = {#function, OP_##op, TARGET_##isa, dtypes, fuses, KL_##layout, nr, max_head, file},
#include "kernels.def"
#undef KERNEL
};

static const struct {
  const char *file;
  const char *needs;
} pieces[] = {
#define PIECE(file, needs) {file, needs},
#include "kernels.def"
#undef PIECE
};

/* ---- the targets ---- */

#define X86_GLUE \
  KERNEL_ATTENTION_AVX2, KERNEL_FLASH_ATTENTION_AVX2, KERNEL_GELU_TANH_AVX2, KERNEL_SILU_AVX2, \
      KERNEL_SWIGLU_AVX2, KERNEL_RMSNORM_AVX2

static const KernelId avx2_kernels[] = {
    KERNEL_LINEAR_EPILOGUE_AVX2, KERNEL_LINEAR_PACKED_AVX2, KERNEL_LINEAR_AVX2,
    KERNEL_LINEAR_KN_AVX2, X86_GLUE, KERNEL_NONE};
static const KernelId avx512_kernels[] = {
    KERNEL_LINEAR_PACKED_AVX512, KERNEL_LINEAR_AVX512, KERNEL_LINEAR_KN_AVX512, X86_GLUE,
    KERNEL_NONE};
static const KernelId neon_kernels[] = {
    KERNEL_LINEAR_PACKED_NEON, KERNEL_LINEAR_NEON, KERNEL_LINEAR_KN_NEON, KERNEL_NONE};
static const KernelId no_kernels[] = {KERNEL_NONE};

static const Target targets[TARGET_COUNT] = {
    [TARGET_HOST] = {"host", NULL, "", 0, 0, no_kernels},
    [TARGET_GENERIC] = {"generic", NULL, "", 0, 0, no_kernels},
    [TARGET_AVX2] = {"x86-64-avx2", "x86_64", "avx2 fma", 32, RT_AVX2_NR, avx2_kernels},
    [TARGET_AVX512] = {"x86-64-avx512", "x86_64", "avx512f", 64, RT_AVX512_NR, avx512_kernels},
    [TARGET_NEON] = {"aarch64-neon", "aarch64", "", 16, RT_NEON_NR, neon_kernels},
    [TARGET_CUDA] = {"cuda", NULL, "", 0, 0, no_kernels},
};

const Target *tg_target(TargetId t) {
  return t >= 0 && t < TARGET_COUNT ? &targets[t] : &targets[TARGET_GENERIC];
}

int tg_parse_target(const char *name, TargetId *t) {
  for (int i = 0; i < TARGET_COUNT; i++)
    if (strcmp(name, targets[i].name) == 0) return *t = (TargetId)i, 0;
  return -1;
}

/* ---- host detection ---- */

#if defined(__x86_64__)
#define TG_ARCH "x86_64"
#elif defined(__aarch64__)
#define TG_ARCH "aarch64"
#else
#define TG_ARCH "other"
#endif

/* Does this CPU have feature f?  (__builtin_cpu_supports takes only literals.) */
static bool cpu_has(const char *f, size_t len) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (len == 4 && !strncmp(f, "avx2", len)) return __builtin_cpu_supports("avx2");
  if (len == 3 && !strncmp(f, "fma", len)) return __builtin_cpu_supports("fma");
  if (len == 7 && !strncmp(f, "avx512f", len)) return __builtin_cpu_supports("avx512f");
#endif
  (void)f, (void)len;
  return false;
}

/* Can this machine run target t's kernels? */
static bool host_runs(const Target *t) {
  if (t->arch && strcmp(t->arch, TG_ARCH) != 0) return false;
  for (const char *f = t->features; *f;) {
    size_t len = strcspn(f, " ");
    if (!cpu_has(f, len)) return false;
    f += len + (f[len] == ' ');
  }
  return true;
}

TargetId tg_host(void) {
  static const TargetId preference[] = {TARGET_AVX512, TARGET_AVX2, TARGET_NEON};
  for (size_t i = 0; i < sizeof preference / sizeof *preference; i++)
    if (host_runs(&targets[preference[i]])) return preference[i];
  return TARGET_GENERIC;
}

/* ---- kernels ---- */

const Kernel *tg_kernel(KernelId k) {
  return k > KERNEL_NONE && k < KERNEL_COUNT ? &kernels[k] : NULL;
}

KernelId tg_portable(Op op) {
  for (int k = KERNEL_NONE + 1; k < KERNEL_COUNT; k++)
    if (kernels[k].op == op && kernels[k].isa == TARGET_GENERIC) return k;
  return KERNEL_NONE;
}

const char *tg_piece_needs(const char *file) {
  for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++)
    if (strcmp(pieces[i].file, file) == 0) return pieces[i].needs;
  return NULL;
}

const char *const *tg_kernel_names(void) {
  static const char *names[KERNEL_COUNT] = {
#define KERNEL(id, op, isa, dtypes, fuses, layout, nr, max_head, file, function) \
  [KERNEL_##id] = #function,
#include "kernels.def"
#undef KERNEL
  };
  return names;
}

void tg_pack_panels(const Value *v, int w_layout, int nr, float *out) {
  int64_t K = v->shape.dim[w_layout ? 0 : 1], N = v->shape.dim[w_layout ? 1 : 0];
  rt_pack_panels(v->data, w_layout, N, K, nr, out);
}
