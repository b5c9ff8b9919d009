#include "tracking/layout.h"

#include "absl/strings/str_cat.h"
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

}  // namespace tracker::tracking
