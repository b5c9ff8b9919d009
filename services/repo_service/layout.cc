#include "services/repo_service/layout.h"

#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tracker::repo {
namespace {

bool IsAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

// Shows an offending id safely: control characters never reach a message.
std::string Quote(absl::string_view id) {
  std::string out = "'";
  for (char c : id.substr(0, 80)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += "\\x";
      out += absl::StrCat(absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  if (id.size() > 80) out += "...";
  return out + "'";
}

absl::Status Invalid(absl::string_view what, absl::string_view id,
                     absl::string_view form) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid ", what, " ", Quote(id), ": expected ", form));
}

// Letters, digits and `extra`, starting with a letter or digit.
bool IsToken(absl::string_view s, absl::string_view extra, size_t max_len) {
  if (s.empty() || s.size() > max_len || !IsAlnum(s[0])) return false;
  for (char c : s) {
    if (!IsAlnum(c) && extra.find(c) == absl::string_view::npos) return false;
  }
  return true;
}

}  // namespace

const char* StateFolder(State state) {
  switch (state) {
    case State::kBacklog:
      return "backlog";
    case State::kQueued:
      return "queued";
    case State::kFailed:
      return "failed";
    case State::kCompleted:
      return "completed";
  }
  return "backlog";
}

std::optional<State> StateFromFolder(absl::string_view folder) {
  for (State s : kAllStates) {
    if (folder == StateFolder(s)) return s;
  }
  return std::nullopt;
}

absl::Status ValidateStudyId(absl::string_view id) {
  // Upper-case code, a dash, a country: PACA-CA, BOCA-UK. The seed's report
  // loop finds studies with the glob *-*, so the dash is required.
  bool ok = IsToken(id, "-_", 64) && absl::StrContains(id, "-") &&
            id.back() != '-';
  if (!ok) return Invalid("study id", id, "letters and digits with a dash, like PACA-CA");
  return absl::OkStatus();
}

absl::Status ValidateBatchId(absl::string_view id) {
  bool ok = (id.size() == 10 || id.size() == 11);
  for (size_t i = 0; ok && i < 10; ++i) {
    ok = (i == 4 || i == 7) ? id[i] == '-'
                            : absl::ascii_isdigit(static_cast<unsigned char>(id[i]));
  }
  if (ok && id.size() == 11) ok = id[10] >= 'a' && id[10] <= 'z';
  if (!ok) return Invalid("batch id", id, "YYYY-MM-DD with an optional lower-case letter, like 2021-07-12a");
  return absl::OkStatus();
}

absl::Status ValidateJobId(absl::string_view id) {
  if (!IsToken(id, "._-", 64) || absl::StrContains(id, "..")) {
    return Invalid("job id", id, "letters, digits, '.', '_' or '-', like job.0001");
  }
  return absl::OkStatus();
}

absl::Status ValidateEnvironment(absl::string_view env) {
  // No dots: marker and flag file names are dot-separated.
  if (!IsToken(env, "_-", 64)) {
    return Invalid("environment", env, "letters, digits, '_' or '-', like rdpc_qa");
  }
  return absl::OkStatus();
}

absl::Status ValidateRunId(absl::string_view id) {
  if (!IsToken(id, "_-", 128)) {
    return Invalid("run id", id, "letters, digits, '_' or '-', like wes-0123abcd");
  }
  return absl::OkStatus();
}

absl::Status ValidateSessionId(absl::string_view id) {
  if (!IsToken(id, "-", 128)) {
    return Invalid("session id", id, "letters, digits and '-', like a UUID");
  }
  return absl::OkStatus();
}

absl::Status ValidateAnalysisId(absl::string_view id) {
  if (!IsToken(id, "-_.", 128) || absl::StrContains(id, "..")) {
    return Invalid("analysis id", id, "letters, digits, '-', '_' or '.'");
  }
  return absl::OkStatus();
}

absl::Status ValidateBranch(absl::string_view branch) {
  if (branch != kMainBranch && branch != kSchedulerBranch) {
    return Invalid("branch", branch, "'main' or 'scheduler'");
  }
  return absl::OkStatus();
}

std::optional<Marker> ParseMarker(absl::string_view file_name) {
  std::vector<absl::string_view> parts = absl::StrSplit(file_name, '.');
  if ((parts.size() != 4 && parts.size() != 5) || parts[0] != "run") {
    return std::nullopt;
  }
  Marker marker;
  if (parts[1].empty() || !absl::SimpleAtoi(parts[1], &marker.epoch_seconds) ||
      marker.epoch_seconds < 0) {
    return std::nullopt;
  }
  marker.environment = std::string(parts[2]);
  marker.run_id = std::string(parts[3]);
  if (parts.size() == 5) marker.session_id = std::string(parts[4]);
  if (marker.environment.empty() || marker.run_id.empty()) return std::nullopt;
  return marker;
}

absl::Status FormatMarker(const Marker& marker, std::string* file_name) {
  if (marker.epoch_seconds <= 0) {
    return absl::InvalidArgumentError("run marker needs epoch_seconds > 0");
  }
  if (absl::Status s = ValidateEnvironment(marker.environment); !s.ok()) return s;
  if (absl::Status s = ValidateRunId(marker.run_id); !s.ok()) return s;
  *file_name = absl::StrCat("run.", marker.epoch_seconds, ".", marker.environment,
                            ".", marker.run_id);
  if (!marker.session_id.empty()) {
    if (absl::Status s = ValidateSessionId(marker.session_id); !s.ok()) return s;
    absl::StrAppend(file_name, ".", marker.session_id);
  }
  return absl::OkStatus();
}

std::string FlagFileName(FlagKind kind, absl::string_view environment) {
  return kind == FlagKind::kPause
             ? absl::StrCat("pause.", environment)
             : absl::StrCat("excessive_failure.", environment, ".txt");
}

std::optional<FlagName> ParseFlagFileName(absl::string_view name) {
  if (absl::ConsumePrefix(&name, "pause.")) {
    if (!ValidateEnvironment(name).ok()) return std::nullopt;
    return FlagName{FlagKind::kPause, std::string(name)};
  }
  if (absl::ConsumePrefix(&name, "excessive_failure.") &&
      absl::ConsumeSuffix(&name, ".txt")) {
    if (!ValidateEnvironment(name).ok()) return std::nullopt;
    return FlagName{FlagKind::kExcessiveFailure, std::string(name)};
  }
  return std::nullopt;
}

std::string JobDir(absl::string_view study, absl::string_view batch, State state,
                   absl::string_view job) {
  return absl::StrCat(kJobsDir, "/", study, "/", batch, "/", StateFolder(state), "/",
                      job);
}

}  // namespace tracker::repo
