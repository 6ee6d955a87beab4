// A std::vector allocator that starts every array on a 64-byte line (a cache line, an AVX-512
// register), for arrays the matrix-product kernels read in slabs of whole lines.
#pragma once
#include <cstddef>
#include <new>
#include <vector>

template <class T>
struct LineAligned {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  LineAligned() = default;
  template <class U>
  LineAligned(const LineAligned<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlign); }
  template <class U>
  bool operator==(const LineAligned<U>&) const { return true; }
  template <class U>
  bool operator!=(const LineAligned<U>&) const { return false; }
};

// floats from a 64-byte boundary
using AlignedFloats = std::vector<float, LineAligned<float>>;
