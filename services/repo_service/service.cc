#include "services/repo_service/service.h"

#include "common/status.h"

namespace tracker::repo {

grpc::Status RepoServiceImpl::ListJobs(grpc::ServerContext*, const tracker::v1::ListJobsRequest* req,
    tracker::v1::ListJobsResponse* out) {
  return Reply(store_->ListJobs(*req), out);
}

grpc::Status RepoServiceImpl::GetJob(grpc::ServerContext*, const tracker::v1::GetJobRequest* req,
    tracker::v1::Job* out) {
  return Reply(store_->GetJob(*req), out);
}

grpc::Status RepoServiceImpl::TransitionJobs(grpc::ServerContext*, const tracker::v1::TransitionJobsRequest* req,
    tracker::v1::WriteResult* out) {
  return Reply(store_->TransitionJobs(*req), out);
}

grpc::Status RepoServiceImpl::SetFlag(grpc::ServerContext*, const tracker::v1::SetFlagRequest* req,
    tracker::v1::WriteResult* out) {
  return Reply(store_->SetFlag(*req), out);
}

grpc::Status RepoServiceImpl::ClearFlag(grpc::ServerContext*, const tracker::v1::ClearFlagRequest* req,
    tracker::v1::WriteResult* out) {
  return Reply(store_->ClearFlag(*req), out);
}

grpc::Status RepoServiceImpl::ListFlags(grpc::ServerContext*, const tracker::v1::ListFlagsRequest* req,
    tracker::v1::ListFlagsResponse* out) {
  return Reply(store_->ListFlags(*req), out);
}

grpc::Status RepoServiceImpl::ImportBatch(grpc::ServerContext*, const tracker::v1::ImportBatchRequest* req,
    tracker::v1::ImportBatchResponse* out) {
  return Reply(store_->ImportBatch(*req), out);
}

grpc::Status RepoServiceImpl::RemoveAnalysis(grpc::ServerContext*, const tracker::v1::RemoveAnalysisRequest* req,
    tracker::v1::WriteResult* out) {
  return Reply(store_->RemoveAnalysis(*req), out);
}

grpc::Status RepoServiceImpl::ClearRuns(grpc::ServerContext*, const tracker::v1::ClearRunsRequest* req,
    tracker::v1::WriteResult* out) {
  return Reply(store_->ClearRuns(*req), out);
}

grpc::Status RepoServiceImpl::Fetch(grpc::ServerContext*, const tracker::v1::FetchRequest* /*req*/,
    tracker::v1::FetchResponse* out) {
  return Reply(store_->Fetch(), out);
}

grpc::Status RepoServiceImpl::Merge(grpc::ServerContext*, const tracker::v1::MergeRequest* req,
    tracker::v1::MergeResponse* out) {
  return Reply(store_->Merge(*req), out);
}

grpc::Status RepoServiceImpl::Push(grpc::ServerContext*, const tracker::v1::PushRequest* req,
    tracker::v1::PushResponse* out) {
  return Reply(store_->Push(*req), out);
}

grpc::Status RepoServiceImpl::GetSyncStatus(grpc::ServerContext*, const tracker::v1::GetSyncStatusRequest* /*req*/,
    tracker::v1::GetSyncStatusResponse* out) {
  return Reply(store_->SyncStatus(), out);
}

grpc::Status RepoServiceImpl::Report(grpc::ServerContext*, const tracker::v1::ReportRequest* req,
    tracker::v1::ReportResponse* out) {
  return Reply(store_->Report(*req), out);
}

grpc::Status RepoServiceImpl::ListTransitions(grpc::ServerContext*, const tracker::v1::ListTransitionsRequest* req,
    tracker::v1::ListTransitionsResponse* out) {
  return Reply(store_->ListTransitions(*req), out);
}

grpc::Status RepoServiceImpl::Audit(grpc::ServerContext*, const tracker::v1::AuditRequest* req,
    tracker::v1::AuditResponse* out) {
  return Reply(store_->Audit(*req), out);
}

}  // namespace tracker::repo
