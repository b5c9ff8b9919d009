#ifndef SERVICES_REPO_SERVICE_STORE_METRICS_H_
#define SERVICES_REPO_SERVICE_STORE_METRICS_H_

// The store's Prometheus metrics, by branch ("main", "scheduler"):
//   tracker_repo_write_duration_seconds{branch}   one commit, edit to ref
//   tracker_repo_commits_total{branch}
//   tracker_repo_packs                            pack files of the clone
//   tracker_repo_pushes_total{branch, result}     ok, rejected, failed
//   tracker_repo_last_push_timestamp_seconds{branch}
//   tracker_repo_unpushed_commits{branch}         local commits the remote lacks
// The push lag is `time() - tracker_repo_last_push_timestamp_seconds`, as
// Prometheus computes it when it evaluates (a gauge of the lag itself would
// freeze between writes). Both the timestamp (kept in the clone across
// restarts) and the unpushed commits are set each time a branch's sync
// status is read, which the scheduler does every cycle: a lag only matters
// while there is something to push.

#include <string>

#include "absl/time/time.h"

namespace tracker::repo {

void RecordWrite(const std::string& branch, absl::Duration took, bool committed);
// Counts the pack files under `pack_dir` (at open and after a merge).
void RecordPacks(const std::string& pack_dir);
// One more pack: every published write is one.
void CountPackWritten();
void RecordPush(const std::string& branch, const std::string& result, int64_t pushed_at_unix);
void RecordBranchSync(const std::string& branch, int unpushed_commits, int64_t last_push_unix);

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_STORE_METRICS_H_
