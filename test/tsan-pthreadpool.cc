// ThreadSanitizer builds only (--config=tsan): Debian's libpthreadpool is not
// instrumented, so tsan cannot see that a task runs after the caller of
// pthreadpool_parallelize_* wrote its context, nor that the caller continues after every
// task has finished; it then reports each hand-over as a data race. These wrappers of the
// two entry points TwoPass uses (src/runner.cc) forward to the real functions
// (dlsym RTLD_NEXT) and state those two happens-before edges with __tsan_release and
// __tsan_acquire, exactly the guarantees pthreadpool documents. Everything else stays
// checked: races between tasks, between threads of the caller, within the library.
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <pthreadpool.h>
#include <sanitizer/tsan_interface.h>

namespace {

template <typename Function>
Function Real(const char* name) {
  void* symbol = dlsym(RTLD_NEXT, name);
  if (symbol == nullptr) abort();
  return reinterpret_cast<Function>(symbol);
}

// Explicit types: pthreadpool.h also declares C++ overloads of these names.
using Parallelize2d = void (*)(pthreadpool_t, pthreadpool_task_2d_t, void*, size_t, size_t,
                               uint32_t);
using Parallelize1dTile1d = void (*)(pthreadpool_t, pthreadpool_task_1d_tile_1d_t, void*,
                                     size_t, size_t, uint32_t);

// Two sync objects per call, so that tasks never synchronize with each other through
// the annotations: `start` is released by the caller only and acquired by each task,
// `end` is released by each task and acquired by the caller only.
struct Edges {
  char start;
  char end;
};

struct Task2d {
  pthreadpool_task_2d_t task;
  void* context;
  Edges edges;
};

void Run2d(void* argument, size_t i, size_t j) {
  Task2d* wrapped = static_cast<Task2d*>(argument);
  __tsan_acquire(&wrapped->edges.start);  // after the caller's writes
  wrapped->task(wrapped->context, i, j);
  __tsan_release(&wrapped->edges.end);  // before the caller continues
}

struct Task1dTile1d {
  pthreadpool_task_1d_tile_1d_t task;
  void* context;
  Edges edges;
};

void Run1dTile1d(void* argument, size_t start, size_t count) {
  Task1dTile1d* wrapped = static_cast<Task1dTile1d*>(argument);
  __tsan_acquire(&wrapped->edges.start);
  wrapped->task(wrapped->context, start, count);
  __tsan_release(&wrapped->edges.end);
}

}  // namespace

extern "C" void pthreadpool_parallelize_2d(pthreadpool_t pool, pthreadpool_task_2d_t task,
                                           void* context, size_t range_i, size_t range_j,
                                           uint32_t flags) {
  static const auto real = Real<Parallelize2d>("pthreadpool_parallelize_2d");
  Task2d wrapped{task, context, {}};
  __tsan_release(&wrapped.edges.start);
  real(pool, Run2d, &wrapped, range_i, range_j, flags);
  __tsan_acquire(&wrapped.edges.end);
}

extern "C" void pthreadpool_parallelize_1d_tile_1d(pthreadpool_t pool,
                                                   pthreadpool_task_1d_tile_1d_t task,
                                                   void* context, size_t range, size_t tile,
                                                   uint32_t flags) {
  static const auto real = Real<Parallelize1dTile1d>("pthreadpool_parallelize_1d_tile_1d");
  Task1dTile1d wrapped{task, context, {}};
  __tsan_release(&wrapped.edges.start);
  real(pool, Run1dTile1d, &wrapped, range, tile, flags);
  __tsan_acquire(&wrapped.edges.end);
}
