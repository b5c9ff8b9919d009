#include "services/scheduler/circuit_breaker.h"

#include "absl/strings/str_cat.h"
#include "services/scheduler/cycle_records.h"
#include "tracking/flags.h"
#include "tracking/layout.h"
#include "tracking/proto.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

namespace {

std::string AlertKey(const std::string& env) { return "excessive:" + env; }

}  // namespace

CircuitBreaker::CircuitBreaker(RepoClient* repo, Alerter* alerts, Clock* clock,
                               absl::Duration scheduling_interval)
    : repo_(repo), alerts_(alerts), clock_(clock), scheduling_interval_(scheduling_interval) {}

void CircuitBreaker::Acknowledge(const std::string& env, absl::string_view flag_content) {
  std::vector<std::string> runs = tracking::ParseExcessiveFailureContent(flag_content);
  absl::MutexLock lock(&mu_);
  acknowledged_[env].insert(runs.begin(), runs.end());
}

bool CircuitBreaker::Acknowledged(const std::string& env, const std::string& run) {
  absl::MutexLock lock(&mu_);
  auto it = acknowledged_.find(env);
  return it != acknowledged_.end() && it->second.count(run) > 0;
}

std::optional<CircuitBreaker::Trip> CircuitBreaker::Check(const std::string& env,
                                                          const StopRules& rules) {
  if (rules.two_windows) {
    if (std::optional<Trip> trip = CheckWindow(env)) return trip;
  }
  if (rules.excessive_failure_threshold <= 0) return std::nullopt;
  return CheckSincePush(env, rules.excessive_failure_threshold);
}

std::optional<CircuitBreaker::Trip> CircuitBreaker::CheckWindow(const std::string& env) {
  JobQuery query;
  query.states = {JOB_STATE_QUEUED, JOB_STATE_FAILED, JOB_STATE_COMPLETED};
  query.environment = env;
  query.min_run_epoch = absl::ToUnixSeconds(clock_->Now() - 2 * scheduling_interval_);
  auto recent = repo_->ListJobs(query);
  if (!recent.ok()) return std::nullopt;
  int started = 0;
  Trip trip;
  for (const auto& j : *recent) {
    if (IsPending(j.current_run())) continue;
    if (Acknowledged(env, j.current_run().file_name())) continue;
    ++started;
    if (j.state() == JOB_STATE_FAILED) trip.failed_runs.push_back(j.current_run().file_name());
  }
  const int failed = static_cast<int>(trip.failed_runs.size());
  if (started == 0 || failed != started) return std::nullopt;
  trip.reason = absl::StrCat("all ", started, " jobs started on ", env,
                             " in the last two scheduling windows failed");
  return trip;
}

std::optional<CircuitBreaker::Trip> CircuitBreaker::CheckSincePush(const std::string& env,
                                                                   int threshold) {
  absl::StatusOr<std::string> pushed = repo_->PushedSchedulerTip();
  if (!pushed.ok() || pushed->empty()) return std::nullopt;
  auto changes = repo_->ListTransitions(*pushed);
  if (!changes.ok()) return std::nullopt;
  const std::string failed_folder = tracking::StateFolder(tracking::State::kFailed);
  std::set<std::string> to_failed;
  for (const auto& ch : *changes) {
    if (ch.to_folder() == failed_folder) to_failed.insert(tracking::JobKeyText(ch.key()));
  }
  if (static_cast<int>(to_failed.size()) < threshold) return std::nullopt;
  JobQuery query;
  query.states = {JOB_STATE_FAILED};
  query.environment = env;
  auto failed = repo_->ListJobs(query);
  if (!failed.ok()) return std::nullopt;
  Trip trip;
  for (const auto& j : *failed) {
    if (to_failed.count(tracking::JobKeyText(j.key()))) {
      trip.failed_runs.push_back(j.current_run().file_name());
    }
  }
  if (static_cast<int>(trip.failed_runs.size()) < threshold) return std::nullopt;
  trip.reason = absl::StrCat(trip.failed_runs.size(), " jobs failed on ", env,
                             " since the last push (excessive_failure_threshold ", threshold, ")");
  return trip;
}

bool CircuitBreaker::Stop(const std::string& env, const Trip& trip) {
  Flag flag;
  flag.set_kind(FLAG_KIND_EXCESSIVE_FAILURE);
  flag.set_environment(env);
  flag.set_content(tracking::FormatExcessiveFailureContent(trip.failed_runs));
  absl::Status set =
      repo_->SetFlag(std::move(flag), absl::StrCat(tracking::kSchedulerCommitTag, " stop ", env, ": excessive failures"));
  if (set.ok()) {
    absl::MutexLock lock(&mu_);
    acknowledged_[env].insert(trip.failed_runs.begin(), trip.failed_runs.end());
  }
  alerts_->Alert(AlertLevel::kCritical, AlertKey(env),
                 absl::StrCat(env, " stopped: ", trip.reason, ". No new jobs start there until ",
                              tracking::FlagPath(tracking::FlagKind::kExcessiveFailure, env),
                              " is removed on main (jobctl clear-failure-flag ", env, ")."));
  return set.ok();
}

void CircuitBreaker::Resolve(const std::string& env) { alerts_->Resolve(AlertKey(env)); }

}  // namespace tracker::scheduler

