#include "services/scheduler/service.h"

#include "common/status.h"

namespace tracker::scheduler {

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
    grpc::ServerContext*, const tracker::v1::SetMaxParallelRunsRequest* req,
    tracker::v1::SetMaxParallelRunsResponse* out) {
  return Reply(scheduler_->SetMaxParallelRuns(req->environment(), req->max_parallel_runs()), out);
}

}  // namespace tracker::scheduler
