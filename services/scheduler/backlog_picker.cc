#include "services/scheduler/backlog_picker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tracking/proto.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

BacklogPicker::BacklogPicker(RepoClient* repo, std::vector<std::string> studies,
                             std::set<std::string> exclude)
    : repo_(repo), studies_(std::move(studies)), exclude_(std::move(exclude)) {}

absl::StatusOr<std::vector<std::string>> BacklogPicker::StudiesInOrder() {
  if (!studies_.empty()) return studies_;
  auto report = repo_->Report();
  if (!report.ok()) return report.status();
  std::vector<std::string> out;
  for (const auto& s : report->studies()) {
    if (s.backlog() > 0) out.push_back(s.study_id());
  }
  std::sort(out.begin(), out.end());
  return out;
}

BacklogPicker::Picked BacklogPicker::Pick(int capacity, std::set<std::string>* claimed) {
  Picked picked;
  if (capacity <= 0) return picked;
  auto studies = StudiesInOrder();
  if (!studies.ok()) {
    picked.note = absl::StrCat("cannot list studies: ", studies.status().message());
    return picked;
  }
  auto full = [&] { return static_cast<int>(picked.jobs.size()) >= capacity; };
  for (const std::string& study : *studies) {
    if (full()) break;
    if (exclude_.count(study)) continue;
    JobQuery query;
    query.states = {JOB_STATE_BACKLOG};
    query.study = study;
    // Claimed jobs come back too and are skipped: ask for that many more.
    const int skipped = claimed != nullptr ? static_cast<int>(claimed->size()) : 0;
    query.limit = capacity - static_cast<int>(picked.jobs.size()) + skipped;
    auto backlog = repo_->ListJobs(query);
    if (!backlog.ok()) {
      // A study named in --studies may have no jobs (yet): not worth a note.
      if (backlog.status().code() != absl::StatusCode::kNotFound) {
        picked.note = absl::StrCat("cannot list backlog of ", study, ": ", backlog.status().message());
      }
      continue;
    }
    for (auto& j : *backlog) {
      if (full()) break;
      if (claimed != nullptr && !claimed->insert(tracking::JobKeyText(j.key())).second) continue;
      picked.jobs.push_back(std::move(j));
    }
  }
  return picked;
}

}  // namespace tracker::scheduler
