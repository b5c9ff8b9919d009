#include "common/log.h"

#include <cstdlib>

#include <unistd.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tracker {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

std::string& Component() {
  static std::string* component = new std::string("tracker");
  return *component;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

bool NeedsQuotes(absl::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20)
      return true;
  }
  return false;
}

void AppendValue(std::string* out, absl::string_view v) {
  if (!NeedsQuotes(v)) {
    out->append(v.data(), v.size());
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out->append(absl::StrCat("\\x", absl::Hex(static_cast<unsigned char>(c),
                                                absl::kZeroPad2)));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

}  // namespace

void SetLogComponent(absl::string_view component) {
  Component() = std::string(component);
  // TRACKER_LOG_LEVEL=debug|info|warning|error, for every service alike.
  if (const char* level = std::getenv("TRACKER_LOG_LEVEL")) {
    std::string l = level;
    if (l == "debug") SetLogLevel(LogLevel::kDebug);
    if (l == "info") SetLogLevel(LogLevel::kInfo);
    if (l == "warning") SetLogLevel(LogLevel::kWarning);
    if (l == "error") SetLogLevel(LogLevel::kError);
  }
}

void SetLogLevel(LogLevel level) { g_min_level = static_cast<int>(level); }

LogLine::LogLine(LogLevel level, absl::string_view event)
    : enabled_(static_cast<int>(level) >= g_min_level.load()) {
  if (!enabled_) return;
  line_ = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      " ", LevelName(level), " ", Component(), " ", event);
}

LogLine::~LogLine() {
  if (!enabled_) return;
  line_.push_back('\n');
  // One write(2) per line keeps lines whole when threads log at once.
  ssize_t ignored = ::write(STDERR_FILENO, line_.data(), line_.size());
  (void)ignored;
}

LogLine& LogLine::Kv(absl::string_view key, absl::string_view value) {
  if (!enabled_) return *this;
  line_.push_back(' ');
  line_.append(key.data(), key.size());
  line_.push_back('=');
  AppendValue(&line_, value);
  return *this;
}

LogLine& LogLine::Kv(absl::string_view key, int64_t value) {
  if (!enabled_) return *this;
  absl::StrAppend(&line_, " ", key, "=", value);
  return *this;
}

LogLine& LogLine::Kv(absl::string_view key, double value) {
  if (!enabled_) return *this;
  absl::StrAppend(&line_, " ", key, "=", value);
  return *this;
}

}  // namespace tracker
