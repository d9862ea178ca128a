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
    un_fold.un un_fold.keeps_residual_norm fuse_linears.llama fold.misc cse.misc dce.misc
    plan_memory.gpt plan_memory.llama_O2 stats.gpt
    O1.gpt O2.gpt O3.gpt_untied O2.llama O2.post_ln O2.un O2.un_residual O2.misc)
foreach(case ${TFC_PASS_CASES})
  add_test(NAME passes.${case} COMMAND pass_check ${case})
  set_tests_properties(passes.${case} PROPERTIES LABELS "unit;differential")
endforeach()

# Pass tests in textual IR: tests/ir/<pass>/<case>.tir (STYLE habit 12); a new
# case is just a new file.  `tir_check FILE --update` prints the actual result.
add_executable(tir_check ${CMAKE_CURRENT_SOURCE_DIR}/passes/tir_check.c)
target_compile_options(tir_check PRIVATE ${TFC_WARNINGS})
target_link_libraries(tir_check PRIVATE tfccore)
file(GLOB TFC_TIR_CASES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/ir/*/*.tir)
foreach(tir ${TFC_TIR_CASES})
  get_filename_component(case ${tir} NAME_WE)
  get_filename_component(dir ${tir} DIRECTORY)
  get_filename_component(pass ${dir} NAME)
  add_test(NAME passes.tir.${pass}.${case} COMMAND tir_check ${tir})
  set_tests_properties(passes.tir.${pass}.${case} PROPERTIES LABELS "unit;differential")
endforeach()
