// StoreReader::Audit: what the real history's admins found and fixed by
// hand, each finding naming every place involved (paths, jobs, the
// analysis), so that a person or a script (`jobctl audit --json`) can act on
// it. The codes are listed in the README's jobctl reference.

#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/reader.h"
#include "tracking/batch_summary.h"
#include "tracking/ids.h"
#include "tracking/layout.h"

namespace tracker::repo {

using ::tracker::tracking::BatchDir;
using ::tracker::tracking::JobKeyText;
using ::tracker::tracking::StateFromFolder;
using ::tracker::tracking::SummaryLine;
using ::tracker::tracking::SummaryPath;
using ::tracker::tracking::ValidateEnvironment;
using ::tracker::tracking::kJobsDir;
using ::tracker::tracking::kSummaryFile;
namespace {

constexpr size_t kMaxEnvironments = 1000;

class Findings {
 public:
  void Add(const char* code, std::string message, std::vector<std::string> paths,
           std::vector<JobKey> jobs = {}, std::string analysis_id = "") {
    list_.push_back(
        {code, std::move(message), std::move(paths), std::move(jobs), std::move(analysis_id)});
  }
  std::vector<Finding> Take() { return std::move(list_); }

 private:
  std::vector<Finding> list_;
};

void AuditFlags(const Snapshot& snap, const std::vector<std::string>& known_list,
                Findings& out) {
  if (known_list.empty()) return;
  const std::set<std::string> known(known_list.begin(), known_list.end());
  for (const FlagFile& f : snap.flags) {
    if (known.count(f.environment) > 0) continue;
    const std::string path = absl::StrCat(kJobsDir, "/", f.file_name);
    out.Add("UNKNOWN_ENVIRONMENT",
            absl::StrCat(path, " names environment ", f.environment,
                         ", which the scheduler's configuration does not know (it knows ",
                         absl::StrJoin(known, ", "), "): the flag steers nothing"),
            {path});
  }
}

// The files of one job folder that are not the job: folders nested in it
// and files that are neither params.json nor a run marker.
void AuditJobFolder(const std::string& job_dir, const JobKey& key, const JobEntry& job,
                    Findings& out) {
  if (!job.has_params) {
    out.Add("NO_PARAMS", absl::StrCat(job_dir, " has no params.json"), {job_dir}, {key});
  }
  for (const std::string& nested : job.nested_folders) {
    const std::string path = absl::StrCat(job_dir, "/", nested);
    out.Add("NESTED_JOB_FOLDER",
            absl::StrCat(path, "/ is a folder inside the folder of ", JobKeyText(key),
                         "; the job is read without it"),
            {path}, {key});
  }
  for (const std::string& file : job.other_files) {
    const std::string path = absl::StrCat(job_dir, "/", file);
    if (absl::StartsWith(file, "run.")) {
      out.Add("BAD_MARKER",
              absl::StrCat(path, " is not a run marker (run.<epoch>.<env>.<run_id>"
                                 "[.<session_id>]); the job's runs are read without it"),
              {path}, {key});
    } else {
      out.Add("UNKNOWN_FILE", absl::StrCat(path, " is neither params.json nor a run marker"),
              {path}, {key});
    }
  }
}

void AuditBatch(const std::string& sid, const std::string& bid, const Batch& batch,
                Findings& out) {
  const std::string dir = BatchDir(sid, bid);
  const std::string summary = SummaryPath(sid, bid);
  const auto key_of = [&](const std::string& job) { return JobKey{sid, bid, job}; };
  if (!batch.has_summary) {
    out.Add("NO_SUMMARY", absl::StrCat(dir, " has no ", kSummaryFile), {dir});
  } else if (!batch.summary->error.empty()) {
    out.Add("BAD_SUMMARY", absl::StrCat(summary, ": ", batch.summary->error), {summary});
  }
  std::map<std::string, std::vector<std::string>> dirs_of_job;  // job -> its folders
  for (const auto& [name, folder] : batch.folders) {
    const std::string folder_dir = absl::StrCat(dir, "/", name);
    // onhold/ holds the held jobs (jobctl hold): known, not a state.
    if (!tracking::IsJobFolder(name)) {
      out.Add("UNKNOWN_FOLDER", absl::StrCat(folder_dir, "/ holds ", folder->jobs.size(),
                                             " jobs; not a state folder, left untouched"),
              {folder_dir});
    }
    for (const JobEntry& job : folder->jobs) {
      const std::string job_dir = absl::StrCat(folder_dir, "/", job.id);
      dirs_of_job[job.id].push_back(job_dir);
      AuditJobFolder(job_dir, key_of(job.id), job, out);
    }
  }
  for (const auto& [job, dirs] : dirs_of_job) {
    if (dirs.size() < 2) continue;
    out.Add("JOB_IN_TWO_FOLDERS",
            absl::StrCat(JobKeyText(key_of(job)), " is in ", dirs.size(),
                         " folders: ", absl::StrJoin(dirs, " and ")),
            dirs, {key_of(job)});
  }
  // The summary's lines against the jobs, when the lines are known.
  if (!batch.has_summary || !batch.summary->error.empty()) return;
  std::map<std::string, std::pair<int, int>> lines_of_job;  // declared, found
  for (const SummaryLine& line : batch.summary->summary.lines) {
    auto& lj = lines_of_job[line.job_id];
    lj.first = line.analyses_in_job;
    ++lj.second;
  }
  for (const auto& [job, lj] : lines_of_job) {
    if (dirs_of_job.count(job) == 0) {
      out.Add("NO_JOB_DIR", absl::StrCat(summary, " names ", job, ", which has no job folder"),
              {summary}, {key_of(job)});
    }
    if (lj.first != lj.second) {
      out.Add("COUNT_MISMATCH",
              absl::StrCat(summary, ": ", job, " says analyses_in_job ", lj.first, ", ",
                           lj.second, " lines found"),
              {summary}, {key_of(job)});
    }
  }
  for (const auto& [job, dirs] : dirs_of_job) {
    if (lines_of_job.count(job) > 0) continue;
    std::vector<std::string> paths = dirs;
    paths.insert(paths.begin(), summary);
    out.Add("NO_SUMMARY_LINES",
            absl::StrCat(dirs.front(), " has no line in ", summary), std::move(paths),
            {key_of(job)});
  }
}

// One place an analysis is named; the strings are the snapshot's (or the
// analysis index's), which outlive the audit.
struct Mention {
  const std::string* study;
  const std::string* batch;
  const std::string* job;
  const std::string* folder;  // null: the summary
  JobKey Key() const { return JobKey{*study, *batch, *job}; }
};

absl::Status AuditAnalyses(git_repository* repo, AnalysisIndex& index, const Snapshot& snap,
                           Findings& out) {
  std::unordered_map<std::string_view, std::vector<Mention>> mentions;
  TRACKER_RETURN_IF_ERROR(index.ForEach(
      repo, snap,
      [&](const std::string& id, const AnalysisSource& at) {
        mentions[id].push_back({&at.study, &at.batch, &at.job, at.folder});
        return true;
      },
      [&](const AnalysisSource& at, const std::string& error) {
        std::string path = at.Path();
        out.Add("BAD_PARAMS", absl::StrCat(path, ": ", error), {path},
                {JobKey{at.study, at.batch, at.job}});
      }));
  // In analysis id order, so that the report reads the same every time.
  std::map<std::string_view, const std::vector<Mention>*> duplicates;
  for (const auto& [id, list] : mentions) {
    for (const Mention& m : list) {
      if (!(m.Key() == list.front().Key())) {
        duplicates.emplace(id, &list);
        break;
      }
    }
  }
  for (const auto& [id, list] : duplicates) {
    std::map<JobKey, std::set<std::string>> files_of_job;  // job -> files naming id
    std::set<std::string> paths;
    for (const Mention& m : *list) {
      AnalysisSource at{*m.study, *m.batch, *m.job, m.folder};
      paths.insert(at.Path());
      files_of_job[m.Key()].insert(m.folder == nullptr
                                       ? std::string(kSummaryFile)
                                       : absl::StrCat(*m.folder, "/", *m.job, "/params.json"));
    }
    std::vector<std::string> places;
    std::vector<JobKey> jobs;
    for (const auto& [key, files] : files_of_job) {
      jobs.push_back(key);
      places.push_back(absl::StrCat(JobKeyText(key), " (", absl::StrJoin(files, ", "), ")"));
    }
    out.Add("DUPLICATE_ANALYSIS",
            absl::StrCat("analysis ", std::string(id), " is in ", jobs.size(),
                         " jobs: ", absl::StrJoin(places, " and ")),
            std::vector<std::string>(paths.begin(), paths.end()), std::move(jobs),
            std::string(id));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AuditReport> StoreReader::Audit(const AuditQuery& query) const {
  if (query.known_environments.size() > kMaxEnvironments) {
    return absl::InvalidArgumentError(absl::StrCat(
        query.known_environments.size(), " known environments; at most ", kMaxEnvironments));
  }
  for (const std::string& env : query.known_environments) {
    TRACKER_RETURN_IF_ERROR(ValidateEnvironment(env));
  }
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(query.branch));
  AuditReport report;
  report.commit = OidHex(snap->commit);
  report.environments_checked = !query.known_environments.empty();
  Findings out;
  for (const std::string& e : snap->unknown_entries) {
    const std::string path = absl::StrCat(kJobsDir, "/", e);
    out.Add("UNKNOWN_ENTRY", absl::StrCat(path, " is neither a study nor a flag"), {path});
  }
  AuditFlags(*snap, query.known_environments, out);
  for (const auto& [sid, study] : snap->studies) {
    for (const auto& [bid, batch] : study->batches) AuditBatch(sid, bid, *batch, out);
  }
  TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease lease, repos_.Acquire());
  TRACKER_RETURN_IF_ERROR(AuditAnalyses(lease.get(), analyses_, *snap, out));
  report.findings = out.Take();
  return report;
}

}  // namespace tracker::repo
