// Numbers from text (flags, a checkpoint's fields): the whole text must be one decimal number in
// range. NaN, infinities, hexadecimal, blanks and values beyond the type are refused, with a message
// that quotes the text and says what was expected.
#pragma once
#include <cstdint>
#include <string>

#include "core/status.h"

// An integer in [lo, hi]: an optional sign, then decimal digits.
Status parse_integer(const std::string& text, long long lo, long long hi, long long* out);
// A finite real number in [lo, hi] ((lo, hi] when lo_open), e.g. "1e-3", "-0.5", "2".
Status parse_real(const std::string& text, double lo, double hi, double* out, bool lo_open = false);
// An unsigned 64-bit value (a seed, a generator state): decimal digits only, 0 .. 2^64 - 1.
Status parse_u64(const std::string& text, uint64_t* out);
