// The write operations of RepoStore: each validates against the branch tip
// and describes its change to a TreeEditor; CommitEdit does the rest.

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status.h"
#include "services/repo_service/repo_store.h"
#include "tracking/batch_summary.h"
#include "tracking/flags.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"

namespace tracker::repo {

using ::tracker::tracking::FlagFileName;
using ::tracker::tracking::FlagKind;
using ::tracker::tracking::FormatMarker;
using ::tracker::tracking::JobDir;
using ::tracker::tracking::Marker;
using ::tracker::tracking::ParseMarker;
using ::tracker::tracking::RemoveAnalysisLine;
using ::tracker::tracking::State;
using ::tracker::tracking::StateFolder;
using ::tracker::tracking::StateFromFolder;
using ::tracker::tracking::SummaryLine;
using ::tracker::tracking::ValidateAnalysisId;
using ::tracker::tracking::ValidateBatchId;
using ::tracker::tracking::ValidateBranch;
using ::tracker::tracking::ValidateEnvironment;
using ::tracker::tracking::ValidateJobId;
using ::tracker::tracking::ValidateStudyId;
using ::tracker::tracking::kGitkeep;
using ::tracker::tracking::kJobsDir;
using ::tracker::tracking::kMainBranch;
using ::tracker::tracking::kSchedulerBranch;
using ::tracker::tracking::kSummaryFile;
namespace {

using tracker::v1::JobKey;

constexpr int kMaxTransitions = 10000;
constexpr size_t kMaxFlagBytes = 1 << 20;

absl::StatusOr<State> ToState(tracker::v1::JobState s, absl::string_view field) {
  std::optional<State> state = tracking::FromJobState(s);
  if (!state) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be BACKLOG, QUEUED, FAILED or COMPLETED"));
  }
  return *state;
}

struct Located {
  const Batch* batch = nullptr;
  std::optional<State> state;  // nullopt: in an unknown folder such as onhold/
  std::string folder;
  const JobEntry* job = nullptr;
};

// Finds the job in any folder of its batch; NOT_FOUND names what is missing.
absl::StatusOr<Located> Locate(const Snapshot& snap, const JobKey& key) {
  const Batch* batch = snap.FindBatch(key.study_id(), key.batch_id());
  if (batch == nullptr) {
    if (snap.studies.count(key.study_id()) == 0) {
      return absl::NotFoundError(absl::StrCat("unknown study ", key.study_id()));
    }
    return absl::NotFoundError(
        absl::StrCat("unknown batch ", key.study_id(), "/", key.batch_id()));
  }
  for (const auto& [name, folder] : batch->folders) {
    if (const JobEntry* job = folder->Find(key.job_id())) {
      return Located{batch, StateFromFolder(name), name, job};
    }
  }
  return absl::NotFoundError(absl::StrCat("unknown job ", tracking::JobKeyText(key)));
}

std::string DefaultBranch(const tracker::v1::WriteOptions& o, const char* fallback) {
  return o.branch().empty() ? fallback : o.branch();
}

}  // namespace

