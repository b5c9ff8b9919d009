#ifndef SERVICES_REPO_SERVICE_SERVICE_H_
#define SERVICES_REPO_SERVICE_SERVICE_H_

#include "proto/tracker/v1/repo.grpc.pb.h"
#include "services/repo_service/repo_store.h"

namespace tracker::repo {

// The gRPC face of RepoStore: translates tracker.v1 messages to and from the
// store's own types (store_types.h) and statuses at the boundary; the store
// knows nothing of protos. The store must outlive the service.
class RepoServiceImpl final : public tracker::v1::RepoService::Service {
 public:
  explicit RepoServiceImpl(RepoStore* store) : store_(store) {}

  grpc::Status ListJobs(grpc::ServerContext*, const tracker::v1::ListJobsRequest*,
                        tracker::v1::ListJobsResponse*) override;
  grpc::Status GetJob(grpc::ServerContext*, const tracker::v1::GetJobRequest*,
                      tracker::v1::Job*) override;
  grpc::Status TransitionJobs(grpc::ServerContext*, const tracker::v1::TransitionJobsRequest*,
                              tracker::v1::WriteResult*) override;
  grpc::Status SetFlag(grpc::ServerContext*, const tracker::v1::SetFlagRequest*,
                       tracker::v1::WriteResult*) override;
  grpc::Status ClearFlag(grpc::ServerContext*, const tracker::v1::ClearFlagRequest*,
                         tracker::v1::WriteResult*) override;
  grpc::Status ListFlags(grpc::ServerContext*, const tracker::v1::ListFlagsRequest*,
                         tracker::v1::ListFlagsResponse*) override;
  grpc::Status ImportBatch(grpc::ServerContext*, const tracker::v1::ImportBatchRequest*,
                           tracker::v1::ImportBatchResponse*) override;
  grpc::Status RemoveAnalysis(grpc::ServerContext*, const tracker::v1::RemoveAnalysisRequest*,
                              tracker::v1::WriteResult*) override;
  grpc::Status ClearRuns(grpc::ServerContext*, const tracker::v1::ClearRunsRequest*,
                         tracker::v1::WriteResult*) override;
  grpc::Status Fetch(grpc::ServerContext*, const tracker::v1::FetchRequest*,
                     tracker::v1::FetchResponse*) override;
  grpc::Status Merge(grpc::ServerContext*, const tracker::v1::MergeRequest*,
                     tracker::v1::MergeResponse*) override;
  grpc::Status Push(grpc::ServerContext*, const tracker::v1::PushRequest*,
                    tracker::v1::PushResponse*) override;
  grpc::Status GetSyncStatus(grpc::ServerContext*, const tracker::v1::GetSyncStatusRequest*,
                             tracker::v1::GetSyncStatusResponse*) override;
  grpc::Status Report(grpc::ServerContext*, const tracker::v1::ReportRequest*,
                      tracker::v1::ReportResponse*) override;
  grpc::Status ListTransitions(grpc::ServerContext*, const tracker::v1::ListTransitionsRequest*,
                               tracker::v1::ListTransitionsResponse*) override;
  grpc::Status Audit(grpc::ServerContext*, const tracker::v1::AuditRequest*,
                     tracker::v1::AuditResponse*) override;
  // The admin writes (service_admin.cc).
  grpc::Status RemoveJobs(grpc::ServerContext*, const tracker::v1::RemoveJobsRequest*,
                          tracker::v1::WriteResult*) override;
  grpc::Status HoldJobs(grpc::ServerContext*, const tracker::v1::HoldJobsRequest*,
                        tracker::v1::WriteResult*) override;
  grpc::Status ReleaseJobs(grpc::ServerContext*, const tracker::v1::ReleaseJobsRequest*,
                           tracker::v1::WriteResult*) override;
  grpc::Status RevertCommit(grpc::ServerContext*, const tracker::v1::RevertCommitRequest*,
                            tracker::v1::WriteResult*) override;
  // service_settings.cc
  grpc::Status GetRuntimeSettings(grpc::ServerContext*,
                                  const tracker::v1::GetRuntimeSettingsRequest*,
                                  tracker::v1::GetRuntimeSettingsResponse*) override;
  grpc::Status SetRuntimeSetting(grpc::ServerContext*, const tracker::v1::SetRuntimeSettingRequest*,
                                 tracker::v1::SetRuntimeSettingResponse*) override;

 private:
  RepoStore* store_;
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_SERVICE_H_
