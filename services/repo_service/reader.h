#ifndef SERVICES_REPO_SERVICE_READER_H_
#define SERVICES_REPO_SERVICE_READER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/repo_service/analysis_index.h"
#include "services/repo_service/current_snapshots.h"
#include "services/repo_service/repository_pool.h"
#include "services/repo_service/snapshot.h"
#include "services/repo_service/store_types.h"

namespace tracker::repo {

// Every read of the tracking repository, served from the immutable
// snapshots the writer publishes: any number run at once, and none ever
// waits for a write or for the network, nor sees a half-made state. What a
// snapshot does not hold (a job's params.json, an older commit) is read
// through a handle of the reader's own from `repos`. Thread-safe.
//
// Errors: INVALID_ARGUMENT for a malformed id, branch or page size;
// NOT_FOUND for an unknown study, batch, job or commit.
class StoreReader {
 public:
  StoreReader(const CurrentSnapshots& snapshots, RepositoryPool& repos,
              AnalysisIndex& analyses)
      : snapshots_(snapshots), repos_(repos), analyses_(analyses) {}

  // The current snapshot of "main" or "scheduler" ("" = scheduler).
  absl::StatusOr<std::shared_ptr<const Snapshot>> Read(const std::string& branch) const;
  // A snapshot of any commit (40-hex id) or branch name.
  absl::StatusOr<std::shared_ptr<const Snapshot>> ReadRevision(const std::string& rev) const;

  absl::StatusOr<JobPage> ListJobs(const JobQuery& query) const;
  absl::StatusOr<JobDetail> GetJob(const std::string& branch, const JobKey& key) const;
  absl::StatusOr<FlagList> ListFlags(const std::string& branch) const;
  // The seed loop's lines and the flags of the tip of `branch`, or of
  // `commit` when given.
  absl::StatusOr<StateReport> Report(const std::string& branch, const std::string& commit) const;
  // Jobs whose folder differs between `from_commit` and `to_commit` (""
  // = the tip of `branch`).
  absl::StatusOr<Transitions> ListTransitions(const std::string& from_commit,
                                              const std::string& to_commit,
                                              const std::string& branch) const;
  // The newest commit on `branch`'s first-parent line made at or before
  // `when`; its first commit when none is that old.
  absl::StatusOr<CommitAtTime> CommitAt(const std::string& branch, absl::Time when) const;
  absl::StatusOr<absl::Time> CommitTime(const std::string& commit_hex) const;
  // What the real history fixed by hand, each finding naming every place
  // involved: an analysis in two jobs (summaries and params.json alike),
  // jobs in two folders or nested in a job, summaries that disagree with
  // the jobs, markers and params that do not parse, unknown folders, and
  // flags for environments the configuration does not know.
  absl::StatusOr<AuditReport> Audit(const AuditQuery& query) const;

 private:
  absl::StatusOr<std::string> ReadBlob(const git_oid& oid) const;

  const CurrentSnapshots& snapshots_;
  RepositoryPool& repos_;
  AnalysisIndex& analyses_;
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_READER_H_
