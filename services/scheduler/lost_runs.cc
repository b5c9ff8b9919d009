#include "services/scheduler/lost_runs.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "tracking/proto.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

LostRuns::LostRuns(Alerter* alerts, Clock* clock, absl::Duration not_found_grace,
                   absl::Duration unknown_after)
    : alerts_(alerts),
      clock_(clock),
      not_found_grace_(not_found_grace),
      unknown_after_(unknown_after) {}

bool LostRuns::StillLost(const RunStatus& status) {
  if (status.error_code() != 0) {
    return status.error_code() == static_cast<int>(absl::StatusCode::kNotFound);
  }
  return status.state() == RUN_STATE_UNKNOWN;
}

std::optional<LostRun> LostRuns::Observe(const std::string& env, const JobSummary& job,
                                         const RunStatus& status) {
  const std::string key = tracking::JobKeyText(job.key());
  const absl::Time now = clock_->Now();
  const bool not_found =
      status.error_code() == static_cast<int>(absl::StatusCode::kNotFound);
  const bool unknown = status.error_code() == 0 && status.state() == RUN_STATE_UNKNOWN;
  std::string reason;
  bool newly = false;
  LostRun record;
  {
    absl::MutexLock lock(&mu_);
    Entry& e = entries_[key];
    if (e.run_id != job.current_run().run_id()) e = Entry{};  // another run now
    e.env = env;
    e.run_id = job.current_run().run_id();
    if (!not_found && !unknown) {
      entries_.erase(key);  // readable and known: not lost (any more)
      return std::nullopt;
    }
    if (unknown && e.unknown_since == absl::InfiniteFuture()) e.unknown_since = now;
    const absl::Time started = absl::FromUnixSeconds(job.current_run().epoch_seconds());
    if (not_found && now - started >= not_found_grace_) {
      reason = absl::StrCat("the workflow service of ", env, " does not know the run (",
                            status.error_message().substr(0, 200), ")");
    } else if (unknown && now - e.unknown_since >= unknown_after_) {
      reason = absl::StrCat("the run has been UNKNOWN on ", env, " since ",
                            absl::FormatTime("%Y-%m-%d %H:%M UTC", e.unknown_since,
                                             absl::UTCTimeZone()));
    } else {
      if (!e.lost) return std::nullopt;  // not yet: a young run, or a short UNKNOWN
      return e.lost;
    }
    if (!e.lost) {
      newly = true;
      LostRun r;
      *r.mutable_key() = job.key();
      r.set_environment(env);
      r.set_run_id(e.run_id);
      r.set_since_epoch(absl::ToUnixSeconds(now));
      e.lost = r;
    }
    e.lost->set_reason(reason);
    record = *e.lost;
  }
  if (newly) {
    LogWarning("run_lost").Kv("env", env).Kv("job", key).Kv("run", record.run_id()).Kv("why", reason);
    alerts_->Alert(AlertLevel::kWarning, "lost_run:" + key,
                   absl::StrCat(key, " is queued but its run ", record.run_id(), " is lost: ", reason,
                                ". Check the environment; `jobctl release-lost ", key,
                                "` moves it to failed/"));
  }
  return record;
}

void LostRuns::Keep(const std::string& env, const std::vector<JobSummary>& queued) {
  std::set<std::string> keep;
  for (const auto& j : queued) keep.insert(tracking::JobKeyText(j.key()));
  absl::MutexLock lock(&mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.env == env && keep.count(it->first) == 0) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<LostRun> LostRuns::List() const {
  std::vector<LostRun> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [key, e] : entries_) {
    if (e.lost) out.push_back(*e.lost);
  }
  return out;
}

std::optional<LostRun> LostRuns::Find(const JobKey& key) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(tracking::JobKeyText(key));
  if (it == entries_.end()) return std::nullopt;
  return it->second.lost;
}

void LostRuns::Forget(const JobKey& key) {
  const std::string text = tracking::JobKeyText(key);
  alerts_->Resolve("lost_run:" + text);
  absl::MutexLock lock(&mu_);
  entries_.erase(text);
}

}  // namespace tracker::scheduler
