#include "services/scheduler/repo_client.h"

#include <algorithm>

#include "common/status.h"
#include "tracking/layout.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

namespace {

// repo-service's largest page.
constexpr int kMaxPageSize = 10000;

}  // namespace

RepoClient::RepoClient(RepoService::StubInterface* stub, const RpcPolicy& policy, Clock* clock)
    : stub_(stub), rpc_(policy, clock) {}

absl::StatusOr<std::vector<JobSummary>> RepoClient::ListJobs(const JobQuery& query) {
  std::vector<JobSummary> out;
  std::string token;
  do {
    ListJobsRequest req;
    req.set_branch(tracking::kSchedulerBranch);
    for (JobState s : query.states) req.add_states(s);
    req.set_environment(query.environment);
    req.set_min_run_epoch(query.min_run_epoch);
    if (!query.study.empty()) req.add_study_ids(query.study);
    const int want = query.limit > 0 ? query.limit - static_cast<int>(out.size()) : kMaxPageSize;
    req.set_page_size(std::min(want, kMaxPageSize));
    req.set_page_token(token);
    ListJobsResponse resp;
    TRACKER_RETURN_IF_ERROR(rpc_.Call("RepoService.ListJobs", Idempotency::kIdempotent,
                                      [&](grpc::ClientContext* c) {
                                        return stub_->ListJobs(c, req, &resp);
                                      }));
    for (auto& j : *resp.mutable_jobs()) out.push_back(std::move(j));
    token = resp.next_page_token();
  } while (!token.empty() && (query.limit == 0 || static_cast<int>(out.size()) < query.limit));
  return out;
}

absl::StatusOr<Job> RepoClient::GetJob(const JobKey& key) {
  GetJobRequest req;
  req.set_branch(tracking::kSchedulerBranch);
  *req.mutable_key() = key;
  Job job;
  TRACKER_RETURN_IF_ERROR(rpc_.Call("RepoService.GetJob", Idempotency::kIdempotent,
                                    [&](grpc::ClientContext* c) {
                                      return stub_->GetJob(c, req, &job);
                                    }));
  return job;
}

absl::StatusOr<ListFlagsResponse> RepoClient::ListFlags() {
  ListFlagsRequest req;
  req.set_branch(tracking::kSchedulerBranch);
  ListFlagsResponse flags;
  TRACKER_RETURN_IF_ERROR(rpc_.Call("RepoService.ListFlags", Idempotency::kIdempotent,
                                    [&](grpc::ClientContext* c) {
                                      return stub_->ListFlags(c, req, &flags);
                                    }));
  return flags;
}

absl::StatusOr<ReportResponse> RepoClient::Report(std::optional<absl::Time> as_of) {
  ReportRequest req;
  req.set_branch(tracking::kSchedulerBranch);
  if (as_of.has_value()) req.set_as_of_unix_seconds(absl::ToUnixSeconds(*as_of));
  ReportResponse report;
  TRACKER_RETURN_IF_ERROR(rpc_.Call("RepoService.Report", Idempotency::kIdempotent,
                                    [&](grpc::ClientContext* c) {
                                      return stub_->Report(c, req, &report);
                                    }));
  return report;
}

absl::StatusOr<GetSyncStatusResponse> RepoClient::SyncStatus() {
  GetSyncStatusResponse sync;
  TRACKER_RETURN_IF_ERROR(rpc_.Call("RepoService.GetSyncStatus", Idempotency::kIdempotent,
                                    [&](grpc::ClientContext* c) {
                                      return stub_->GetSyncStatus(c, GetSyncStatusRequest(), &sync);
                                    }));
  return sync;
}

absl::StatusOr<std::string> RepoClient::PushedSchedulerTip() {
  absl::StatusOr<GetSyncStatusResponse> sync = SyncStatus();
  if (!sync.ok()) return sync.status();
  std::string tip;
  for (const auto& b : sync->branches()) {
    if (b.name() == tracking::kSchedulerBranch) tip = b.remote_tip();
  }
  return tip;
}

