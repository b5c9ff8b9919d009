// jobctl generate-batch: a new batch from a SONG payload dump, grouped as
// the original generator grouped it (batch_generator.h), of the PUBLISHED
// analyses that no job holds yet, then imported through add-batch's path
// (repo-service's dry run, the jobs shown, confirmation, one commit on main).

#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/jobctl/batch_generator.h"
#include "clients/jobctl/commands.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/proto.h"

namespace jobctl {

using namespace tracker::v1;  // NOLINT: generated message names

namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What the repository already holds of a study, read on main (where admins
// add batches): every analysis named by a job's summary lines or by its
// params.json, and the study's batch ids.
struct StudyInRepo {
  bool known = false;  // the repository has the study
  int jobs = 0;
  std::set<std::string> analyses;
  std::vector<std::string> batches;
};

absl::StatusOr<StudyInRepo> ReadStudy(Services& s, const std::string& study) {
  StudyInRepo out;
  std::set<std::string> batches;
  std::vector<JobKey> keys;
  ListJobsRequest list;
  list.set_branch(tracker::tracking::kMainBranch);
  list.add_study_ids(study);
  list.set_page_size(10000);
  do {
    ListJobsResponse page;
    absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->ListJobs(c, list, &page); });
    if (st.code() == absl::StatusCode::kNotFound && keys.empty()) return out;  // a new study
    if (!st.ok()) return st;
    for (const JobSummary& j : page.jobs()) keys.push_back(j.key());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  out.known = true;
  // Jobs in folders that are not a state (onhold/) are not listed, and
  // their params.json may name analyses of the dump: the real 2021-08-13
  // batch regenerated two onhold jobs that were deleted only four days
  // later. Not generated past them.
  ReportRequest report_req;
  report_req.set_branch(tracker::tracking::kMainBranch);
  ReportResponse report;
  absl::Status reported = s.Call([&](grpc::ClientContext* c) { return s.repo->Report(c, report_req, &report); });
  if (!reported.ok()) return reported;
  for (const StudyCounts& counts : report.studies()) {
    if (counts.study_id() != study) continue;
    for (const auto& [folder, jobs] : counts.other_folders()) {
      return absl::FailedPreconditionError(absl::StrCat(
          study, " has ", jobs, " job(s) in ", folder, "/ on main, whose analyses cannot be told "
          "apart from new ones; move them back to a state folder or remove them first"));
    }
  }
  for (const JobKey& key : keys) {
    GetJobRequest req;
    req.set_branch(tracker::tracking::kMainBranch);
    *req.mutable_key() = key;
    Job job;
    absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->GetJob(c, req, &job); });
    if (!st.ok()) return st;
    batches.insert(key.batch_id());
    ++out.jobs;
    for (const AnalysisLine& line : job.analyses()) out.analyses.insert(line.analysis_id());
    // The params too: a job whose summary lines were removed still
    // transfers what its params.json names (the real repo's 295 analyses
    // transferred twice).
    const std::string where = tracker::tracking::JobKeyText(key.study_id(), key.batch_id(), key.job_id());
    auto named = ParamsAnalysisIds(job.params_json(), "params.json of " + where);
    if (!named.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          named.status().message(), "; fix it first: its analyses cannot be told apart from new ones"));
    }
    out.analyses.insert(named->begin(), named->end());
  }
  out.batches.assign(batches.begin(), batches.end());
  return out;
}

}  // namespace

int CmdGenerateBatch(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  const std::string study = args.positional()[0];
  if (absl::Status v = tracker::tracking::ValidateStudyId(study); !v.ok()) {
    return UsageError(name, std::string(v.message()));
  }
  const std::string dump_path = args.Get("payloads"), template_path = args.Get("template");
  if (dump_path.empty()) return UsageError(name, "--payloads=DUMP.json.gz is required");
  if (template_path.empty()) return UsageError(name, "--template=PARAMS.json is required");
  const std::string batch_arg = args.Get("batch");
  if (!batch_arg.empty()) {
    if (absl::Status v = tracker::tracking::ValidateBatchId(batch_arg); !v.ok()) {
      return UsageError(name, std::string(v.message()));
    }
  }
  GeneratorConfig config;
  if (args.Has("config")) {
    std::string text;
    if (!ReadTextFile(args.Get("config"), &text)) {
      return UsageError(name, absl::StrCat("cannot read the config ", args.Get("config")));
    }
    auto parsed = ParseGeneratorConfig(text);
    if (!parsed.ok()) return UsageError(name, absl::StrCat(args.Get("config"), ": ", parsed.status().message()));
    config = *parsed;
  }
  int64_t job_count = config.max_jobs_per_batch, max_cpus = 4;
  if (args.Has("jobs") && !ParseInt(args.Get("jobs"), 1, config.max_jobs_per_batch, &job_count)) {
    return UsageError(name, absl::StrCat("--jobs must be a whole number from 1 to ",
                                         config.max_jobs_per_batch, " (max_jobs_per_batch)"));
  }
  if (args.Has("max-cpus") && !ParseInt(args.Get("max-cpus"), 0, 64, &max_cpus)) {
    return UsageError(name, "--max-cpus must be a whole number from 0 (keep the template's) to 64");
  }
  std::string template_json;
  if (!ReadTextFile(template_path, &template_json)) {
    return UsageError(name, absl::StrCat("cannot read the template ", template_path));
  }
  auto dump = ReadPayloadDump(dump_path);
  if (!dump.ok()) return UsageError(name, std::string(dump.status().message()));
  // The dump's own problems (another study, nothing PUBLISHED) are told
  // before anything is asked of the repository.
  auto alone = GroupAnalyses(study, *dump, {}, config, static_cast<int>(job_count));
  if (alone.status().code() == absl::StatusCode::kInvalidArgument) {
    return UsageError(name, absl::StrCat(dump_path, ": ", alone.status().message()));
  }

  ui.Progress(absl::StrCat("reading the jobs of ", study, " on main..."));
  auto in_repo = ReadStudy(s, study);
  if (!in_repo.ok()) return ServerError(name, in_repo.status());
  auto generated = GroupAnalyses(study, *dump, in_repo->analyses, config, static_cast<int>(job_count));
  if (!generated.ok()) {
    std::cerr << "jobctl " << name << ": " << dump_path << ": " << generated.status().message()
              << "; nothing was written\n";
    return kServerError;
  }
  std::string batch = batch_arg;
  if (batch.empty()) {
    auto next = NextBatchId(in_repo->batches,
                            absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()));
    if (!next.ok()) return UsageError(name, std::string(next.status().message()));
    batch = *next;
  }
  const std::string dump_name = BaseName(dump_path);
  auto plan = PlanGeneratedBatch(study, GeneratedSummary(dump_name, generated->jobs), template_json,
                                 static_cast<int>(max_cpus));
  if (!plan.ok()) return UsageError(name, absl::StrCat(template_path, ": ", plan.status().message()));

  if (!args.Has("json")) {
    std::cout << dump_name << ": " << dump->size() << " analyses; " << generated->already_in_jobs
              << " already in jobs of " << study
              << (in_repo->known ? absl::StrCat(" (", in_repo->jobs, " jobs)") : " (a new study)") << ", "
              << generated->not_published << " not PUBLISHED, " << generated->left_for_later
              << " left for a later batch (--jobs=" << job_count << ")\n";
  }
  return ImportPlannedBatch(
      name, s, ui, args, study, batch, *plan,
      absl::StrCat("generate-batch: ", study, "/", batch, ", ", plan->jobs.size(), " jobs of ",
                   plan->analysis_count, " analyses from ", dump_name));
}

}  // namespace jobctl
