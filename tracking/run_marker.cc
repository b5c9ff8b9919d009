#include "tracking/run_marker.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tracking/ids.h"

namespace tracker::tracking {
namespace {

constexpr absl::string_view kPendingPrefix = "pending-";

}  // namespace

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

absl::StatusOr<std::string> FormatMarker(const Marker& marker) {
  if (marker.epoch_seconds <= 0) {
    return absl::InvalidArgumentError("run marker needs epoch_seconds > 0");
  }
  if (absl::Status s = ValidateEnvironment(marker.environment); !s.ok()) return s;
  if (absl::Status s = ValidateRunId(marker.run_id); !s.ok()) return s;
  std::string name = absl::StrCat("run.", marker.epoch_seconds, ".", marker.environment, ".",
                                  marker.run_id);
  if (!marker.session_id.empty()) {
    if (absl::Status s = ValidateSessionId(marker.session_id); !s.ok()) return s;
    absl::StrAppend(&name, ".", marker.session_id);
  }
  return name;
}

std::string PendingRunId(int attempt) { return absl::StrCat(kPendingPrefix, attempt); }

bool IsPendingRunId(absl::string_view run_id) {
  return absl::StartsWith(run_id, kPendingPrefix);
}

int PendingAttempt(absl::string_view run_id) {
  int attempt = 0;
  if (!absl::ConsumePrefix(&run_id, kPendingPrefix) || !absl::SimpleAtoi(run_id, &attempt) ||
      attempt < 0) {
    return 0;
  }
  return attempt;
}

absl::StatusOr<std::string> FormatPendingMarker(int64_t epoch_seconds,
                                                absl::string_view environment, int attempt) {
  return FormatMarker({epoch_seconds, std::string(environment), PendingRunId(attempt), ""});
}

}  // namespace tracker::tracking
