#ifndef SERVICES_REPO_SERVICE_SERVICE_CONVERT_H_
#define SERVICES_REPO_SERVICE_SERVICE_CONVERT_H_

// The translations every RepoServiceImpl handler shares (service.cc,
// service_admin.cc): tracker.v1 messages to and from the store's types.

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "auth/grpc_auth.h"
#include "common/status.h"
#include "proto/tracker/v1/repo.pb.h"
#include "services/repo_service/store_types.h"
#include "tracking/proto.h"

namespace tracker::repo {

// Runs `fill(value, out)` on success; the status otherwise.
template <typename T, typename Out, typename Fill>
grpc::Status Answer(absl::StatusOr<T> result, Out* out, Fill fill) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  fill(*result, out);
  return grpc::Status::OK;
}

inline JobKey FromProto(const tracker::v1::JobKey& key) {
  return {key.study_id(), key.batch_id(), key.job_id()};
}

inline void ToProto(const JobKey& key, tracker::v1::JobKey* out) {
  out->set_study_id(key.study_id);
  out->set_batch_id(key.batch_id);
  out->set_job_id(key.job_id);
}

// A write's options with its caller applied (auth/grpc_auth.h). An
// authenticated person is the commit's author whatever the request says and
// never writes the scheduler branch. The scheduler's identity writes it, and
// is the author unless it relays someone (the operator of a `jobctl set`
// sent through it), who then is. Without authentication
// (--insecure_plaintext) the request's author stands.
inline WriteOptions FromProto(grpc::ServerContext* ctx, absl::string_view rpc,
                              const tracker::v1::WriteOptions& o, bool dry_run = false) {
  WriteOptions out{o.branch(), o.expected_tip(), o.message(), o.author().name(),
                   o.author().email()};
  out.dry_run = dry_run;
  out.rpc = std::string(rpc);
  if (ctx == nullptr) return out;  // called directly, not through gRPC
  std::optional<auth::Principal> caller = auth::CallerOf(*ctx);
  if (!caller) return out;
  out.caller = caller->name;
  const bool relayed = caller->role == auth::Role::kScheduler && !o.author().name().empty();
  if (!relayed) {
    out.author_name = caller->name;
    out.author_email = caller->email;
  }
  out.may_write_scheduler_branch = caller->role == auth::Role::kScheduler;
  return out;
}

inline void ToProto(const WriteResult& r, tracker::v1::WriteResult* out) {
  out->set_commit(r.commit);
  out->set_branch(r.branch);
  for (const Change& c : r.changes) {
    tracker::v1::Change* change = out->add_changes();
    change->set_action(c.action);
    change->set_path(c.path);
    change->set_detail(c.detail);
  }
  out->set_dry_run(r.dry_run);
  out->set_message(r.message);
}

inline absl::StatusOr<State> StateFromProto(tracker::v1::JobState s, absl::string_view field) {
  std::optional<State> state = tracking::FromJobState(s);
  if (!state) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be BACKLOG, QUEUED, FAILED or COMPLETED",
        s == tracker::v1::JOB_STATE_ONHOLD ? " (held jobs move with HoldJobs and ReleaseJobs)"
                                           : ""));
  }
  return *state;
}

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_SERVICE_CONVERT_H_
