#include "tracking/layout.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tracking/flags.h"
#include "tracking/ids.h"

namespace tracker::tracking {

absl::Status ValidateBranch(absl::string_view branch) {
  if (branch != kMainBranch && branch != kSchedulerBranch) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid branch ", QuoteId(branch), ": expected 'main' or 'scheduler'"));
  }
  return absl::OkStatus();
}

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

std::string BatchDir(absl::string_view study, absl::string_view batch) {
  return absl::StrCat(kJobsDir, "/", study, "/", batch);
}

std::string SummaryPath(absl::string_view study, absl::string_view batch) {
  return absl::StrCat(BatchDir(study, batch), "/", kSummaryFile);
}

std::string JobDir(absl::string_view study, absl::string_view batch, State state,
                   absl::string_view job) {
  return absl::StrCat(BatchDir(study, batch), "/", StateFolder(state), "/", job);
}

std::string JobDirIn(absl::string_view study, absl::string_view batch, absl::string_view folder,
                     absl::string_view job) {
  return absl::StrCat(BatchDir(study, batch), "/", folder, "/", job);
}

bool IsJobFolder(absl::string_view folder) {
  return folder == kOnholdFolder || StateFromFolder(folder).has_value();
}

std::optional<JobKey> JobOfPath(absl::string_view path) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  if (parts.size() < 5 || parts[0] != kJobsDir || !IsJobFolder(parts[3]) ||
      !ValidateJobId(parts[4]).ok()) {
    return std::nullopt;
  }
  return JobKey{std::string(parts[1]), std::string(parts[2]), std::string(parts[4])};
}

bool IsSchedulerOwnedPath(absl::string_view path) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  if (parts.empty() || parts[0] != kJobsDir) return false;
  // jobs/<study>/<batch>/queued[/...]
  if (parts.size() >= 4 && parts[3] == StateFolder(State::kQueued)) return true;
  if (parts.size() == 2) {
    std::optional<FlagName> flag = ParseFlagFileName(parts[1]);
    return flag.has_value() && flag->kind == FlagKind::kExcessiveFailure;
  }
  return false;
}

}  // namespace tracker::tracking
