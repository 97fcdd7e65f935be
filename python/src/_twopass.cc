// The compiled half of the `twopass` Python package: one function that runs the
// TwoPass softmax over the rows of a 2-D float32 or float16 array (unit stride inside a
// row, any row stride), plus the process-wide thread pools. Everything about axes,
// dtypes and copies is decided by the Python wrapper (twopass/__init__.py).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <twopass.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

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
  const enum twopass_status status = twopass_initialize();
  if (status != twopass_status_success) {
    Raise(status, "twopass_initialize failed (check TWOPASS_MAX_ISA)");
  }
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

// softmax (or log-softmax) over the rows of x into out (same shape and dtype; may be x
// itself).
void SoftmaxRows(const py::array& x, py::array& out, uint32_t flags, size_t threads, bool log) {
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
  if (in.batch == 0 || in.channels == 0) return;  // nothing to compute
  pthreadpool_t pool = threads == 1 ? nullptr : GetPool(threads);
  const void* input = x.data();
  void* output = out.mutable_data();
  enum twopass_status status;
  {
    py::gil_scoped_release release;
    const auto f32_run = log ? twopass_run_log_softmax_nc_f32 : twopass_run_softmax_nc_f32;
    const auto f16_run = log ? twopass_run_log_softmax_nc_f16 : twopass_run_softmax_nc_f16;
    if (is_f32) {
      status = f32_run(in.channels, in.stride, to.stride, in.batch,
                       static_cast<const float*>(input), static_cast<float*>(output), flags, pool);
    } else {
      status = f16_run(in.channels, in.stride, to.stride, in.batch, input, output, flags, pool);
    }
  }
  if (status != twopass_status_success) {
    const std::string name = std::string("twopass_run_") + (log ? "log_" : "") + "softmax_nc_" +
                             (is_f32 ? "f32" : "f16");
    Raise(status, name +
                      "(channels=" + std::to_string(in.channels) + ", input_stride=" +
                      std::to_string(in.stride) + ", output_stride=" + std::to_string(to.stride) +
                      ", batch_size=" + std::to_string(in.batch) + ", flags=" +
                      std::to_string(flags) + ")");
  }
}

}  // namespace

PYBIND11_MODULE(_twopass, m) {
  m.doc() = "Compiled core of the twopass package; use twopass.softmax instead.";
  m.def("softmax_rows", &SoftmaxRows, py::arg("x"), py::arg("out"), py::arg("flags"),
        py::arg("threads"), py::arg("log") = false,
        "softmax_rows(x, out, flags, threads, log=False): softmax (log=True: log-softmax) "
        "over the rows of 2-D arrays (unit stride in a row). threads: 0 = all cores, "
        "1 = calling thread, N = a cached pool of N threads.");
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
  m.attr("FLAG_MASKED_ROW_ZERO") = TWOPASS_FLAG_MASKED_ROW_ZERO;
}
