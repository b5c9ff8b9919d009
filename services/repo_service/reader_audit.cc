// StoreReader: what changed between two commits, and what the history left
// to fix by hand.

#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/reader.h"
#include "tracking/batch_summary.h"
#include "tracking/layout.h"

namespace tracker::repo {

using ::tracker::tracking::SummaryLine;
using ::tracker::tracking::kJobsDir;

absl::StatusOr<Transitions> StoreReader::ListTransitions(const std::string& from_commit,
                                                         const std::string& to_commit,
                                                         const std::string& branch) const {
  if (from_commit.empty()) return absl::InvalidArgumentError("from_commit is required");
  TRACKER_ASSIGN_OR_RETURN(auto from, ReadRevision(from_commit));
  std::shared_ptr<const Snapshot> to;
  if (!to_commit.empty()) {
    TRACKER_ASSIGN_OR_RETURN(to, ReadRevision(to_commit));
  } else {
    TRACKER_ASSIGN_OR_RETURN(to, Read(branch));
  }
  Transitions out;
  out.from_commit = OidHex(from->commit);
  out.to_commit = OidHex(to->commit);

  // Job -> folder for one batch; empty map for a missing batch.
  auto folders_of = [](const Snapshot& s, const std::string& study, const std::string& batch) {
    std::map<std::string, std::string> where;
    if (const Batch* b = s.FindBatch(study, batch)) {
      for (const auto& [name, folder] : b->folders) {
        for (const JobEntry& job : folder->jobs) where.emplace(job.id, name);
      }
    }
    return where;
  };
  std::set<std::pair<std::string, std::string>> batches;
  for (const Snapshot* s : {from.get(), to.get()}) {
    for (const auto& [sid, study] : s->studies) {
      for (const auto& [bid, batch] : study->batches) batches.emplace(sid, bid);
    }
  }
  for (const auto& [sid, bid] : batches) {
    const Batch* a = from->FindBatch(sid, bid);
    const Batch* b = to->FindBatch(sid, bid);
    if (a != nullptr && b != nullptr && OidEqual(a->tree, b->tree)) continue;
    auto before = folders_of(*from, sid, bid);
    auto after = folders_of(*to, sid, bid);
    std::set<std::string> ids;
    for (const auto& [id, f] : before) ids.insert(id);
    for (const auto& [id, f] : after) ids.insert(id);
    for (const std::string& id : ids) {
      auto x = before.find(id);
      auto y = after.find(id);
      std::string f1 = x == before.end() ? "" : x->second;
      std::string f2 = y == after.end() ? "" : y->second;
      if (f1 == f2) continue;
      out.changes.push_back({JobKey{sid, bid, id}, std::move(f1), std::move(f2)});
    }
  }
  return out;
}

absl::StatusOr<AuditReport> StoreReader::Audit(const std::string& branch) const {
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(branch));
  AuditReport out;
  out.commit = OidHex(snap->commit);
  auto add = [&](const char* code, std::string message) {
    out.findings.push_back({code, std::move(message)});
  };
  for (const std::string& e : snap->unknown_entries) {
    add("UNKNOWN_ENTRY", absl::StrCat(kJobsDir, "/", e, " is neither a study nor a flag"));
  }
  std::unordered_map<std::string, std::string> first_place;  // analysis -> where
  for (const auto& [sid, study] : snap->studies) {
    for (const auto& [bid, batch] : study->batches) {
      const std::string where = absl::StrCat(sid, "/", bid);
      if (!batch->has_summary) add("NO_SUMMARY", absl::StrCat(where, " has no batch-summary.tsv"));
      if (!batch->summary->error.empty()) {
        add("BAD_SUMMARY", absl::StrCat(where, ": ", batch->summary->error));
      }
      std::map<std::string, std::vector<std::string>> folders_of_job;
      for (const auto& [name, folder] : batch->folders) {
        // onhold/ holds the held jobs (jobctl hold): known, not a state.
        if (!tracking::IsJobFolder(name)) {
          add("UNKNOWN_FOLDER", absl::StrCat(where, "/", name, "/ holds ", folder->jobs.size(),
                                             " jobs; not a job folder, left untouched"));
        }
        for (const JobEntry& job : folder->jobs) {
          folders_of_job[job.id].push_back(name);
          if (!job.has_params) {
            add("NO_PARAMS", absl::StrCat(where, "/", name, "/", job.id, " has no params.json"));
          }
        }
      }
      std::map<std::string, std::pair<int, int>> lines_of_job;  // declared, found
      for (const SummaryLine& line : batch->summary->summary.lines) {
        auto [it, fresh] =
            first_place.emplace(line.analysis_id, absl::StrCat(where, "/", line.job_id));
        if (!fresh) {
          add("DUPLICATE_ANALYSIS",
              absl::StrCat("analysis ", line.analysis_id, " is in ", it->second, " and in ",
                           where, "/", line.job_id));
        }
        auto& lj = lines_of_job[line.job_id];
        lj.first = line.analyses_in_job;
        ++lj.second;
        if (folders_of_job.count(line.job_id) == 0) {
          add("NO_JOB_DIR", absl::StrCat(where, "/batch-summary.tsv names ", line.job_id,
                                         ", which has no job folder"));
          folders_of_job[line.job_id];  // report once
        }
      }
      for (const auto& [job, lj] : lines_of_job) {
        if (lj.first != lj.second) {
          add("COUNT_MISMATCH", absl::StrCat(where, "/", job, ": analyses_in_job says ", lj.first,
                                             ", ", lj.second, " lines found"));
        }
      }
      for (const auto& [job, names] : folders_of_job) {
        if (names.size() > 1) {
          add("JOB_IN_TWO_FOLDERS",
              absl::StrCat(where, "/", job, " is in ", absl::StrJoin(names, "/ and "), "/"));
        }
      }
    }
  }
  return out;
}

}  // namespace tracker::repo
