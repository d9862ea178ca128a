/*
 * layout.h — the weight layout facts the SIMD kernels and the compiler share:
 * how wide a packed panel is for each ISA's linear kernels.  Pure facts (no
 * compiler types, no code): the kernels (x86/linear_avx2.c, ...) read these
 * macros, and target/target.c gives each target record its panel width from
 * them, so the panels prepack asks for and the panels a kernel streams are one
 * number.  The emitter copies this file into model.c before the kernels
 * (target/kernels.def: the linear kernels' files need it).
 *
 * A packed weight with N outputs and K inputs is stored as panels of NR output
 * columns: panel p holds columns n0 = p*NR .. n0+w-1, w = min(NR, N - n0), as K
 * rows of w floats ([k][j]), and starts at float n0*K.  Nothing is padded, so
 * the packed tensor is exactly N*K floats (runtime/pack.h packs it).
 */
#ifndef TFC_RT_LAYOUT_H
#define TFC_RT_LAYOUT_H

#define RT_AVX2_NR 16    /* x86/linear_avx2.c: two ymm of columns per tile and panel */
#define RT_AVX512_NR 32  /* x86/linear_avx512.c: two zmm */
#define RT_NEON_NR 16    /* neon/linear_neon.c: four q registers */

#endif
