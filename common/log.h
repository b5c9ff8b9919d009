#ifndef COMMON_LOG_H_
#define COMMON_LOG_H_

#include <cstdint>
#include <sstream>
#include <string>
#include "absl/strings/string_view.h"

namespace tracker {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Names the process in every line ("repo-service"). Call once from main().
// Also applies TRACKER_LOG_LEVEL (debug, info, warning, error) when set.
void SetLogComponent(absl::string_view component);
// Lines below this level are dropped. Default kInfo.
void SetLogLevel(LogLevel level);

// One log line per event, written when the object dies:
//   2026-11-25T06:40:00.123Z INFO repo-service transition job=job.0001 ...
// Values with spaces or quotes are quoted, so lines stay machine-parseable.
// Thread-safe: each line is a single write to stderr.
class LogLine {
 public:
  LogLine(LogLevel level, absl::string_view event);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  LogLine& Kv(absl::string_view key, absl::string_view value);
  LogLine& Kv(absl::string_view key, const char* value) {
    return Kv(key, absl::string_view(value));
  }
  LogLine& Kv(absl::string_view key, const std::string& value) {
    return Kv(key, absl::string_view(value));
  }
  LogLine& Kv(absl::string_view key, int64_t value);
  LogLine& Kv(absl::string_view key, int value) {
    return Kv(key, static_cast<int64_t>(value));
  }
  LogLine& Kv(absl::string_view key, double value);

 private:
  bool enabled_;
  std::string line_;
};

inline LogLine LogInfo(absl::string_view event) {
  return LogLine(LogLevel::kInfo, event);
}
inline LogLine LogWarning(absl::string_view event) {
  return LogLine(LogLevel::kWarning, event);
}
inline LogLine LogError(absl::string_view event) {
  return LogLine(LogLevel::kError, event);
}
inline LogLine LogDebug(absl::string_view event) {
  return LogLine(LogLevel::kDebug, event);
}

}  // namespace tracker

#endif  // COMMON_LOG_H_
