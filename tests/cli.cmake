# The driver's command line, label unit:
#   cli.options   the one table of options (tools/tfc.c options[]) against README.md's
#                 option table, and "not yet supported" (exit 2) for --target=cuda and
#                 --emit=llvm|cuda|obj (tests/cli/check_options.sh)
add_test(NAME cli.options
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_options.sh $<TARGET_FILE:tfc>
                 ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_CURRENT_BINARY_DIR}/cli_work)
set_tests_properties(cli.options PROPERTIES LABELS unit)
