#ifndef TESTING_JOBCTL_RUNNER_H_
#define TESTING_JOBCTL_RUNNER_H_

// The jobctl binary run against a Cluster, as an admin runs it: its exit
// code, stdout and stderr; with stdin not a terminal (as in CI) or on a
// pty (util-linux `script`) with typed input.

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "testing/cluster.h"
#include "testing/test_util.h"

namespace tracker::testing {

struct JobctlOutcome {
  int code = -1;
  std::string out, err;
};

class JobctlRunner {
 public:
  // `dir`: where the output files go (the test's temporary directory).
  JobctlRunner(Cluster* cluster, std::string dir) : cluster_(cluster), dir_(std::move(dir)) {}

  // The shell command running jobctl against the cluster, with `env`
  // (VAR=value ...) before it. No config file of the user's is read; on a
  // TLS cluster jobctl verifies the services and sends the admin token
  // (`env` may set others).
  std::string Command(const std::vector<std::string>& args, const std::string& env = "") const {
    std::string security = "JOBCTL_CONFIG=/dev/null";
    if (cluster_->tls()) {
      absl::StrAppend(&security, " JOBCTL_CA=", ShellQuote(cluster_->pki().ca()),
                      " JOBCTL_TOKEN_FILE=",
                      ShellQuote(cluster_->pki().token_file(auth::Role::kAdmin)));
    }
    std::string cmd = absl::StrCat(
        security, " ", env, " JOBCTL_REPO_SERVICE=127.0.0.1:", cluster_->port("repo-service"),
        " JOBCTL_WES_POLLER=127.0.0.1:", cluster_->port("wes-poller"),
        " JOBCTL_SCHEDULER=127.0.0.1:", cluster_->port("scheduler-service"), " ",
        ShellQuote(Runfile("clients/jobctl/jobctl")));
    for (const auto& a : args) absl::StrAppend(&cmd, " ", ShellQuote(a));
    return cmd;
  }

  // jobctl with the given arguments (and `env` before it); stdin is not a
  // terminal.
  JobctlOutcome Run(const std::vector<std::string>& args, const std::string& env = "") const {
    const std::string out = dir_ + "/jobctl.out", err = dir_ + "/jobctl.err";
    JobctlOutcome o;
    // Shell() adds its own 2>&1; a group keeps jobctl's streams apart.
    o.code = Shell(absl::StrCat("{ ", Command(args, env), " </dev/null >", out, " 2>", err, "; }"))
                 .exit_code;
    o.out = ReadAll(out);
    o.err = ReadAll(err);
    return o;
  }

  // jobctl on a terminal with `input` typed at it; stdout and stderr come
  // back together in `out`.
  JobctlOutcome OnTerminal(const std::vector<std::string>& args, const std::string& input,
                           const std::string& env = "") const {
    JobctlOutcome o;
    auto r = Shell(absl::StrCat("printf ", ShellQuote(input), " | script -qec ",
                                ShellQuote(Command(args, env)), " /dev/null"));
    o.code = r.exit_code;
    o.out = r.output;
    return o;
  }

 private:
  static std::string ReadAll(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  Cluster* cluster_;
  std::string dir_;
};

// The same as free functions, for tests that hold a Cluster by value.
inline std::string JobctlCommand(Cluster& cluster, const std::vector<std::string>& args,
                                 const std::string& env = "") {
  return JobctlRunner(&cluster, "").Command(args, env);
}
inline JobctlOutcome RunJobctl(Cluster& cluster, const std::string& scratch_dir,
                               const std::vector<std::string>& args) {
  return JobctlRunner(&cluster, scratch_dir).Run(args);
}

}  // namespace tracker::testing

#endif  // TESTING_JOBCTL_RUNNER_H_