absl::StatusOr<tracker::v1::WriteResult> RepoStore::TransitionJobs(
    const tracker::v1::TransitionJobsRequest& req) {
  const std::string branch = DefaultBranch(req.options(), kSchedulerBranch);
  TRACKER_RETURN_IF_ERROR(ValidateBranch(branch));
  if (req.transitions_size() == 0) {
    return absl::InvalidArgumentError("no transitions given");
  }
  if (req.transitions_size() > kMaxTransitions) {
    return absl::InvalidArgumentError(absl::StrCat(
        req.transitions_size(), " transitions in one request; at most ", kMaxTransitions));
  }
  struct Move {
    JobKey key;
    State from, to;
    std::string marker;  // file name, or empty
    std::string remove;  // marker file name to delete, or empty
  };
  std::vector<Move> moves;
  std::set<std::string> seen;
  for (int i = 0; i < req.transitions_size(); ++i) {
    const auto& t = req.transitions(i);
    TRACKER_RETURN_IF_ERROR(tracking::ValidateJobKey(t.key()));
    TRACKER_ASSIGN_OR_RETURN(State from, ToState(t.from_state(), "from_state"));
    TRACKER_ASSIGN_OR_RETURN(State to, ToState(t.to_state(), "to_state"));
    if (from == to && !t.has_add_run() && t.remove_run_file().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(tracking::JobKeyText(t.key()), ": from_state and to_state are the same"));
    }
    if (branch == kMainBranch && (from == State::kQueued || to == State::kQueued)) {
      return absl::FailedPreconditionError(absl::StrCat(
          tracking::JobKeyText(t.key()), ": queued/ belongs to the scheduler; admins never move "
          "jobs into or out of it on main"));
    }
    if (!seen.insert(tracking::JobKeyText(t.key())).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(tracking::JobKeyText(t.key()), " appears twice in one request"));
    }
    Move m{t.key(), from, to, "", t.remove_run_file()};
    if (!m.remove.empty() && !ParseMarker(m.remove).has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          tracking::JobKeyText(t.key()), ": remove_run_file \"", m.remove.substr(0, 80),
          "\" is not a run marker name (run.<epoch>.<env>.<run id>)"));
    }
    if (t.has_add_run()) {
      Marker marker{t.add_run().epoch_seconds(), t.add_run().environment(),
                    t.add_run().run_id(), t.add_run().session_id()};
      TRACKER_ASSIGN_OR_RETURN(m.marker, FormatMarker(marker));
    }
    moves.push_back(std::move(m));
  }

  std::lock_guard<std::mutex> write(write_mu_);
  auto result = CommitEdit(
      req.options(), branch, "[scheduler] update job status",
      [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
        for (const Move& m : moves) {
          TRACKER_ASSIGN_OR_RETURN(Located at, Locate(snap, m.key));
          if (!at.state.has_value() || *at.state != m.from) {
            return absl::FailedPreconditionError(absl::StrCat(
                tracking::JobKeyText(m.key), " is in ", at.folder, "/, not in ", StateFolder(m.from),
                "/; nothing was written"));
          }
          if (m.from != m.to) {
            const Folder* target = at.batch->StateFolderOf(m.to);
            if (target != nullptr && target->Find(m.key.job_id()) != nullptr) {
              return absl::FailedPreconditionError(absl::StrCat(
                  tracking::JobKeyText(m.key), " is already in ", StateFolder(m.to),
                  "/ as well; run Audit and fix the repository first"));
            }
          }
          for (const std::string& existing : at.job->markers) {
            if (!m.marker.empty() && existing == m.marker) {
              return absl::AlreadyExistsError(
                  absl::StrCat(tracking::JobKeyText(m.key), " already has marker ", m.marker));
            }
          }
          std::string from_dir = JobDir(m.key.study_id(), m.key.batch_id(), m.from, m.key.job_id());
          std::string to_dir = JobDir(m.key.study_id(), m.key.batch_id(), m.to, m.key.job_id());
          if (m.from != m.to) {
            TRACKER_RETURN_IF_ERROR(editor.Remove(from_dir));
            TRACKER_RETURN_IF_ERROR(editor.PutTree(to_dir, at.job->tree));
            if (at.batch->StateFolderOf(m.to) == nullptr) {
              // A batch missing a state folder gets it, in the usual form.
              std::string keep = absl::StrCat(kJobsDir, "/", m.key.study_id(), "/",
                                              m.key.batch_id(), "/", StateFolder(m.to), "/",
                                              kGitkeep);
              TRACKER_RETURN_IF_ERROR(editor.PutBlob(keep, ""));
            }
          }
          if (!m.remove.empty()) {
            if (std::find(at.job->markers.begin(), at.job->markers.end(), m.remove) ==
                at.job->markers.end()) {
              return absl::FailedPreconditionError(absl::StrCat(
                  tracking::JobKeyText(m.key), " has no marker ", m.remove, "; nothing was written"));
            }
            TRACKER_RETURN_IF_ERROR(editor.Remove(absl::StrCat(to_dir, "/", m.remove)));
          }
          if (!m.marker.empty()) {
            TRACKER_RETURN_IF_ERROR(editor.PutBlob(absl::StrCat(to_dir, "/", m.marker), ""));
          }
        }
        return absl::OkStatus();
      });
  if (result.ok()) {
    for (const Move& m : moves) {
      LogInfo("job_transition")
          .Kv("branch", branch)
          .Kv("study", m.key.study_id())
          .Kv("batch", m.key.batch_id())
          .Kv("job", m.key.job_id())
          .Kv("from", StateFolder(m.from))
          .Kv("to", StateFolder(m.to))
          .Kv("marker", m.marker)
          .Kv("commit", result->commit());
    }
  }
  return result;
}

