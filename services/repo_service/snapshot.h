#ifndef SERVICES_REPO_SERVICE_SNAPSHOT_H_
#define SERVICES_REPO_SERVICE_SNAPSHOT_H_

#include <git2.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/repo_service/git_util.h"
#include "tracking/batch_summary.h"
#include "tracking/flags.h"
#include "tracking/layout.h"

namespace tracker::repo {

// One job directory `<folder>/<job_id>/`.
struct JobEntry {
  std::string id;
  git_oid tree{};
  bool has_params = false;
  git_oid params{};
  // Marker file names, oldest first (by epoch, then name); back() is current.
  std::vector<std::string> markers;
  // Reported by the audit only, never read as part of the job: folders
  // inside the job's folder (the real ESAD-UK has completed/job.0747/job.0747/)
  // and files that are neither params.json nor a marker (a marker that does
  // not parse, for one).
  std::vector<std::string> nested_folders;
  std::vector<std::string> other_files;
};

// A folder of a batch (a state folder, or an unknown one such as onhold/).
struct Folder {
  git_oid tree{};
  std::vector<JobEntry> jobs;  // sorted by id
  const JobEntry* Find(const std::string& job_id) const;
};

struct ParsedSummary {
  tracking::BatchSummary summary;
  std::string error;  // non-empty when the file does not parse
};

struct Batch {
  std::string id;
  git_oid tree{};
  bool has_summary = false;
  git_oid summary_blob{};
  std::shared_ptr<const ParsedSummary> summary;  // never null
  std::map<std::string, std::shared_ptr<const Folder>> folders;
  const Folder* StateFolderOf(tracking::State state) const;
  const Folder* HeldFolder() const;  // onhold/, null when there is none
};

struct Study {
  std::string id;
  git_oid tree{};
  std::map<std::string, std::shared_ptr<const Batch>> batches;
};

struct FlagFile {
  tracking::FlagKind kind;
  std::string environment;
  std::string file_name;
  git_oid blob{};
  // The file's bytes: flags are few and small, and ListFlags then reads no
  // git object.
  std::string content;
};

// An immutable, parsed view of `jobs/` at one commit. Snapshots share every
// subtree whose git id did not change, so keeping the snapshots of both
// branches costs little more than one, and loading the next commit after a
// write re-reads only the edited path. Safe to read from any thread.
//
// Loading reads git objects through the `repo` given, which only the loading
// thread may use meanwhile (libgit2 repositories are not thread-safe); the
// `previous` snapshots are only read.
struct Snapshot {
  git_oid commit{};
  git_oid root_tree{};
  git_oid jobs_tree{};
  std::map<std::string, std::shared_ptr<const Study>> studies;  // byte order
  std::vector<FlagFile> flags;
  // jobs/scheduler-settings.yaml (tracking/runtime_settings.h), as stored;
  // parsed by whoever reads it, so a hand-broken file never breaks a load.
  bool has_settings = false;
  git_oid settings_blob{};
  std::string settings_text;
  // Entries under jobs/ that are neither a study nor a flag (reported only).
  std::vector<std::string> unknown_entries;
  int64_t job_count = 0;

  const Batch* FindBatch(const std::string& study, const std::string& batch) const;
};

// Parses the tree of `commit`, reusing whatever `previous` snapshots share
// with it (by git id). A commit without `jobs/` gives an empty snapshot.
absl::StatusOr<std::shared_ptr<const Snapshot>> LoadSnapshot(
    git_repository* repo, const git_oid& commit,
    const std::vector<const Snapshot*>& previous);

// The same when the caller knows the commit's root tree (it just wrote it);
// the trees on changed paths are read through `cache` when given.
absl::StatusOr<std::shared_ptr<const Snapshot>> LoadSnapshot(
    git_repository* repo, const git_oid& commit, const git_oid& root_tree,
    const std::vector<const Snapshot*>& previous, TreeCache* cache = nullptr);

// The same for a root tree that no commit points at yet (a merge result).
absl::StatusOr<std::shared_ptr<const Snapshot>> LoadTreeSnapshot(
    git_repository* repo, const git_oid& root_tree,
    const std::vector<const Snapshot*>& previous, TreeCache* cache = nullptr);

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_SNAPSHOT_H_
