# WebAssembly build settings (Emscripten 3.1.6), applied to every target of the tree.
# Eigen has no wasm kernels, but Emscripten maps SSE intrinsics to SIMD128: -msimd128 -msse4.2 on
# every translation unit selects Eigen's SSE path. -fgnuc-version=5.13 keeps Eigen's SSE min/max
# off the x86 inline asm it uses for old GNUC. web/shim supplies the <mmintrin.h> 3.1.6 lacks, and
# wraps its <emmintrin.h>, whose float->int conversions (inside Eigen's exp) are scalar.
add_compile_options(-msimd128 -msse4.2 -fgnuc-version=5.13)
include_directories(BEFORE SYSTEM ${CMAKE_SOURCE_DIR}/web/shim)
# Eigen sizes its matrix-product micro-kernel for 8 SSE registers on 32-bit targets (wasm32), but
# engines compile SIMD128 to x86-64's 16 (ARM64's 32): the 16-register kernel decodes ~25% faster.
add_compile_definitions(EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS=16)
# The two-thread build (tools/build_web.sh configures it in build-web-mt): every translation unit with
# -pthread (shared memory, atomics), two workers started with the module (the page's training thread
# and the core's SideThread), so no thread start waits for the browser's event loop. Its programs are
# named *-mt; the single-thread tree build-web assembles the site with both builds' pages.
option(VAE_WEB_THREADS "WebAssembly with two threads (Emscripten pthreads)" OFF)
if(VAE_WEB_THREADS)
  add_compile_options(-pthread)
  # memory growth with shared memory slows JavaScript's view of the heap, not the wasm code
  add_link_options(-pthread -sPTHREAD_POOL_SIZE=2 -Wno-pthreads-mem-growth)
endif()
# exceptions are off in the page (a throw would abort it): the core reports bad input by Status;
# nlohmann::json must not throw either
add_compile_definitions(JSON_NOEXCEPTION)
# Header-only Debian packages live in /usr/include, which must not be on the wasm include path (its
# libc headers are the host's): expose just their folders through links in the build tree.
set(VAE_HOST_HEADERS ${CMAKE_BINARY_DIR}/host-headers)
foreach(dir nlohmann stb catch2 CLI)
  if(NOT EXISTS ${VAE_HOST_HEADERS}/${dir} AND EXISTS /usr/include/${dir})
    file(MAKE_DIRECTORY ${VAE_HOST_HEADERS})
    file(CREATE_LINK /usr/include/${dir} ${VAE_HOST_HEADERS}/${dir} SYMBOLIC)
  endif()
endforeach()
include_directories(SYSTEM ${VAE_HOST_HEADERS})
# node runs the WebAssembly programs and tests. emcmake's default emulator flag
# (--experimental-wasm-threads) is rejected by node 20, and then catch_discover_tests silently
# registers zero tests; generated JS must not fetch() its .wasm under node either.
find_program(VAE_NODE node REQUIRED NO_CMAKE_FIND_ROOT_PATH)
set(CMAKE_CROSSCOMPILING_EMULATOR "${VAE_NODE};--no-experimental-fetch")
