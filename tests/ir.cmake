# IR core: verifier, textual IR (print/parse), reference interpreter, builder type rules.
set(TFC_IR_UNIT_TESTS test_ir_text)
foreach(t ${TFC_IR_UNIT_TESTS})
  add_executable(${t} ${CMAKE_CURRENT_SOURCE_DIR}/unit/${t}.c)
  target_link_libraries(${t} PRIVATE tfccore)
  target_compile_options(${t} PRIVATE -Wall -Wextra -Werror -Wno-unused-function)
  add_test(NAME ir_${t} COMMAND ${t})
  set_tests_properties(ir_${t} PROPERTIES LABELS unit)
endforeach()
