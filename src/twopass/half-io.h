// Loads and stores of IEEE binary16 elements at any byte address. The f16 API takes
// void* tensors with no alignment requirement, so a row may start at an odd address,
// where reading it as uint16_t would be undefined (UBSan stops there; found by
// test/fuzz/f16-diff-fuzzer.cc). memcpy of 2 bytes compiles to one 16-bit move.
#pragma once

#include <stdint.h>
#include <string.h>

#include <fp16.h>

namespace twopass {

// The half at p, widened exactly to float.
inline float LoadHalf(const uint16_t* p) {
  uint16_t h;
  memcpy(&h, p, sizeof(h));
  return fp16_ieee_to_fp32_value(h);
}

// value rounded to the nearest half (ties to even), stored at p.
inline void StoreHalf(uint16_t* p, float value) {
  const uint16_t h = fp16_ieee_from_fp32_value(value);
  memcpy(p, &h, sizeof(h));
}

}  // namespace twopass
