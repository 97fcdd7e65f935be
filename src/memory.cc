// The library's one allocation function, with the fault injection its tests use.
#include "twopass/memory.h"

#include <stdlib.h>

#include <atomic>

namespace twopass {
namespace {

// Allocate calls since the last twopass_internal_fail_allocation, and the call number
// that is to fail (0: none). Relaxed: the tests arm it from one thread at a time.
std::atomic<size_t> g_allocations{0};
std::atomic<size_t> g_fail_at{0};

}  // namespace

void* Allocate(size_t bytes) noexcept {
  const size_t call = g_allocations.fetch_add(1, std::memory_order_relaxed) + 1;
  if (call == g_fail_at.load(std::memory_order_relaxed)) return nullptr;
  return malloc(bytes);
}

void Deallocate(void* pointer) noexcept { free(pointer); }

}  // namespace twopass

extern "C" size_t twopass_internal_fail_allocation(size_t n) {
  const size_t calls = twopass::g_allocations.exchange(0, std::memory_order_relaxed);
  twopass::g_fail_at.store(n, std::memory_order_relaxed);
  return calls;
}
