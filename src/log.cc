// Logging to stderr; see twopass/log.h.
#include "twopass/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "twopass.h"

namespace twopass {
namespace {

constexpr LogLevel kDefaultLevel = LogLevel::kWarning;

// -1: not read from the environment yet.
std::atomic<int> g_level{-1};

void WriteLine(const char* line, size_t length) {
  // write(2) on stderr: one system call per line, no stdio buffering or locking
  // shared with the application.
  while (length != 0) {
    const ssize_t written = write(STDERR_FILENO, line, length);
    if (written <= 0) return;
    line += written;
    length -= static_cast<size_t>(written);
  }
}

int ReadLevelFromEnvironment() {
  const char* env = getenv("TWOPASS_LOG_LEVEL");
  LogLevel level = kDefaultLevel;
  if (env != nullptr && !ParseLogLevel(env, &level)) {
    // Not through Log(): the level is being decided right now.
    char line[256];
    const int length = snprintf(line, sizeof(line),
                                "twopass: warning: unknown TWOPASS_LOG_LEVEL \"%.64s\" "
                                "(none|error|warning|info|debug); using warning\n",
                                env);
    if (length > 0) WriteLine(line, strnlen(line, sizeof(line)));
  }
  return static_cast<int>(level);
}

}  // namespace

bool ParseLogLevel(const char* name, LogLevel* level) {
  if (name == nullptr) return false;
  static const struct {
    const char* name;
    LogLevel level;
  } kLevels[] = {
      {"none", LogLevel::kNone},       {"error", LogLevel::kError},
      {"warning", LogLevel::kWarning}, {"info", LogLevel::kInfo},
      {"debug", LogLevel::kDebug},
  };
  for (const auto& entry : kLevels) {
    if (strcmp(name, entry.name) == 0) {
      *level = entry.level;
      return true;
    }
  }
  return false;
}

LogLevel CurrentLogLevel() {
  int level = g_level.load(std::memory_order_acquire);
  if (level < 0) {
    static std::once_flag once;
    std::call_once(once, [] {
      int expected = -1;
      // A concurrent SetLogLevel wins over the environment.
      g_level.compare_exchange_strong(expected, ReadLevelFromEnvironment(),
                                      std::memory_order_acq_rel);
    });
    level = g_level.load(std::memory_order_acquire);
  }
  return static_cast<LogLevel>(level);
}

void SetLogLevel(LogLevel level) {
  CurrentLogLevel();  // consume the environment first, so it cannot override later
  g_level.store(static_cast<int>(level), std::memory_order_release);
}

void Log(LogLevel level, const char* format, ...) {
  if (level == LogLevel::kNone || !LogEnabled(level)) return;
  char line[1024];
  static const char kPrefix[] = "twopass: ";
  memcpy(line, kPrefix, sizeof(kPrefix) - 1);
  size_t length = sizeof(kPrefix) - 1;
  va_list args;
  va_start(args, format);
  const int body = vsnprintf(line + length, sizeof(line) - length - 1, format, args);
  va_end(args);
  if (body < 0) return;
  length += static_cast<size_t>(body);
  if (length > sizeof(line) - 2) length = sizeof(line) - 2;  // truncated message
  line[length++] = '\n';
  WriteLine(line, length);
}

}  // namespace twopass

extern "C" enum twopass_status twopass_set_log_level(enum twopass_log_level level) {
  // The public values are LogLevel's; anything else is rejected (C callers can pass
  // any int).
  static_assert(twopass_log_level_none == static_cast<int>(twopass::LogLevel::kNone) &&
                    twopass_log_level_error == static_cast<int>(twopass::LogLevel::kError) &&
                    twopass_log_level_warning == static_cast<int>(twopass::LogLevel::kWarning) &&
                    twopass_log_level_info == static_cast<int>(twopass::LogLevel::kInfo) &&
                    twopass_log_level_debug == static_cast<int>(twopass::LogLevel::kDebug),
                "public and internal log levels must agree");
  // The argument's bits are read without loading it as the enum: in C++ a value outside
  // the enum's range (0..7 here, no fixed underlying type) is undefined behaviour, and
  // UBSan's -fsanitize=enum stops on such a load; a C caller may pass any int.
  static_assert(sizeof(level) == sizeof(int), "enum twopass_log_level is passed as an int");
  int value;
  memcpy(&value, &level, sizeof(value));
  if (value < static_cast<int>(twopass_log_level_none) ||
      value > static_cast<int>(twopass_log_level_debug)) {
    TWOPASS_LOG_ERROR("set_log_level: level (%d) is not a twopass_log_level", value);
    return twopass_status_invalid_parameter;
  }
  twopass::SetLogLevel(static_cast<twopass::LogLevel>(value));
  return twopass_status_success;
}
