// RepoServiceImpl's admin writes: many jobs or analyses per request, one
// commit, a dry run answering the planned changes. Validation is the
// store's, so grpcurl users get the same refusals as jobctl.

#include <vector>

#include "services/repo_service/service.h"
#include "services/repo_service/service_convert.h"

namespace tracker::repo {
namespace {

namespace v1 = ::tracker::v1;

std::vector<JobKey> Keys(const google::protobuf::RepeatedPtrField<v1::JobKey>& keys) {
  std::vector<JobKey> out;
  out.reserve(keys.size());
  for (const v1::JobKey& k : keys) out.push_back(FromProto(k));
  return out;
}

void Fill(const WriteResult& r, v1::WriteResult* out) { ToProto(r, out); }

}  // namespace

grpc::Status RepoServiceImpl::RemoveAnalysis(grpc::ServerContext* ctx,
                                             const v1::RemoveAnalysisRequest* req,
                                             v1::WriteResult* out) {
  std::vector<std::string> ids;
  if (!req->analysis_id().empty()) ids.push_back(req->analysis_id());
  ids.insert(ids.end(), req->analysis_ids().begin(), req->analysis_ids().end());
  return Answer(store_->writer().RemoveAnalysis(FromProto(ctx, "RemoveAnalysis", req->options(), req->dry_run()),
                                                req->study_id(), req->batch_id(), ids),
                out, Fill);
}

grpc::Status RepoServiceImpl::ClearRuns(grpc::ServerContext* ctx, const v1::ClearRunsRequest* req,
                                        v1::WriteResult* out) {
  std::vector<JobKey> keys;
  if (req->has_key()) keys.push_back(FromProto(req->key()));
  for (const JobKey& k : Keys(req->keys())) keys.push_back(k);
  return Answer(store_->writer().ClearRuns(FromProto(ctx, "ClearRuns", req->options(), req->dry_run()), keys), out,
                Fill);
}

grpc::Status RepoServiceImpl::RemoveJobs(grpc::ServerContext* ctx, const v1::RemoveJobsRequest* req,
                                         v1::WriteResult* out) {
  return Answer(store_->writer().RemoveJobs(FromProto(ctx, "RemoveJobs", req->options(), req->dry_run()),
                                            Keys(req->keys()), req->folder()),
                out, Fill);
}

grpc::Status RepoServiceImpl::HoldJobs(grpc::ServerContext* ctx, const v1::HoldJobsRequest* req,
                                       v1::WriteResult* out) {
  return Answer(store_->writer().HoldJobs(FromProto(ctx, "HoldJobs", req->options(), req->dry_run()),
                                          Keys(req->keys()), /*hold=*/true, State::kBacklog),
                out, Fill);
}

grpc::Status RepoServiceImpl::ReleaseJobs(grpc::ServerContext* ctx,
                                          const v1::ReleaseJobsRequest* req,
                                          v1::WriteResult* out) {
  State to = State::kBacklog;
  if (req->to_state() != v1::JOB_STATE_UNSPECIFIED) {
    absl::StatusOr<State> state = StateFromProto(req->to_state(), "to_state");
    if (!state.ok()) return ToGrpcStatus(state.status());
    to = *state;
  }
  return Answer(store_->writer().HoldJobs(FromProto(ctx, "ReleaseJobs", req->options(), req->dry_run()),
                                          Keys(req->keys()), /*hold=*/false, to),
                out, Fill);
}

grpc::Status RepoServiceImpl::RevertCommit(grpc::ServerContext* ctx,
                                           const v1::RevertCommitRequest* req,
                                           v1::WriteResult* out) {
  return Answer(store_->writer().RevertCommit(FromProto(ctx, "RevertCommit", req->options(), req->dry_run()),
                                              req->commit()),
                out, Fill);
}

}  // namespace tracker::repo