absl::StatusOr<tracker::v1::WriteResult> RepoStore::SetFlag(
    const tracker::v1::SetFlagRequest& req) {
  const auto& flag = req.flag();
  if (flag.kind() != tracker::v1::FLAG_KIND_PAUSE &&
      flag.kind() != tracker::v1::FLAG_KIND_EXCESSIVE_FAILURE) {
    return absl::InvalidArgumentError("flag.kind must be PAUSE or EXCESSIVE_FAILURE");
  }
  TRACKER_RETURN_IF_ERROR(ValidateEnvironment(flag.environment()));
  if (flag.content().size() > kMaxFlagBytes) {
    return absl::InvalidArgumentError(absl::StrCat("flag content is ", flag.content().size(),
                                                   " bytes; at most ", kMaxFlagBytes));
  }
  FlagKind kind = flag.kind() == tracker::v1::FLAG_KIND_PAUSE ? FlagKind::kPause
                                                               : FlagKind::kExcessiveFailure;
  std::string name = FlagFileName(kind, flag.environment());
  const std::string branch = DefaultBranch(
      req.options(), kind == FlagKind::kPause ? kMainBranch : kSchedulerBranch);
  std::lock_guard<std::mutex> write(write_mu_);
  auto result = CommitEdit(req.options(), branch,
                           kind == FlagKind::kPause
                               ? absl::StrCat("pause ", flag.environment())
                               : "[scheduler] update job status",
                           [&](const Snapshot&, TreeEditor& editor) {
                             return editor.PutBlob(absl::StrCat(kJobsDir, "/", name),
                                                   flag.content());
                           });
  if (result.ok()) {
    LogInfo("flag_set").Kv("branch", branch).Kv("flag", name).Kv("commit", result->commit());
  }
  return result;
}

absl::StatusOr<tracker::v1::WriteResult> RepoStore::ClearFlag(
    const tracker::v1::ClearFlagRequest& req) {
  if (req.kind() != tracker::v1::FLAG_KIND_PAUSE &&
      req.kind() != tracker::v1::FLAG_KIND_EXCESSIVE_FAILURE) {
    return absl::InvalidArgumentError("kind must be PAUSE or EXCESSIVE_FAILURE");
  }
  TRACKER_RETURN_IF_ERROR(ValidateEnvironment(req.environment()));
  FlagKind kind = req.kind() == tracker::v1::FLAG_KIND_PAUSE ? FlagKind::kPause
                                                              : FlagKind::kExcessiveFailure;
  std::string name = FlagFileName(kind, req.environment());
  const std::string branch = DefaultBranch(req.options(), kMainBranch);
  std::lock_guard<std::mutex> write(write_mu_);
  auto result = CommitEdit(
      req.options(), branch,
      kind == FlagKind::kPause ? absl::StrCat("unpause ", req.environment())
                               : "remove excessive_failure flag",
      [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
        bool present = false;
        for (const FlagFile& f : snap.flags) present |= f.file_name == name;
        if (!present) {
          return absl::NotFoundError(absl::StrCat(kJobsDir, "/", name, " is not set on ", branch));
        }
        return editor.Remove(absl::StrCat(kJobsDir, "/", name));
      });
  if (result.ok()) {
    LogInfo("flag_cleared").Kv("branch", branch).Kv("flag", name).Kv("commit", result->commit());
  }
  return result;
}

