// Emscripten 3.1.6's <emmintrin.h> converts float lanes to int32 one lane at a time through lrint
// (to give x86's 0x80000000 for lanes out of range), which makes Eigen's vectorized exp, used by
// the loss, ~10x slower than it should be. Here both conversions are single SIMD128 instructions.
// They differ from x86 only for NaN and for values outside int32 (saturating instead), where a C++
// conversion is undefined anyway; Eigen clamps before it converts (pexp, pldexp).
#ifndef VAE_WEB_SHIM_EMMINTRIN_H
#define VAE_WEB_SHIM_EMMINTRIN_H
#include_next <emmintrin.h>
#include <wasm_simd128.h>

static __inline__ __m128i __attribute__((__always_inline__, __nodebug__)) vae_mm_cvttps_epi32(__m128 a) {
  return (__m128i)wasm_i32x4_trunc_sat_f32x4((v128_t)a);  // toward zero
}
static __inline__ __m128i __attribute__((__always_inline__, __nodebug__)) vae_mm_cvtps_epi32(__m128 a) {
  return (__m128i)wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest((v128_t)a));  // to nearest, ties to even
}
#define _mm_cvttps_epi32 vae_mm_cvttps_epi32
#define _mm_cvtps_epi32 vae_mm_cvtps_epi32
#endif
