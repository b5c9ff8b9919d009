#include "services/scheduler/failed_verifier.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "services/scheduler/cycle_records.h"
#include "tracking/layout.h"
#include "tracking/proto.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

FailedVerifier::FailedVerifier(RepoClient* repo, JobVerifier* verifier, Alerter* alerts,
                               int per_cycle)
    : repo_(repo), verifier_(verifier), alerts_(alerts), per_cycle_(per_cycle) {}

std::string FailedVerifier::CommitMessage(const std::vector<JobAction>& completed) {
  std::vector<std::string> keys;
  for (const auto& a : completed) keys.push_back(tracking::JobKeyText(a.key()));
  return absl::StrCat(tracking::kJobStatusCommitSubject, ": ", completed.size(),
                      " failed job", completed.size() == 1 ? "" : "s",
                      " completed, analyses all PUBLISHED in SONG\n\n", absl::StrJoin(keys, "\n"),
                      "\n");
}

FailedVerifier::Result FailedVerifier::Run(bool dry_run) {
  Result result;
  if (per_cycle_ <= 0) return result;
  JobQuery query;
  query.states = {JOB_STATE_FAILED};
  auto failed = repo_->ListJobs(query);
  if (!failed.ok()) {
    result.error = absl::StrCat("failed jobs not listed: ", failed.status().message());
    return result;
  }
  if (failed->empty()) return result;
  std::vector<std::pair<std::string, JobKey>> keys;
  for (const auto& j : *failed) keys.emplace_back(tracking::JobKeyText(j.key()), j.key());
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  // This turn: the jobs after the last one checked, wrapping round.
  std::string last;
  {
    absl::MutexLock lock(&mu_);
    last = last_checked_;
  }
  auto next = std::upper_bound(keys.begin(), keys.end(), last,
                               [](const std::string& k, const auto& e) { return k < e.first; });
  std::vector<JobKey> turn;
  const size_t n = std::min(keys.size(), static_cast<size_t>(per_cycle_));
  for (size_t i = 0; i < n; ++i) {
    if (next == keys.end()) next = keys.begin();
    turn.push_back(next->second);
    last = next->first;
    ++next;
  }
  const auto verdicts = verifier_->Verify(turn);
  std::vector<Transition> moves;
  std::vector<JobAction> completed;
  for (size_t i = 0; i < turn.size(); ++i) {
    JobAction a;
    *a.mutable_key() = turn[i];
    if (!verdicts[i].ok()) {
      a.set_action(CYCLE_ACTION_WAITING);
      a.set_detail(absl::StrCat("failed, not verified: ", verdicts[i].status().message()));
      ++result.unverifiable;
    } else if (!verdicts[i]->verified()) {
      a.set_action(CYCLE_ACTION_WAITING);
      a.set_detail(absl::StrCat("failed; ", verdicts[i]->summary()));
      ++result.not_published;
    } else {
      a.set_action(CYCLE_ACTION_PUBLISHED);
      a.set_detail(absl::StrCat("failed, but ", verdicts[i]->summary()));
      moves.push_back(Move(turn[i], JOB_STATE_FAILED, JOB_STATE_COMPLETED));
      completed.push_back(a);
    }
    result.checked.push_back(a);
  }
  if (dry_run) return result;
  {
    absl::MutexLock lock(&mu_);
    last_checked_ = last;
  }
  if (moves.empty()) return result;
  // Each move names failed/ as the job's state: a job requeued meanwhile
  // is refused, never moved.
  absl::Status written = repo_->TransitionJobs(std::move(moves), CommitMessage(completed));
  if (!written.ok()) {
    result.error = absl::StrCat("failed jobs found PUBLISHED not moved: ", written.message());
    for (auto& a : result.checked) {
      if (a.action() != CYCLE_ACTION_PUBLISHED) continue;
      a.set_action(CYCLE_ACTION_WAITING);
      a.set_detail(absl::StrCat(a.detail(), "; not moved: ", written.message()));
    }
    return result;
  }
  result.completed = static_cast<int>(completed.size());
  std::vector<std::string> lines;
  for (const auto& a : completed) {
    const std::string key = tracking::JobKeyText(a.key());
    LogInfo("failed_job_completed").Kv("job", key).Kv("why", a.detail());
    lines.push_back(absl::StrCat(key, ": ", a.detail()));
  }
  alerts_->Alert(AlertLevel::kInfo,
                 absl::StrCat("failed_published:", tracking::JobKeyText(completed.front().key())),
                 absl::StrCat(completed.size(), " failed job", completed.size() == 1 ? "" : "s",
                              " moved to completed/: the analyses are all PUBLISHED in SONG\n",
                              absl::StrJoin(lines, "\n")));
  return result;
}

}  // namespace tracker::scheduler
