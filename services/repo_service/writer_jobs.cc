// StoreWriter's edits of jobs and flags: each validates its input, then
// checks the branch tip and describes its change to a TreeEditor; Commit
// does the rest.

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status.h"
#include "services/repo_service/writer.h"
#include "services/repo_service/writer_locate.h"
#include "tracking/batch_summary.h"
#include "tracking/flags.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/run_marker.h"

namespace tracker::repo {

using ::tracker::tracking::FlagFileName;
using ::tracker::tracking::FormatMarker;
using ::tracker::tracking::JobDir;
using ::tracker::tracking::JobKeyText;
using ::tracker::tracking::ParseMarker;
using ::tracker::tracking::StateFolder;
using ::tracker::tracking::StateFromFolder;
using ::tracker::tracking::ValidateBranch;
using ::tracker::tracking::ValidateEnvironment;
using ::tracker::tracking::ValidateJobKey;
using ::tracker::tracking::kGitkeep;
using ::tracker::tracking::kJobsDir;
using ::tracker::tracking::kMainBranch;
using ::tracker::tracking::kSchedulerBranch;
using objects::TreeEditor;
namespace {

constexpr size_t kMaxTransitions = 10000;
constexpr size_t kMaxFlagBytes = 1 << 20;

}  // namespace

absl::StatusOr<Located> Locate(const Snapshot& snap, const JobKey& key) {
  const Batch* batch = snap.FindBatch(key.study_id, key.batch_id);
  if (batch == nullptr) {
    if (snap.studies.count(key.study_id) == 0) {
      return absl::NotFoundError(absl::StrCat("unknown study ", key.study_id));
    }
    return absl::NotFoundError(absl::StrCat("unknown batch ", key.study_id, "/", key.batch_id));
  }
  for (const auto& [name, folder] : batch->folders) {
    if (const JobEntry* job = folder->Find(key.job_id)) {
      return Located{batch, StateFromFolder(name), name, job};
    }
  }
  return absl::NotFoundError(absl::StrCat("unknown job ", JobKeyText(key)));
}

namespace {

std::string DefaultBranch(const WriteOptions& o, const char* fallback) {
  return o.branch.empty() ? fallback : o.branch;
}

// One transition, validated and with its marker's file name.
struct Move {
  JobKey key;
  State from, to;
  std::string marker;  // file name to add, or empty
  std::string remove;  // marker file name to delete, or empty
  bool clear_runs = false;
};

absl::Status ApplyMove(const Snapshot& snap, const Move& m, TreeEditor& editor,
                       std::vector<Change>* changes) {
  TRACKER_ASSIGN_OR_RETURN(Located at, Locate(snap, m.key));
  if (!at.state.has_value() || *at.state != m.from) {
    return absl::FailedPreconditionError(absl::StrCat(JobKeyText(m.key), " is in ", at.folder,
                                                      "/, not in ", StateFolder(m.from),
                                                      "/; nothing was written"));
  }
  if (m.from != m.to) {
    const Folder* target = at.batch->StateFolderOf(m.to);
    if (target != nullptr && target->Find(m.key.job_id) != nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat(JobKeyText(m.key), " is already in ", StateFolder(m.to),
                       "/ as well; run Audit and fix the repository first"));
    }
  }
  for (const std::string& existing : at.job->markers) {
    if (!m.marker.empty() && existing == m.marker) {
      return absl::AlreadyExistsError(
          absl::StrCat(JobKeyText(m.key), " already has marker ", m.marker));
    }
  }
  std::string from_dir = JobDir(m.key.study_id, m.key.batch_id, m.from, m.key.job_id);
  std::string to_dir = JobDir(m.key.study_id, m.key.batch_id, m.to, m.key.job_id);
  if (m.from != m.to) {
    TRACKER_RETURN_IF_ERROR(editor.Remove(from_dir));
    TRACKER_RETURN_IF_ERROR(editor.PutTree(to_dir, at.job->tree));
    changes->push_back({"move", from_dir, absl::StrCat("to ", StateFolder(m.to), "/")});
    if (at.batch->StateFolderOf(m.to) == nullptr) {
      // A batch missing a state folder gets it, in the usual form.
      std::string keep = absl::StrCat(kJobsDir, "/", m.key.study_id, "/", m.key.batch_id, "/",
                                      StateFolder(m.to), "/", kGitkeep);
      TRACKER_RETURN_IF_ERROR(editor.PutBlob(keep, ""));
    }
  }
  if (!m.remove.empty()) {
    if (std::find(at.job->markers.begin(), at.job->markers.end(), m.remove) ==
        at.job->markers.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          JobKeyText(m.key), " has no marker ", m.remove, "; nothing was written"));
    }
    TRACKER_RETURN_IF_ERROR(editor.Remove(absl::StrCat(to_dir, "/", m.remove)));
    changes->push_back({"remove", absl::StrCat(to_dir, "/", m.remove), "run marker"});
  }
  if (m.clear_runs) {
    for (const std::string& marker : at.job->markers) {
      TRACKER_RETURN_IF_ERROR(editor.Remove(absl::StrCat(to_dir, "/", marker)));
      changes->push_back({"remove", absl::StrCat(to_dir, "/", marker), "run marker"});
    }
  }
  if (!m.marker.empty()) {
    TRACKER_RETURN_IF_ERROR(editor.PutBlob(absl::StrCat(to_dir, "/", m.marker), ""));
    changes->push_back({"add", absl::StrCat(to_dir, "/", m.marker), "run marker"});
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WriteResult> StoreWriter::TransitionJobs(
    const WriteOptions& options, const std::vector<Transition>& transitions) {
  const std::string branch = DefaultBranch(options, kSchedulerBranch);
  TRACKER_RETURN_IF_ERROR(ValidateBranch(branch));
  if (transitions.empty()) return absl::InvalidArgumentError("no transitions given");
  if (transitions.size() > kMaxTransitions) {
    return absl::InvalidArgumentError(absl::StrCat(
        transitions.size(), " transitions in one request; at most ", kMaxTransitions));
  }
  std::vector<Move> moves;
  std::set<std::string> seen;
  for (const Transition& t : transitions) {
    TRACKER_RETURN_IF_ERROR(ValidateJobKey(t.key));
    const std::string name = JobKeyText(t.key);
    if (t.from == t.to && !t.add_run.has_value() && t.remove_run_file.empty() && !t.clear_runs) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": from_state and to_state are the same"));
    }
    if (branch == kMainBranch && (t.from == State::kQueued || t.to == State::kQueued)) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, ": queued/ belongs to the scheduler; admins never move "
                             "jobs into or out of it on main"));
    }
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat(name, " appears twice in one request"));
    }
    if (t.clear_runs && (!t.remove_run_file.empty() || t.from == State::kQueued ||
                         t.to == State::kQueued)) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": clear_runs goes neither with remove_run_file nor into or out of queued/"));
    }
    Move m{t.key, t.from, t.to, "", t.remove_run_file, t.clear_runs};
    if (!m.remove.empty() && !ParseMarker(m.remove).has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": remove_run_file \"", m.remove.substr(0, 80),
                       "\" is not a run marker name (run.<epoch>.<env>.<run id>)"));
    }
    if (t.add_run.has_value()) {
      TRACKER_ASSIGN_OR_RETURN(m.marker, FormatMarker(*t.add_run));
    }
    moves.push_back(std::move(m));
  }

  std::vector<Change> changes;
  auto result = Commit(options, branch, tracking::kJobStatusCommitSubject,
                       [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
                         for (const Move& m : moves) {
                           TRACKER_RETURN_IF_ERROR(ApplyMove(snap, m, editor, &changes));
                         }
                         return absl::OkStatus();
                       });
  if (result.ok()) result->changes = std::move(changes);
  if (result.ok() && !result->dry_run) {
    for (const Move& m : moves) {
      LogInfo("job_transition")
          .Kv("branch", branch)
          .Kv("study", m.key.study_id)
          .Kv("batch", m.key.batch_id)
          .Kv("job", m.key.job_id)
          .Kv("from", StateFolder(m.from))
          .Kv("to", StateFolder(m.to))
          .Kv("marker", m.marker)
          .Kv("commit", result->commit);
    }
  }
  return result;
}

