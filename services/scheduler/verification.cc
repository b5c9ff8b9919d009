#include "services/scheduler/verification.h"

#include "common/json.h"
#include "common/parallel.h"
#include "common/status.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

absl::StatusOr<VerifyTarget> VerifyTargetOf(const std::string& params_json) {
  auto params = ParseJsonObject(params_json, "params.json");
  if (!params.ok()) return params.status();
  VerifyTarget t;
  t.song_url = StringField(*params, "upload_song_url");
  t.score_url = StringField(*params, "upload_score_url");
  t.study = StringField(*params, "study_id");
  auto it = params->fields().find("analysis_id");
  if (it != params->fields().end()) {
    if (it->second.has_list_value()) {
      for (const auto& v : it->second.list_value().values()) t.analyses.push_back(v.string_value());
    } else if (!it->second.string_value().empty()) {
      t.analyses.push_back(it->second.string_value());
    }
  }
  if (t.song_url.empty() || t.study.empty() || t.analyses.empty()) {
    return absl::FailedPreconditionError(
        "params.json lacks upload_song_url, study_id or analysis_id: cannot verify");
  }
  return t;
}

JobVerifier::JobVerifier(RepoClient* repo, AzureVerifier::StubInterface* verifier,
                         RpcCaller* upstream, int concurrency)
    : repo_(repo), verifier_(verifier), upstream_(upstream), concurrency_(concurrency) {}

std::vector<absl::StatusOr<VerifyAnalysesResponse>> JobVerifier::Verify(
    const std::vector<JobKey>& jobs) {
  std::vector<absl::StatusOr<VerifyAnalysesResponse>> verdicts(jobs.size());
  // Each worker writes only its own slot.
  ParallelFor(jobs.size(), concurrency_, [&](size_t i) { verdicts[i] = VerifyOne(jobs[i]); });
  return verdicts;
}

absl::StatusOr<VerifyAnalysesResponse> JobVerifier::VerifyOne(const JobKey& key) {
  TRACKER_ASSIGN_OR_RETURN(Job job, repo_->GetJob(key));
  TRACKER_ASSIGN_OR_RETURN(VerifyTarget target, VerifyTargetOf(job.params_json()));
  VerifyAnalysesRequest req;
  req.set_song_url(target.song_url);
  req.set_score_url(target.score_url);
  req.set_study_id(target.study);
  for (const auto& a : target.analyses) req.add_analysis_ids(a);
  VerifyAnalysesResponse resp;
  TRACKER_RETURN_IF_ERROR(upstream_->Call("AzureVerifier.VerifyAnalyses", Idempotency::kIdempotent,
                                          [&](grpc::ClientContext* c) {
                                            return verifier_->VerifyAnalyses(c, req, &resp);
                                          }));
  return resp;
}

}  // namespace tracker::scheduler
