// The compiled half of the `twopass` Python package: one function that runs the
// TwoPass softmax over the rows of a 2-D float32 or float16 array (unit stride inside a
// row, any row stride), plus the process-wide thread pools. Everything about axes,
// dtypes and copies is decided by the Python wrapper (twopass/__init__.py).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <twopass.h>

#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

const char* StatusName(enum twopass_status status) {
  switch (status) {
    case twopass_status_success: return "success";
    case twopass_status_uninitialized: return "uninitialized";
    case twopass_status_invalid_parameter: return "invalid_parameter";
    case twopass_status_invalid_state: return "invalid_state";
    case twopass_status_unsupported_parameter: return "unsupported_parameter";
    case twopass_status_unsupported_hardware: return "unsupported_hardware";
    case twopass_status_out_of_memory: return "out_of_memory";
  }
  return "unknown status";
}

// Raises the Python exception that matches a failed status.
[[noreturn]] void Raise(enum twopass_status status, const std::string& what) {
  const std::string message = what + ": twopass status " + StatusName(status) + " (" +
                              std::to_string(static_cast<int>(status)) + ")";
  if (status == twopass_status_out_of_memory) {
    PyErr_SetString(PyExc_MemoryError, message.c_str());
    throw py::error_already_set();
  }
  if (status == twopass_status_unsupported_hardware || status == twopass_status_uninitialized) {
    throw std::runtime_error(message);
  }
  throw py::value_error(message);
}

void Initialize() {
  static bool initialized = false;  // guarded by the GIL; set after the first success
  if (initialized) return;
  const enum twopass_status status = twopass_initialize();
  if (status != twopass_status_success) {
    Raise(status, "twopass_initialize failed (check TWOPASS_MAX_ISA)");
  }
  initialized = true;
}

// Pools by thread count, created on first use and kept for the life of the process.
// 0 stands for "all cores" (pthreadpool_create(0)). Guarded by the GIL and a mutex.
std::mutex pools_mutex;
std::map<size_t, pthreadpool_t>& Pools() {
  static auto* pools = new std::map<size_t, pthreadpool_t>();
  return *pools;
}

pthreadpool_t GetPool(size_t threads) {
  std::lock_guard<std::mutex> lock(pools_mutex);
  auto& pools = Pools();
  auto found = pools.find(threads);
  if (found != pools.end()) return found->second;
  pthreadpool_t pool = pthreadpool_create(threads);
  if (pool == nullptr) {
    PyErr_SetString(PyExc_MemoryError, "pthreadpool_create failed");
    throw py::error_already_set();
  }
  pools.emplace(threads, pool);
  return pool;
}

// Row layout of a 2-D array: rows, channels, row stride in elements.
struct Rows {
  size_t batch;
  size_t channels;
  size_t stride;
};

Rows CheckRows(const py::array& a, const char* name, py::ssize_t itemsize) {
  if (a.ndim() != 2) {
    throw py::value_error(std::string(name) + ": expected a 2-D array, got " +
                          std::to_string(a.ndim()) + " dimensions");
  }
  const py::ssize_t batch = a.shape(0), channels = a.shape(1);
  if (channels > 1 && a.strides(1) != itemsize) {
    throw py::value_error(std::string(name) + ": elements of a row must be contiguous");
  }
  py::ssize_t stride = channels;
  if (batch > 1) {
    if (a.strides(0) < 0 || a.strides(0) % itemsize != 0 || a.strides(0) / itemsize < channels) {
      throw py::value_error(std::string(name) + ": row stride of " +
                            std::to_string(a.strides(0)) +
                            " bytes is not a non-negative multiple of the element size "
                            "covering a row");
    }
    stride = a.strides(0) / itemsize;
  }
  return Rows{static_cast<size_t>(batch), static_cast<size_t>(channels),
              static_cast<size_t>(stride)};
}

// One library call over the rows of x into out, checked and ready to run without the GIL.
struct RowsCall {
  bool is_f32;
  bool log;
  Rows in;
  Rows to;
  const void* input;
  void* output;
  uint32_t flags;
  pthreadpool_t pool;
};

