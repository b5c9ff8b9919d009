#include "services/scheduler/repo_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tracking/flags.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"
#include "tracking/runtime_settings.h"

namespace tracker::scheduler {

using ::testing::_;
using ::testing::Invoke;
using namespace tracker::v1;  // NOLINT: generated message names

RpcPolicy OneAttempt() {
  RpcPolicy policy;
  policy.attempts = 1;
  return policy;
}

std::string MarkerName(int64_t epoch, const std::string& env, const std::string& run_id) {
  absl::StatusOr<std::string> name = tracking::FormatMarker({epoch, env, run_id, ""});
  EXPECT_TRUE(name.ok()) << name.status();
  return name.value_or("");
}

RunMarker ParseRunMarker(const std::string& file_name) {
  std::optional<tracking::Marker> parsed = tracking::ParseMarker(file_name);
  EXPECT_TRUE(parsed.has_value()) << file_name;
  RunMarker m;
  m.set_file_name(file_name);
  if (!parsed) return m;
  m.set_epoch_seconds(parsed->epoch_seconds);
  m.set_environment(parsed->environment);
  m.set_run_id(parsed->run_id);
  return m;
}

ModelJob& RepoModel::AddJob(const std::string& study, const std::string& job, JobState state,
                            std::vector<std::string> markers) {
  ModelJob j;
  j.key.set_study_id(study);
  j.key.set_batch_id(kModelBatch);
  j.key.set_job_id(job);
  j.state = state;
  j.markers = std::move(markers);
  return jobs[tracking::JobKeyText(j.key)] = j;
}

ModelJob& RepoModel::Get(const std::string& study, const std::string& job) {
  return jobs[tracking::JobKeyText(study, kModelBatch, job)];
}

int RepoModel::InState(JobState state) const {
  int n = 0;
  for (const auto& [k, j] : jobs) n += j.state == state;
  return n;
}

RepoModel::RepoModel() {
  ON_CALL(stub, ListFlags(_, _, _)).WillByDefault(Invoke([this](auto*, auto&, ListFlagsResponse* out) {
    absl::MutexLock lock(&mu);
    for (const auto& [env, kind] : flags) {
      auto* f = out->add_flags();
      f->set_environment(env);
      f->set_kind(kind);
      f->set_path(tracking::FlagPath(kind == FLAG_KIND_PAUSE ? tracking::FlagKind::kPause
                                                             : tracking::FlagKind::kExcessiveFailure,
                                     env));
      if (kind == FLAG_KIND_EXCESSIVE_FAILURE) f->set_content(flag_content);
    }
    out->set_commit("c0");
    return grpc::Status::OK;
  }));
  ON_CALL(stub, ListJobs(_, _, _))
      .WillByDefault(Invoke([this](auto*, const ListJobsRequest& req, ListJobsResponse* out) {
        absl::MutexLock lock(&mu);
        for (const auto& [name, j] : jobs) {
          bool state_ok = req.states().empty();
          for (int s : req.states()) state_ok |= s == j.state;
          if (!state_ok) continue;
          if (!req.study_ids().empty() && req.study_ids(0) != j.key.study_id()) continue;
          RunMarker current;
          if (!j.markers.empty()) current = ParseRunMarker(j.markers.back());
          if (!req.environment().empty() && current.environment() != req.environment()) continue;
          if (req.min_run_epoch() > 0 &&
              (j.markers.empty() || current.epoch_seconds() < req.min_run_epoch())) {
            continue;
          }
          if (req.page_size() > 0 && out->jobs_size() >= req.page_size()) continue;
          auto* js = out->add_jobs();
          *js->mutable_key() = j.key;
          js->set_state(j.state);
          js->set_run_count(static_cast<int>(j.markers.size()));
          if (!j.markers.empty()) *js->mutable_current_run() = current;
        }
        return grpc::Status::OK;
      }));
  ON_CALL(stub, GetJob(_, _, _)).WillByDefault(Invoke([this](auto*, const GetJobRequest& req, Job* out) {
    absl::MutexLock lock(&mu);
    auto it = jobs.find(tracking::JobKeyText(req.key()));
    if (it == jobs.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no job");
    *out->mutable_key() = it->second.key;
    out->set_state(it->second.state);
    out->set_params_json(it->second.params);
    for (const auto& m : it->second.markers) *out->add_runs() = ParseRunMarker(m);
    return grpc::Status::OK;
  }));
  ON_CALL(stub, TransitionJobs(_, _, _))
      .WillByDefault(Invoke([this](auto*, const TransitionJobsRequest& req, WriteResult*) {
        absl::MutexLock lock(&mu);
        std::map<std::string, ModelJob> next = jobs;
        for (const auto& t : req.transitions()) {
          ModelJob& j = next[tracking::JobKeyText(t.key())];
          if (j.state != t.from_state()) {
            return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "not in from_state");
          }
          j.state = t.to_state();
          if (!t.remove_run_file().empty()) {
            auto it = std::find(j.markers.begin(), j.markers.end(), t.remove_run_file());
            if (it == j.markers.end()) {
              return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "no marker");
            }
            j.markers.erase(it);
          }
          if (t.has_add_run()) {
            j.markers.push_back(MarkerName(t.add_run().epoch_seconds(), t.add_run().environment(),
                                           t.add_run().run_id()));
          }
        }
        jobs = next;
        messages.push_back(req.options().message());
        return grpc::Status::OK;
      }));
  ON_CALL(stub, SetFlag(_, _, _)).WillByDefault(Invoke([this](auto*, const SetFlagRequest& req, WriteResult*) {
    absl::MutexLock lock(&mu);
    flags.emplace(req.flag().environment(), req.flag().kind());
    flag_content = req.flag().content();
    return grpc::Status::OK;
  }));
  ON_CALL(stub, Report(_, _, _)).WillByDefault(Invoke([this](auto*, auto&, ReportResponse* out) {
    absl::MutexLock lock(&mu);
    std::map<std::string, int> backlog;
    for (const auto& [n, j] : jobs) backlog[j.key.study_id()] += j.state == JOB_STATE_BACKLOG;
    for (const auto& [s, n] : backlog) {
      auto* sc = out->add_studies();
      sc->set_study_id(s);
      sc->set_backlog(n);
    }
    out->set_total_jobs(static_cast<int>(jobs.size()));
    out->set_commit(report_commit);
    return grpc::Status::OK;
  }));
  ON_CALL(stub, GetSyncStatus(_, _, _))
      .WillByDefault(Invoke([this](auto*, auto&, GetSyncStatusResponse* out) {
        absl::MutexLock lock(&mu);
        auto* b = out->add_branches();
        b->set_name(tracking::kSchedulerBranch);
        b->set_ahead(ahead);
        b->set_last_push_epoch(last_push);
        b->set_remote_tip(remote_tip);
        return grpc::Status::OK;
      }));
  ON_CALL(stub, ListTransitions(_, _, _))
      .WillByDefault(Invoke([this](auto*, const ListTransitionsRequest& req, ListTransitionsResponse* out) {
        absl::MutexLock lock(&mu);
        transitions_asked.push_back(req);
        for (const auto& k : failed_since_push) {
          auto* c = out->add_changes();
          *c->mutable_key() = jobs[k].key;
          c->set_from_folder(tracking::StateFolder(tracking::State::kQueued));
          c->set_to_folder(tracking::StateFolder(tracking::State::kFailed));
        }
        return grpc::Status::OK;
      }));
  // jobs/scheduler-settings.yaml on main, through the format's own rules.
  ON_CALL(stub, GetRuntimeSettings(_, _, _))
      .WillByDefault(Invoke([this](auto*, auto&, GetRuntimeSettingsResponse* out) {
        absl::MutexLock lock(&mu);
        out->set_present(!settings.empty());
        for (const auto& [env, values] : settings) {
          for (const std::string& key : tracking::RuntimeSettingKeys()) {
            std::string value = tracking::RuntimeSettingText(settings, env, key);
            if (value.empty()) continue;
            auto* s = out->add_settings();
            s->set_environment(env);
            s->set_key(key);
            s->set_value(value);
          }
        }
        return grpc::Status::OK;
      }));
  ON_CALL(stub, SetRuntimeSetting(_, _, _))
      .WillByDefault(Invoke([this](auto*, const SetRuntimeSettingRequest& req,
                                   SetRuntimeSettingResponse* out) {
        absl::MutexLock lock(&mu);
        tracking::RuntimeSettings next = settings;
        auto previous = tracking::SetRuntimeSetting(&next, req.environment(), req.key(), req.value());
        if (!previous.ok()) {
          return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(previous.status().message()));
        }
        out->set_previous(*previous);
        out->set_value(tracking::RuntimeSettingText(next, req.environment(), req.key()));
        out->set_changed(out->previous() != out->value());
        if (!req.dry_run()) {
          settings = next;
          settings_authors.push_back(req.options().author().name());
        }
        return grpc::Status::OK;
      }));
}

}  // namespace tracker::scheduler
