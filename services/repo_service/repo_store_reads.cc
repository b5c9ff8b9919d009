// The read operations of RepoStore, all served from immutable snapshots.

#include <map>
#include <set>
#include <unordered_map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "services/repo_service/repo_store.h"
#include "tracking/batch_summary.h"
#include "tracking/flags.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"

namespace tracker::repo {

using ::tracker::tracking::FlagKind;
using ::tracker::tracking::ParseMarker;
using ::tracker::tracking::State;
using ::tracker::tracking::StateFolder;
using ::tracker::tracking::StateFromFolder;
using ::tracker::tracking::SummaryLine;
using ::tracker::tracking::ValidateBatchId;
using ::tracker::tracking::ValidateEnvironment;
using ::tracker::tracking::ValidateJobId;
using ::tracker::tracking::ValidateStudyId;
using ::tracker::tracking::kAllStates;
using ::tracker::tracking::kJobsDir;
using ::tracker::tracking::kStateCount;
namespace {

constexpr int kDefaultPageSize = 1000;
constexpr int kMaxPageSize = 10000;

void FillMarker(const std::string& file_name, tracker::v1::RunMarker* out) {
  out->set_file_name(file_name);
  if (auto m = ParseMarker(file_name)) {
    out->set_epoch_seconds(m->epoch_seconds);
    out->set_environment(m->environment);
    out->set_run_id(m->run_id);
    out->set_session_id(m->session_id);
  }
}

std::string PageKey(const std::string& study, const std::string& batch, State s,
                    const std::string& job) {
  return absl::StrCat(study, "/", batch, "/", static_cast<int>(s), "/", job);
}

tracker::v1::Flag ToProto(const FlagFile& f) {
  tracker::v1::Flag out;
  out.set_kind(f.kind == FlagKind::kPause ? tracker::v1::FLAG_KIND_PAUSE
                                          : tracker::v1::FLAG_KIND_EXCESSIVE_FAILURE);
  out.set_environment(f.environment);
  out.set_path(absl::StrCat(kJobsDir, "/", f.file_name));
  return out;
}

}  // namespace

absl::StatusOr<tracker::v1::ListJobsResponse> RepoStore::ListJobs(
    const tracker::v1::ListJobsRequest& req) {
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(req.branch()));
  for (const std::string& s : req.study_ids()) TRACKER_RETURN_IF_ERROR(ValidateStudyId(s));
  if (!req.batch_id().empty()) TRACKER_RETURN_IF_ERROR(ValidateBatchId(req.batch_id()));
  if (!req.environment().empty()) TRACKER_RETURN_IF_ERROR(ValidateEnvironment(req.environment()));
  if (req.page_size() < 0 || req.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be between 0 and ", kMaxPageSize));
  }
  int page_size = req.page_size() == 0 ? kDefaultPageSize : req.page_size();
  bool want_state[kStateCount] = {req.states_size() == 0, req.states_size() == 0,
                                  req.states_size() == 0, req.states_size() == 0};
  for (int s : req.states()) {
    if (s < tracker::v1::JOB_STATE_BACKLOG || s > tracker::v1::JOB_STATE_COMPLETED) {
      return absl::InvalidArgumentError("states must be BACKLOG, QUEUED, FAILED or COMPLETED");
    }
    want_state[s - 1] = true;
  }
  std::vector<const Study*> studies;
  if (req.study_ids_size() == 0) {
    for (const auto& [id, study] : snap->studies) studies.push_back(study.get());
  } else {
    for (const std::string& id : req.study_ids()) {
      auto it = snap->studies.find(id);
      if (it == snap->studies.end()) return absl::NotFoundError(absl::StrCat("unknown study ", id));
      studies.push_back(it->second.get());
    }
  }