// Checks x and out (same shape and dtype, float32 or float16; out may be x itself) and
// fills the call. Returns false when there is nothing to compute (an empty array).
bool PrepareRows(const py::array& x, py::array& out, uint32_t flags, size_t threads, bool log,
                 RowsCall* call) {
  Initialize();
  const bool is_f32 = x.dtype().equal(py::dtype::of<float>());
  const bool is_f16 = x.dtype().kind() == 'f' && x.dtype().itemsize() == 2;
  if (!is_f32 && !is_f16) {
    throw py::value_error("softmax: dtype must be float32 or float16, got " +
                          std::string(py::str(x.dtype())));
  }
  if (!out.dtype().equal(x.dtype())) {
    throw py::value_error("softmax: out must have the dtype of x (" +
                          std::string(py::str(x.dtype())) + "), got " +
                          std::string(py::str(out.dtype())));
  }
  if (!out.writeable()) throw py::value_error("softmax: out is read-only");
  const py::ssize_t itemsize = x.itemsize();
  const Rows in = CheckRows(x, "x", itemsize);
  const Rows to = CheckRows(out, "out", itemsize);
  if (in.batch != to.batch || in.channels != to.channels) {
    throw py::value_error("softmax: out has shape (" + std::to_string(to.batch) + ", " +
                          std::to_string(to.channels) + "), x (" + std::to_string(in.batch) +
                          ", " + std::to_string(in.channels) + ")");
  }
  if (in.batch == 0 || in.channels == 0) return false;  // nothing to compute
  *call = RowsCall{is_f32, log, in, to, x.data(), out.mutable_data(), flags,
                   threads == 1 ? nullptr : GetPool(threads)};
  return true;
}

// The library call; needs no GIL.
enum twopass_status RunRows(const RowsCall& c) {
  if (c.is_f32) {
    const auto run = c.log ? twopass_run_log_softmax_nc_f32 : twopass_run_softmax_nc_f32;
    return run(c.in.channels, c.in.stride, c.to.stride, c.in.batch,
               static_cast<const float*>(c.input), static_cast<float*>(c.output), c.flags,
               c.pool);
  }
  const auto run = c.log ? twopass_run_log_softmax_nc_f16 : twopass_run_softmax_nc_f16;
  return run(c.in.channels, c.in.stride, c.to.stride, c.in.batch, c.input, c.output, c.flags,
             c.pool);
}

[[noreturn]] void RaiseRows(const RowsCall& c, enum twopass_status status) {
  const std::string name = std::string("twopass_run_") + (c.log ? "log_" : "") + "softmax_nc_" +
                           (c.is_f32 ? "f32" : "f16");
  Raise(status, name + "(channels=" + std::to_string(c.in.channels) + ", input_stride=" +
                    std::to_string(c.in.stride) + ", output_stride=" +
                    std::to_string(c.to.stride) + ", batch_size=" +
                    std::to_string(c.in.batch) + ", flags=" + std::to_string(c.flags) + ")");
}

