#ifndef SERVICES_SCHEDULER_SERVICE_H_
#define SERVICES_SCHEDULER_SERVICE_H_

#include "proto/tracker/v1/scheduler.grpc.pb.h"
#include "services/scheduler/scheduler.h"

namespace tracker::scheduler {

// The gRPC face of Scheduler.
class SchedulerServiceImpl final : public tracker::v1::Scheduler::Service {
 public:
  explicit SchedulerServiceImpl(Scheduler* scheduler) : scheduler_(scheduler) {}
  grpc::Status RunCycle(grpc::ServerContext*, const tracker::v1::RunCycleRequest*,
                        tracker::v1::RunCycleResponse*) override;
  grpc::Status GetStatus(grpc::ServerContext*, const tracker::v1::GetStatusRequest*,
                         tracker::v1::GetStatusResponse*) override;
  grpc::Status SendReport(grpc::ServerContext*, const tracker::v1::SendReportRequest*,
                          tracker::v1::SendReportResponse*) override;
  grpc::Status SetMaxParallelRuns(grpc::ServerContext*, const tracker::v1::SetMaxParallelRunsRequest*,
                                  tracker::v1::SetMaxParallelRunsResponse*) override;
  grpc::Status SetRuntimeSetting(grpc::ServerContext*, const tracker::v1::SetSchedulerSettingRequest*,
                                 tracker::v1::SetSchedulerSettingResponse*) override;
  grpc::Status VerifyJobs(grpc::ServerContext*, const tracker::v1::VerifyJobsRequest*,
                          tracker::v1::VerifyJobsResponse*) override;
  grpc::Status ReleaseLostRuns(grpc::ServerContext*, const tracker::v1::ReleaseLostRunsRequest*,
                               tracker::v1::ReleaseLostRunsResponse*) override;

 private:
  Scheduler* scheduler_;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_SERVICE_H_
