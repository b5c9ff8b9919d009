#ifndef SERVICES_REPO_SERVICE_WRITER_LOCATE_H_
#define SERVICES_REPO_SERVICE_WRITER_LOCATE_H_

// Where a job is in a snapshot: the look-up every job write starts from.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "services/repo_service/snapshot.h"
#include "services/repo_service/store_types.h"

namespace tracker::repo {

struct Located {
  const Batch* batch = nullptr;
  std::optional<State> state;  // nullopt: in a folder that is no state (onhold/)
  std::string folder;
  const JobEntry* job = nullptr;
};

// Finds the job in the first folder of its batch (by name) that holds it;
// NOT_FOUND names what is missing: the study, the batch or the job.
absl::StatusOr<Located> Locate(const Snapshot& snap, const JobKey& key);

// FAILED_PRECONDITION when the job is in queued/ on `scheduler` (may be
// null). A job main still shows outside queued/ may have been started on
// the scheduler branch since main last merged it; changing it on main then
// would leave it in two folders after the next merge. The writer holds the
// one write lock of both branches, so the answer stays true until its
// commit.
absl::Status NotStartedOnScheduler(const Snapshot* scheduler, const JobKey& key);

// The "job_removed"-style log line of an admin write (none on a dry run).
void LogAdminWrite(const char* event, const WriteResult& result, size_t items);

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_WRITER_LOCATE_H_
