// Helpers shared by the benchmark programs outside Google Benchmark: the
// twopass-bench CLI (tools/twopass-bench.cc) and the peer comparison
// (bench/peers.cc), so that both parse sizes, lay out buffers and make inputs the
// same way. Header-only; everything is inline in namespace twopass_bench.
#pragma once

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <algorithm>
#include <string>
#include <vector>

namespace twopass_bench {

constexpr size_t kKiB = 1024;
constexpr size_t kMiB = 1024 * kKiB;
constexpr size_t kGiB = 1024 * kMiB;

// "a,b,,c" -> {"a", "b", "c"}.
inline std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    if (end > start) items.push_back(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

// Parses N, N with a K/M/G suffix (powers of 1024), or 2^N. Returns false on
// anything else, on overflow, and on 0.
inline bool ParseSize(const std::string& text, size_t* value) {
  if (text.empty()) return false;
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  if (text.size() > 2 && text[0] == '2' && text[1] == '^') {
    const unsigned long exponent = strtoul(s + 2, &end, 10);
    if (errno != 0 || end == s + 2 || *end != '\0' || exponent >= 63) return false;
    *value = size_t{1} << exponent;
    return true;
  }
  if (!isdigit(static_cast<unsigned char>(s[0]))) return false;
  unsigned long long number = strtoull(s, &end, 10);
  if (errno != 0 || end == s) return false;
  unsigned shift = 0;
  switch (*end) {
    case '\0':
      break;
    case 'k':
    case 'K':
      shift = 10;
      end++;
      break;
    case 'm':
    case 'M':
      shift = 20;
      end++;
      break;
    case 'g':
    case 'G':
      shift = 30;
      end++;
      break;
    default:
      return false;
  }
  if (*end != '\0' || number == 0 || number > (SIZE_MAX >> shift)) return false;
  *value = static_cast<size_t>(number) << shift;
  return true;
}

// MemAvailable of /proc/meminfo in bytes; 0 when unknown.
inline size_t MemAvailableBytes() {
  FILE* f = fopen("/proc/meminfo", "r");
  if (f == nullptr) return 0;
  char line[256];
  size_t kib = 0;
  while (fgets(line, sizeof(line), f) != nullptr) {
    if (sscanf(line, "MemAvailable: %zu kB", &kib) == 1) break;
  }
  fclose(f);
  return kib * kKiB;
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// One anonymous mapping, grown when a case needs more, backed by huge pages where
// the kernel allows, so TLB misses do not blur the traffic figures (the same for
// every contender). Reserve returns nullptr when the mapping fails (errno set).
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() { Release(); }

  char* Reserve(size_t bytes) {
    if (bytes <= bytes_) return data_;
    Release();
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    data_ = static_cast<char*>(p);
    bytes_ = bytes;
    return data_;
  }

 private:
  void Release() {
    if (data_ != nullptr) munmap(data_, bytes_);
    data_ = nullptr;
    bytes_ = 0;
  }
  char* data_ = nullptr;
  size_t bytes_ = 0;
};

// Uniform floats in [-10, 10) from a fixed seed (splitmix64); `first` is the
// index of data[0] in the sequence, so a long sequence can be made in pieces.
inline void FillUniform(float* data, size_t count, uint64_t seed, size_t first = 0) {
  uint64_t state = seed + UINT64_C(0x9E3779B97F4A7C15) * static_cast<uint64_t>(first);
  for (size_t i = 0; i < count; i++) {
    state += UINT64_C(0x9E3779B97F4A7C15);
    uint64_t z = state;
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    data[i] = static_cast<float>(static_cast<double>(z >> 40) * 0x1.0p-24 * 20.0 - 10.0);
  }
}

}  // namespace twopass_bench
