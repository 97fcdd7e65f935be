// Buffers placed against inaccessible pages, so that any read or write outside
// [data(), data() + size()) faults (SIGSEGV) instead of passing unnoticed.
#pragma once

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

namespace twopass {
namespace testing {

// Which side of the buffer touches a protected page.
enum class Guard { kAfter, kBefore };

template <typename T>
class GuardedBuffer {
 public:
  // `count` elements of T; the side given by `guard` touches a PROT_NONE page,
  // the other side has a PROT_NONE page at most one page away.
  explicit GuardedBuffer(size_t count, Guard guard = Guard::kAfter) : count_(count) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t bytes = count * sizeof(T);
    data_pages_ = (bytes + page - 1) / page;
    if (data_pages_ == 0) data_pages_ = 1;
    mapping_size_ = (data_pages_ + 2) * page;
    void* base = mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) std::abort();
    base_ = static_cast<uint8_t*>(base);
    if (mprotect(base_, page, PROT_NONE) != 0 ||
        mprotect(base_ + (data_pages_ + 1) * page, page, PROT_NONE) != 0) {
      std::abort();
    }
    uint8_t* first = base_ + page;
    if (guard == Guard::kAfter) {
      first += data_pages_ * page - bytes;  // ends exactly at the trailing guard page
    }
    data_ = reinterpret_cast<T*>(first);
  }

  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  ~GuardedBuffer() { munmap(base_, mapping_size_); }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return count_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + count_; }

 private:
  size_t count_;
  size_t data_pages_ = 0;
  size_t mapping_size_ = 0;
  uint8_t* base_ = nullptr;
  T* data_ = nullptr;
};

}  // namespace testing
}  // namespace twopass
