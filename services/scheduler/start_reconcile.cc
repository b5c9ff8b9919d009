// StartProtocol::Reconcile: interrupted starts (pending markers) resolved
// by the job's runs as ARGO can find them. ARGO keeps no run tags; its
// search (workflow-api's `runs(filter: {analysisId})`) finds runs by the
// params they were started with, and shows a run only once workflow-relay
// has indexed an event of it.

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"
#include "common/log.h"
#include "proto/tracker/v1/run_states.h"
#include "services/scheduler/cycle_records.h"
#include "services/scheduler/start_protocol.h"
#include "tracking/proto.h"

namespace tracker::scheduler {
namespace {

using namespace tracker::v1;  // NOLINT: generated message names

// What FindRunsOfJob needs of params.json: its study_id (the job key's
// study when absent: the path names the job) and its analysis_id list (a
// list, or one string in some hand-written jobs).
absl::StatusOr<FindRunsOfJobRequest> RunsOfJobQuery(const std::string& env, const Job& job) {
  auto params = ParseJsonObject(job.params_json(), "params.json");
  if (!params.ok()) return params.status();
  FindRunsOfJobRequest req;
  req.set_environment(env);
  std::string study = StringField(*params, "study_id");
  req.set_study_id(study.empty() ? job.key().study_id() : study);
  auto ids = params->fields().find("analysis_id");
  if (ids != params->fields().end()) {
    if (ids->second.has_list_value()) {
      for (const auto& v : ids->second.list_value().values()) {
        if (v.has_string_value() && !v.string_value().empty()) req.add_analysis_ids(v.string_value());
      }
    } else if (ids->second.has_string_value() && !ids->second.string_value().empty()) {
      req.add_analysis_ids(ids->second.string_value());
    }
  }
  if (req.analysis_ids_size() == 0) {
    return absl::FailedPreconditionError("params.json has no analysis_id to search its runs by");
  }
  return req;
}

}  // namespace

StartProtocol::Reconciled StartProtocol::Reconcile(const std::string& env,
                                                   const std::vector<JobSummary>& pending,
                                                   bool dry_run, EnvironmentCycle* out) {
  Reconciled result;
  const int64_t now = absl::ToUnixSeconds(clock_->Now());
  for (const JobSummary& job : pending) ReconcileJob(env, now, job, dry_run, &result, out);
  return result;
}

void StartProtocol::ReconcileJob(const std::string& env, int64_t now, const JobSummary& job,
                                 bool dry_run, Reconciled* result, EnvironmentCycle* out) {
  const std::string key = tracking::JobKeyText(job.key());
  // Unknown whether it started: until the runs are known it waits, it is
  // not started again.
  auto detail = repo_->GetJob(job.key());
  if (!detail.ok()) {
    AddAction(out, job.key(), CYCLE_ACTION_AMBIGUOUS, "",
              absl::StrCat("cannot read the job to look its run up: ", detail.status().message()));
    return;
  }
  auto query = RunsOfJobQuery(env, *detail);
  if (!query.ok()) {
    const std::string why = absl::StrCat("cannot look the run up: ", query.status().message());
    AddAction(out, job.key(), CYCLE_ACTION_AMBIGUOUS, "", why);
    alerts_->Alert(AlertLevel::kWarning, "reconcile:" + key,
                   absl::StrCat(key, " may have a run on ", env, " (its start was interrupted); ",
                                why, ". Check ", env, "'s runs and decide"));
    return;
  }
  FindRunsOfJobResponse found;
  absl::Status s = upstream_->Call("WesPoller.FindRunsOfJob", Idempotency::kIdempotent,
                                   [&](grpc::ClientContext* c) {
                                     return wes_->FindRunsOfJob(c, *query, &found);
                                   });
  if (!s.ok()) {
    AddAction(out, job.key(), CYCLE_ACTION_AMBIGUOUS, "",
              absl::StrCat("cannot look the run up: ", s.message()));
    return;
  }
  // The earlier attempts' runs are in the job's markers; any other run of
  // the job is this attempt's.
  std::set<std::string> recorded;
  for (const RunMarker& m : detail->runs()) {
    if (!IsPending(m)) recorded.insert(m.run_id());
  }
  std::vector<const RunStatus*> mine;  // newest first, as found
  for (const auto& r : found.runs()) {
    if (recorded.count(r.run_id()) == 0) mine.push_back(&r);
  }
  if (mine.empty()) {
    const absl::Duration age = absl::Seconds(now - job.current_run().epoch_seconds());
    if (age < reconcile_grace_) {
      // A run just started may not be searchable yet.
      AddAction(out, job.key(), CYCLE_ACTION_AMBIGUOUS, "",
                absl::StrCat("no run found yet; ", env, "'s search shows a run once indexed: ",
                             "started again if still none ", absl::FormatDuration(reconcile_grace_),
                             " after the start"));
    } else if (!found.exhaustive()) {
      const std::string why =
          absl::StrCat("no run found, but ", env, "'s search could not be exhaustive");
      AddAction(out, job.key(), CYCLE_ACTION_AMBIGUOUS, "", why);
      alerts_->Alert(AlertLevel::kWarning, "reconcile:" + key,
                     absl::StrCat(key, "'s start on ", env, " was interrupted and ", why,
                                  ": it is not started again. Check ", env,
                                  "'s runs of the job and decide"));
    } else {
      result->restart.push_back(job);
    }
    return;
  }
  alerts_->Resolve("reconcile:" + key);
  const RunStatus* keep = mine[0];
  for (const RunStatus* r : mine) {
    if (!IsTerminal(r->state())) {
      keep = r;
      break;
    }
  }
  // Never two live runs for one job: cancel any other.
  for (const RunStatus* r : mine) {
    if (r == keep || IsTerminal(r->state())) continue;
    if (!dry_run) {
      CancelRunRequest creq;
      creq.set_environment(env);
      creq.set_run_id(r->run_id());
      CancelRunResponse cresp;
      (void)upstream_->Call("WesPoller.CancelRun", Idempotency::kIdempotent,
                            [&](grpc::ClientContext* c) { return wes_->CancelRun(c, creq, &cresp); });
    }
    alerts_->Alert(AlertLevel::kWarning, "duplicate:" + r->run_id(),
                   absl::StrCat(key, " had a second run ", r->run_id(), " on ", env,
                                "; it was cancelled, ", keep->run_id(), " is kept"));
  }
  result->records.push_back(RecordRun(job.key(),
                                      std::max<int64_t>(now, job.current_run().epoch_seconds()),
                                      env, keep->run_id(), job.current_run().file_name()));
  AddAction(out, job.key(), CYCLE_ACTION_RECORDED, keep->run_id(),
            "found by its params after an interrupted start");
  LogInfo("run_reconciled").Kv("env", env).Kv("job", key).Kv("run", keep->run_id());
}

}  // namespace tracker::scheduler
