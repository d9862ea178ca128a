# Issue 6: NAME_forward's output node writes straight into the caller's buffer.
# tests/codegen/check_caller_out.py on the tiny GPT-2 example, every target, -O0
# and -O2: no copy of the logits and no state buffer for them, the lm head
# writes to out, the plan marks them @out and matches an independent first-fit
# model of it, and the arena (IR, --stats, header comment) no longer holds them.
# The numbers themselves are the end-to-end tests' (one call and --incremental
# against PyTorch); tests/ir/plan_memory/*.tir hold the plan's small cases.
add_test(NAME regress.caller_out
         COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/codegen/check_caller_out.py
                 --tfc $<TARGET_FILE:tfc> --make-weights $<TARGET_FILE:tfc-make-weights>
                 --yaml ${CMAKE_SOURCE_DIR}/examples/tiny_gpt2/model.yaml
                 --work ${CMAKE_CURRENT_BINARY_DIR}/caller_out)
set_tests_properties(regress.caller_out PROPERTIES LABELS "regress;unit")
