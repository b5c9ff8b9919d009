#ifndef TESTING_JOBCTL_RUNNER_H_
#define TESTING_JOBCTL_RUNNER_H_

// The jobctl binary (a data dependency of the test) run against a Cluster's
// services, as an admin runs it: tests drive jobctl through the binary only.

#include <string>
#include <vector>

#include "testing/cluster.h"

namespace tracker::testing {

struct JobctlOutcome {
  int code = -1;
  std::string out, err;
};

// The shell command running jobctl against the cluster, with `env`
// (VAR=value ...) before it.
std::string JobctlCommand(Cluster& cluster, const std::vector<std::string>& args,
                          const std::string& env = "");

// jobctl with the given arguments, stdin not a terminal (as in CI); its
// stdout and stderr apart, through files in `scratch_dir`.
JobctlOutcome RunJobctl(Cluster& cluster, const std::string& scratch_dir,
                        const std::vector<std::string>& args);

}  // namespace tracker::testing

#endif  // TESTING_JOBCTL_RUNNER_H_
