// Parses files fully with the core's loaders, for the shell tests: exit 0 when every FILE loads,
// else prints the first problem and exits 1.
//   file_check weights|checkpoint FILE...
#include <cstdio>
#include <cstring>

#include "io/weights.h"
#include "train/checkpoint.h"

int main(int argc, char** argv) {
  if (argc < 3 || (std::strcmp(argv[1], "weights") != 0 && std::strcmp(argv[1], "checkpoint") != 0)) {
    std::fprintf(stderr, "usage: file_check weights|checkpoint FILE...\n");
    return 2;
  }
  const bool checkpoint = std::strcmp(argv[1], "checkpoint") == 0;
  for (int i = 2; i < argc; ++i) {
    VaeParams params;
    Trainer trainer;
    const Status st = checkpoint ? checkpoint_load(argv[i], &trainer) : weights_load(argv[i], &params, nullptr);
    if (!st) {
      std::fprintf(stderr, "file_check: %s\n", st.message.c_str());
      return 1;
    }
  }
  return 0;
}
