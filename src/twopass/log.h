// Diagnostics: one line per message on stderr, prefixed "twopass: ".
//
// The level comes from twopass_set_log_level() or else from the environment
// variable TWOPASS_LOG_LEVEL (none|error|warning|info|debug), read once on first
// use; the default prints errors and warnings only. Nothing else in the library
// writes to any stream.
#pragma once

#include <stdarg.h>

namespace twopass {

enum class LogLevel : int {
  kNone = 0,
  kError = 1,
  kWarning = 2,
  kInfo = 3,
  kDebug = 4,
};

// Parses a TWOPASS_LOG_LEVEL value; returns false (and leaves *level alone) for
// NULL or an unknown name.
bool ParseLogLevel(const char* name, LogLevel* level);

// The level in effect (reads TWOPASS_LOG_LEVEL on the first call).
LogLevel CurrentLogLevel();

// Overrides the level (and TWOPASS_LOG_LEVEL) until the next call. Thread-safe.
// Behind twopass_set_log_level(); tests use it directly.
void SetLogLevel(LogLevel level);

inline bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) <= static_cast<int>(CurrentLogLevel());
}

// Writes "twopass: <formatted message>\n" with a single write, so lines from
// several threads do not interleave. Does nothing below the current level.
void Log(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace twopass

#define TWOPASS_LOG_ERROR(...) ::twopass::Log(::twopass::LogLevel::kError, __VA_ARGS__)
#define TWOPASS_LOG_WARNING(...) ::twopass::Log(::twopass::LogLevel::kWarning, __VA_ARGS__)
#define TWOPASS_LOG_INFO(...) ::twopass::Log(::twopass::LogLevel::kInfo, __VA_ARGS__)
#define TWOPASS_LOG_DEBUG(...) ::twopass::Log(::twopass::LogLevel::kDebug, __VA_ARGS__)