// softmax (or log-softmax) of t = x * scale + mask over the rows of the call: mask NULL
// (scale only), or `period` rows of x's dtype `mask_stride` elements apart, row r of x
// adding mask row r % period (period divides the rows; 1: one row for all). The rows run
// as rows / period blocks through one operator (twopass_setup_scale_mask per block), so a
// mask shared by blocks (a causal mask of every head) is never copied. Needs no GIL;
// `*what` names the call that failed.
enum twopass_status RunRowsScaled(const RowsCall& c, float scale, const void* mask, size_t period,
                                  size_t mask_stride, const char** what) {
  const size_t element = c.is_f32 ? sizeof(float) : sizeof(uint16_t);
  if (mask != nullptr) {
    // The library rejects a mask overlapping the output per block, once some blocks have
    // run; checked here for all of them first, so that a failing call writes nothing.
    const uintptr_t mask_begin = reinterpret_cast<uintptr_t>(mask);
    const uintptr_t mask_end = mask_begin + ((period - 1) * mask_stride + c.in.channels) * element;
    const uintptr_t out_begin = reinterpret_cast<uintptr_t>(c.output);
    const uintptr_t out_end =
        out_begin + ((c.in.batch - 1) * c.to.stride + c.in.channels) * element;
    if (mask_begin < out_end && out_begin < mask_end) {
      *what = "the mask overlaps the output";
      return twopass_status_invalid_parameter;
    }
  }
  twopass_operator_t op = nullptr;
  *what = "twopass_create";
  enum twopass_status status;
  if (c.is_f32) {
    status = c.log ? twopass_create_log_softmax_nc_f32(c.flags, &op)
                   : twopass_create_softmax_nc_f32(c.flags, &op);
  } else {
    status = c.log ? twopass_create_log_softmax_nc_f16(c.flags, &op)
                   : twopass_create_softmax_nc_f16(c.flags, &op);
  }
  if (status == twopass_status_success) {
    *what = "twopass_reshape";
    const auto reshape =
        c.is_f32 ? (c.log ? twopass_reshape_log_softmax_nc_f32 : twopass_reshape_softmax_nc_f32)
                 : (c.log ? twopass_reshape_log_softmax_nc_f16 : twopass_reshape_softmax_nc_f16);
    status = reshape(op, c.in.channels, c.in.stride, c.to.stride, period, c.pool);
  }
  for (size_t first = 0; status == twopass_status_success && first < c.in.batch;
       first += period) {
    const char* input = static_cast<const char*>(c.input) + first * c.in.stride * element;
    char* output = static_cast<char*>(c.output) + first * c.to.stride * element;
    *what = "twopass_setup";
    if (c.is_f32) {
      status = c.log ? twopass_setup_log_softmax_nc_f32(op, reinterpret_cast<const float*>(input),
                                                        reinterpret_cast<float*>(output))
                     : twopass_setup_softmax_nc_f32(op, reinterpret_cast<const float*>(input),
                                                    reinterpret_cast<float*>(output));
    } else {
      status = c.log ? twopass_setup_log_softmax_nc_f16(op, input, output)
                     : twopass_setup_softmax_nc_f16(op, input, output);
    }
    if (status != twopass_status_success) break;
    *what = "twopass_setup_scale_mask";
    const size_t stride =
        mask == nullptr ? 0 : (period == 1 ? TWOPASS_MASK_STRIDE_BROADCAST : mask_stride);
    status = twopass_setup_scale_mask(op, scale, mask, stride);
    if (status != twopass_status_success) break;
    *what = "twopass_run_operator";
    status = twopass_run_operator(op, c.pool);
  }
  if (op != nullptr) twopass_delete_operator(op);
  return status;
}

[[noreturn]] void RaiseScaled(const RowsCall& c, enum twopass_status status, const char* what,
                              float scale, size_t mask_rows) {
  Raise(status, std::string(what) + " (scale=" + std::to_string(scale) + ", mask rows=" +
                    std::to_string(mask_rows) + ", channels=" + std::to_string(c.in.channels) +
                    ", rows=" + std::to_string(c.in.batch) + ")");
}

// softmax_rows of t = x * scale + mask: mask None or P rows (2-D, x's dtype and channels,
// unit stride in a row, any row stride) with P dividing x's rows (RunRowsScaled).
void SoftmaxRowsScaled(const py::array& x, py::array& out, uint32_t flags, size_t threads,
                       bool log, float scale, py::object mask_object) {
  RowsCall call;
  if (!PrepareRows(x, out, flags, threads, log, &call)) return;
  const bool has_mask = !mask_object.is_none();
  const void* mask_data = nullptr;
  Rows m{call.in.batch, call.in.channels, 0};
  if (has_mask) {
    if (!py::isinstance<py::array>(mask_object)) {
      throw py::value_error("softmax: mask must be None or a numpy.ndarray");
    }
    const auto mask = py::reinterpret_borrow<py::array>(mask_object);
    mask_data = mask.data();
    if (!mask.dtype().equal(x.dtype())) {
      throw py::value_error("softmax: mask must have the dtype of x (" +
                            std::string(py::str(x.dtype())) + "), got " +
                            std::string(py::str(mask.dtype())));
    }
    m = CheckRows(mask, "mask", x.itemsize());
    if (m.channels != call.in.channels || m.batch == 0 || call.in.batch % m.batch != 0) {
      throw py::value_error("softmax: mask has " + std::to_string(m.batch) + " rows of " +
                            std::to_string(m.channels) + ", x " + std::to_string(call.in.batch) +
                            " rows of " + std::to_string(call.in.channels) +
                            " (the mask's rows must divide x's)");
    }
  }
  const char* what = "";
  enum twopass_status status;
  {
    py::gil_scoped_release release;
    status = RunRowsScaled(call, scale, mask_data, m.batch, m.stride, &what);
  }
  if (status != twopass_status_success) {
    RaiseScaled(call, status, what, scale, has_mask ? m.batch : 0);
  }
}

