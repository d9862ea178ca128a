/*
 * frontend.h — readers that turn user input into a verified IR Graph.
 *
 *   model.yaml (libyaml)        yaml.c, model.c
 *   Hugging Face folder         hf_folder.c  (config.json + model.safetensors)
 *   safetensors                 safetensors.c (mmap'd, validated)
 *   families                    gpt2.c, llama.c, bert.c, graph_family.c
 *   llama2.c checkpoints        llama2c.c
 *   RASP programs               rasp/ (rasp.h)
 *
 * Every error is reported with diag_error at the place in the user's file and
 * the reader returns NULL; nothing here exits.
 */
#ifndef TFC_FRONTEND_H
#define TFC_FRONTEND_H

#include "ir.h"

/* Loads a model.yaml file or a Hugging Face model folder.  NULL after a diagnostic. */
Graph *fe_load_model(Arena *a, const char *path);

#endif
