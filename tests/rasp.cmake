# RASP (label: rasp): the language, its interpreter and its C, against the
# reference rows of ../shared/specs/rasp and plain-Python references.
#
#   rasp.shared.interp / .c   every row of programs.jsonl and edge_cases.jsonl
#                             through `tfc --interpret` / the generated C
#                             (tests/rasp/run_rows.py; floats at rel. 1e-9;
#                             null rows must fail cleanly)
#   rasp.own.interp / .c      13 programs of our own (tests/rasp/own_programs.py)
#                             on seeded random inputs, expected outputs from
#                             independent Python implementations
#   rasp.bad                  bad programs (tests/rasp/bad/, generated deep
#                             nesting, garbage): exit 1, FILE:LINE:COL: error:,
#                             the expected message, no output file
#   rasp.fuzz                 seeded mutants of all programs: exit 0 or 1, no crash
#   rasp.cli                  --chars, --output, determinism, the sort example
set(TFC_RASP_DIR ${CMAKE_CURRENT_SOURCE_DIR}/rasp)
set(TFC_RASP_WORK ${CMAKE_CURRENT_BINARY_DIR}/rasp)
set(TFC_RASP_SPECS ${TFC_SHARED}/specs/rasp)

foreach(path interp c)
  add_test(NAME rasp.shared.${path}
           COMMAND ${TFC_PYTHON} ${TFC_RASP_DIR}/run_rows.py --tfc $<TARGET_FILE:tfc> --path ${path}
                   --cc ${TFC_CC} --cflags "${TFC_TEST_CFLAGS}" --work ${TFC_RASP_WORK}/shared_${path}
                   ${TFC_RASP_SPECS}/programs.jsonl ${TFC_RASP_SPECS}/edge_cases.jsonl)
  add_test(NAME rasp.own.${path}
           COMMAND ${TFC_PYTHON} ${TFC_RASP_DIR}/run_rows.py --tfc $<TARGET_FILE:tfc> --path ${path}
                   --cc ${TFC_CC} --cflags "${TFC_TEST_CFLAGS}" --work ${TFC_RASP_WORK}/own_${path} --own)
  set_tests_properties(rasp.shared.${path} rasp.own.${path} PROPERTIES LABELS rasp)
endforeach()

add_test(NAME rasp.bad
         COMMAND ${TFC_PYTHON} ${TFC_RASP_DIR}/check_bad.py $<TARGET_FILE:tfc> ${TFC_RASP_DIR}/bad
                 ${TFC_RASP_WORK}/bad)
add_test(NAME rasp.fuzz
         COMMAND ${TFC_PYTHON} ${TFC_RASP_DIR}/fuzz.py $<TARGET_FILE:tfc> ${TFC_RASP_SPECS} ${TFC_RASP_DIR}
                 ${TFC_RASP_WORK}/fuzz 150)
add_test(NAME rasp.cli
         COMMAND sh ${TFC_RASP_DIR}/cli.sh $<TARGET_FILE:tfc> ${TFC_CC} "${TFC_TEST_CFLAGS}"
                 ${CMAKE_SOURCE_DIR} ${TFC_RASP_WORK}/cli)
set_tests_properties(rasp.bad rasp.fuzz rasp.cli PROPERTIES LABELS rasp)

# RASP graphs through the generic ir_interpret (token ids in, numbers out).
add_executable(rasp_ir_interp_test ${TFC_RASP_DIR}/ir_interp_test.c)
target_link_libraries(rasp_ir_interp_test PRIVATE tfccore)
target_compile_options(rasp_ir_interp_test PRIVATE -Wall -Wextra -Werror)
add_test(NAME rasp.ir_interpret COMMAND rasp_ir_interp_test ${CMAKE_SOURCE_DIR} ${TFC_RASP_SPECS})
set_tests_properties(rasp.ir_interpret PROPERTIES LABELS rasp)
