#ifndef SERVICES_REPO_SERVICE_SERVICE_TEST_CLIENT_H_
#define SERVICES_REPO_SERVICE_SERVICE_TEST_CLIENT_H_

// RepoServiceImpl called in-process, answering absl::StatusOr as the tests
// of the whole store (messages in, messages out) want. No server, no
// channel: the handlers ignore their ServerContext.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/tracker/v1/repo.pb.h"
#include "services/repo_service/repo_store.h"
#include "services/repo_service/service.h"

namespace tracker::repo {

class ServiceTestClient {
 public:
  explicit ServiceTestClient(RepoStore* store) : service_(store) {}

#define TRACKER_TEST_CALL(Method, Request, Response)                                     \
  absl::StatusOr<tracker::v1::Response> Method(const tracker::v1::Request& req) {        \
    tracker::v1::Response out;                                                            \
    grpc::Status s = service_.Method(nullptr, &req, &out);                                \
    if (!s.ok()) {                                                                        \
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message()); \
    }                                                                                     \
    return out;                                                                           \
  }
  TRACKER_TEST_CALL(ListJobs, ListJobsRequest, ListJobsResponse)
  TRACKER_TEST_CALL(GetJob, GetJobRequest, Job)
  TRACKER_TEST_CALL(TransitionJobs, TransitionJobsRequest, WriteResult)
  TRACKER_TEST_CALL(SetFlag, SetFlagRequest, WriteResult)
  TRACKER_TEST_CALL(ClearFlag, ClearFlagRequest, WriteResult)
  TRACKER_TEST_CALL(ListFlags, ListFlagsRequest, ListFlagsResponse)
  TRACKER_TEST_CALL(ImportBatch, ImportBatchRequest, ImportBatchResponse)
  TRACKER_TEST_CALL(RemoveAnalysis, RemoveAnalysisRequest, WriteResult)
  TRACKER_TEST_CALL(ClearRuns, ClearRunsRequest, WriteResult)
  TRACKER_TEST_CALL(Fetch, FetchRequest, FetchResponse)
  TRACKER_TEST_CALL(Merge, MergeRequest, MergeResponse)
  TRACKER_TEST_CALL(Push, PushRequest, PushResponse)
  TRACKER_TEST_CALL(GetSyncStatus, GetSyncStatusRequest, GetSyncStatusResponse)
  TRACKER_TEST_CALL(Report, ReportRequest, ReportResponse)
  TRACKER_TEST_CALL(ListTransitions, ListTransitionsRequest, ListTransitionsResponse)
  TRACKER_TEST_CALL(Audit, AuditRequest, AuditResponse)
  TRACKER_TEST_CALL(RemoveJobs, RemoveJobsRequest, WriteResult)
  TRACKER_TEST_CALL(HoldJobs, HoldJobsRequest, WriteResult)
  TRACKER_TEST_CALL(ReleaseJobs, ReleaseJobsRequest, WriteResult)
  TRACKER_TEST_CALL(RevertCommit, RevertCommitRequest, WriteResult)
  TRACKER_TEST_CALL(GetRuntimeSettings, GetRuntimeSettingsRequest, GetRuntimeSettingsResponse)
  TRACKER_TEST_CALL(SetRuntimeSetting, SetRuntimeSettingRequest, SetRuntimeSettingResponse)
#undef TRACKER_TEST_CALL

  // The calls the store's old face took without a request.
  absl::StatusOr<tracker::v1::FetchResponse> Fetch() { return Fetch({}); }
  absl::StatusOr<tracker::v1::GetSyncStatusResponse> SyncStatus() { return GetSyncStatus({}); }

 private:
  RepoServiceImpl service_;
};

// One transition of one job, as a TransitionJobs request.
inline tracker::v1::TransitionJobsRequest TransitionRequest(
    const std::string& study, const std::string& batch, const std::string& job,
    tracker::v1::JobState from, tracker::v1::JobState to, const std::string& branch = "") {
  tracker::v1::TransitionJobsRequest req;
  req.mutable_options()->set_branch(branch);
  auto* t = req.add_transitions();
  t->mutable_key()->set_study_id(study);
  t->mutable_key()->set_batch_id(batch);
  t->mutable_key()->set_job_id(job);
  t->set_from_state(from);
  t->set_to_state(to);
  return req;
}

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_SERVICE_TEST_CLIENT_H_