  tracker::v1::ListJobsResponse out;
  out.set_commit(OidHex(snap->commit));
  int total = 0;
  std::string last_key;
  bool more = false;
  for (const Study* study : studies) {
    for (const auto& [batch_id, batch] : study->batches) {
      if (!req.batch_id().empty() && batch_id != req.batch_id()) continue;
      for (State s : kAllStates) {
        if (!want_state[static_cast<int>(s)]) continue;
        const Folder* folder = batch->StateFolderOf(s);
        if (folder == nullptr) continue;
        for (const JobEntry& job : folder->jobs) {
          tracker::v1::RunMarker current;
          if (!job.markers.empty()) FillMarker(job.markers.back(), &current);
          if (!req.environment().empty() && current.environment() != req.environment()) {
            continue;
          }
          if (req.min_run_epoch() > 0 &&
              (job.markers.empty() || current.epoch_seconds() < req.min_run_epoch())) {
            continue;
          }
          ++total;
          std::string key = PageKey(study->id, batch_id, s, job.id);
          if (!req.page_token().empty() && key <= req.page_token()) continue;
          if (out.jobs_size() >= page_size) {
            more = true;
            continue;
          }
          auto* js = out.add_jobs();
          js->mutable_key()->set_study_id(study->id);
          js->mutable_key()->set_batch_id(batch_id);
          js->mutable_key()->set_job_id(job.id);
          js->set_state(tracking::ToJobState(s));
          js->set_run_count(static_cast<int>(job.markers.size()));
          if (!job.markers.empty()) *js->mutable_current_run() = current;
          last_key = key;
        }
      }
    }
  }
  out.set_total_size(total);
  if (more) out.set_next_page_token(last_key);
  return out;
}

absl::StatusOr<tracker::v1::Job> RepoStore::GetJob(const tracker::v1::GetJobRequest& req) {
  const auto& key = req.key();
  TRACKER_RETURN_IF_ERROR(ValidateStudyId(key.study_id()));
  TRACKER_RETURN_IF_ERROR(ValidateBatchId(key.batch_id()));
  TRACKER_RETURN_IF_ERROR(ValidateJobId(key.job_id()));
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(req.branch()));
  const Batch* batch = snap->FindBatch(key.study_id(), key.batch_id());
  if (batch == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("unknown batch ", key.study_id(), "/", key.batch_id()));
  }
  for (State s : kAllStates) {
    const Folder* folder = batch->StateFolderOf(s);
    const JobEntry* job = folder != nullptr ? folder->Find(key.job_id()) : nullptr;
    if (job == nullptr) continue;
    tracker::v1::Job out;
    *out.mutable_key() = key;
    out.set_state(tracking::ToJobState(s));
    out.set_commit(OidHex(snap->commit));
    if (job->has_params) {
      TRACKER_ASSIGN_OR_RETURN(std::string params, ReadBlob(job->params));
      out.set_params_json(std::move(params));
    }
    for (const std::string& m : job->markers) FillMarker(m, out.add_runs());
    for (const SummaryLine& line : batch->summary->summary.lines) {
      if (line.job_id != key.job_id()) continue;
      auto* a = out.add_analyses();
      a->set_analysis_id(line.analysis_id);
      a->set_analysis_bytes(line.analysis_bytes);
      out.set_job_bytes(line.job_bytes);
      out.set_batch_line_count(out.batch_line_count() + 1);
    }
    return out;
  }
  return absl::NotFoundError(absl::StrCat("unknown job ", key.study_id(), "/",
                                          key.batch_id(), "/", key.job_id(),
                                          " (not in any state folder)"));
}

absl::StatusOr<tracker::v1::ListFlagsResponse> RepoStore::ListFlags(
    const tracker::v1::ListFlagsRequest& req) {
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(req.branch()));
  tracker::v1::ListFlagsResponse out;
  out.set_commit(OidHex(snap->commit));
  for (const FlagFile& f : snap->flags) {
    tracker::v1::Flag* flag = out.add_flags();
    *flag = ToProto(f);
    TRACKER_ASSIGN_OR_RETURN(std::string content, ReadBlob(f.blob));
    flag->set_content(std::move(content));
  }
  return out;
}

