// Shared by the fuzz targets: an invariant that must hold for every input. A violation traps, so
// libFuzzer records it as a crash with the input that broke it.
#pragma once
#include <cstdio>

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      __builtin_trap();                                                             \
    }                                                                               \
  } while (0)
