# IR core: builder type rules, verifier, textual IR (print/parse), reference interpreter.
# C unit tests in tests/unit/ link tfccore; the interpreter's reference values
# come from tests/unit/interp_ref.py (PyTorch), written into the build tree.
set(TFC_IR_UNIT_TESTS test_ir_text test_ir_verify test_ir_interp test_targets test_buf)
foreach(t ${TFC_IR_UNIT_TESTS})
  add_executable(${t} ${CMAKE_CURRENT_SOURCE_DIR}/unit/${t}.c)
  target_link_libraries(${t} PRIVATE tfccore)
  target_compile_options(${t} PRIVATE -Wall -Wextra -Werror -Wno-unused-function)
endforeach()

add_test(NAME ir_text COMMAND test_ir_text)
add_test(NAME ir_verify COMMAND test_ir_verify)
add_test(NAME ir_targets COMMAND test_targets)   # target/'s tables against the runtime
# ir/buf.c out of memory is a diagnostic, not an abort (a 2^62-byte request really
# fails; ASan is told to return NULL for it rather than stop the process).
file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/buf_work)
add_test(NAME ir_buf_oom COMMAND test_buf ${CMAKE_CURRENT_BINARY_DIR}/buf_work)
set_tests_properties(ir_buf_oom PROPERTIES LABELS unit
                     ENVIRONMENT "ASAN_OPTIONS=allocator_may_return_null=1")
set(TFC_IR_CASES ${CMAKE_CURRENT_BINARY_DIR}/ir_interp_cases)
add_test(NAME ir_interp_ref_cases
         COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/unit/interp_ref.py ${TFC_IR_CASES})
add_test(NAME ir_interp COMMAND test_ir_interp ${TFC_IR_CASES})
set_tests_properties(ir_interp_ref_cases PROPERTIES FIXTURES_SETUP ir_interp_cases LABELS unit)
set_tests_properties(ir_interp PROPERTIES FIXTURES_REQUIRED ir_interp_cases)
set_tests_properties(ir_text ir_verify ir_interp ir_targets PROPERTIES LABELS unit)

# The driver's model branch of --interpret (on a .tir graph, -O0 against -O2).
add_test(NAME ir_driver_interpret
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/driver_interpret.sh $<TARGET_FILE:tfc>
                 ${TFC_IR_CASES} ${CMAKE_CURRENT_BINARY_DIR}/ir_driver_work)
set_tests_properties(ir_driver_interpret PROPERTIES FIXTURES_REQUIRED ir_interp_cases LABELS unit)

# The parser's fuzz target (tests/unit/fuzz_ir_parse.c; build it with libFuzzer as its
# header says), replayed here on every .tir file in the tree: parse, print, re-parse.
add_executable(fuzz_ir_parse ${CMAKE_CURRENT_SOURCE_DIR}/unit/fuzz_ir_parse.c)
target_link_libraries(fuzz_ir_parse PRIVATE tfccore)
file(GLOB TFC_IR_TIR_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/ir/*/*.tir)
add_test(NAME ir_parse_replay COMMAND fuzz_ir_parse ${TFC_IR_TIR_FILES})
set_tests_properties(ir_parse_replay PROPERTIES LABELS unit)

# Real models' textual IR round-trips through the driver (GPT-2 example at -O0/-O2, RASP sort).
add_test(NAME ir_driver_roundtrip
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/driver_roundtrip.sh $<TARGET_FILE:tfc>
                 $<TARGET_FILE:tfc-make-weights> ${CMAKE_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/ir_roundtrip_work)
set_tests_properties(ir_driver_roundtrip PROPERTIES LABELS unit)

# The textual IR is the interface: for every family (GPT-2, Llama, llama2.c, BERT, a
# `family: graph` model.yaml, RASP), -O0..-O3 and the three SIMD targets, print -> parse ->
# print is byte-identical and print -> parse -> emit C gives the direct C, weights aside
# (tests/unit/ir_roundtrip.py).  Fails on the code before target/ (43 of 64 runs).
add_test(NAME ir_roundtrip_families
         COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/unit/ir_roundtrip.py --tfc $<TARGET_FILE:tfc>
                 --make-weights $<TARGET_FILE:tfc-make-weights> --src ${CMAKE_SOURCE_DIR}
                 --work ${CMAKE_CURRENT_BINARY_DIR}/ir_roundtrip_families)
set_tests_properties(ir_roundtrip_families PROPERTIES LABELS unit)
