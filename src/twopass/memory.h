// Every allocation of the library goes through Allocate/Deallocate, so that a test
// can make any one of them fail (twopass_internal_fail_allocation) and check that each
// API call then returns twopass_status_out_of_memory, leaks nothing and leaves the
// operator usable or deletable.
#pragma once

#include <stddef.h>

#include <new>

namespace twopass {

// malloc's alignment; nullptr when the memory is not there (or the test hook says so).
void* Allocate(size_t bytes) noexcept;
// Releases what Allocate returned; nullptr is ignored.
void Deallocate(void* pointer) noexcept;

// For standard containers: allocates through Allocate and throws std::bad_alloc when it
// fails. Every library function that uses such a container catches it.
template <class T>
struct LibraryAllocator {
  using value_type = T;
  LibraryAllocator() = default;
  template <class U>
  LibraryAllocator(const LibraryAllocator<U>&) noexcept {}  // NOLINT: implicit rebind
  T* allocate(size_t count) {
    if (count > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    void* memory = Allocate(count * sizeof(T));
    if (memory == nullptr) throw std::bad_alloc();
    return static_cast<T*>(memory);
  }
  void deallocate(T* pointer, size_t) noexcept { Deallocate(pointer); }
  template <class U>
  bool operator==(const LibraryAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const LibraryAllocator<U>&) const noexcept { return false; }
};

}  // namespace twopass

#ifdef __cplusplus
extern "C" {
#endif

// Internal, for tests: makes the `n`-th call of Allocate from now fail (counting from
// 1; 0 disarms) and returns how many times Allocate was called since the previous call
// of this function. A test arms n = 1, 2, ... around a sequence of API calls until the
// count it gets back is below n: then every allocation of the sequence has failed once.
size_t twopass_internal_fail_allocation(size_t n);

#ifdef __cplusplus
}  // extern "C"
#endif
