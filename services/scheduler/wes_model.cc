#include "services/scheduler/wes_model.h"

#include "absl/strings/str_cat.h"
#include "services/scheduler/cycle_records.h"

namespace tracker::scheduler {

using ::testing::_;
using ::testing::Invoke;
using namespace tracker::v1;  // NOLINT: generated message names

void WesModel::Tag(const std::string& run_id, RunState state, const std::string& job, int attempt) {
  RunStatus r;
  r.set_run_id(run_id);
  r.set_state(state);
  (*r.mutable_tags())[kJobTag] = job;
  (*r.mutable_tags())[kAttemptTag] = absl::StrCat(attempt);
  absl::MutexLock lock(&mu);
  tagged.push_back(r);
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
        if (!start_results.empty()) {
          grpc::Status s = start_results.front();
          start_results.erase(start_results.begin());
          if (!s.ok()) return s;
        }
        out->set_run_id(absl::StrCat("wes-", started.size()));
        return grpc::Status::OK;
      }));
  ON_CALL(stub, FindRunsByTag(_, _, _))
      .WillByDefault(Invoke([this](auto*, const FindRunsByTagRequest& req, FindRunsByTagResponse* out) {
        absl::MutexLock lock(&mu);
        for (const auto& r : tagged) {
          if (r.tags().at(kJobTag) == req.tag_value()) *out->add_runs() = r;
        }
        return grpc::Status::OK;
      }));
  ON_CALL(stub, GetResumeInfo(_, _, _))
      .WillByDefault(Invoke([](auto*, const GetResumeInfoRequest& req, GetResumeInfoResponse* out) {
        out->mutable_resume()->set_session_id("session-of-" + req.run_id());
        out->mutable_resume()->set_work_dir("/work/" + req.run_id());
        return grpc::Status::OK;
      }));
}

}  // namespace tracker::scheduler
