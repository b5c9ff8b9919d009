// RepoServiceImpl: each handler turns its request into the store's terms,
// calls the reader, writer or sync, and turns the answer back.

#include "services/repo_service/service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "services/repo_service/service_convert.h"
#include "tracking/proto.h"

namespace tracker::repo {
namespace {

namespace v1 = ::tracker::v1;
using ::tracker::tracking::FromJobState;
using ::tracker::tracking::ToJobState;
// The shared translations (service_convert.h), overloaded here by more.
using ::tracker::repo::FromProto;
using ::tracker::repo::ToProto;

void ToProto(const Run& run, v1::RunMarker* out) {
  out->set_file_name(run.file_name);
  out->set_epoch_seconds(run.marker.epoch_seconds);
  out->set_environment(run.marker.environment);
  out->set_run_id(run.marker.run_id);
  out->set_session_id(run.marker.session_id);
}

void ToProto(const FlagInfo& f, v1::Flag* out) {
  out->set_kind(f.kind == FlagKind::kPause ? v1::FLAG_KIND_PAUSE
                                           : v1::FLAG_KIND_EXCESSIVE_FAILURE);
  out->set_environment(f.environment);
  out->set_path(f.path);
  out->set_content(f.content);
}

void ToProto(const BranchStatus& b, v1::BranchStatus* out) {
  out->set_name(b.name);
  out->set_tip(b.tip);
  out->set_remote_tip(b.remote_tip);
  out->set_ahead(b.ahead);
  out->set_behind(b.behind);
  out->set_last_push_epoch(b.last_push_epoch);
}

absl::StatusOr<FlagKind> KindFromProto(v1::FlagKind kind, absl::string_view field) {
  if (kind == v1::FLAG_KIND_PAUSE) return FlagKind::kPause;
  if (kind == v1::FLAG_KIND_EXCESSIVE_FAILURE) return FlagKind::kExcessiveFailure;
  return absl::InvalidArgumentError(absl::StrCat(field, " must be PAUSE or EXCESSIVE_FAILURE"));
}

absl::StatusOr<std::vector<Transition>> FromProto(const v1::TransitionJobsRequest& req) {
  std::vector<Transition> out;
  out.reserve(req.transitions_size());
  for (const v1::Transition& t : req.transitions()) {
    TRACKER_RETURN_IF_ERROR(tracking::ValidateJobKey(t.key()));
    Transition move;
    move.key = FromProto(t.key());
    TRACKER_ASSIGN_OR_RETURN(move.from, StateFromProto(t.from_state(), "from_state"));
    TRACKER_ASSIGN_OR_RETURN(move.to, StateFromProto(t.to_state(), "to_state"));
    if (t.has_add_run()) {
      move.add_run = Marker{t.add_run().epoch_seconds(), t.add_run().environment(),
                            t.add_run().run_id(), t.add_run().session_id()};
    }
    move.remove_run_file = t.remove_run_file();
    move.clear_runs = t.clear_runs();
    out.push_back(std::move(move));
  }
  return out;
}

absl::StatusOr<JobQuery> FromProto(const v1::ListJobsRequest& req) {
  JobQuery q;
  q.branch = req.branch();
  q.study_ids.assign(req.study_ids().begin(), req.study_ids().end());
  q.batch_id = req.batch_id();
  // Held jobs with every state, or when asked for by their own state.
  q.include_held = req.states().empty();
  for (int s : req.states()) {
    if (s == v1::JOB_STATE_ONHOLD) {
      q.include_held = true;
      continue;
    }
    std::optional<State> state = FromJobState(static_cast<v1::JobState>(s));
    if (!state) {
      return absl::InvalidArgumentError(
          "states must be BACKLOG, QUEUED, FAILED, COMPLETED or ONHOLD");
    }
    q.states.push_back(*state);
  }
  if (!req.states().empty() && q.states.empty()) {
    // Only ONHOLD asked for: no state's jobs, only the held ones.
    q.only_held = true;  // the store reads an empty list as every state
  }
  q.environment = req.environment();
  q.page_size = req.page_size();
  q.page_token = req.page_token();
  q.min_run_epoch = req.min_run_epoch();
  return q;
}

}  // namespace

grpc::Status RepoServiceImpl::ListJobs(grpc::ServerContext*, const v1::ListJobsRequest* req,
                                       v1::ListJobsResponse* out) {
  absl::StatusOr<JobQuery> query = FromProto(*req);
  if (!query.ok()) return ToGrpcStatus(query.status());
  return Answer(store_->reader().ListJobs(*query), out, [](const JobPage& page, auto* out) {
    for (const JobSummary& job : page.jobs) {
      v1::JobSummary* js = out->add_jobs();
      ToProto(job.key, js->mutable_key());
      js->set_state(job.held ? v1::JOB_STATE_ONHOLD : ToJobState(job.state));
      js->set_run_count(job.run_count);
      if (job.current_run) ToProto(*job.current_run, js->mutable_current_run());
    }
    out->set_next_page_token(page.next_page_token);
    out->set_commit(page.commit);
    out->set_total_size(page.total_size);
  });
}

grpc::Status RepoServiceImpl::GetJob(grpc::ServerContext*, const v1::GetJobRequest* req,
                                     v1::Job* out) {
  return Answer(store_->reader().GetJob(req->branch(), FromProto(req->key())), out,
                [](const JobDetail& job, v1::Job* out) {
                  ToProto(job.key, out->mutable_key());
                  out->set_state(job.held ? v1::JOB_STATE_ONHOLD : ToJobState(job.state));
                  out->set_commit(job.commit);
                  out->set_params_json(job.params_json);
                  for (const Run& run : job.runs) ToProto(run, out->add_runs());
                  for (const AnalysisLine& line : job.analyses) {
                    v1::AnalysisLine* a = out->add_analyses();
                    a->set_analysis_id(line.analysis_id);
                    a->set_analysis_bytes(line.analysis_bytes);
                  }
                  out->set_job_bytes(job.job_bytes);
                  out->set_batch_line_count(job.batch_line_count);
                });
}

grpc::Status RepoServiceImpl::ListFlags(grpc::ServerContext*, const v1::ListFlagsRequest* req,
                                        v1::ListFlagsResponse* out) {
  return Answer(store_->reader().ListFlags(req->branch()), out,
                [](const FlagList& list, v1::ListFlagsResponse* out) {
                  for (const FlagInfo& f : list.flags) ToProto(f, out->add_flags());
                  out->set_commit(list.commit);
                });
}

grpc::Status RepoServiceImpl::Report(grpc::ServerContext*, const v1::ReportRequest* req,
                                     v1::ReportResponse* out) {
  std::string commit = req->commit();
  if (commit.empty() && req->as_of_unix_seconds() != 0) {
    absl::StatusOr<CommitAtTime> at =
        store_->reader().CommitAt(req->branch(), absl::FromUnixSeconds(req->as_of_unix_seconds()));
    if (!at.ok()) return ToGrpcStatus(at.status());
    commit = at->commit;
  }
  absl::StatusOr<StateReport> answer = store_->reader().Report(req->branch(), commit);
  if (answer.ok()) {
    absl::StatusOr<absl::Time> time = store_->reader().CommitTime(answer->commit);
    if (!time.ok()) return ToGrpcStatus(time.status());
    out->set_commit_time_unix_seconds(absl::ToUnixSeconds(*time));
  }
  return Answer(std::move(answer), out,
                [](const StateReport& report, v1::ReportResponse* out) {
                  out->set_text(report.text);
                  for (const StudyCounts& study : report.studies) {
                    v1::StudyCounts* sc = out->add_studies();
                    sc->set_study_id(study.study_id);
                    sc->set_backlog(study.counts[static_cast<int>(State::kBacklog)]);
                    sc->set_queued(study.counts[static_cast<int>(State::kQueued)]);
                    sc->set_failed(study.counts[static_cast<int>(State::kFailed)]);
                    sc->set_completed(study.counts[static_cast<int>(State::kCompleted)]);
                    sc->set_backlog_bytes(study.bytes[static_cast<int>(State::kBacklog)]);
                    sc->set_queued_bytes(study.bytes[static_cast<int>(State::kQueued)]);
                    sc->set_failed_bytes(study.bytes[static_cast<int>(State::kFailed)]);
                    sc->set_completed_bytes(study.bytes[static_cast<int>(State::kCompleted)]);
                    for (const auto& [name, n] : study.other_folders) {
                      (*sc->mutable_other_folders())[name] = n;
                    }
                  }
                  for (const FlagInfo& f : report.flags) ToProto(f, out->add_flags());
                  out->set_commit(report.commit);
                  out->set_total_jobs(report.total_jobs);
                });
}

grpc::Status RepoServiceImpl::ListTransitions(grpc::ServerContext*,
                                              const v1::ListTransitionsRequest* req,
                                              v1::ListTransitionsResponse* out) {
  return Answer(
      store_->reader().ListTransitions(req->from_commit(), req->to_commit(), req->branch()), out,
      [](const Transitions& t, v1::ListTransitionsResponse* out) {
        for (const JobChange& c : t.changes) {
          v1::JobChange* change = out->add_changes();
          ToProto(c.key, change->mutable_key());
          change->set_from_folder(c.from_folder);
          change->set_to_folder(c.to_folder);
        }
        out->set_from_commit(t.from_commit);
        out->set_to_commit(t.to_commit);
      });
}

grpc::Status RepoServiceImpl::Audit(grpc::ServerContext*, const v1::AuditRequest* req,
                                    v1::AuditResponse* out) {
  AuditQuery query;
  query.branch = req->branch();
  query.known_environments.assign(req->known_environments().begin(),
                                  req->known_environments().end());
  return Answer(store_->reader().Audit(query), out,
                [](const AuditReport& audit, v1::AuditResponse* out) {
                  for (const Finding& f : audit.findings) {
                    v1::Finding* finding = out->add_findings();
                    finding->set_code(f.code);
                    finding->set_message(f.message);
                    for (const std::string& p : f.paths) finding->add_paths(p);
                    for (const JobKey& k : f.jobs) ToProto(k, finding->add_jobs());
                    finding->set_analysis_id(f.analysis_id);
                  }
                  out->set_commit(audit.commit);
                  out->set_environments_checked(audit.environments_checked);
                });
}

grpc::Status RepoServiceImpl::TransitionJobs(grpc::ServerContext* ctx,
                                             const v1::TransitionJobsRequest* req,
                                             v1::WriteResult* out) {
  absl::StatusOr<std::vector<Transition>> moves = FromProto(*req);
  if (!moves.ok()) return ToGrpcStatus(moves.status());
  return Answer(store_->writer().TransitionJobs(FromProto(ctx, "TransitionJobs", req->options(), req->dry_run()), *moves),
                out, [](const WriteResult& r, v1::WriteResult* out) { ToProto(r, out); });
}

grpc::Status RepoServiceImpl::SetFlag(grpc::ServerContext* ctx, const v1::SetFlagRequest* req,
                                      v1::WriteResult* out) {
  absl::StatusOr<FlagKind> kind = KindFromProto(req->flag().kind(), "flag.kind");
  if (!kind.ok()) return ToGrpcStatus(kind.status());
  return Answer(store_->writer().SetFlag(FromProto(ctx, "SetFlag", req->options()), *kind,
                                         req->flag().environment(), req->flag().content()),
                out, [](const WriteResult& r, v1::WriteResult* out) { ToProto(r, out); });
}

grpc::Status RepoServiceImpl::ClearFlag(grpc::ServerContext* ctx, const v1::ClearFlagRequest* req,
                                        v1::WriteResult* out) {
  absl::StatusOr<FlagKind> kind = KindFromProto(req->kind(), "kind");
  if (!kind.ok()) return ToGrpcStatus(kind.status());
  return Answer(store_->writer().ClearFlag(FromProto(ctx, "ClearFlag", req->options()), *kind, req->environment()),
                out, [](const WriteResult& r, v1::WriteResult* out) { ToProto(r, out); });
}

grpc::Status RepoServiceImpl::ImportBatch(grpc::ServerContext* ctx,
                                          const v1::ImportBatchRequest* req,
                                          v1::ImportBatchResponse* out) {
  BatchImport batch;
  batch.study_id = req->study_id();
  batch.batch_id = req->batch_id();
  batch.summary_tsv = req->summary_tsv();
  batch.params_json.insert(req->params_json().begin(), req->params_json().end());
  batch.dry_run = req->dry_run();
  return Answer(store_->writer().ImportBatch(FromProto(ctx, "ImportBatch", req->options()), batch), out,
                [](const ImportResult& r, v1::ImportBatchResponse* out) {
                  if (r.result) ToProto(*r.result, out->mutable_result());
                  out->set_job_count(r.job_count);
                  out->set_analysis_count(r.analysis_count);
                  out->set_total_bytes(r.total_bytes);
                });
}

grpc::Status RepoServiceImpl::Merge(grpc::ServerContext* ctx, const v1::MergeRequest* req,
                                    v1::MergeResponse* out) {
  return Answer(store_->writer().Merge(FromProto(ctx, "Merge", req->options()), req->source()), out,
                [](const MergeResult& m, v1::MergeResponse* out) {
                  ToProto(m.result, out->mutable_result());
                  out->set_fast_forward(m.fast_forward);
                  out->set_up_to_date(m.up_to_date);
                });
}

grpc::Status RepoServiceImpl::Fetch(grpc::ServerContext*, const v1::FetchRequest*,
                                    v1::FetchResponse* out) {
  return Answer(store_->sync().Fetch(), out,
                [](const std::vector<BranchStatus>& branches, v1::FetchResponse* out) {
                  for (const BranchStatus& b : branches) ToProto(b, out->add_branches());
                });
}

grpc::Status RepoServiceImpl::Push(grpc::ServerContext*, const v1::PushRequest* req,
                                   v1::PushResponse* out) {
  return Answer(store_->sync().Push(req->branch(), req->max_attempts()), out,
                [](const PushResult& p, v1::PushResponse* out) {
                  out->set_commit(p.commit);
                  out->set_attempts(p.attempts);
                  out->set_push_epoch(p.push_epoch);
                });
}

grpc::Status RepoServiceImpl::GetSyncStatus(grpc::ServerContext*, const v1::GetSyncStatusRequest*,
                                            v1::GetSyncStatusResponse* out) {
  return Answer(store_->sync().Status(), out,
                [](const SyncStatus& s, v1::GetSyncStatusResponse* out) {
                  for (const BranchStatus& b : s.branches) ToProto(b, out->add_branches());
                  out->set_remote_url(s.remote_url);
                });
}

}  // namespace tracker::repo
