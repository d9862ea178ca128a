/*
 * target.h — what the compiler knows of each target, as data (QBE's Target
 * struct, ops.def's one-row-per-entry habit): the runtime kernels
 * (kernels.def: op, ISA, dtypes, what each fuses, the weight layout it
 * reads, its file and function) and one Target record per --target= name
 * (CPU features NAME_open checks, vector width, panel width, the kernel rows
 * it offers).  Kernel selection, prepack, the C emitter and the driver's host
 * detection read these tables; the IR only carries kernel ids (Node.kernel).
 *
 * Adding a kernel is a KERNEL row (and its file, a PIECE row); adding a
 * target is a TargetId, a record in target.c and its kernels' rows
 * (docs/architecture.md walks through both).  Prefix: tg_.
 */
#ifndef TFC_TARGET_H
#define TFC_TARGET_H

#include "ir.h"

/* Code generation targets, one record each (target.c). */
typedef enum {
  TARGET_HOST,      /* whatever the machine running tfc supports (tg_host) */
  TARGET_GENERIC,   /* portable C */
  TARGET_AVX2,      /* x86-64 with AVX2 + FMA */
  TARGET_AVX512,    /* x86-64 with AVX-512F */
  TARGET_NEON,      /* aarch64 with NEON */
  TARGET_CUDA,      /* NVIDIA GPUs: no backend yet, emits portable C */
  TARGET_COUNT
} TargetId;

/* The operand types a kernel takes. */
typedef enum { KD_F32, KD_ANY } KernelDtypes;
/* What a kernel applies itself besides its op (kernels.def's fuses column). */
enum { FUSE_BIAS = 1, FUSE_GELU_TANH = 2, FUSE_SILU = 4, FUSE_RESIDUAL = 8 };
/* The weight layout a linear kernel reads. */
typedef enum { KL_NONE, KL_NK, KL_KN, KL_PANELS, KL_ANY } KernelLayout;

enum {
  KERNEL_NONE,   /* no row: the op's portable kernel */
#define KERNEL(id, op, isa, dtypes, fuses, layout, nr, max_head, file, function) KERNEL_##id,
#include "kernels.def"
#undef KERNEL
  KERNEL_COUNT
};

/* One row of kernels.def. */
typedef struct {
  const char *function;   /* what the generated C calls; also its textual IR name */
  Op op;
  TargetId isa;           /* the target whose CPU features it needs; GENERIC: portable */
  KernelDtypes dtypes;
  unsigned fuses;         /* FUSE_* */
  KernelLayout layout;    /* linears: the weight layout it reads */
  int nr;                 /* PANELS / ANY: panel width (runtime/layout.h) */
  int max_head;           /* attention: largest head_dim it is chosen for; 0: any */
  const char *file;       /* under runtime/ (a PIECE row) */
} Kernel;

/* One target. */
typedef struct {
  const char *name;         /* its --target= spelling */
  const char *arch;         /* the machine it needs ("x86_64", "aarch64"); NULL: any */
  const char *features;     /* CPU features its kernels need, space-separated ("avx2 fma"):
                             * NAME_open checks them when one of its kernels is copied */
  int vector_bytes;         /* SIMD register width; 0: none */
  int panel_nr;             /* prepack's panel width (its packed linear kernel's nr); 0: none */
  const KernelId *kernels;  /* the rows it offers, most preferred first; KERNEL_NONE ends */
} Target;

/* target.c */
const Target *tg_target(TargetId t);
int tg_parse_target(const char *name, TargetId *t);   /* 0, or -1: no such target */
TargetId tg_host(void);            /* the first target this machine runs: AVX-512, AVX2, NEON, generic */
const Kernel *tg_kernel(KernelId k);   /* NULL for KERNEL_NONE and unknown ids */
KernelId tg_portable(Op op);       /* the op's portable row; KERNEL_NONE: none (reshape) */
/* The files runtime/<file> needs copied before it (space-separated), or NULL
 * when file is no PIECE row. */
const char *tg_piece_needs(const char *file);
/* The kernel rows' names by id (KERNEL_COUNT entries, [0] NULL), for the
 * textual IR: a program that prints or parses IR with kernel ids first calls
 * ir_set_kernel_names(tg_kernel_names(), KERNEL_COUNT), as QBE's main sets T. */
const char *const *tg_kernel_names(void);
/* Writes v (an f32 [N,K] weight, or [K,N] when w_layout is 1) into out in
 * panels of nr output columns (runtime/pack.h: what the kernels stream). */
void tg_pack_panels(const Value *v, int w_layout, int nr, float *out);

#endif
