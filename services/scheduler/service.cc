#include "services/scheduler/service.h"

#include "auth/grpc_auth.h"
#include "common/status.h"

namespace tracker::scheduler {
namespace {

// Who asks, for the commit the scheduler writes on their behalf: the
// authenticated caller when there is one (repo-service takes the author the
// scheduler's identity relays), else what the request says.
std::string Admin(grpc::ServerContext* ctx, const std::string& requested) {
  if (ctx == nullptr) return requested;  // called directly, not through gRPC
  std::optional<auth::Principal> caller = auth::CallerOf(*ctx);
  return caller ? caller->name : requested;
}

}  // namespace

grpc::Status SchedulerServiceImpl::RunCycle(grpc::ServerContext*,
                                            const tracker::v1::RunCycleRequest* req,
                                            tracker::v1::RunCycleResponse* out) {
  return Reply(scheduler_->RunCycle(req->environment(), req->dry_run()), out);
}

grpc::Status SchedulerServiceImpl::GetStatus(grpc::ServerContext*,
                                             const tracker::v1::GetStatusRequest*,
                                             tracker::v1::GetStatusResponse* out) {
  *out = scheduler_->Status();
  return grpc::Status::OK;
}

grpc::Status SchedulerServiceImpl::SendReport(grpc::ServerContext*,
                                              const tracker::v1::SendReportRequest* req,
                                              tracker::v1::SendReportResponse* out) {
  return Reply(scheduler_->SendReport(req->dry_run()), out);
}

grpc::Status SchedulerServiceImpl::SetMaxParallelRuns(
    grpc::ServerContext* ctx, const tracker::v1::SetMaxParallelRunsRequest* req,
    tracker::v1::SetMaxParallelRunsResponse* out) {
  return Reply(scheduler_->SetMaxParallelRuns(req->environment(), req->max_parallel_runs(),
                                              Admin(ctx, "")),
               out);
}

grpc::Status SchedulerServiceImpl::SetRuntimeSetting(
    grpc::ServerContext* ctx, const tracker::v1::SetSchedulerSettingRequest* req,
    tracker::v1::SetSchedulerSettingResponse* out) {
  tracker::v1::SetSchedulerSettingRequest asked = *req;
  asked.set_admin(Admin(ctx, req->admin()));
  return Reply(scheduler_->SetRuntimeSetting(asked), out);
}

grpc::Status SchedulerServiceImpl::VerifyJobs(grpc::ServerContext*,
                                              const tracker::v1::VerifyJobsRequest* req,
                                              tracker::v1::VerifyJobsResponse* out) {
  if (req->jobs_size() > 1000) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "at most 1000 jobs a call");
  }
  *out = scheduler_->VerifyJobs(*req);
  return grpc::Status::OK;
}

grpc::Status SchedulerServiceImpl::ReleaseLostRuns(grpc::ServerContext* ctx,
                                                   const tracker::v1::ReleaseLostRunsRequest* req,
                                                   tracker::v1::ReleaseLostRunsResponse* out) {
  tracker::v1::ReleaseLostRunsRequest asked = *req;
  asked.set_admin(Admin(ctx, req->admin()));
  return Reply(scheduler_->ReleaseLostRuns(asked), out);
}

}  // namespace tracker::scheduler
