#include "services/wes_poller/service.h"

#include "common/status.h"

namespace tracker::wes {

grpc::Status WesPollerServiceImpl::GetRunStates(grpc::ServerContext*,
                                                const tracker::v1::GetRunStatesRequest* req,
                                                tracker::v1::GetRunStatesResponse* out) {
  return Reply(poller_->GetRunStates(*req), out);
}

grpc::Status WesPollerServiceImpl::GetResumeInfo(grpc::ServerContext*,
                                                 const tracker::v1::GetResumeInfoRequest* req,
                                                 tracker::v1::GetResumeInfoResponse* out) {
  return Reply(poller_->GetResumeInfo(*req), out);
}

grpc::Status WesPollerServiceImpl::StartRun(grpc::ServerContext*,
                                            const tracker::v1::StartRunRequest* req,
                                            tracker::v1::StartRunResponse* out) {
  return Reply(poller_->StartRun(*req), out);
}

grpc::Status WesPollerServiceImpl::FindRunsOfJob(grpc::ServerContext*,
                                                 const tracker::v1::FindRunsOfJobRequest* req,
                                                 tracker::v1::FindRunsOfJobResponse* out) {
  return Reply(poller_->FindRunsOfJob(*req), out);
}

grpc::Status WesPollerServiceImpl::CancelRun(grpc::ServerContext*,
                                             const tracker::v1::CancelRunRequest* req,
                                             tracker::v1::CancelRunResponse* out) {
  return Reply(poller_->CancelRun(*req), out);
}

grpc::Status WesPollerServiceImpl::ListEnvironments(grpc::ServerContext*,
                                                    const tracker::v1::ListEnvironmentsRequest*,
                                                    tracker::v1::ListEnvironmentsResponse* out) {
  *out = poller_->ListEnvironments();
  return grpc::Status::OK;
}

}  // namespace tracker::wes
