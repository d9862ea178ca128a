# The passes, checked by the reference interpreter (tests/passes/pass_check.c):
# every exact pass on small random models, the graphs each pass must refuse,
# the memory plan's invariants, --stats against hand-written formulas, and the
# -O pipelines.  `pass_check` with no argument lists the cases.
add_executable(pass_check ${CMAKE_CURRENT_SOURCE_DIR}/passes/pass_check.c
                          ${CMAKE_CURRENT_SOURCE_DIR}/passes/build_models.c)
target_compile_options(pass_check PRIVATE ${TFC_WARNINGS})
target_link_libraries(pass_check PRIVATE tfccore)

set(TFC_PASS_CASES
    ln_to_rmsnorm.gpt ln_to_rmsnorm.gpt_untied ln_to_rmsnorm.refuses_post_ln
    ln_to_rmsnorm.refuses_sandwich ln_to_rmsnorm.refuses_no_final_ln ln_to_rmsnorm.refuses_exposed
    crmsnorm.gpt crmsnorm.gpt_untied crmsnorm.refuses_post_ln crmsnorm.pipeline
    un_fold.un un_fold.keeps_residual_norm fuse_linears.llama fuse_swiglu.llama fuse_epilogue.gpt fuse_epilogue.llama fold.misc cse.misc dce.misc
    plan_memory.gpt plan_memory.llama_O2 stats.gpt stats.misc_planned
    O1.gpt O2.gpt O3.gpt_untied O2.llama O2.post_ln O2.un O2.un_residual O2.misc)
foreach(case ${TFC_PASS_CASES})
  add_test(NAME passes.${case} COMMAND pass_check ${case})
  set_tests_properties(passes.${case} PROPERTIES LABELS "unit;differential")
endforeach()

# Pass tests in textual IR: tests/ir/<pass>/<case>.tir (docs/style.md, habit 12); a new
# case is just a new file.  `tir_check FILE --update` prints the actual result.
# Each case is checked at the strength its passes declare in passes.def; when a
# COMPILED pass ran, tir_check also compiles and runs the C of the file at -O0 and
# with its args.  Where this machine cannot run the case's target (avx2_ok,
# avx512_ok and the aarch64 tools come from kernels.cmake, included before this
# file), the test says why and is reported skipped (77), never passed.
if(NOT DEFINED avx512_ok)
  message(FATAL_ERROR "tests/passes.cmake needs kernels.cmake's avx2_ok/avx512_ok")
