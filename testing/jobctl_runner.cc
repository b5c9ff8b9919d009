#include "testing/jobctl_runner.h"

#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace tracker::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

std::string JobctlCommand(Cluster& cluster, const std::vector<std::string>& args,
                          const std::string& env) {
  std::string cmd = absl::StrCat(
      env, " JOBCTL_REPO_SERVICE=127.0.0.1:", cluster.port("repo-service"),
      " JOBCTL_WES_POLLER=127.0.0.1:", cluster.port("wes-poller"),
      " JOBCTL_SCHEDULER=127.0.0.1:", cluster.port("scheduler-service"), " ",
      ShellQuote(Runfile("clients/jobctl/jobctl")));
  for (const auto& a : args) absl::StrAppend(&cmd, " ", ShellQuote(a));
  return cmd;
}

JobctlOutcome RunJobctl(Cluster& cluster, const std::string& scratch_dir,
                        const std::vector<std::string>& args) {
  const std::string cmd = JobctlCommand(cluster, args);
  const std::string out = scratch_dir + "/jobctl.out", err = scratch_dir + "/jobctl.err";
  JobctlOutcome o;
  // Shell() adds its own 2>&1; a group keeps jobctl's streams apart.
  o.code = Shell(absl::StrCat("{ ", cmd, " </dev/null >", out, " 2>", err, "; }")).exit_code;
  o.out = ReadAll(out);
  o.err = ReadAll(err);
  return o;
}

}  // namespace tracker::testing
