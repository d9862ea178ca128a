/*
 * codegen.h — emitters: self-contained C (emit_c*.c), RASP programs as C
 * (emit_rasp.c); LLVM IR and CUDA C where built.
 */
#ifndef TFC_CODEGEN_H
#define TFC_CODEGEN_H

#include "ir.h"

typedef enum { WEIGHTS_AUTO, WEIGHTS_EMBED, WEIGHTS_FILE } WeightsMode;

/* Weights up to this many bytes are embedded in model.c under WEIGHTS_AUTO. */
#define CG_EMBED_LIMIT (1u << 20)

typedef struct CgOptions {
  Target target;             /* resolved target (never TARGET_HOST) */
  WeightsMode weights;       /* --weights=embed|file (auto: by CG_EMBED_LIMIT) */
  bool with_main;            /* --main: add the command-line driver */
  int opt_level;             /* for the header comment */
  const char *header_name;   /* "model.h": what model.c includes */
  const char *weights_name;  /* "model.bin": default weights path when not embedded */
  const char *command_line;  /* the tfc invocation, for the header comment */
} CgOptions;

/* The text of an embedded runtime file ("runtime/generic/matmul.c"), or NULL. */
const char *cg_embedded_file(const char *path);

/* Emits model.c into c, model.h into h, and the weights blob into weights
 * (left empty when embedded).  Returns 0, or -1 after a diagnostic. */
int cg_emit_c(const Graph *g, const CgOptions *opt, Buf *c, Buf *h, Buf *weights);

/* Emits a RASP program as readable C (prog.c / prog.h).  Returns 0 or -1. */
int cg_emit_rasp(const Graph *g, const CgOptions *opt, Buf *c, Buf *h);

#endif
