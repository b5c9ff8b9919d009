#include "tracking/flags.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/run_marker.h"

namespace tracker::tracking {

std::string FlagFileName(FlagKind kind, absl::string_view environment) {
  return kind == FlagKind::kPause ? absl::StrCat("pause.", environment)
                                  : absl::StrCat("excessive_failure.", environment, ".txt");
}

std::string FlagPath(FlagKind kind, absl::string_view environment) {
  return absl::StrCat(kJobsDir, "/", FlagFileName(kind, environment));
}

std::optional<FlagName> ParseFlagFileName(absl::string_view name) {
  if (absl::ConsumePrefix(&name, "pause.")) {
    if (!ValidateEnvironment(name).ok()) return std::nullopt;
    return FlagName{FlagKind::kPause, std::string(name)};
  }
  if (absl::ConsumePrefix(&name, "excessive_failure.") && absl::ConsumeSuffix(&name, ".txt")) {
    if (!ValidateEnvironment(name).ok()) return std::nullopt;
    return FlagName{FlagKind::kExcessiveFailure, std::string(name)};
  }
  return std::nullopt;
}

std::string FormatExcessiveFailureContent(const std::vector<std::string>& failed_runs) {
  return absl::StrCat("recently_failed_runs: [", absl::StrJoin(failed_runs, ", "), "]\n");
}

std::vector<std::string> ParseExcessiveFailureContent(absl::string_view content) {
  std::vector<std::string> runs;
  for (absl::string_view word : absl::StrSplit(content, absl::ByAnyChar("[], \t\r\n"))) {
    if (ParseMarker(word).has_value()) runs.emplace_back(word);
  }
  return runs;
}

}  // namespace tracker::tracking