absl::StatusOr<WriteResult> StoreWriter::SetFlag(const WriteOptions& options, FlagKind kind,
                                                 const std::string& environment,
                                                 const std::string& content) {
  TRACKER_RETURN_IF_ERROR(ValidateEnvironment(environment));
  if (content.size() > kMaxFlagBytes) {
    return absl::InvalidArgumentError(absl::StrCat("flag content is ", content.size(),
                                                   " bytes; at most ", kMaxFlagBytes));
  }
  const std::string name = FlagFileName(kind, environment);
  const std::string branch =
      DefaultBranch(options, kind == FlagKind::kPause ? kMainBranch : kSchedulerBranch);
  auto result = Commit(options, branch,
                       kind == FlagKind::kPause ? absl::StrCat("pause ", environment)
                                                : tracking::kJobStatusCommitSubject,
                       [&](const Snapshot&, TreeEditor& editor) {
                         return editor.PutBlob(absl::StrCat(kJobsDir, "/", name), content);
                       });
  if (result.ok()) {
    LogInfo("flag_set").Kv("branch", branch).Kv("flag", name).Kv("commit", result->commit);
  }
  return result;
}

absl::StatusOr<WriteResult> StoreWriter::ClearFlag(const WriteOptions& options, FlagKind kind,
                                                   const std::string& environment) {
  TRACKER_RETURN_IF_ERROR(ValidateEnvironment(environment));
  const std::string name = FlagFileName(kind, environment);
  const std::string branch = DefaultBranch(options, kMainBranch);
  auto result = Commit(
      options, branch,
      kind == FlagKind::kPause ? absl::StrCat("unpause ", environment)
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
    LogInfo("flag_cleared").Kv("branch", branch).Kv("flag", name).Kv("commit", result->commit);
  }
  return result;
}

}  // namespace tracker::repo
