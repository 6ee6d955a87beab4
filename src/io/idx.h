// MNIST in the IDX format (big-endian header, then raw bytes): 28x28 images scaled to [0,1] and
// digit labels 0..9, checked byte for byte before anything is trusted.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

struct Dataset {
  Mat images;                   // N x 784, row n is image n, intensity/255 in [0,1]
  std::vector<uint8_t> labels;  // N digits 0..9
  int rows = 28, cols = 28;
};

// Parses an IDX image file (magic 0x00000803, counts N, rows, cols): must be 28x28 and exactly
// 16 + N*rows*cols bytes. Fills *images (N x rows*cols), *rows, *cols; untouched on failure.
Status idx_parse_images(const uint8_t* bytes, size_t size, Mat* images, int* rows, int* cols);

// Parses an IDX label file (magic 0x00000801, count N): exactly 8 + N bytes, every label <= 9.
Status idx_parse_labels(const uint8_t* bytes, size_t size, std::vector<uint8_t>* labels);

// Loads dir/train-{images-idx3,labels-idx1}-ubyte (split "train") or dir/t10k-... (split "test")
// and checks that both hold the same count; each file may instead be gzipped (NAME.gz, as in
// Debian's Fashion-MNIST). Messages name the file path.
Status mnist_load(const std::string& dir, const std::string& split, Dataset* out);
