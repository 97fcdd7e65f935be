// Library initialization, version and ISA name.
#include <stdlib.h>

#include <mutex>

#include <cpuinfo.h>

#include "twopass.h"
#include "twopass/config.h"
#include "twopass/isa.h"
#include "twopass/log.h"

namespace {

std::once_flag g_once;
enum twopass_status g_status = twopass_status_uninitialized;

// Runs once per process; its status is returned by every twopass_initialize().
enum twopass_status InitializeOnce() {
  if (!cpuinfo_initialize()) {
    TWOPASS_LOG_ERROR("initialize: cpuinfo failed to initialize");
    return twopass_status_unsupported_hardware;
  }
  enum twopass_isa isa;
  const enum twopass_status status =
      twopass::ResolveMaxIsa(getenv("TWOPASS_MAX_ISA"), twopass_isa_best_supported(), &isa);
  if (status != twopass_status_success) return status;
  const twopass::KernelConfig* config = twopass::GetKernelConfig(isa);
  if (config == nullptr) {
    TWOPASS_LOG_ERROR("initialize: no complete set of kernels for %s",
                      twopass_isa_to_string(isa));
    return twopass_status_unsupported_hardware;
  }
  twopass::LogKernelConfig(*config);
  twopass::SetActiveKernelConfig(config);
  return twopass_status_success;
}

}  // namespace

extern "C" enum twopass_status twopass_initialize(void) {
  std::call_once(g_once, [] { g_status = InitializeOnce(); });
  return g_status;
}

extern "C" uint32_t twopass_version(void) {
  return TWOPASS_VERSION_MAJOR * 10000 + TWOPASS_VERSION_MINOR * 100 + TWOPASS_VERSION_PATCH;
}

extern "C" const char* twopass_isa_name(void) {
  const twopass::KernelConfig* config = twopass::ActiveKernelConfig();
  return config != nullptr ? twopass_isa_to_string(config->isa) : "uninitialized";
}
