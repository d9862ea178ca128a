# House rules as tests (docs/style.md, the habits), label unit.
#
#   style.symbols         habits 6 and 3: nm -g on the compiler libraries' objects, per folder
#                         prefix; each pass in passes.def defines only pass_<name>
#                         (tests/style/check_symbols.sh; known_violations.txt)
#   style.layering        the arrows of docs/architecture.md: every #include in the
#                         compiler is an allowed edge (tests/style/check_layering.sh)
#   style.pass_kind       habit 4: every passes/*.c states Kind: exact|lossy
#   style.no_exit         habit 9: no exit() in frontend ir passes codegen
#   style.op_names        habit 2: op names spelled only in ir/ops.def
#   style.function_lengths habit 16: median/max per file (tools/function_lengths.awk);
#                         fails on a non-dispatch function over 150 lines
#   style.generated.<m>   habits 7 and 22 for a GPT-2, a Llama, a BERT, a llama2.c
#                         checkpoint and a RASP program: two runs give identical
#                         bytes, the C compiles with -std=c11 -Wall -Wextra -Werror
#                         under gcc (and clang when installed), and the object
#                         exports only NAME_* (and main with --main)
#   style.regress.<case>  the same for each tests/regress/*.rasp program (bugs
#                         in generated C, each described in its file)
set(TFC_STYLE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/style)
set(TFC_STYLE_WORK ${CMAKE_CURRENT_BINARY_DIR}/style)

add_test(NAME style.symbols
         COMMAND sh ${TFC_STYLE_DIR}/check_symbols.sh ${CMAKE_BINARY_DIR}/CMakeFiles
                 ${CMAKE_SOURCE_DIR})
add_test(NAME style.layering COMMAND sh ${TFC_STYLE_DIR}/check_layering.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(style.layering PROPERTIES LABELS unit)
foreach(rule pass-kind no-exit op-names lengths)
  string(REPLACE "-" "_" name ${rule})
  if(rule STREQUAL "lengths")
    set(name function_lengths)
  endif()
  add_test(NAME style.${name} COMMAND sh ${TFC_STYLE_DIR}/check_rules.sh ${rule} ${CMAKE_SOURCE_DIR})
  set_tests_properties(style.${name} PROPERTIES LABELS unit)
endforeach()
set_tests_properties(style.symbols PROPERTIES LABELS unit)

# The tiny models (tests/style/make_models.py), shared with tests/fault.cmake.
add_test(NAME style.models
         COMMAND ${TFC_PYTHON} ${TFC_STYLE_DIR}/make_models.py ${TFC_STYLE_WORK}/models
                 $<TARGET_FILE:tfc-make-weights> ${CMAKE_SOURCE_DIR})
set_tests_properties(style.models PROPERTIES LABELS unit FIXTURES_SETUP style_models)

find_program(TFC_CLANG NAMES clang)
set(TFC_STYLE_CCS ${TFC_CC})
if(TFC_CLANG)
  list(APPEND TFC_STYLE_CCS ${TFC_CLANG})
endif()
set(TFC_STYLE_INPUTS gpt2 llama bert llama2c)
foreach(m ${TFC_STYLE_INPUTS} rasp)
  set(input ${TFC_STYLE_WORK}/models/${m}/model.yaml)
  if(m STREQUAL "rasp")
    set(input ${CMAKE_SOURCE_DIR}/examples/rasp/sort.rasp)
  endif()
  add_test(NAME style.generated.${m}
           COMMAND sh ${TFC_STYLE_DIR}/check_generated.sh $<TARGET_FILE:tfc> ${input}
                   ${TFC_STYLE_WORK}/generated_${m} ${TFC_STYLE_CCS})
  # no_asan: it checks tfc's output, which the sanitizers do not change
  set_tests_properties(style.generated.${m} PROPERTIES LABELS "unit;no_asan"
                       FIXTURES_REQUIRED style_models)
endforeach()

file(GLOB TFC_STYLE_REGRESS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/regress/*.rasp)
foreach(case ${TFC_STYLE_REGRESS})
  get_filename_component(name ${case} NAME_WE)
  add_test(NAME style.regress.${name}
           COMMAND sh ${TFC_STYLE_DIR}/check_generated.sh $<TARGET_FILE:tfc> ${case}
                   ${TFC_STYLE_WORK}/regress_${name} ${TFC_STYLE_CCS})
  set_tests_properties(style.regress.${name} PROPERTIES LABELS "unit;no_asan")
endforeach()
