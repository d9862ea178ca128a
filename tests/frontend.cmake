# The model frontend (frontend/*.c, issue "The spine" items 3, 6, 7).
#
#   corpus.<case>        bad input (label corpus): every case exits 1 with
#                        FILE:LINE:COL: error: (or FILE: error:) and its message,
#                        and leaves no output file (tests/corpus/run_corpus.py).
#                        Text cases are tests/corpus/*.yaml and tests/corpus/*/
#                        (expectation on their first line / in `expect`); broken
#                        safetensors files are made at test time (CASES there).
#   ref.gpt2.<model>.<mode>  random GPT-2s in plain PyTorch (tests/ref/gpt2_models.py,
#                        one run as the fixture ref.gpt2.models) against: the
#                        frontend + interpreter alone (tests/ref/fe_run.c), tfc's
#                        --interpret and generated C at -O0 and -O2 (one call and
#                        --incremental), and --emit=yaml read back (a fixed point
#                        when written again): max abs error <= 1e-4 max |logit|.
set(TFC_CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus)
set(TFC_CORPUS_RUN ${TFC_PYTHON} ${TFC_CORPUS}/run_corpus.py $<TARGET_FILE:tfc>)

file(GLOB TFC_CORPUS_TEXT CONFIGURE_DEPENDS ${TFC_CORPUS}/*.yaml ${TFC_CORPUS}/*.tir ${TFC_CORPUS}/*/expect)
foreach(case ${TFC_CORPUS_TEXT})
  if(case MATCHES "/expect$")
    get_filename_component(case ${case} DIRECTORY)
  endif()
  get_filename_component(name ${case} NAME_WE)
  add_test(NAME corpus.${name} COMMAND ${TFC_CORPUS_RUN} text ${case})
  set_tests_properties(corpus.${name} PROPERTIES LABELS corpus)
endforeach()

file(STRINGS ${TFC_CORPUS}/run_corpus.py TFC_CORPUS_BINARY REGEX "^    \"[a-z_]+\": \\(lambda")
foreach(line ${TFC_CORPUS_BINARY})
  string(REGEX REPLACE "^    \"([a-z_]+)\".*" "\\1" name "${line}")
  add_test(NAME corpus.safetensors_${name} COMMAND ${TFC_CORPUS_RUN} binary ${name})
  set_tests_properties(corpus.safetensors_${name} PROPERTIES LABELS corpus)
endforeach()
foreach(kind folder missing emit_yaml_rasp)
  add_test(NAME corpus.input_${kind} COMMAND ${TFC_CORPUS_RUN} ${kind})
  set_tests_properties(corpus.input_${kind} PROPERTIES LABELS corpus)
endforeach()

set(TFC_REF ${CMAKE_CURRENT_SOURCE_DIR}/ref)
set(TFC_REF_WORK ${CMAKE_CURRENT_BINARY_DIR}/ref_gpt2)
add_executable(fe_run ${TFC_REF}/fe_run.c)
target_link_libraries(fe_run PRIVATE tfccore)
target_compile_options(fe_run PRIVATE -Wall -Wextra -Werror)
add_test(NAME ref.gpt2.models COMMAND ${TFC_PYTHON} ${TFC_REF}/gpt2_models.py ${TFC_REF_WORK}/models)
set_tests_properties(ref.gpt2.models PROPERTIES LABELS reference FIXTURES_SETUP ref_gpt2)
file(STRINGS ${TFC_REF}/gpt2_models.py TFC_REF_MODELS REGEX "^    \\(\"[a-z0-9_]+\",")
foreach(line ${TFC_REF_MODELS})
  string(REGEX REPLACE "^    \\(\"([a-z0-9_]+)\".*" "\\1" model "${line}")
  set(modes frontend interp-O0 interp-O2 c-O2 yaml-O0 yaml-O2)
  if(model MATCHES "^(a|c|f)_")   # -O0 C for three models only: compiling C is the slow part
    list(APPEND modes c-O0)
  endif()
  foreach(mode ${modes})
    add_test(NAME ref.gpt2.${model}.${mode}
             COMMAND ${TFC_PYTHON} ${TFC_REF}/check_gpt2.py --tfc $<TARGET_FILE:tfc> --cc ${TFC_CC}
                     --cflags "${TFC_TEST_CFLAGS}" --fe-run $<TARGET_FILE:fe_run> --model ${TFC_REF_WORK}/models/${model}
                     --work ${TFC_REF_WORK}/${model}.${mode} --mode ${mode})
    set_tests_properties(ref.gpt2.${model}.${mode} PROPERTIES LABELS reference
                         FIXTURES_REQUIRED ref_gpt2 SKIP_RETURN_CODE 77)
  endforeach()
endforeach()

# Unit tests of the frontend's pieces (tests/frontend/fe_unit.c); `oom` loads a
# reference model with the arena failing at each allocation in turn.
set(TFC_FE_WORK ${CMAKE_CURRENT_BINARY_DIR}/frontend_unit)
file(MAKE_DIRECTORY ${TFC_FE_WORK})
add_executable(fe_unit ${CMAKE_CURRENT_SOURCE_DIR}/frontend/fe_unit.c)
target_link_libraries(fe_unit PRIVATE tfccore)
target_compile_options(fe_unit PRIVATE -Wall -Wextra -Werror)
foreach(case json yaml halves)
  add_test(NAME frontend.${case} COMMAND fe_unit ${case} ${TFC_FE_WORK})
  set_tests_properties(frontend.${case} PROPERTIES LABELS unit)
endforeach()
foreach(model b_gelu_odd/model.yaml f_hf_folder/hf g_graph_family/model.yaml h_hf_sharded/hf)
  string(REGEX REPLACE "/.*" "" name ${model})
  add_test(NAME frontend.oom_${name} COMMAND fe_unit oom ${TFC_FE_WORK} ${TFC_REF_WORK}/models/${model})
  set_tests_properties(frontend.oom_${name} PROPERTIES LABELS unit FIXTURES_REQUIRED ref_gpt2)
endforeach()

# Mutation fuzzing of the parsers (tests/frontend/fe_fuzz.c): model.yaml (a gpt2
# and a family: graph one), the safetensors file and an HF config.json, each
# mutated a few hundred times from a reference model; each mutant loads or fails with a diagnostic (and, in the
# ASan build, without a memory error).
add_executable(fe_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/frontend/fe_fuzz.c)
target_link_libraries(fe_fuzz PRIVATE tfccore)
target_compile_options(fe_fuzz PRIVATE -Wall -Wextra -Werror)
foreach(case yaml:b_gelu_odd safetensors:b_gelu_odd json:f_hf_folder yaml:g_graph_family)
  string(REPLACE ":" ";" parts ${case})
  list(GET parts 0 kind)
  list(GET parts 1 model)
  add_test(NAME frontend.fuzz_${kind}_${model}
           COMMAND fe_fuzz ${kind} ${TFC_REF_WORK}/models/${model}
                   ${TFC_FE_WORK}/fuzz_${kind}_${model} 400 1)
  set_tests_properties(frontend.fuzz_${kind}_${model} PROPERTIES LABELS unit
                       FIXTURES_REQUIRED ref_gpt2)
endforeach()
