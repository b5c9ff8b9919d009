// StoreWriter::ImportBatch: a new batch on main, validated as a whole before
// anything is written. The uniqueness of SONG analysis ids across every batch of the
// repository is the check the real history needed most ("manually remove
// duplicates").

#include <google/protobuf/struct.pb.h>

#include <map>
#include <set>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"
#include "common/log.h"
#include "common/status.h"
#include "services/repo_service/writer.h"
#include "tracking/batch_summary.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/params.h"

namespace tracker::repo {

using ::tracker::tracking::JobDir;
using ::tracker::tracking::JobKeyText;
using ::tracker::tracking::ParamsAnalysisIds;
using ::tracker::tracking::ParseBatchSummary;
using ::tracker::tracking::State;
using ::tracker::tracking::StateFolder;
using ::tracker::tracking::SummaryLine;
using ::tracker::tracking::ValidateBatchId;
using ::tracker::tracking::ValidateJobId;
using ::tracker::tracking::ValidateStudyId;
using ::tracker::tracking::kAllStates;
using ::tracker::tracking::kGitkeep;
using ::tracker::tracking::kJobsDir;
using ::tracker::tracking::kParamsAnalysisKey;
using ::tracker::tracking::kMainBranch;
using ::tracker::tracking::kSchedulerBranch;
using ::tracker::tracking::kParamsFile;
using ::tracker::tracking::kSummaryFile;
using objects::TreeEditor;
namespace {

constexpr int kMaxJobsPerBatch = 100000;

struct JobPlan {
  std::vector<std::string> analyses;
  int declared_count = 0;
  int64_t declared_bytes = 0;
  int64_t summed_bytes = 0;
};

std::string Sample(const std::vector<std::string>& items) {
  std::vector<std::string> head(items.begin(),
                                items.begin() + std::min<size_t>(items.size(), 5));
  std::string out = absl::StrJoin(head, ", ");
  if (items.size() > head.size()) absl::StrAppend(&out, " and ", items.size() - head.size(), " more");
  return out;
}

// Checks one params.json against its summary lines: a JSON object whose
// study, job and analysis ids (when present) agree with the batch.
absl::Status CheckParams(const std::string& study, const std::string& batch,
                         const std::string& job, const std::string& text,
                         const JobPlan& plan) {
  auto params = ParseJsonObject(text, absl::StrCat("params.json of ", job));
  if (!params.ok()) return params.status();
  const auto& f = params->fields();
  auto expect_string = [&](const char* key, const std::string& want) -> absl::Status {
    auto it = f.find(key);
    if (it == f.end()) return absl::OkStatus();
    if (it->second.kind_case() != google::protobuf::Value::kStringValue ||
        it->second.string_value() != want) {
      return absl::InvalidArgumentError(absl::StrCat("params.json of ", job, ": \"", key,
                                                     "\" must be \"", want, "\""));
    }
    return absl::OkStatus();
  };
  TRACKER_RETURN_IF_ERROR(expect_string("study_id", study));
  TRACKER_RETURN_IF_ERROR(expect_string("_job_id", job));
  TRACKER_RETURN_IF_ERROR(expect_string("_batch_id", batch));
  if (f.count(kParamsAnalysisKey) == 0) return absl::OkStatus();
  auto ids = ParamsAnalysisIds(text);
  if (!ids.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("params.json of ", job, ": ",
                                                   ids.status().message()));
  }
  std::set<std::string> in_params(ids->begin(), ids->end());
  std::set<std::string> in_summary(plan.analyses.begin(), plan.analyses.end());
  if (in_params != in_summary) {
    return absl::InvalidArgumentError(absl::StrCat(
        "params.json of ", job, " lists analyses {", absl::StrJoin(in_params, ", "),
        "} but batch-summary.tsv gives it {", absl::StrJoin(in_summary, ", "), "}"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImportResult> StoreWriter::ImportBatch(const WriteOptions& options,
                                                     const BatchImport& req) {
  const std::string& study = req.study_id;
  const std::string& batch_id = req.batch_id;
  TRACKER_RETURN_IF_ERROR(ValidateStudyId(study));
  TRACKER_RETURN_IF_ERROR(ValidateBatchId(batch_id));
  if (!options.branch.empty() && options.branch != kMainBranch) {
    return absl::InvalidArgumentError("batches are imported on main only");
  }
  auto summary = ParseBatchSummary(req.summary_tsv);
  if (!summary.ok()) return summary.status();
  if (summary->lines.empty()) {
    return absl::InvalidArgumentError("batch-summary.tsv has no job lines");
  }

  std::map<std::string, JobPlan> jobs;
  int64_t total_bytes = 0;
  for (const SummaryLine& line : summary->lines) {
    JobPlan& plan = jobs[line.job_id];
    plan.analyses.push_back(line.analysis_id);
    plan.declared_count = line.analyses_in_job;
    plan.declared_bytes = line.job_bytes;
    plan.summed_bytes += line.analysis_bytes;
    total_bytes += line.analysis_bytes;
  }
  if (static_cast<int>(jobs.size()) > kMaxJobsPerBatch) {
    return absl::InvalidArgumentError(
        absl::StrCat(jobs.size(), " jobs in one batch; at most ", kMaxJobsPerBatch));
  }
  std::vector<std::string> no_params, no_lines, inconsistent;
  for (const auto& [job, plan] : jobs) {
    if (req.params_json.count(job) == 0) no_params.push_back(job);
    if (plan.declared_count != static_cast<int>(plan.analyses.size()) ||
        plan.declared_bytes != plan.summed_bytes) {
      inconsistent.push_back(job);
    }
  }
  for (const auto& [job, text] : req.params_json) {
    TRACKER_RETURN_IF_ERROR(ValidateJobId(job));
    if (jobs.count(job) == 0) no_lines.push_back(job);
  }
  if (!no_params.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "jobs in batch-summary.tsv without a params.json: ", Sample(no_params)));
  }
  if (!no_lines.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "params.json given for jobs not in batch-summary.tsv: ", Sample(no_lines)));
  }
  if (!inconsistent.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "analyses_in_job or job_bytes disagree with the job's lines for: ",
        Sample(inconsistent)));
  }
  for (const auto& [job, plan] : jobs) {
    TRACKER_RETURN_IF_ERROR(CheckParams(study, batch_id, job, req.params_json.at(job), plan));
  }

  // Analysis id -> job of the new batch, for the repository-wide check.
  std::unordered_map<std::string, std::string> incoming;
  for (const SummaryLine& line : summary->lines) incoming[line.analysis_id] = line.job_id;

  // Every analysis a branch names, in summaries and in params.json alike: the
  // real repository's worst duplicates were in params only.
  auto check_unique = [&](const Snapshot& snap) -> absl::Status {
    TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease lease, readers_.Acquire());
    absl::Status found = absl::OkStatus();
    TRACKER_RETURN_IF_ERROR(analyses_.ForEach(
        lease.get(), snap, [&](const std::string& id, const AnalysisSource& at) {
          auto hit = incoming.find(id);
          if (hit == incoming.end()) return true;
          found = absl::AlreadyExistsError(absl::StrCat(
              "analysis ", id, " of ", JobKeyText(study, batch_id, hit->second),
              " is already in ", JobKeyText(at.study, at.batch, at.job), " (", at.Path(),
              "); an analysis may be in one job only: nothing was written"));
          return false;
        }));
    return found;
  };
  auto check_and_write = [&](const Snapshot& snap, TreeEditor* editor) -> absl::Status {
    if (snap.FindBatch(study, batch_id) != nullptr) {
      return absl::AlreadyExistsError(
          absl::StrCat("batch ", study, "/", batch_id, " already exists"));
    }
    // Both branches: scheduler may hold a batch main has not merged yet.
    TRACKER_RETURN_IF_ERROR(check_unique(snap));
    TRACKER_RETURN_IF_ERROR(check_unique(*snapshots_.Get(kSchedulerBranch)));
    if (editor == nullptr) return absl::OkStatus();
    const std::string dir = absl::StrCat(kJobsDir, "/", study, "/", batch_id);
    TRACKER_RETURN_IF_ERROR(editor->PutBlob(absl::StrCat(dir, "/", kSummaryFile),
                                            req.summary_tsv));
    for (State s : kAllStates) {
      TRACKER_RETURN_IF_ERROR(
          editor->PutBlob(absl::StrCat(dir, "/", StateFolder(s), "/", kGitkeep), ""));
    }
    for (const auto& [job, text] : req.params_json) {
      TRACKER_RETURN_IF_ERROR(editor->PutBlob(
          absl::StrCat(JobDir(study, batch_id, State::kBacklog, job), "/", kParamsFile),
          text));
    }
    return absl::OkStatus();
  };

  ImportResult response;
  response.job_count = static_cast<int>(jobs.size());
  response.analysis_count = static_cast<int>(summary->lines.size());
  response.total_bytes = total_bytes;
  // A read: checked against the published snapshot, no write lock taken.
  // Before a write it also reads any params.json new to the index, so the
  // check under the write lock finds them all read.
  TRACKER_RETURN_IF_ERROR(check_and_write(*snapshots_.Get(kMainBranch), nullptr));
  if (req.dry_run) return response;
  auto result = Commit(
      options, kMainBranch,
      absl::StrCat("added ", jobs.size(), " jobs for ", study, " in batch ", batch_id),
      [&](const Snapshot& snap, TreeEditor& editor) { return check_and_write(snap, &editor); });
  if (!result.ok()) return result.status();
  response.result = *result;
  LogInfo("batch_imported")
      .Kv("study", study)
      .Kv("batch", batch_id)
      .Kv("jobs", static_cast<int64_t>(jobs.size()))
      .Kv("analyses", static_cast<int64_t>(summary->lines.size()))
      .Kv("commit", result->commit);
  return response;
}

}  // namespace tracker::repo
