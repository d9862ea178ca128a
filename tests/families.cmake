# Family tests (issue 3): Llama and BERT against plain-PyTorch references, the
# llama2.c checkpoints against their goldens, the tokenizer, bad checkpoints.
#
#   families.<case>          tests/families/check_model.py: a tiny random model
#                            (tests/ref/llama_ref.py, bert_ref.py) through tfc
#                            -O0 / -O2 (generated C, one call and --incremental,
#                            greedy --generate) and the interpreter; max abs
#                            error <= 1e-4 max|ref|
#   families.tokenizer       the llama2.c tokenizer against the README goldens
#   families.llama2c         stories260K / aidreams260K: goldens G1-G4 (ids and
#                            text) and the numeric anchor; skipped (exit 77, with
#                            a message) when ../shared/models/llama2c is absent
#   families.llama2c_bad     malformed checkpoints: exit 1, "FILE: error:", no output
#   families.bad_models      Llama/BERT configs and tensors with one defect each: exit 1
set(TFC_FAM_DIR ${CMAKE_CURRENT_SOURCE_DIR}/families)
set(TFC_FAM_WORK ${CMAKE_CURRENT_BINARY_DIR}/families)
set(TFC_FAM_MODELS ${TFC_SHARED}/models)

# case -> the modes it runs (one process per case: one PyTorch start, one reference).
set(TFC_FAM_CASES
    "llama_gqa_tied:O0,O2,interp" "llama_mha_untied_hf:O0,O2,interp"
    "llama2c_untied:O2,interp" "bert:O0,O2,interp" "bert_hf_prefix:interp")
foreach(entry ${TFC_FAM_CASES})
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 case)
  list(GET parts 1 modes)
  add_test(NAME families.${case}
           COMMAND ${TFC_PYTHON} ${TFC_FAM_DIR}/check_model.py --tfc $<TARGET_FILE:tfc>
                   --cc ${TFC_CC} --cflags "${TFC_TEST_CFLAGS}"
                   --work ${TFC_FAM_WORK}/${case} --case ${case} --modes ${modes})
  set_tests_properties(families.${case} PROPERTIES LABELS reference)
endforeach()

add_test(NAME families.tokenizer
         COMMAND sh -c "mkdir -p ${TFC_FAM_WORK} && ${TFC_CC} ${TFC_TEST_CFLAGS} ${TFC_FAM_DIR}/tokenizer_test.c -o ${TFC_FAM_WORK}/tokenizer_test && ${TFC_FAM_WORK}/tokenizer_test ${TFC_FAM_MODELS} ${TFC_FAM_WORK}")
set_tests_properties(families.tokenizer PROPERTIES LABELS unit SKIP_RETURN_CODE 77)

add_test(NAME families.llama2c
         COMMAND ${TFC_PYTHON} ${TFC_FAM_DIR}/check_llama2c.py --tfc $<TARGET_FILE:tfc>
                 --cc ${TFC_CC} --cflags "${TFC_TEST_CFLAGS}" --models ${TFC_FAM_MODELS}/llama2c
                 --work ${TFC_FAM_WORK}/llama2c --check goldens,anchor)
set_tests_properties(families.llama2c PROPERTIES LABELS reference SKIP_RETURN_CODE 77)

add_test(NAME families.llama2c_bad
         COMMAND ${TFC_PYTHON} ${TFC_FAM_DIR}/check_llama2c_bad.py --tfc $<TARGET_FILE:tfc>
                 --work ${TFC_FAM_WORK}/llama2c_bad)
set_tests_properties(families.llama2c_bad PROPERTIES LABELS corpus)

# The AVX2 decode attention (runtime/x86/attention_avx2.c) against the portable kernel.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  add_test(NAME families.attention_avx2
           COMMAND sh -c "mkdir -p ${TFC_FAM_WORK} && ${TFC_CC} ${TFC_TEST_CFLAGS} ${TFC_FAM_DIR}/attention_avx2_test.c -o ${TFC_FAM_WORK}/attention_avx2_test -lm && ${TFC_FAM_WORK}/attention_avx2_test")
  set_tests_properties(families.attention_avx2 PROPERTIES LABELS kernels SKIP_RETURN_CODE 77)
endif()

add_test(NAME families.bad_models
         COMMAND ${TFC_PYTHON} ${TFC_FAM_DIR}/check_family_bad.py --tfc $<TARGET_FILE:tfc>
                 --work ${TFC_FAM_WORK}/bad_models)
set_tests_properties(families.bad_models PROPERTIES LABELS corpus)
