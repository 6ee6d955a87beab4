# WebAssembly-only targets (the Catch2 suite and the parity tests are in tests/CMakeLists.txt).

# vae-bench under node: node --no-experimental-fetch build-web/vae-bench.js prints training
# samples/s and decoded images/s of the core as WebAssembly (one thread: no OpenMP here).
# CLI11 throws on bad flags, so this program (not the core) is built with exceptions.
add_executable(vae-bench tools/vae_bench.cpp tools/cli_common.cpp)
target_link_libraries(vae-bench PRIVATE vae_core)
target_include_directories(vae-bench PRIVATE tools)
target_compile_definitions(vae-bench PRIVATE VAE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_compile_options(vae-bench PRIVATE -fexceptions)
target_link_options(vae-bench PRIVATE -fexceptions -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1 -sNODERAWFS=1)
if(VAE_WEB_THREADS)
  # a quick run as a test: the program starts, trains on two threads, decodes, prints its JSON
  set_target_properties(vae-bench PROPERTIES OUTPUT_NAME vae-bench-mt)
  add_test(NAME web.bench_runs_2_threads COMMAND vae-bench --seconds 0.2 --threads 2)
  set_tests_properties(web.bench_runs_2_threads PROPERTIES PASS_REGULAR_EXPRESSION "\"threads\": 2,")
  return()  # the page's tests run in the single-thread tree, whose site holds both builds
endif()
# a quick run as a test: the program starts, trains, decodes and prints its JSON under node
add_test(NAME web.bench_runs COMMAND vae-bench --seconds 0.2)
set_tests_properties(web.bench_runs PROPERTIES PASS_REGULAR_EXPRESSION "\"threads\": 1,")
# this build has no threads, and says so when asked for two
add_test(NAME web.bench_refuses_threads COMMAND vae-bench --seconds 0.2 --threads 2)
set_tests_properties(web.bench_refuses_threads PROPERTIES
                     PASS_REGULAR_EXPRESSION "--threads 2: this WebAssembly build has no threads")

# The page's server under a batch of malformed requests (then the page still loads from it), and
# uploads that are not what they claim (each refused before it reaches the heap): headless Chromium.
foreach(test server uploads)
  add_test(NAME web.${test} COMMAND ${VAE_NODE} ${CMAKE_SOURCE_DIR}/tests/web/${test}.mjs --site ${CMAKE_BINARY_DIR}/site
                                    --artifacts ${CMAKE_BINARY_DIR}/e2e-artifacts)
  set_tests_properties(web.${test} PROPERTIES TIMEOUT 300)
endforeach()