// softmax (or log-softmax) over the rows of x into out (same shape and dtype; may be x
// itself).
void SoftmaxRows(const py::array& x, py::array& out, uint32_t flags, size_t threads, bool log) {
  RowsCall call;
  if (!PrepareRows(x, out, flags, threads, log, &call)) return;
  enum twopass_status status;
  {
    py::gil_scoped_release release;
    status = RunRows(call);
  }
  if (status != twopass_status_success) RaiseRows(call, status);
}

// The common case of twopass.softmax / log_softmax in one C++ call: x an aligned float32
// or float16 ndarray in native byte order, axis the last one, rows that one row stride
// describes (any C-contiguous array, slices of rows...), out None or such an array of
// x's shape and dtype, threads None or an int >= 1. Returns out (allocated C-contiguous
// when None), or None for anything else: the Python wrapper then takes its general path,
// which checks everything again and raises the errors. This keeps the per-call cost of the
// binding to one function call (the general path builds views and checks in Python).
constexpr int kNpyFloat = 11;  // NPY_FLOAT
constexpr int kNpyHalf = 23;   // NPY_HALF

// The row layout of an array along its last axis, or false when one row stride cannot
// describe it.
bool FastRowLayout(const py::array& a, Rows* rows) {
  const py::ssize_t ndim = a.ndim();
  const py::ssize_t itemsize = a.itemsize();
  if (ndim < 1 || reinterpret_cast<uintptr_t>(a.data()) % static_cast<uintptr_t>(itemsize)) {
    return false;
  }
  const py::ssize_t channels = a.shape(ndim - 1);
  if (channels == 0 || (channels > 1 && a.strides(ndim - 1) != itemsize)) return false;
  // The outer axes (unit ones skipped) must nest like C order around one row stride.
  py::ssize_t batch = 1, stride = channels * itemsize;
  bool first = true;
  for (py::ssize_t d = ndim - 2; d >= 0; d--) {
    const py::ssize_t n = a.shape(d);
    if (n == 0) return false;
    if (n == 1) continue;
    if (first) {
      stride = a.strides(d);
      first = false;
    } else if (a.strides(d) != stride * batch) {
      return false;
    }
    batch *= n;
  }
  if (batch > 1 && (stride < channels * itemsize || stride % itemsize != 0)) return false;
  *rows = Rows{static_cast<size_t>(batch), static_cast<size_t>(channels),
               static_cast<size_t>(stride / itemsize)};
  return true;
}

bool FastArray(py::handle h, int* type_num) {
  if (!py::isinstance<py::array>(h)) return false;
  const auto* descr = py::detail::array_descriptor_proxy(py::detail::array_proxy(h.ptr())->descr);
  if (descr->type_num != kNpyFloat && descr->type_num != kNpyHalf) return false;
  if (descr->byteorder == '>') return false;  // swapped on this (little-endian) machine
  *type_num = descr->type_num;
  return true;
}