absl::StatusOr<std::vector<JobChange>> RepoClient::ListTransitions(const std::string& from_commit,
                                                                   const std::string& to_commit) {
  ListTransitionsRequest req;
  req.set_branch(tracking::kSchedulerBranch);
  req.set_from_commit(from_commit);
  req.set_to_commit(to_commit);
  ListTransitionsResponse changes;
  TRACKER_RETURN_IF_ERROR(rpc_.Call("RepoService.ListTransitions", Idempotency::kIdempotent,
                                    [&](grpc::ClientContext* c) {
                                      return stub_->ListTransitions(c, req, &changes);
                                    }));
  return std::vector<JobChange>(changes.changes().begin(), changes.changes().end());
}

absl::Status RepoClient::TransitionJobs(std::vector<Transition> moves, const std::string& message) {
  TransitionJobsRequest req;
  req.mutable_options()->set_branch(tracking::kSchedulerBranch);
  req.mutable_options()->set_message(message);
  for (auto& m : moves) *req.add_transitions() = std::move(m);
  WriteResult result;
  return rpc_.Call("RepoService.TransitionJobs", Idempotency::kNonIdempotent,
                   [&](grpc::ClientContext* c) { return stub_->TransitionJobs(c, req, &result); });
}

absl::Status RepoClient::SetFlag(Flag flag, const std::string& message) {
  SetFlagRequest req;
  req.mutable_options()->set_branch(tracking::kSchedulerBranch);
  req.mutable_options()->set_message(message);
  *req.mutable_flag() = std::move(flag);
  WriteResult written;
  return rpc_.Call("RepoService.SetFlag", Idempotency::kNonIdempotent,
                   [&](grpc::ClientContext* c) { return stub_->SetFlag(c, req, &written); });
}

absl::StatusOr<GetRuntimeSettingsResponse> RepoClient::GetRuntimeSettings() {
  GetRuntimeSettingsRequest req;
  req.set_branch(tracking::kMainBranch);  // admins change them there
  GetRuntimeSettingsResponse out;
  TRACKER_RETURN_IF_ERROR(rpc_.Call("RepoService.GetRuntimeSettings", Idempotency::kIdempotent,
                                    [&](grpc::ClientContext* c) {
                                      return stub_->GetRuntimeSettings(c, req, &out);
                                    }));
  return out;
}

absl::StatusOr<SetRuntimeSettingResponse> RepoClient::SetRuntimeSetting(
    const std::string& environment, const std::string& key, const std::string& value,
    bool dry_run, const std::string& admin) {
  SetRuntimeSettingRequest req;
  req.mutable_options()->set_branch(tracking::kMainBranch);
  if (!admin.empty()) req.mutable_options()->mutable_author()->set_name(admin);
  req.set_environment(environment);
  req.set_key(key);
  req.set_value(value);
  req.set_dry_run(dry_run);
  SetRuntimeSettingResponse out;
  TRACKER_RETURN_IF_ERROR(rpc_.Call("RepoService.SetRuntimeSetting", Idempotency::kNonIdempotent,
                                    [&](grpc::ClientContext* c) {
                                      return stub_->SetRuntimeSetting(c, req, &out);
                                    }));
  return out;
}

absl::Status RepoClient::Fetch() {
  FetchResponse fetched;
  return rpc_.Call("RepoService.Fetch", Idempotency::kIdempotent, [&](grpc::ClientContext* c) {
    return stub_->Fetch(c, FetchRequest(), &fetched);
  });
}

absl::Status RepoClient::Merge(const std::string& branch, const std::string& source) {
  MergeRequest req;
  req.mutable_options()->set_branch(branch);
  req.set_source(source);
  MergeResponse merged;
  return rpc_.Call("RepoService.Merge", Idempotency::kNonIdempotent,
                   [&](grpc::ClientContext* c) { return stub_->Merge(c, req, &merged); });
}

absl::StatusOr<std::string> RepoClient::Push(const std::string& branch) {
  PushRequest req;
  req.set_branch(branch);
  PushResponse pushed;
  TRACKER_RETURN_IF_ERROR(rpc_.Call("RepoService.Push", Idempotency::kNonIdempotent,
                                    [&](grpc::ClientContext* c) {
                                      return stub_->Push(c, req, &pushed);
                                    }));
  return pushed.commit();
}

}  // namespace tracker::scheduler
