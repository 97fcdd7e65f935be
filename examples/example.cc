// TwoPass from C++: the C API behind small RAII owners, as an inference engine would
// hold it. Runs softmax over a batch of attention-score rows with a thread pool,
// through the operator API and through the one-shot call, and checks the result
// against a double-precision reference. Exits with status 1 on any error or mismatch.
//
// Build against an installed TwoPass:
//   c++ -std=c++17 -O2 example.cc $(pkg-config --cflags --libs twopass) -o example
// or with CMake (find_package(twopass), see CMakeLists.txt here).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <pthreadpool.h>
#include <twopass.h>

namespace {

void Check(twopass_status status, const char* what) {
  if (status != twopass_status_success) {
    throw std::runtime_error(std::string(what) + " failed with status " +
                             std::to_string(static_cast<int>(status)));
  }
}

struct PoolDeleter {
  void operator()(pthreadpool_t pool) const { pthreadpool_destroy(pool); }
};
using Pool = std::unique_ptr<pthreadpool, PoolDeleter>;

// One softmax operator bound to a shape; reshape again when the shape changes.
class Softmax {
 public:
  explicit Softmax(uint32_t flags = 0) {
    twopass_operator_t op = nullptr;
    Check(twopass_create_softmax_nc_f32(flags, &op), "twopass_create_softmax_nc_f32");
    op_.reset(op);
  }

  void Reshape(size_t batch, size_t channels, pthreadpool_t pool) {
    Check(twopass_reshape_softmax_nc_f32(op_.get(), channels, channels, channels, batch, pool),
          "twopass_reshape_softmax_nc_f32");
  }

  void Run(const float* input, float* output, pthreadpool_t pool) {
    Check(twopass_setup_softmax_nc_f32(op_.get(), input, output),
          "twopass_setup_softmax_nc_f32");
    Check(twopass_run_operator(op_.get(), pool), "twopass_run_operator");
  }

 private:
  struct Deleter {
    void operator()(twopass_operator* op) const { twopass_delete_operator(op); }
  };
  std::unique_ptr<twopass_operator, Deleter> op_;
};

// max |y - r| <= 1e-6 * max r and |sum y - 1| <= 1e-6 per row (include/twopass.h,
// "Accuracy"), r the softmax in double precision. Returns the number of bad rows.
size_t CountBadRows(const char* what, const std::vector<float>& input,
                    const std::vector<float>& output, size_t batch, size_t channels) {
  size_t bad = 0;
  for (size_t b = 0; b < batch; b++) {
    const float* x = &input[b * channels];
    const float* y = &output[b * channels];
    const double max_x = *std::max_element(x, x + channels);
    double sum = 0.0;
    for (size_t i = 0; i < channels; i++) sum += std::exp(double(x[i]) - max_x);
    double max_r = 0.0, max_error = 0.0, sum_y = 0.0;
    for (size_t i = 0; i < channels; i++) {
      const double r = std::exp(double(x[i]) - max_x) / sum;
      max_r = std::max(max_r, r);
      const double error = std::fabs(double(y[i]) - r);
      if (!(error <= max_error)) max_error = error;  // NaN counts as an error
      sum_y += y[i];
    }
    if (!(max_error <= 1e-6 * max_r) || !(std::fabs(sum_y - 1.0) <= 1e-6)) {
      std::fprintf(stderr, "%s: row %zu: max error %g (max %g), sum %.9f\n", what, b,
                   max_error, max_r, sum_y);
      bad++;
    }
  }
  return bad;
}

int Main() {
  Check(twopass_initialize(), "twopass_initialize");
  // Two threads: a pool the application would share with its other operators.
  Pool pool(pthreadpool_create(2));
  if (!pool) throw std::runtime_error("pthreadpool_create failed");

  // Attention-like scores: 24 rows of 4099 scores (longer than one 4096-element chunk,
  // so a row is split across threads), a few masked with -inf.
  const size_t batch = 24, channels = 4099;
  std::mt19937 rng(20261124);
  std::normal_distribution<float> score(0.0f, 8.0f);
  std::vector<float> input(batch * channels);
  for (float& x : input) x = score(rng);
  for (size_t b = 0; b < batch; b += 5) input[b * channels + b] = -INFINITY;
  std::vector<float> output(input.size(), -1.0f), oneshot(input.size(), -1.0f);

  Softmax softmax;
  softmax.Reshape(batch, channels, pool.get());
  softmax.Run(input.data(), output.data(), pool.get());

  Check(twopass_run_softmax_nc_f32(channels, channels, channels, batch, input.data(),
                                   oneshot.data(), 0, pool.get()),
        "twopass_run_softmax_nc_f32");

  size_t bad = CountBadRows("operator", input, output, batch, channels) +
               CountBadRows("one-shot", input, oneshot, batch, channels);
  for (size_t b = 0; b < batch; b += 5) {
    if (output[b * channels + b] != 0.0f) {  // exp(-inf) is exactly 0
      std::fprintf(stderr, "row %zu: masked score gave %g, expected 0\n", b,
                   output[b * channels + b]);
      bad++;
    }
  }
  if (std::memcmp(output.data(), oneshot.data(), output.size() * sizeof(float)) != 0) {
    std::fprintf(stderr, "operator and one-shot results differ\n");
    bad++;
  }
  if (bad != 0) return 1;
  std::printf("example.cc: twopass %u (%s), %zu rows x %zu channels on %zu threads: OK\n",
              unsigned(twopass_version()), twopass_isa_name(), batch, channels,
              pthreadpool_get_threads_count(pool.get()));
  return 0;
}

}  // namespace

int main() {
  try {
    return Main();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "example.cc: %s\n", e.what());
    return 1;
  }
}
