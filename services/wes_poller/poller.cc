#include "services/wes_poller/poller.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"
#include "common/log.h"
#include "common/parallel.h"
#include "common/status.h"
#include "common/token_provider.h"
#include "proto/tracker/v1/run_states.h"
#include "tracking/ids.h"

namespace tracker::wes {
namespace {

std::string Summary(const absl::Status& s) { return std::string(s.message().substr(0, 300)); }

// Same study and the same analyses (in any order): a run of this job.
bool SameJob(const RunDetail& run, const tracker::v1::FindRunsOfJobRequest& req) {
  if (run.study_id != req.study_id()) return false;
  std::set<std::string> a(run.analysis_ids.begin(), run.analysis_ids.end());
  std::set<std::string> b(req.analysis_ids().begin(), req.analysis_ids().end());
  return a == b;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Poller>> Poller::Create(const TrackerConfig& config,
                                                       std::shared_ptr<HttpClient> http,
                                                       PollerOptions options) {
  std::unique_ptr<Poller> poller(new Poller(options));
  for (const auto& [name, env] : config.compute_environments) {
    if (env.wes_url.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("compute_environments.", name, ".wes_url: required"));
    }
    auto tokens = MakeTokenProvider(http, env.token_url, env.client_id_env,
                                    env.client_secret_env, env.token_env);
    if (!tokens.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("compute_environments.", name, ": ", tokens.status().message()));
    }
    // The SONG/SCORE token every run uploads with: read once; a variable
    // named and unset is a configuration error, not a run without it.
    std::string api_token;
    if (!env.api_token_env.empty()) {
      const char* value = std::getenv(env.api_token_env.c_str());
      if (value == nullptr || *value == '\0') {
        return absl::FailedPreconditionError(absl::StrCat(
            "compute_environments.", name, ": the variable ", env.api_token_env,
            " (api_token) is not set"));
      }
      api_token = value;
    }
    poller->envs_[name] = std::make_unique<EnvironmentClient>(env, http, *tokens, api_token,
                                                              options.request_timeout);
  }
  return poller;
}

absl::StatusOr<EnvironmentClient*> Poller::Env(const std::string& name) {
  auto it = envs_.find(name);
  if (it != envs_.end()) return it->second.get();
  std::vector<std::string> known;
  for (const auto& [n, e] : envs_) known.push_back(n);
  return absl::NotFoundError(absl::StrCat("unknown compute environment \"", name.substr(0, 64),
                                          "\"; configured: ", absl::StrJoin(known, ", ")));
}

absl::StatusOr<tracker::v1::GetRunStatesResponse> Poller::GetRunStates(
    const tracker::v1::GetRunStatesRequest& req) {
  auto env = Env(req.environment());
  if (!env.ok()) return env.status();
  if (req.run_ids_size() > options_.max_runs_per_call) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", options_.max_runs_per_call,
                                                   " run ids per call, got ", req.run_ids_size()));
  }
  for (const auto& id : req.run_ids()) {
    absl::Status valid = tracking::ValidateRunId(id);
    if (!valid.ok()) return valid;
  }
  const absl::Time started = absl::Now();
  tracker::v1::GetRunStatesResponse out;
  for (const auto& id : req.run_ids()) out.add_runs()->set_run_id(id);
  std::vector<absl::Status> errors(req.run_ids_size());
  if ((*env)->uses_graphql()) {
    BatchedStates(*env, req, &out, &errors);
  } else {
    ParallelFor(req.run_ids_size(), options_.max_concurrency, [&](size_t i) {
      auto status = (*env)->GetStatus(req.run_ids(i));
      if (status.ok()) {
        *out.mutable_runs(i) = *std::move(status);
      } else {
        errors[i] = status.status();
      }
    });
  }
  int failed = 0;
  absl::Status first_unavailable;
  for (size_t i = 0; i < errors.size(); ++i) {
    if (errors[i].ok()) continue;
    ++failed;
    auto* run = out.mutable_runs(i);
    run->set_error_code(static_cast<int>(errors[i].code()));
    run->set_error_message(Summary(errors[i]));
    if (errors[i].code() == absl::StatusCode::kUnavailable ||
        errors[i].code() == absl::StatusCode::kDeadlineExceeded) {
      if (first_unavailable.ok()) first_unavailable = errors[i];
    }
  }
  LogDebug("run_states")
      .Kv("env", req.environment())
      .Kv("runs", req.run_ids_size())
      .Kv("failed", failed)
      .Kv("ms", absl::ToInt64Milliseconds(absl::Now() - started));
  if (failed > 0) {
    LogWarning("run_states_incomplete")
        .Kv("env", req.environment())
        .Kv("runs", req.run_ids_size())
        .Kv("failed", failed);
  }
  // Nothing could be read because the service is down: say so, not states.
  if (failed == req.run_ids_size() && failed > 0 && !first_unavailable.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "no run of ", req.environment(), " could be read: ", first_unavailable.message()));
  }
  return out;
}

