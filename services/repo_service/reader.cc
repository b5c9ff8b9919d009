// StoreReader: listings, a job's detail, flags and the report, all from
// snapshots.

#include "services/repo_service/reader.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"
#include "tracking/batch_summary.h"
#include "tracking/flags.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/run_marker.h"

namespace tracker::repo {

using ::tracker::tracking::ParseMarker;
using ::tracker::tracking::StateFolder;
using ::tracker::tracking::StateFromFolder;
using ::tracker::tracking::SummaryLine;
using ::tracker::tracking::ValidateBatchId;
using ::tracker::tracking::ValidateBranch;
using ::tracker::tracking::ValidateEnvironment;
using ::tracker::tracking::ValidateJobId;
using ::tracker::tracking::ValidateStudyId;
using ::tracker::tracking::kAllStates;
using ::tracker::tracking::kJobsDir;
using ::tracker::tracking::kMainBranch;
using ::tracker::tracking::kSchedulerBranch;
using ::tracker::tracking::kStateCount;
namespace {

constexpr int kDefaultPageSize = 1000;
constexpr int kMaxPageSize = 10000;

Run MakeRun(const std::string& file_name) {
  Run run;
  run.file_name = file_name;
  if (auto m = ParseMarker(file_name)) run.marker = *std::move(m);
  return run;
}

std::string PageKey(const std::string& study, const std::string& batch, int folder_index,
                    const std::string& job) {
  return absl::StrCat(study, "/", batch, "/", folder_index, "/", job);
}

FlagInfo Describe(const FlagFile& f) {
  FlagInfo out;
  out.kind = f.kind;
  out.environment = f.environment;
  out.path = absl::StrCat(kJobsDir, "/", f.file_name);
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>> StoreReader::Read(
    const std::string& branch) const {
  const std::string name = branch.empty() ? kSchedulerBranch : branch;
  TRACKER_RETURN_IF_ERROR(ValidateBranch(name));
  return snapshots_.Get(name);
}

absl::StatusOr<std::shared_ptr<const Snapshot>> StoreReader::ReadRevision(
    const std::string& rev) const {
  if (rev.empty() || rev == kMainBranch || rev == kSchedulerBranch) return Read(rev);
  git_oid oid;
  TRACKER_RETURN_IF_ERROR(ParseOid(rev, &oid));
  CurrentSnapshots::Both now = snapshots_.GetBoth();
  TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease repo, repos_.Acquire());
  git_object* raw = nullptr;
  if (git_object_lookup(&raw, repo.get(), &oid, GIT_OBJECT_COMMIT) != 0) {
    git_error_clear();
    return absl::NotFoundError(absl::StrCat("no commit ", rev, " in the tracking repository"));
  }
  ObjectPtr commit(raw);
  return LoadSnapshot(repo.get(), oid, {now.scheduler.get(), now.main.get()});
}

absl::StatusOr<std::string> StoreReader::ReadBlob(const git_oid& oid) const {
  TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease lease, repos_.Acquire());
  return tracker::repo::ReadBlob(lease.get(), oid);
}

absl::StatusOr<JobPage> StoreReader::ListJobs(const JobQuery& query) const {
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(query.branch));
  for (const std::string& s : query.study_ids) TRACKER_RETURN_IF_ERROR(ValidateStudyId(s));
  if (!query.batch_id.empty()) TRACKER_RETURN_IF_ERROR(ValidateBatchId(query.batch_id));
  if (!query.environment.empty()) TRACKER_RETURN_IF_ERROR(ValidateEnvironment(query.environment));
  if (query.page_size < 0 || query.page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be between 0 and ", kMaxPageSize));
  }
  const int page_size = query.page_size == 0 ? kDefaultPageSize : query.page_size;
  const bool all_states = query.states.empty() && !query.only_held;
  bool want_state[kStateCount] = {all_states, all_states, all_states, all_states};
  for (State s : query.states) want_state[static_cast<int>(s)] = true;
  std::vector<const Study*> studies;
  if (query.study_ids.empty()) {
    for (const auto& [id, study] : snap->studies) studies.push_back(study.get());
  } else {
    for (const std::string& id : query.study_ids) {
      auto it = snap->studies.find(id);
      if (it == snap->studies.end()) return absl::NotFoundError(absl::StrCat("unknown study ", id));
      studies.push_back(it->second.get());
    }
  }

