#include "services/scheduler/wes_model.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json.h"

namespace tracker::scheduler {

using ::testing::_;
using ::testing::Invoke;
using namespace tracker::v1;  // NOLINT: generated message names

namespace {

bool SameJob(const WesModel::Run& run, const FindRunsOfJobRequest& req) {
  std::set<std::string> a(run.analysis_ids.begin(), run.analysis_ids.end());
  std::set<std::string> b(req.analysis_ids().begin(), req.analysis_ids().end());
  return run.study_id == req.study_id() && a == b;
}

}  // namespace

std::string WesModel::SessionOf(const std::string& run_id) {
  const size_t h = std::hash<std::string>()(run_id);
  return absl::StrFormat("%08x-0000-4000-8000-%012x", static_cast<uint32_t>(h),
                         static_cast<uint64_t>(h >> 16) & 0xffffffffffffULL);
}

WesModel::Run& WesModel::AddRun(const std::string& run_id, RunState state,
                                const std::string& study_id,
                                std::vector<std::string> analysis_ids) {
  Run r;
  r.status.set_run_id(run_id);
  r.status.set_state(state);
  r.study_id = study_id;
  r.analysis_ids = std::move(analysis_ids);
  r.resume.set_session_id(SessionOf(run_id));
  r.resume.set_launch_dir("/nfs/launch/" + run_id);
  r.resume.set_work_dir("/nfs/launch/" + run_id + "/work");
  absl::MutexLock lock(&mu);
  run_states[run_id] = state;
  runs.push_back(std::move(r));
  return runs.back();
}

WesModel::WesModel() {
  ON_CALL(stub, GetRunStates(_, _, _))
      .WillByDefault(Invoke([this](auto*, const GetRunStatesRequest& req, GetRunStatesResponse* out) {
        absl::MutexLock lock(&mu);
        if (down) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "wes down");
        for (const auto& id : req.run_ids()) {
          auto* r = out->add_runs();
          r->set_run_id(id);
          auto it = run_states.find(id);
          r->set_state(it == run_states.end() ? RUN_STATE_RUNNING : it->second);
        }
        return grpc::Status::OK;
      }));
  ON_CALL(stub, StartRun(_, _, _))
      .WillByDefault(Invoke([this](auto*, const StartRunRequest& req, StartRunResponse* out) {
        absl::MutexLock lock(&mu);
        started.push_back(req);
        if (on_start) on_start(req);
        grpc::Status answer = grpc::Status::OK;
        if (!start_results.empty()) {
          answer = start_results.front();
          start_results.erase(start_results.begin());
        }
        // A refusal or an unreachable service starts nothing; a lost
        // answer (DEADLINE_EXCEEDED) may have: the model says it did.
        if (!answer.ok() && answer.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
          return answer;
        }
        Run r;
        const std::string id = absl::StrCat("wes-", started.size());
        r.status.set_run_id(id);
        r.status.set_state(RUN_STATE_RUNNING);  // as GetRunStates answers
        auto params = ParseJsonObject(req.params_json(), "params");
        if (params.ok()) {
          r.study_id = StringField(*params, "study_id");
          auto ids = params->fields().find("analysis_id");
          if (ids != params->fields().end()) {
            for (const auto& v : ids->second.list_value().values()) {
              r.analysis_ids.push_back(v.string_value());
            }
          }
        }
        // As wes-poller: new directories, or the resumed run's.
        r.resume.set_session_id(req.resume().session_id().empty() ? SessionOf(id)
                                                                  : req.resume().session_id());
        r.resume.set_launch_dir(req.resume().launch_dir().empty() ? "/nfs/launch/" + id
                                                                  : req.resume().launch_dir());
        r.resume.set_work_dir(req.resume().work_dir().empty() ? "/nfs/launch/" + id + "/work"
                                                              : req.resume().work_dir());
        r.indexed = index_new_runs;
        runs.push_back(r);
        if (!answer.ok()) return answer;
        out->set_run_id(id);
        out->mutable_started_with()->set_session_id(req.resume().session_id());
        out->mutable_started_with()->set_launch_dir(r.resume.launch_dir());
        out->mutable_started_with()->set_work_dir(r.resume.work_dir());
        out->mutable_started_with()->set_revision(req.workflow_version());
        return grpc::Status::OK;
      }));
  ON_CALL(stub, FindRunsOfJob(_, _, _))
      .WillByDefault(Invoke([this](auto*, const FindRunsOfJobRequest& req, FindRunsOfJobResponse* out) {
        absl::MutexLock lock(&mu);
        searches.push_back(req);
        for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
          if (!it->indexed || !SameJob(*it, req)) continue;
          RunStatus* r = out->add_runs();
          *r = it->status;
          auto state = run_states.find(r->run_id());
          if (state != run_states.end()) r->set_state(state->second);
        }
        out->set_exhaustive(exhaustive);
        return grpc::Status::OK;
      }));
  ON_CALL(stub, GetResumeInfo(_, _, _))
      .WillByDefault(Invoke([this](auto*, const GetResumeInfoRequest& req, GetResumeInfoResponse* out) {
        absl::MutexLock lock(&mu);
        for (const Run& r : runs) {
          if (r.status.run_id() != req.run_id()) continue;
          // wes-poller refuses a run that reports no session.
          if (r.resume.session_id().empty()) {
            return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                "run " + req.run_id() + " reports no Nextflow session id");
          }
          *out->mutable_resume() = r.resume;
          out->set_state(r.status.state());
          return grpc::Status::OK;
        }
        return grpc::Status(grpc::StatusCode::NOT_FOUND, "no run " + req.run_id());
      }));
}

}  // namespace tracker::scheduler
