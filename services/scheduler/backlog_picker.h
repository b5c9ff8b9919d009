#ifndef SERVICES_SCHEDULER_BACKLOG_PICKER_H_
#define SERVICES_SCHEDULER_BACKLOG_PICKER_H_

#include <set>
#include <string>
#include <vector>

#include "proto/tracker/v1/repo.pb.h"
#include "services/scheduler/repo_client.h"

namespace tracker::scheduler {

// Which backlog jobs start next (SPEC.md section 3, steps 5-7): studies in
// the --studies priority order (default: every study with backlog, by id),
// --exclude skipped, then batch and job id as repo-service lists them.
// Stateless; thread-safe; does not own `repo`.
class BacklogPicker {
 public:
  BacklogPicker(RepoClient* repo, std::vector<std::string> studies,
                std::set<std::string> exclude);

  struct Picked {
    std::vector<tracker::v1::JobSummary> jobs;
    std::string note;  // why fewer may have been picked, for the cycle's message
  };
  // Up to `capacity` jobs. `claimed` (dry runs only, else null): job keys an
  // earlier environment of the same dry run picked. A dry run writes
  // nothing, so they are still in backlog; they are skipped, and the ones
  // picked here are added.
  Picked Pick(int capacity, std::set<std::string>* claimed);

 private:
  absl::StatusOr<std::vector<std::string>> StudiesInOrder();

  RepoClient* const repo_;
  const std::vector<std::string> studies_;
  const std::set<std::string> exclude_;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_BACKLOG_PICKER_H_
