# web.test_count: the WebAssembly Catch2 binary must list exactly as many test cases as the sources
# declare, and ctest must have registered that many, or discovery went wrong somewhere (a wrong
# emulator makes catch_discover_tests register zero tests without failing).
# cmake -DDECLARED=N -DDISCOVERED=N -DEMULATOR=node;flags -DBINARY=vae_tests.js -P test_count.cmake
execute_process(COMMAND ${EMULATOR} ${BINARY} --list-test-names-only
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE result)
string(REGEX MATCHALL "[^\n]+" names "${out}")
list(LENGTH names listed)
message("TEST_CASE( in the sources: ${DECLARED}; listed by ${BINARY} under node: ${listed} "
        "(exit ${result}); registered in ctest: ${DISCOVERED}")
if(NOT listed EQUAL DECLARED OR NOT DISCOVERED EQUAL DECLARED)
  message(FATAL_ERROR "test counts differ: ${err}")
endif()