absl::StatusOr<tracker::v1::WriteResult> RepoStore::ClearRuns(
    const tracker::v1::ClearRunsRequest& req) {
  TRACKER_RETURN_IF_ERROR(tracking::ValidateJobKey(req.key()));
  const std::string branch = DefaultBranch(req.options(), kMainBranch);
  std::lock_guard<std::mutex> write(write_mu_);
  int removed = 0;
  auto result = CommitEdit(
      req.options(), branch, "remove failed jobs run info",
      [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
        TRACKER_ASSIGN_OR_RETURN(Located at, Locate(snap, req.key()));
        if (at.state == State::kQueued) {
          return absl::FailedPreconditionError(absl::StrCat(
              tracking::JobKeyText(req.key()), " is in queued/: its run is live; cancel it or wait"));
        }
        if (at.job->markers.empty()) {
          return absl::FailedPreconditionError(
              absl::StrCat(tracking::JobKeyText(req.key()), " has no run markers"));
        }
        std::string dir = absl::StrCat(kJobsDir, "/", req.key().study_id(), "/",
                                       req.key().batch_id(), "/", at.folder, "/",
                                       req.key().job_id());
        for (const std::string& marker : at.job->markers) {
          TRACKER_RETURN_IF_ERROR(editor.Remove(absl::StrCat(dir, "/", marker)));
          ++removed;
        }
        return absl::OkStatus();
      });
  if (result.ok()) {
    LogInfo("runs_cleared")
        .Kv("study", req.key().study_id())
        .Kv("batch", req.key().batch_id())
        .Kv("job", req.key().job_id())
        .Kv("markers", removed)
        .Kv("commit", result->commit());
  }
  return result;
}

absl::StatusOr<tracker::v1::WriteResult> RepoStore::RemoveAnalysis(
    const tracker::v1::RemoveAnalysisRequest& req) {
  TRACKER_RETURN_IF_ERROR(ValidateStudyId(req.study_id()));
  TRACKER_RETURN_IF_ERROR(ValidateBatchId(req.batch_id()));
  TRACKER_RETURN_IF_ERROR(ValidateAnalysisId(req.analysis_id()));
  const std::string branch = DefaultBranch(req.options(), kMainBranch);
  std::lock_guard<std::mutex> write(write_mu_);
  auto result = CommitEdit(
      req.options(), branch,
      absl::StrCat(req.study_id(), ": remove analysis ", req.analysis_id(),
                   " from batch-summary.tsv"),
      [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
        const Batch* batch = snap.FindBatch(req.study_id(), req.batch_id());
        if (batch == nullptr || !batch->has_summary) {
          return absl::NotFoundError(absl::StrCat("unknown batch ", req.study_id(), "/",
                                                  req.batch_id()));
        }
        std::string job_id;
        for (const SummaryLine& line : batch->summary->summary.lines) {
          if (line.analysis_id == req.analysis_id()) job_id = line.job_id;
        }
        if (job_id.empty()) {
          return absl::NotFoundError(absl::StrCat("analysis ", req.analysis_id(),
                                                  " is not in ",
                                                  tracking::SummaryPath(req.study_id(),
                                                                        req.batch_id())));
        }
        const Folder* queued = batch->StateFolderOf(State::kQueued);
        if (queued != nullptr && queued->Find(job_id) != nullptr) {
          return absl::FailedPreconditionError(absl::StrCat(
              "analysis ", req.analysis_id(), " belongs to ", job_id,
              ", which is in queued/ with a live run"));
        }
        // Edit the stored bytes (not a re-serialization): comments and every
        // other line stay exactly as they were.
        git_oid blob = batch->summary_blob;
        auto text = ReadBlobLocked(blob);
        if (!text.ok()) return text.status();
        auto edited = RemoveAnalysisLine(*text, req.analysis_id());
        if (!edited.ok()) return edited.status();
        return editor.PutBlob(absl::StrCat(kJobsDir, "/", req.study_id(), "/", req.batch_id(),
                                           "/", kSummaryFile),
                              *edited);
      });
  if (result.ok()) {
    LogInfo("analysis_removed")
        .Kv("study", req.study_id())
        .Kv("batch", req.batch_id())
        .Kv("analysis", req.analysis_id())
        .Kv("commit", result->commit());
  }
  return result;
}

}  // namespace tracker::repo
