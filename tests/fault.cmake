# Fault injection (docs/style.md, habit 15), label unit: for each tests/regress/*.fault
# case, tfc runs with TFC_FAIL_ALLOC_AT=1, 2, ... (tools/tfc.c's test hook makes
# that arena allocation fail) until a run no longer reaches the failure; every
# failing run must exit 1 with an "out of memory" diagnostic, no crash and no
# output file (tests/style/fault_loop.sh).  A case file holds its bug history in
# comments, then "input:" (models/... from tests/style/make_models.py, or
# src/... in the source tree), "args:" and optionally "stride: k" (try every
# kth allocation: cases that share the emitter and passes with oom-gpt2).
set(TFC_FAULT_LOOP ${CMAKE_CURRENT_SOURCE_DIR}/style/fault_loop.sh)
file(GLOB TFC_FAULT_CASES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/regress/*.fault)
foreach(case ${TFC_FAULT_CASES})
  get_filename_component(name ${case} NAME_WE)
  file(STRINGS ${case} input REGEX "^input: ")
  file(STRINGS ${case} args REGEX "^args: ")
  file(STRINGS ${case} stride REGEX "^stride: ")
  string(REGEX REPLACE "^stride: *" "" stride "${stride}")
  if(NOT stride)
    set(stride 1)
  endif()
  string(REGEX REPLACE "^input: " "" input "${input}")
  string(REGEX REPLACE "^args: *" "" args "${args}")
  string(REGEX REPLACE "^models/" "${CMAKE_CURRENT_BINARY_DIR}/style/models/" input "${input}")
  string(REGEX REPLACE "^src/" "${CMAKE_SOURCE_DIR}/" input "${input}")
  separate_arguments(args UNIX_COMMAND "${args}")
  add_test(NAME fault.${name}
           COMMAND sh ${TFC_FAULT_LOOP} $<TARGET_FILE:tfc> ${CMAKE_CURRENT_BINARY_DIR}/fault/${name}
                   ${input} ${args})
  set_tests_properties(fault.${name} PROPERTIES LABELS unit TIMEOUT 900
                       ENVIRONMENT TFC_FAULT_STRIDE=${stride})
  # Under the sanitizers a run is several times slower: the GPT-2 and RASP
  # cases try every 4th allocation there, the others run in the normal build only.
  if(TFC_SANITIZE)
    set_tests_properties(fault.${name} PROPERTIES ENVIRONMENT TFC_FAULT_STRIDE=4)
    if(NOT name MATCHES "gpt2|rasp-sort")
      set_tests_properties(fault.${name} PROPERTIES LABELS "unit;no_asan")
    endif()
  endif()
  if(input MATCHES "/style/models/")
    set_tests_properties(fault.${name} PROPERTIES FIXTURES_REQUIRED style_models)
  endif()
endforeach()
