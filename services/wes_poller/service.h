#ifndef SERVICES_WES_POLLER_SERVICE_H_
#define SERVICES_WES_POLLER_SERVICE_H_

#include "proto/tracker/v1/wes.grpc.pb.h"
#include "services/wes_poller/poller.h"

namespace tracker::wes {

// The gRPC face of Poller: converts statuses at the boundary, nothing else.
class WesPollerServiceImpl final : public tracker::v1::WesPoller::Service {
 public:
  explicit WesPollerServiceImpl(Poller* poller) : poller_(poller) {}

  grpc::Status GetRunStates(grpc::ServerContext*, const tracker::v1::GetRunStatesRequest*,
                            tracker::v1::GetRunStatesResponse*) override;
  grpc::Status GetResumeInfo(grpc::ServerContext*, const tracker::v1::GetResumeInfoRequest*,
                             tracker::v1::GetResumeInfoResponse*) override;
  grpc::Status StartRun(grpc::ServerContext*, const tracker::v1::StartRunRequest*,
                        tracker::v1::StartRunResponse*) override;
  grpc::Status FindRunsOfJob(grpc::ServerContext*, const tracker::v1::FindRunsOfJobRequest* req,
                             tracker::v1::FindRunsOfJobResponse* out) override;
  grpc::Status CancelRun(grpc::ServerContext*, const tracker::v1::CancelRunRequest*,
                         tracker::v1::CancelRunResponse*) override;
  grpc::Status ListEnvironments(grpc::ServerContext*, const tracker::v1::ListEnvironmentsRequest*,
                                tracker::v1::ListEnvironmentsResponse*) override;

 private:
  Poller* poller_;
};

}  // namespace tracker::wes

#endif  // SERVICES_WES_POLLER_SERVICE_H_