py::object FastRows(py::handle x, py::handle axis, py::handle out, uint32_t flags,
                    py::handle threads, bool log, py::handle scale_object,
                    py::handle mask_object) {
  int type_num = 0;
  if (!FastArray(x, &type_num)) return py::none();
  const auto a = py::reinterpret_borrow<py::array>(x);
  if (!PyLong_CheckExact(axis.ptr())) return py::none();
  const long axis_value = PyLong_AsLong(axis.ptr());
  if (axis_value == -1 && PyErr_Occurred()) {
    PyErr_Clear();
    return py::none();
  }
  if (axis_value != -1 && axis_value != a.ndim() - 1) return py::none();
  size_t thread_count = 0;
  if (!threads.is_none()) {
    if (!PyLong_CheckExact(threads.ptr())) return py::none();
    const long value = PyLong_AsLong(threads.ptr());
    if (value < 1) {
      PyErr_Clear();
      return py::none();
    }
    thread_count = static_cast<size_t>(value);
  }
  Rows in;
  if (!FastRowLayout(a, &in)) return py::none();
  Rows to{in.batch, in.channels, in.channels};
  if (!out.is_none()) {
    int out_type = 0;
    if (!FastArray(out, &out_type) || out_type != type_num) return py::none();
    const auto given = py::reinterpret_borrow<py::array>(out);
    if (given.ndim() != a.ndim() || !given.writeable()) return py::none();
    for (py::ssize_t d = 0; d < a.ndim(); d++) {
      if (given.shape(d) != a.shape(d)) return py::none();
    }
    if (!FastRowLayout(given, &to)) return py::none();
  }
  // Scale and mask: scale None or a Python float (finite: the general path raises), mask
  // None or an array of x's type whose shape is x's trailing dimensions (after unit ones)
  // and whose rows one stride describes: P rows repeated for every block of P rows of x.
  const bool scaled = !scale_object.is_none() || !mask_object.is_none();
  float scale = 1.0f;
  Rows m{0, in.channels, 0};
  const void* mask_data = nullptr;  // (no py::array here: its default constructor allocates)
  if (scaled) {
    if (!scale_object.is_none()) {
      if (!PyFloat_CheckExact(scale_object.ptr())) return py::none();
      const double value = PyFloat_AsDouble(scale_object.ptr());
      if (!(std::fabs(value) <= FLT_MAX)) return py::none();  // NaN, inf, beyond float
      scale = static_cast<float>(value);
    }
    if (!mask_object.is_none()) {
      int mask_type = 0;
      if (!FastArray(mask_object, &mask_type) || mask_type != type_num) return py::none();
      const auto mask = py::reinterpret_borrow<py::array>(mask_object);
      if (mask.ndim() < 1 || mask.ndim() > a.ndim()) return py::none();
      // The last dimension is the row: never broadcast (the general path does that).
      if (mask.shape(mask.ndim() - 1) != a.shape(a.ndim() - 1)) return py::none();
      // Aligned at the right as NumPy broadcasts; leading unit dimensions repeat the rest.
      const py::ssize_t skip = a.ndim() - mask.ndim();
      bool leading = true;
      for (py::ssize_t d = 0; d < mask.ndim(); d++) {
        leading = leading && mask.shape(d) == 1;
        if (!leading && mask.shape(d) != a.shape(skip + d)) return py::none();
      }
      if (!FastRowLayout(mask, &m) || m.channels != in.channels || in.batch % m.batch != 0) {
        return py::none();
      }
      mask_data = mask.data();
    }
  }
  // (py::array's default constructor would allocate an empty array: build y in one go.)
  py::array y = out.is_none() ? py::array(a.dtype(), std::vector<py::ssize_t>(
                                                         a.shape(), a.shape() + a.ndim()))
                              : py::reinterpret_borrow<py::array>(out);
  Initialize();
  const RowsCall call{type_num == kNpyFloat, log, in, to, a.data(), y.mutable_data(), flags,
                      thread_count == 1 ? nullptr : GetPool(thread_count)};
  enum twopass_status status;
  const char* what = "";
  {
    py::gil_scoped_release release;
    status = scaled ? RunRowsScaled(call, scale, mask_data,
                                    m.batch != 0 ? m.batch : in.batch, m.stride, &what)
                    : RunRows(call);
  }
  if (status != twopass_status_success) {
    if (scaled) RaiseScaled(call, status, what, scale, m.batch);
    RaiseRows(call, status);
  }
  return std::move(y);
}

