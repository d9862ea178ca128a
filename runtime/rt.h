/*
 * rt.h — the runtime's shared declarations.  Runtime files are copied into the
 * generated C by the emitter (they are embedded in tfc at build time), so each
 * kernel file must be self-contained C11 that compiles inside model.c.
 */
#ifndef TFC_RT_H
#define TFC_RT_H
#include <stdint.h>
#endif