void Poller::BatchedStates(EnvironmentClient* env, const tracker::v1::GetRunStatesRequest& req,
                           tracker::v1::GetRunStatesResponse* out,
                           std::vector<absl::Status>* errors) {
  const size_t n = req.run_ids_size();
  const size_t batch = std::max(1, options_.graphql_batch_size);
  ParallelFor((n + batch - 1) / batch, options_.max_concurrency, [&](size_t b) {
    const size_t begin = b * batch, end = std::min(n, begin + batch);
    std::vector<std::string> ids(req.run_ids().begin() + begin, req.run_ids().begin() + end);
    auto statuses = env->GetStatuses(ids);
    for (size_t i = begin; i < end; ++i) {
      if (!statuses.ok()) {
        (*errors)[i] = statuses.status();
      } else if (!(*statuses)[i - begin].ok()) {
        (*errors)[i] = (*statuses)[i - begin].status();
      } else {
        *out->mutable_runs(i) = *std::move((*statuses)[i - begin]);
      }
    }
  });
}

absl::StatusOr<tracker::v1::GetResumeInfoResponse> Poller::GetResumeInfo(
    const tracker::v1::GetResumeInfoRequest& req) {
  auto env = Env(req.environment());
  if (!env.ok()) return env.status();
  TRACKER_RETURN_IF_ERROR(tracking::ValidateRunId(req.run_id()));
  auto detail = (*env)->GetDetail(req.run_id());
  if (!detail.ok()) return detail.status();
  if (detail->resume.session_id().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "run ", req.run_id(), " of ", req.environment(),
        " reports no Nextflow session id; it cannot be resumed (start it afresh)"));
  }
  tracker::v1::GetResumeInfoResponse out;
  *out.mutable_resume() = detail->resume;
  out.set_state(detail->status.state());
  return out;
}

absl::StatusOr<tracker::v1::StartRunResponse> Poller::StartRun(
    const tracker::v1::StartRunRequest& req) {
  auto env = Env(req.environment());
  if (!env.ok()) return env.status();
  if (req.workflow_url().empty()) return absl::InvalidArgumentError("workflow_url is required");
  if (!req.params_json().empty()) {
    auto params = ParseJsonObject(req.params_json(), "params_json");
    if (!params.ok()) return params.status();
  }
  tracker::v1::StartRunResponse out;
  auto run_id = (*env)->StartRun(req, out.mutable_started_with());
  if (!run_id.ok()) {
    LogWarning("run_start_failed")
        .Kv("env", req.environment())
        .Kv("outcome", run_id.status().code() == absl::StatusCode::kDeadlineExceeded
                           ? "unknown"
                           : "not_started")
        .Kv("error", Summary(run_id.status()));
    return run_id.status();
  }
  LogInfo("run_started")
      .Kv("env", req.environment())
      .Kv("run", *run_id)
      .Kv("resume_session", req.resume().session_id())
      .Kv("launch_dir", out.started_with().launch_dir())
      .Kv("work_dir", out.started_with().work_dir());
  out.set_run_id(*run_id);
  return out;
}

