#ifndef SERVICES_SCHEDULER_BACKLOG_PICKER_H_
#define SERVICES_SCHEDULER_BACKLOG_PICKER_H_

#include <set>
#include <string>
#include <vector>

#include "proto/tracker/v1/repo.pb.h"
#include "services/scheduler/repo_client.h"

namespace tracker::scheduler {

// The order studies are taken in, as the original scheduler's -s/-x had it.
struct StudyOrder {
  // Taken first, in this order (--studies).
  std::vector<std::string> first;
  // When not empty, no other study is taken (--only_studies).
  std::vector<std::string> only;
  // Never taken, even when named in `first` or `only` (--exclude).
  std::set<std::string> exclude;
};

// Which backlog jobs start next on an environment (SPEC.md section 3, steps
// 5-7): the `first` studies in their order, then every other study with
// backlog (or every other `only` study) by id; within a study, batch and job
// id as repo-service lists them.
//
// A backlog job whose latest run marker names another environment is left
// for that one: the run's Nextflow work directory, which a resume reuses,
// is on that environment's NFS (the original scheduler's rule). Clearing a
// job's runs (jobctl clear-runs) frees it for any environment.
//
// Stateless; thread-safe; does not own `repo`.
class BacklogPicker {
 public:
  BacklogPicker(RepoClient* repo, StudyOrder order);

  struct Picked {
    std::vector<tracker::v1::JobSummary> jobs;
    std::string note;  // why fewer may have been picked, for the cycle's message
  };
  // Up to `capacity` jobs for `env`. `claimed` (dry runs only, else null):
  // job keys an earlier environment of the same dry run picked. A dry run
  // writes nothing, so they are still in backlog; they are skipped, and the
  // ones picked here are added.
  Picked Pick(const std::string& env, int capacity, std::set<std::string>* claimed);

 private:
  absl::StatusOr<std::vector<std::string>> StudiesInOrder();
  // Up to `need` jobs of `study` that `env` may start, not in `claimed`.
  absl::StatusOr<std::vector<tracker::v1::JobSummary>> PickInStudy(
      const std::string& env, const std::string& study, int need,
      const std::set<std::string>* claimed);

  RepoClient* const repo_;
  const StudyOrder order_;
};

// Whether `job`'s latest run ties it to an environment other than `env`.
bool HeldForAnotherEnvironment(const tracker::v1::JobSummary& job, const std::string& env);

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_BACKLOG_PICKER_H_