endif()
add_executable(tir_check ${CMAKE_CURRENT_SOURCE_DIR}/passes/tir_check.c)
target_compile_options(tir_check PRIVATE ${TFC_WARNINGS})
target_link_libraries(tir_check PRIVATE tfccore)
file(GLOB TFC_TIR_CASES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/ir/*/*.tir)
foreach(tir ${TFC_TIR_CASES})
  get_filename_component(case ${tir} NAME_WE)
  get_filename_component(dir ${tir} DIRECTORY)
  get_filename_component(pass ${dir} NAME)
  file(STRINGS ${tir} tir_args REGEX "^# args:")
  set(run --tfc $<TARGET_FILE:tfc> --cc ${TFC_CC} --cflags "${TFC_TEST_CFLAGS}"
          --work ${CMAKE_CURRENT_BINARY_DIR}/tir_work/${pass}.${case})
  if(tir_args MATCHES "aarch64-neon")
    if(TFC_AARCH64_CC AND TFC_QEMU_AARCH64)
      set(run --tfc $<TARGET_FILE:tfc> --cc ${CMAKE_CURRENT_SOURCE_DIR}/kernels/cc_aarch64.sh
              --cflags "-std=c11 -Wall -Wextra -Werror -O2"
              --work ${CMAKE_CURRENT_BINARY_DIR}/tir_work/${pass}.${case})
    else()
      set(run --cannot-run "needs aarch64-linux-gnu-gcc and qemu-aarch64 (scripts/install-deps)")
    endif()
  elseif((tir_args MATCHES "x86-64-avx512" AND NOT avx512_ok) OR
         (tir_args MATCHES "x86-64-avx2" AND NOT avx2_ok))
    set(run --cannot-run "this CPU cannot run the case's target")
  endif()
  add_test(NAME passes.tir.${pass}.${case} COMMAND tir_check ${tir} ${run})
  set_tests_properties(passes.tir.${pass}.${case} PROPERTIES LABELS "unit;differential"
                       SKIP_RETURN_CODE 77)
endforeach()

# Every pass of passes.def alone, and -O1..-O3, on real frontends' graphs of
# each family (GPT-2, Llama, llama2.c, BERT): tfc --interpret against -O0,
# within 1e-5 relative (tests/passes/check_family.py).
set(TFC_PASS_GPT2 ${CMAKE_CURRENT_BINARY_DIR}/ref_gpt2/models)
foreach(model a_gelu_new d_bf16_relu_prefix)
  add_test(NAME passes.family.gpt2_${model}
           COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/passes/check_family.py --tfc $<TARGET_FILE:tfc>
                   --work ${CMAKE_CURRENT_BINARY_DIR}/passes_family/${model} --gpt2 ${TFC_PASS_GPT2}/${model})
  set_tests_properties(passes.family.gpt2_${model} PROPERTIES LABELS differential FIXTURES_REQUIRED ref_gpt2)
endforeach()
foreach(case llama_gqa_tied llama2c_untied bert)
  add_test(NAME passes.family.${case}
           COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/passes/check_family.py --tfc $<TARGET_FILE:tfc>
                   --work ${CMAKE_CURRENT_BINARY_DIR}/passes_family/${case} --case ${case})
  set_tests_properties(passes.family.${case} PROPERTIES LABELS differential)
endforeach()

# Generated C at -O1 and -O3 against PyTorch (the -O0 and -O2 runs are the
# frontend's and families' tests), with the same scripts and tolerance (1e-4).
foreach(mode c-O1 c-O3)
  add_test(NAME passes.ref.gpt2_a_gelu_new.${mode}
           COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/ref/check_gpt2.py --tfc $<TARGET_FILE:tfc>
                   --cc ${TFC_CC} --cflags "${TFC_TEST_CFLAGS}" --model ${TFC_PASS_GPT2}/a_gelu_new
                   --work ${CMAKE_CURRENT_BINARY_DIR}/passes_ref/gpt2.${mode} --mode ${mode})
  set_tests_properties(passes.ref.gpt2_a_gelu_new.${mode} PROPERTIES LABELS reference
                       FIXTURES_REQUIRED ref_gpt2 SKIP_RETURN_CODE 77)
endforeach()
foreach(case llama_gqa_tied bert)
  foreach(mode O1 O3)
    add_test(NAME passes.ref.${case}.${mode}
             COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/families/check_model.py --tfc $<TARGET_FILE:tfc>
                     --cc ${TFC_CC} --cflags "${TFC_TEST_CFLAGS}"
                     --work ${CMAKE_CURRENT_BINARY_DIR}/passes_ref/${case}.${mode} --case ${case} --mode ${mode})
    set_tests_properties(passes.ref.${case}.${mode} PROPERTIES LABELS reference)
  endforeach()
endforeach()

# The pass manager's command line: --passes (unknown names), --print-after,
# --remarks, --stats, --help (tests/passes/check_cli.sh).
add_test(NAME passes.cli
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/passes/check_cli.sh $<TARGET_FILE:tfc>
                 ${TFC_PASS_GPT2}/a_gelu_new ${CMAKE_CURRENT_BINARY_DIR}/passes_cli)
set_tests_properties(passes.cli PROPERTIES LABELS unit FIXTURES_REQUIRED ref_gpt2)