  JobPage out;
  out.commit = OidHex(snap->commit);
  std::string last_key;
  bool more = false;
  for (const Study* study : studies) {
    for (const auto& [batch_id, batch] : study->batches) {
      if (!query.batch_id.empty() && batch_id != query.batch_id) continue;
      // The four states, then (when asked) the held jobs: page keys sort
      // them after completed/ (kStateCount).
      for (int folder_index = 0; folder_index <= kStateCount; ++folder_index) {
        const bool held = folder_index == kStateCount;
        const State s = held ? State::kBacklog : kAllStates[folder_index];
        if (held ? !query.include_held : !want_state[folder_index]) continue;
        const Folder* folder = held ? batch->HeldFolder() : batch->StateFolderOf(s);
        if (folder == nullptr) continue;
        for (const JobEntry& job : folder->jobs) {
          std::optional<Run> current;
          if (!job.markers.empty()) current = MakeRun(job.markers.back());
          if (!query.environment.empty() &&
              (!current.has_value() || current->marker.environment != query.environment)) {
            continue;
          }
          if (query.min_run_epoch > 0 &&
              (!current.has_value() || current->marker.epoch_seconds < query.min_run_epoch)) {
            continue;
          }
          ++out.total_size;
          std::string key = PageKey(study->id, batch_id, folder_index, job.id);
          if (!query.page_token.empty() && key <= query.page_token) continue;
          if (static_cast<int>(out.jobs.size()) >= page_size) {
            more = true;
            continue;
          }
          JobSummary summary;
          summary.key = JobKey{study->id, batch_id, job.id};
          summary.state = s;
          summary.held = held;
          summary.run_count = static_cast<int>(job.markers.size());
          summary.current_run = std::move(current);
          out.jobs.push_back(std::move(summary));
          last_key = std::move(key);
        }
      }
    }
  }
  if (more) out.next_page_token = last_key;
  return out;
}

absl::StatusOr<JobDetail> StoreReader::GetJob(const std::string& branch,
                                              const JobKey& key) const {
  TRACKER_RETURN_IF_ERROR(ValidateStudyId(key.study_id));
  TRACKER_RETURN_IF_ERROR(ValidateBatchId(key.batch_id));
  TRACKER_RETURN_IF_ERROR(ValidateJobId(key.job_id));
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(branch));
  const Batch* batch = snap->FindBatch(key.study_id, key.batch_id);
  if (batch == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown batch ", key.study_id, "/", key.batch_id));
  }
  // The four states, then onhold/: a held job is shown as such.
  for (int folder_index = 0; folder_index <= kStateCount; ++folder_index) {
    const bool held = folder_index == kStateCount;
    const Folder* folder =
        held ? batch->HeldFolder() : batch->StateFolderOf(kAllStates[folder_index]);
    const JobEntry* job = folder != nullptr ? folder->Find(key.job_id) : nullptr;
    if (job == nullptr) continue;
    JobDetail out;
    out.key = key;
    out.state = held ? State::kBacklog : kAllStates[folder_index];
    out.held = held;
    out.commit = OidHex(snap->commit);
    if (job->has_params) {
      TRACKER_ASSIGN_OR_RETURN(out.params_json, ReadBlob(job->params));
    }
    for (const std::string& m : job->markers) out.runs.push_back(MakeRun(m));
    for (const SummaryLine& line : batch->summary->summary.lines) {
      if (line.job_id != key.job_id) continue;
      out.analyses.push_back({line.analysis_id, line.analysis_bytes});
      out.job_bytes = line.job_bytes;
      ++out.batch_line_count;
    }
    return out;
  }
  return absl::NotFoundError(absl::StrCat("unknown job ", key.study_id, "/", key.batch_id, "/",
                                          key.job_id, " (not in any state folder, nor in onhold/)"));
}

absl::StatusOr<FlagList> StoreReader::ListFlags(const std::string& branch) const {
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(branch));
  FlagList out;
  out.commit = OidHex(snap->commit);
  for (const FlagFile& f : snap->flags) {
    FlagInfo flag = Describe(f);
    flag.content = f.content;
    out.flags.push_back(std::move(flag));
  }
  return out;
}

absl::StatusOr<StateReport> StoreReader::Report(const std::string& branch,
                                                const std::string& commit) const {
  std::shared_ptr<const Snapshot> snap;
  if (!commit.empty()) {
    TRACKER_ASSIGN_OR_RETURN(snap, ReadRevision(commit));
  } else {
    TRACKER_ASSIGN_OR_RETURN(snap, Read(branch));
  }
  StateReport out;
  out.commit = OidHex(snap->commit);
  for (const auto& [study_id, study] : snap->studies) {
    StudyCounts counts;
    counts.study_id = study_id;
    for (const auto& [batch_id, batch] : study->batches) {
      std::map<std::string, int64_t> job_bytes;
      for (const auto& line : batch->summary->summary.lines) job_bytes[line.job_id] = line.job_bytes;
      for (const auto& [name, folder] : batch->folders) {
        // The seed counts `*/<state>/*/params.json`: jobs without params.json
        // do not count, exactly as there.
        int n = 0;
        int64_t bytes = 0;
        for (const JobEntry& job : folder->jobs) {
          if (!job.has_params) continue;
          ++n;
          auto size = job_bytes.find(job.id);
          if (size != job_bytes.end()) bytes += size->second;
        }
        if (auto s = StateFromFolder(name)) {
          counts.counts[static_cast<int>(*s)] += n;
          counts.bytes[static_cast<int>(*s)] += bytes;
        } else {
          counts.other_folders[name] += n;
        }
      }
    }
    for (State s : kAllStates) {
      absl::StrAppend(&out.text, study_id, " ", StateFolder(s), " ",
                      counts.counts[static_cast<int>(s)], "\n");
      out.total_jobs += counts.counts[static_cast<int>(s)];
    }
    out.studies.push_back(std::move(counts));
  }
  for (const FlagFile& f : snap->flags) out.flags.push_back(Describe(f));
  return out;
}

}  // namespace tracker::repo