// For benchmarks (bench/peers_torch.py): the library call SoftmaxRows makes, `calls` times
// back to back in a C++ loop with the GIL released, after the same checks; returns the
// seconds the loop took. This is "TwoPass through C" beside the Python call in the same
// process, library and pool. No call is made outside the timed loop (no warm-up), so a
// single call on data out of cache stays out of cache.
double TimeRows(const py::array& x, py::array& out, uint32_t flags, size_t threads, bool log,
                size_t calls) {
  RowsCall call;
  if (!PrepareRows(x, out, flags, threads, log, &call)) return 0.0;
  enum twopass_status status = twopass_status_success;
  std::chrono::steady_clock::duration elapsed{};
  {
    py::gil_scoped_release release;
    const auto start = std::chrono::steady_clock::now();
    for (size_t n = 0; n < calls && status == twopass_status_success; n++) status = RunRows(call);
    elapsed = std::chrono::steady_clock::now() - start;
  }
  if (status != twopass_status_success) RaiseRows(call, status);
  return std::chrono::duration<double>(elapsed).count();
}

}  // namespace

PYBIND11_MODULE(_twopass, m) {
  m.doc() = "Compiled core of the twopass package; use twopass.softmax instead.";
  m.def("softmax_rows", &SoftmaxRows, py::arg("x"), py::arg("out"), py::arg("flags"),
        py::arg("threads"), py::arg("log") = false,
        "softmax_rows(x, out, flags, threads, log=False): softmax (log=True: log-softmax) "
        "over the rows of 2-D arrays (unit stride in a row). threads: 0 = all cores, "
        "1 = calling thread, N = a cached pool of N threads.");
  m.def("softmax_rows_scaled", &SoftmaxRowsScaled, py::arg("x"), py::arg("out"),
        py::arg("flags"), py::arg("threads"), py::arg("log"), py::arg("scale"), py::arg("mask"),
        "softmax_rows_scaled(x, out, flags, threads, log, scale, mask): softmax_rows of "
        "x * scale + mask; mask None or P rows of x's dtype, row r of x adding mask row "
        "r % P (P must divide x's rows).");
  m.def("fast_rows", &FastRows, py::arg("x"), py::arg("axis"), py::arg("out"), py::arg("flags"),
        py::arg("threads"), py::arg("log"), py::arg("scale") = py::none(),
        py::arg("mask") = py::none(),
        "fast_rows(x, axis, out, flags, threads, log) -> out or None: the last-axis, "
        "one-row-stride case of twopass.softmax/log_softmax in one call; None when the "
        "arguments need the general path (which also raises the errors).");
  m.def("time_rows", &TimeRows, py::arg("x"), py::arg("out"), py::arg("flags"),
        py::arg("threads"), py::arg("log"), py::arg("calls"),
        "time_rows(x, out, flags, threads, log, calls) -> seconds: softmax_rows's library "
        "call made `calls` times in a C++ loop (GIL released), after one checked call; for "
        "benchmarks of the binding's overhead.");
  m.def("isa", [] {
    Initialize();
    return std::string(twopass_isa_name());
  }, "The ISA whose kernels are used: scalar, sse2, avx2 or avx512f.");
  m.def("version", [] {
    const uint32_t v = twopass_version();
    return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
           std::to_string(v % 100);
  }, "The version of the linked library, as MAJOR.MINOR.PATCH.");
  m.attr("FLAG_ALGORITHM_TWO_PASS") = TWOPASS_FLAG_ALGORITHM_TWO_PASS;
  m.attr("FLAG_ALGORITHM_THREE_PASS_RELOAD") = TWOPASS_FLAG_ALGORITHM_THREE_PASS_RELOAD;
  m.attr("FLAG_ALGORITHM_THREE_PASS_RECOMPUTE") = TWOPASS_FLAG_ALGORITHM_THREE_PASS_RECOMPUTE;
  m.attr("FLAG_ALGORITHM_SAMPLED_MAX_RELOAD") = TWOPASS_FLAG_ALGORITHM_SAMPLED_MAX_RELOAD;
  m.attr("FLAG_MASKED_ROW_ZERO") = TWOPASS_FLAG_MASKED_ROW_ZERO;
}
