#ifndef TRACKING_FLAGS_H_
#define TRACKING_FLAGS_H_

// Flags: files directly under jobs/ that steer one compute environment.
//   jobs/pause.<env>                  an admin paused it (content ignored)
//   jobs/excessive_failure.<env>.txt  the scheduler stopped it; lists the
//                                     failed runs, an admin clears it
// The excessive-failure flag's content is the original scheduler's:
//   recently_failed_runs: [run.<epoch>.<env>.<id>, run.<epoch>.<env>.<id>]

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace tracker::tracking {

enum class FlagKind { kPause, kExcessiveFailure };
struct FlagName {
  FlagKind kind;
  std::string environment;
};

// File name under jobs/ for a flag (environment already validated).
std::string FlagFileName(FlagKind kind, absl::string_view environment);
// jobs/<file name>
std::string FlagPath(FlagKind kind, absl::string_view environment);
// Parses a file name under jobs/; nullopt when it is not a flag.
std::optional<FlagName> ParseFlagFileName(absl::string_view file_name);

// The excessive-failure flag's content for these run marker names.
std::string FormatExcessiveFailureContent(const std::vector<std::string>& failed_runs);
// The run marker names a flag's content lists, in order; tolerant of hand
// edits (other lines, spacing): every word that parses as a marker counts.
std::vector<std::string> ParseExcessiveFailureContent(absl::string_view content);

}  // namespace tracker::tracking

#endif  // TRACKING_FLAGS_H_