absl::StatusOr<tracker::v1::FindRunsOfJobResponse> Poller::FindRunsOfJob(
    const tracker::v1::FindRunsOfJobRequest& req) {
  auto env = Env(req.environment());
  if (!env.ok()) return env.status();
  TRACKER_RETURN_IF_ERROR(tracking::ValidateStudyId(req.study_id()));
  if (req.analysis_ids_size() == 0) return absl::InvalidArgumentError("analysis_ids is empty");
  for (const auto& id : req.analysis_ids()) {
    TRACKER_RETURN_IF_ERROR(tracking::ValidateAnalysisId(id));
  }
  if (!(*env)->uses_graphql()) return ScanRunsOfJob(*env, req);
  // workflow-api matches `analysisId` against parameters.analysis_id (and
  // the alignment ids) as text: candidates, checked here. Every run of the
  // job holds its first analysis.
  tracker::v1::FindRunsOfJobResponse out;
  out.set_exhaustive(false);
  for (int page = 0; page < options_.find_max_pages; ++page) {
    auto found = (*env)->FindRunsByAnalysis(req.analysis_ids(0), page * options_.find_page_size,
                                            options_.find_page_size);
    if (!found.ok()) return found.status();
    for (const RunDetail& run : found->runs) {
      if (SameJob(run, req)) *out.add_runs() = run.status;
    }
    if (!found->has_next || found->runs.empty()) {
      out.set_exhaustive(true);
      break;
    }
  }
  return out;
}

absl::StatusOr<tracker::v1::FindRunsOfJobResponse> Poller::ScanRunsOfJob(
    EnvironmentClient* env, const tracker::v1::FindRunsOfJobRequest& req) {
  std::vector<tracker::v1::RunStatus> listed;
  std::string token;
  bool listed_all = false;
  while (static_cast<int>(listed.size()) < options_.max_runs_scanned) {
    auto runs = env->ListRuns(token, options_.list_page_size);
    if (!runs.ok()) return runs.status();
    for (auto& r : runs->runs) listed.push_back(std::move(r));
    if (runs->next_page_token.empty() || runs->next_page_token == token) {
      listed_all = true;
      break;
    }
    token = runs->next_page_token;
  }
  if (static_cast<int>(listed.size()) > options_.max_runs_scanned) {
    listed.resize(options_.max_runs_scanned);
    listed_all = false;
  }
  std::vector<absl::StatusOr<RunDetail>> details(listed.size());
  ParallelFor(listed.size(), options_.max_concurrency,
              [&](size_t i) { details[i] = env->GetWesRunLog(listed[i].run_id()); });
  tracker::v1::FindRunsOfJobResponse out;
  for (size_t i = 0; i < listed.size(); ++i) {
    if (!details[i].ok()) {
      if (details[i].status().code() == absl::StatusCode::kNotFound) continue;  // deleted meanwhile
      // Any run we cannot read might be the one: an incomplete answer
      // would let the caller start a second run.
      return absl::Status(details[i].status().code(),
                          absl::StrCat("cannot read run ", listed[i].run_id(), ": ",
                                       details[i].status().message()));
    }
    if (SameJob(*details[i], req)) *out.add_runs() = details[i]->status;
  }
  // ARGO's GET /runs answers the newest 100 and no page token (workflow-api
  // RunsApiController): the scan cannot see older runs.
  out.set_exhaustive(listed_all && static_cast<int>(listed.size()) < 100);
  return out;
}

absl::StatusOr<tracker::v1::CancelRunResponse> Poller::CancelRun(
    const tracker::v1::CancelRunRequest& req) {
  auto env = Env(req.environment());
  if (!env.ok()) return env.status();
  TRACKER_RETURN_IF_ERROR(tracking::ValidateRunId(req.run_id()));
  TRACKER_RETURN_IF_ERROR((*env)->CancelRun(req.run_id()));
  LogInfo("run_cancel_requested").Kv("env", req.environment()).Kv("run", req.run_id());
  tracker::v1::CancelRunResponse out;
  out.set_run_id(req.run_id());
  return out;
}

tracker::v1::ListEnvironmentsResponse Poller::ListEnvironments() const {
  tracker::v1::ListEnvironmentsResponse out;
  for (const auto& [name, env] : envs_) {
    auto* e = out.add_environments();
    e->set_name(name);
    e->set_wes_url(RedactUrl(env->env().wes_url));
    e->set_graphql_url(RedactUrl(env->env().graphql_url));
    e->set_authenticated(!env->env().token_url.empty() || !env->env().token_env.empty());
  }
  return out;
}

}  // namespace tracker::wes