absl::StatusOr<tracker::v1::ReportResponse> RepoStore::Report(
    const tracker::v1::ReportRequest& req) {
  std::shared_ptr<const Snapshot> snap;
  if (!req.commit().empty()) {
    TRACKER_ASSIGN_OR_RETURN(snap, ReadRevision(req.commit()));
  } else {
    TRACKER_ASSIGN_OR_RETURN(snap, Read(req.branch()));
  }
  tracker::v1::ReportResponse out;
  out.set_commit(OidHex(snap->commit));
  std::string text;
  int64_t total = 0;
  for (const auto& [study_id, study] : snap->studies) {
    int counts[kStateCount] = {0, 0, 0, 0};
    auto* sc = out.add_studies();
    sc->set_study_id(study_id);
    for (const auto& [batch_id, batch] : study->batches) {
      for (const auto& [name, folder] : batch->folders) {
        // The seed counts `*/<state>/*/params.json`: jobs without params.json
        // do not count, exactly as there.
        int n = 0;
        for (const JobEntry& job : folder->jobs) n += job.has_params ? 1 : 0;
        if (auto s = StateFromFolder(name)) {
          counts[static_cast<int>(*s)] += n;
        } else {
          (*sc->mutable_other_folders())[name] += n;
        }
      }
    }
    for (State s : kAllStates) {
      absl::StrAppend(&text, study_id, " ", StateFolder(s), " ", counts[static_cast<int>(s)],
                      "\n");
      total += counts[static_cast<int>(s)];
    }
    sc->set_backlog(counts[0]);
    sc->set_queued(counts[1]);
    sc->set_failed(counts[2]);
    sc->set_completed(counts[3]);
  }
  for (const FlagFile& f : snap->flags) *out.add_flags() = ToProto(f);
  out.set_text(std::move(text));
  out.set_total_jobs(static_cast<int>(total));
  return out;
}

absl::StatusOr<tracker::v1::ListTransitionsResponse> RepoStore::ListTransitions(
    const tracker::v1::ListTransitionsRequest& req) {
  if (req.from_commit().empty()) return absl::InvalidArgumentError("from_commit is required");
  TRACKER_ASSIGN_OR_RETURN(auto from, ReadRevision(req.from_commit()));
  std::shared_ptr<const Snapshot> to;
  if (!req.to_commit().empty()) {
    TRACKER_ASSIGN_OR_RETURN(to, ReadRevision(req.to_commit()));
  } else {
    TRACKER_ASSIGN_OR_RETURN(to, Read(req.branch()));
  }
  tracker::v1::ListTransitionsResponse out;
  out.set_from_commit(OidHex(from->commit));
  out.set_to_commit(OidHex(to->commit));

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
      auto* change = out.add_changes();
      change->mutable_key()->set_study_id(sid);
      change->mutable_key()->set_batch_id(bid);
      change->mutable_key()->set_job_id(id);
      change->set_from_folder(f1);
      change->set_to_folder(f2);
    }
  }
  return out;
}

absl::StatusOr<tracker::v1::AuditResponse> RepoStore::Audit(const tracker::v1::AuditRequest& req) {
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(req.branch()));
  tracker::v1::AuditResponse out;
  out.set_commit(OidHex(snap->commit));
  auto add = [&](const char* code, std::string message) {
    auto* f = out.add_findings();
    f->set_code(code);
    f->set_message(std::move(message));
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
        if (!StateFromFolder(name)) {
          add("UNKNOWN_FOLDER", absl::StrCat(where, "/", name, "/ holds ", folder->jobs.size(),
                                             " jobs; not a state folder, left untouched"));
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
        auto [it, fresh] = first_place.emplace(line.analysis_id, absl::StrCat(where, "/", line.job_id));
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
          add("COUNT_MISMATCH",
              absl::StrCat(where, "/", job, ": analyses_in_job says ", lj.first, ", ",
                           lj.second, " lines found"));
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
