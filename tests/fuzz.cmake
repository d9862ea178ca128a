# Fuzz targets, one per input parser (tests/fuzz/fuzz_target.c, docs/style.md habit 15).
#
#   fuzz.replay.<kind>   the normal build replays tests/fuzz/corpus/<kind>/ (seeds
#                        and every crashing input kept after its fix) and the
#                        tiny models of tests/style: each loads or fails with a
#                        diagnostic.  Kinds: yaml safetensors json llama2c rasp gguf
#                        (gguf seeds: tests/gguf/check_bad.py --write-seeds).
#
# cmake -DTFC_FUZZ=ON with CC=clang also builds fuzz_<kind> as libFuzzer targets
# (-fsanitize=fuzzer,address,undefined; the compiler library instrumented with
# fuzzer-no-link).  Run one as its header says.
option(TFC_FUZZ "Build libFuzzer targets for the parsers (needs clang)" OFF)
set(TFC_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(TFC_FUZZ_KINDS yaml safetensors json llama2c rasp gguf)

foreach(kind ${TFC_FUZZ_KINDS})
  add_executable(fuzz_replay_${kind} ${TFC_FUZZ_DIR}/fuzz_target.c)
  target_compile_definitions(fuzz_replay_${kind} PRIVATE TFC_FUZZ_KIND=${kind})
  target_compile_options(fuzz_replay_${kind} PRIVATE -Wall -Wextra -Werror)
  target_link_libraries(fuzz_replay_${kind} PRIVATE tfccore)
  file(GLOB corpus CONFIGURE_DEPENDS ${TFC_FUZZ_DIR}/corpus/${kind}/*)
  add_test(NAME fuzz.replay.${kind} COMMAND fuzz_replay_${kind} ${corpus})
  set_tests_properties(fuzz.replay.${kind} PROPERTIES LABELS unit FIXTURES_REQUIRED style_models
                       ENVIRONMENT "TFC_FUZZ_MODELS=${CMAKE_CURRENT_BINARY_DIR}/style/models;TMPDIR=${CMAKE_CURRENT_BINARY_DIR}")
endforeach()

if(TFC_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TFC_FUZZ needs clang (CC=clang cmake -DTFC_FUZZ=ON ...)")
  endif()
  set(TFC_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  # the generated sources (embedded tables, flex/bison output) are made for the compiler's
  # libraries; the fuzz build compiles all of them into one library with the fuzz flags
  set_source_files_properties(${TFC_GENERATED} PROPERTIES GENERATED TRUE)
  add_library(tfccore_fuzz STATIC ${TFC_SOURCES} ${TFC_GENERATED})
  add_dependencies(tfccore_fuzz tfcfrontend tfccodegen)
  target_include_directories(tfccore_fuzz PUBLIC ${CMAKE_SOURCE_DIR}/ir ${CMAKE_SOURCE_DIR}/frontend
                             ${CMAKE_SOURCE_DIR}/passes ${CMAKE_SOURCE_DIR}/codegen
                             $<TARGET_PROPERTY:tfccore,INTERFACE_INCLUDE_DIRECTORIES>)
  target_link_libraries(tfccore_fuzz PUBLIC ${YAML_LIBRARY} ${MATH_LIBRARY})
  target_compile_options(tfccore_fuzz PRIVATE ${TFC_FUZZ_FLAGS})
  foreach(kind ${TFC_FUZZ_KINDS})
    add_executable(fuzz_${kind} ${TFC_FUZZ_DIR}/fuzz_target.c)
    target_compile_definitions(fuzz_${kind} PRIVATE TFC_FUZZ_KIND=${kind} TFC_LIBFUZZER)
    target_compile_options(fuzz_${kind} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz_${kind} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_${kind} PRIVATE tfccore_fuzz)
    set_target_properties(fuzz_${kind} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  endforeach()
endif()
