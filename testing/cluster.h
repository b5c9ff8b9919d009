#ifndef TESTING_CLUSTER_H_
#define TESTING_CLUSTER_H_

// The whole system on loopback, for integration tests and benchmarks: a
// bare tracking remote (the real excerpt reset to backlog, or generated
// studies), the WES simulators (one per environment), the SONG simulator,
// the Slack sink, and the four services, each a real binary.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "proto/tracker/v1/repo.grpc.pb.h"
#include "proto/tracker/v1/scheduler.grpc.pb.h"
#include "proto/tracker/v1/verifier.grpc.pb.h"
#include "proto/tracker/v1/wes.grpc.pb.h"
#include "testing/test_pki.h"
#include "testing/test_util.h"

namespace tracker::testing {

struct EnvSpec {
  std::string name;
  int max_parallel_runs = 4;
  bool graphql = false;  // status from the simulator's GraphQL endpoint
  int excessive_failure_threshold = 0;
  double failure_rate = 0;
  int queued_ms = 100;
  int running_ms = 300;
};

// The SONG/SCORE token of an environment's runs (the variable its
// api_token_env names): tests check it is sent and never shown.
inline std::string ApiToken(const std::string& env) { return "song-token-" + env + "-6f1d0c"; }

struct ClusterOptions {
  // Jobs put in backlog: taken from the real excerpt when the fixtures are
  // there, else generated (in the same format).
  int jobs = 20;
  bool use_excerpt = true;
  std::vector<EnvSpec> envs = {{"rdpc_qa", 4, false}, {"rdpc_prod", 2, true}};
  double scheduling_interval_minutes = 30;
  // The scheduler's reconcile_grace: 0, since the simulators index a run
  // as soon as it is created (wes-sim's --index_delay_ms is 0 here).
  double reconcile_grace_minutes = 0;
  std::string studies;  // --studies of the scheduler
  std::string exclude;
  uint64_t seed = 7;
  // The four services serve /metrics on a port of their own (metrics_port).
  bool metrics = false;
  // TLS on every port and authenticated callers (test_pki.h), with the
  // cluster's own stubs calling as the admin certificate; else the
  // services run with --insecure_plaintext.
  bool tls = false;
  // Appended to the auth config of a `tls` cluster (an oidc: section).
  std::string extra_auth_yaml;
  // Extra flags per process name (e.g. "scheduler-service").
  std::map<std::string, std::vector<std::string>> extra_args;
};

class Cluster {
 public:
  Cluster(const std::string& dir, ClusterOptions options);
  ~Cluster();

  // Starts everything; false (with the logs in `error`) when a piece failed.
  bool Start(std::string* error);
  // One service by name: "repo-service", "wes-poller", "azure-verifier",
  // "scheduler-service", "song-sim", "slack-sink", "wes-sim-<env>".
  // Sends `signal` (0: none) and waits for the exit; returns the exit code
  // (128 + signal when killed), -1 when `name` is not running.
  int Kill(const std::string& name, int signal = 9);
  bool Restart(const std::string& name, std::string* error);

  tracker::v1::RepoService::Stub* repo() { return repo_.get(); }
  tracker::v1::WesPoller::Stub* wes() { return wes_.get(); }
  tracker::v1::Scheduler::Stub* scheduler() { return scheduler_.get(); }
  int port(const std::string& name) { return ports_[name]; }
  // The /metrics port of a service (ClusterOptions::metrics), else 0.
  int metrics_port(const std::string& name) { return ports_[name + "/metrics"]; }
  int pid(const std::string& name) { return procs_.count(name) ? procs_[name]->pid() : -1; }
  std::string remote() const { return dir_ + "/remote.git"; }
  const std::string& dir() const { return dir_; }
  int backlog_jobs() const { return backlog_jobs_; }
  bool tls() const { return options_.tls; }
  // The certificates and tokens of a `tls` cluster.
  const TestPki& pki() const { return pki_; }
  // Credentials as the cluster's stubs use them (admin certificate or
  // plaintext).
  std::shared_ptr<grpc::ChannelCredentials> credentials() const;

  // GET/POST/DELETE on a simulator; the body of the answer.
  std::string Sim(const std::string& name, const std::string& method, const std::string& path,
                  const std::string& body = "");
  // One cycle through the scheduler's RPC.
  grpc::Status Cycle(tracker::v1::RunCycleResponse* out, const std::string& env = "",
                     bool dry_run = false);
  tracker::v1::ReportResponse Report(const std::string& branch = "scheduler");
  // The jobs of `branch` in `state` (every page), and how many.
  std::vector<tracker::v1::JobSummary> Jobs(tracker::v1::JobState state,
                                            const std::string& branch = "scheduler");
  int Count(tracker::v1::JobState state, const std::string& branch = "scheduler");
  // git with `args` on repo-service's clone (its exit code and output).
  CommandResult Git(const std::string& args) const;
  // The tip of `branch` as repo-service has it, and in the bare remote.
  std::string Tip(const std::string& branch);
  std::string RemoteTip(const std::string& branch);

 private:
  bool StartOne(const std::string& name, std::string* error);
  std::vector<std::string> Argv(const std::string& name);
  void Connect();

  std::string dir_;
  ClusterOptions options_;
  std::map<std::string, std::unique_ptr<ChildProcess>> procs_;
  std::map<std::string, int> ports_;
  int backlog_jobs_ = 0;
  TestPki pki_;
  std::unique_ptr<tracker::v1::RepoService::Stub> repo_;
  std::unique_ptr<tracker::v1::WesPoller::Stub> wes_;
  std::unique_ptr<tracker::v1::Scheduler::Stub> scheduler_;
};

}  // namespace tracker::testing

#endif  // TESTING_CLUSTER_H_
