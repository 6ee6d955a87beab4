// Empty stand-in: Eigen includes <mmintrin.h> on its SSE path, which Emscripten 3.1.6 lacks; the
// SSE intrinsics Eigen uses come from <xmmintrin.h> and friends, which Emscripten maps to SIMD128.
#pragma once
