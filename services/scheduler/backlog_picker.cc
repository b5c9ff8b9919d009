#include "services/scheduler/backlog_picker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tracking/proto.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

bool HeldForAnotherEnvironment(const JobSummary& job, const std::string& env) {
  const std::string& marked = job.current_run().environment();
  return !marked.empty() && marked != env;
}

BacklogPicker::BacklogPicker(RepoClient* repo, StudyOrder order)
    : repo_(repo), order_(std::move(order)) {}

absl::StatusOr<std::vector<std::string>> BacklogPicker::StudiesInOrder() {
  std::vector<std::string> rest = order_.only;
  if (rest.empty()) {
    auto report = repo_->Report();
    if (!report.ok()) return report.status();
    for (const auto& s : report->studies()) {
      if (s.backlog() > 0) rest.push_back(s.study_id());
    }
  }
  std::sort(rest.begin(), rest.end());
  std::set<std::string> taken = order_.exclude;
  std::vector<std::string> out;
  const std::set<std::string> only(order_.only.begin(), order_.only.end());
  for (const std::string& s : order_.first) {
    if (!only.empty() && only.count(s) == 0) continue;
    if (taken.insert(s).second) out.push_back(s);
  }
  for (const std::string& s : rest) {
    if (taken.insert(s).second) out.push_back(s);
  }
  return out;
}

absl::StatusOr<std::vector<JobSummary>> BacklogPicker::PickInStudy(
    const std::string& env, const std::string& study, int need,
    const std::set<std::string>* claimed) {
  JobQuery query;
  query.states = {JOB_STATE_BACKLOG};
  query.study = study;
  // Claimed jobs come back too and are skipped: ask for that many more.
  query.limit = need + (claimed != nullptr ? static_cast<int>(claimed->size()) : 0);
  for (;;) {
    auto backlog = repo_->ListJobs(query);
    if (!backlog.ok()) return backlog.status();
    std::vector<JobSummary> out;
    for (auto& j : *backlog) {
      if (static_cast<int>(out.size()) >= need) break;
      if (claimed != nullptr && claimed->count(tracking::JobKeyText(j.key()))) continue;
      if (HeldForAnotherEnvironment(j, env)) continue;
      out.push_back(std::move(j));
    }
    // Jobs held for other environments took places in the page: ask again
    // for more, until the study has no more backlog.
    if (static_cast<int>(out.size()) >= need ||
        static_cast<int>(backlog->size()) < query.limit) {
      return out;
    }
    query.limit *= 2;
  }
}

BacklogPicker::Picked BacklogPicker::Pick(const std::string& env, int capacity,
                                          std::set<std::string>* claimed) {
  Picked picked;
  if (capacity <= 0) return picked;
  auto studies = StudiesInOrder();
  if (!studies.ok()) {
    picked.note = absl::StrCat("cannot list studies: ", studies.status().message());
    return picked;
  }
  for (const std::string& study : *studies) {
    const int need = capacity - static_cast<int>(picked.jobs.size());
    if (need <= 0) break;
    auto jobs = PickInStudy(env, study, need, claimed);
    if (!jobs.ok()) {
      // A study named in --studies may have no jobs (yet): not worth a note.
      if (jobs.status().code() != absl::StatusCode::kNotFound) {
        picked.note = absl::StrCat("cannot list backlog of ", study, ": ", jobs.status().message());
      }
      continue;
    }
    for (auto& j : *jobs) {
      if (claimed != nullptr) claimed->insert(tracking::JobKeyText(j.key()));
      picked.jobs.push_back(std::move(j));
    }
  }
  return picked;
}

}  // namespace tracker::scheduler
