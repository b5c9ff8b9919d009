#include "testing/cluster.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/tls.h"
#include "gtest/gtest.h"

namespace tracker::testing {

namespace {

bool IsService(const std::string& name) {
  return name == "repo-service" || name == "wes-poller" || name == "azure-verifier" ||
         name == "scheduler-service";
}

}  // namespace

Cluster::Cluster(const std::string& dir, ClusterOptions options)
    : dir_(dir), options_(std::move(options)), pki_(dir + "/pki") {}

Cluster::~Cluster() {
  // The scheduler first, so nothing is mid-way through a cycle against a
  // service that is already gone.
  procs_.erase("scheduler-service");
  procs_.clear();
}

std::vector<std::string> Cluster::Argv(const std::string& name) {
  auto addr = [&](const std::string& n) { return absl::StrCat("127.0.0.1:", ports_[n]); };
  if (name == "song-sim") return {Runfile("tools/sim/song-sim"), absl::StrCat("--seed=", options_.seed)};
  if (name == "slack-sink") return {Runfile("tools/sim/slack-sink")};
  if (name.rfind("wes-sim-", 0) == 0) {
    for (const EnvSpec& e : options_.envs) {
      if ("wes-sim-" + e.name != name) continue;
      return {Runfile("tools/sim/wes-sim"), absl::StrCat("--seed=", options_.seed + e.name.size()),
              absl::StrCat("--queued_ms=", e.queued_ms), absl::StrCat("--running_ms=", e.running_ms),
              absl::StrCat("--failure_rate=", e.failure_rate), "--client_id=" + e.name,
              "--client_secret=secret-" + e.name};
    }
  }
  if (name == "repo-service") {
    return {Runfile("services/repo_service/repo-service"), "--listen=127.0.0.1:0",
            "--repo=" + dir_ + "/repo-service.git", "--remote=" + remote(),
            "--shutdown_grace_seconds=5"};
  }
  if (name == "wes-poller") {
    return {Runfile("services/wes_poller/wes-poller"), "--listen=127.0.0.1:0",
            "--config=" + dir_ + "/config.yaml", "--request_timeout_seconds=2",
            "--retry_deadline_seconds=6"};
  }
  if (name == "azure-verifier") {
    return {Runfile("services/azure_verifier/azure-verifier"), "--listen=127.0.0.1:0",
            "--request_timeout_seconds=2", "--retry_deadline_seconds=6"};
  }
  if (name == "scheduler-service") {
    return {Runfile("services/scheduler/scheduler-service"), "--listen=127.0.0.1:0",
            "--config=" + dir_ + "/config.yaml", "--timer=false",
            "--repo_service=" + addr("repo-service"), "--wes_poller=" + addr("wes-poller"),
            "--azure_verifier=" + addr("azure-verifier"), "--rpc_deadline_seconds=30",
            "--studies=" + options_.studies, "--exclude=" + options_.exclude};
  }
  return {};
}

bool Cluster::StartOne(const std::string& name, std::string* error) {
  std::string port_file = dir_ + "/" + name + ".port";
  std::remove(port_file.c_str());
  std::vector<std::string> argv = Argv(name);
  argv.push_back("--port_file=" + port_file);
  const std::string metrics_port_file = dir_ + "/" + name + ".metrics_port";
  const bool metrics = options_.metrics && IsService(name);
  if (metrics) {
    std::remove(metrics_port_file.c_str());
    argv.push_back("--metrics_listen=127.0.0.1:0");
    argv.push_back("--metrics_port_file=" + metrics_port_file);
  }
  if (IsService(name)) {
    std::vector<std::string> security =
        options_.tls ? pki_.ServiceFlags(name) : std::vector<std::string>{"--insecure_plaintext"};
    argv.insert(argv.end(), security.begin(), security.end());
  }
  auto extra = options_.extra_args.find(name);
  if (extra != options_.extra_args.end()) argv.insert(argv.end(), extra->second.begin(), extra->second.end());
  procs_[name] = std::make_unique<ChildProcess>(argv, dir_ + "/" + name + ".log");
  int port = WaitForPortFile(port_file, 60000);
  if (port <= 0) {
    *error = absl::StrCat(name, " did not start:\n", Shell("tail -30 " + dir_ + "/" + name + ".log").output);
    return false;
  }
  ports_[name] = port;
  if (metrics) {
    ports_[name + "/metrics"] = WaitForPortFile(metrics_port_file, 10000);
    if (ports_[name + "/metrics"] <= 0) {
      *error = name + " wrote no metrics port";
      return false;
    }
  }
  return true;
}

bool Cluster::Start(std::string* error) {
  if (options_.tls) {
    absl::Status made = pki_.Create(options_.extra_auth_yaml);
    if (!made.ok()) {
      *error = std::string(made.message());
      return false;
    }
  }
  for (const std::string& n : {std::string("song-sim"), std::string("slack-sink")}) {
    if (!StartOne(n, error)) return false;
  }
  for (const EnvSpec& e : options_.envs) {
    if (!StartOne("wes-sim-" + e.name, error)) return false;
    setenv(("CLIENT_ID_" + e.name).c_str(), e.name.c_str(), 1);
    setenv(("CLIENT_SECRET_" + e.name).c_str(), ("secret-" + e.name).c_str(), 1);
    setenv(("API_TOKEN_" + e.name).c_str(), ApiToken(e.name).c_str(), 1);
  }
  setenv("TRACKER_TEST_SLACK_URL", absl::StrCat("http://127.0.0.1:", ports_["slack-sink"], "/hooks/T0/B0/x").c_str(), 1);

  std::string song = absl::StrCat("http://127.0.0.1:", ports_["song-sim"]);
  CommandResult made;
  if (options_.use_excerpt && !FixturesDir().empty()) {
    made = Shell(absl::StrCat("python3 ", ShellQuote(Runfile("tools/campaign_repo.py")), " ",
                              ShellQuote(FixturesDir() + "/tracking-excerpt.bundle"), " ",
                              ShellQuote(remote()), " --song-url ", song, " --jobs ", options_.jobs));
  } else {
    made = Shell(absl::StrCat("python3 ", ShellQuote(Runfile("tools/gen_tracking_repo.py")), " ",
                              ShellQuote(remote()), " --jobs ", options_.jobs,
                              " --studies 2 --batch-size 10 --song-url ", song, " --score-url ", song));
  }
  if (made.exit_code != 0) {
    *error = "cannot make the tracking remote: " + made.output;
    return false;
  }
  backlog_jobs_ = options_.jobs;

  std::ofstream config(dir_ + "/config.yaml");
  config << "job_tracking_repo: " << remote() << "\n"
         << "tracking_repo_push_interval: 0\n"
         << "scheduling_interval: " << options_.scheduling_interval_minutes << "\n"
         << "unverified_alert_after: 0\n"
         << "reconcile_grace: " << options_.reconcile_grace_minutes << "\n"
         << "report_interval: 0\n"
         << "workflow:\n  url: https://github.com/icgc-argo/song-score-transfer\n  version: 0.4.0\n"
         << "slack_notification:\n  web_hook_url_env: TRACKER_TEST_SLACK_URL\n"
         << "compute_environments:\n";
  for (const EnvSpec& e : options_.envs) {
    int port = ports_["wes-sim-" + e.name];
    config << "  " << e.name << ":\n"
           << "    wes_url: http://127.0.0.1:" << port << "\n"
           << "    max_parallel_runs: " << e.max_parallel_runs << "\n"
           << "    token_url: http://127.0.0.1:" << port << "/oauth/token\n"
           << "    client_id_env: CLIENT_ID_" << e.name << "\n"
           << "    client_secret_env: CLIENT_SECRET_" << e.name << "\n"
           << "    api_token_env: API_TOKEN_" << e.name << "\n"
           << "    excessive_failure_threshold: " << e.excessive_failure_threshold << "\n"
           << "    nfs_root_paths: [/nfs-" << e.name << "-1, /nfs-" << e.name << "-2]\n";
    if (e.graphql) config << "    graphql_url: http://127.0.0.1:" << port << "/graphql\n";
  }
  config.close();
  for (const char* n : {"repo-service", "wes-poller", "azure-verifier", "scheduler-service"}) {
    if (!StartOne(n, error)) return false;
  }
  Connect();
  return true;
}

std::shared_ptr<grpc::ChannelCredentials> Cluster::credentials() const {
  TlsConfig tls;
  tls.insecure_plaintext = !options_.tls;
  if (options_.tls) {
    tls.ca_file = pki_.ca();
    tls.cert_file = pki_.cert("jobctl-admin");
    tls.key_file = pki_.key("jobctl-admin");
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> made = MakeChannelCredentials(tls);
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? *made : grpc::InsecureChannelCredentials();
}

void Cluster::Connect() {
  std::shared_ptr<grpc::ChannelCredentials> creds = credentials();
  auto ch = [&](const std::string& n) {
    return OpenChannel(absl::StrCat("127.0.0.1:", ports_[n]), creds);
  };
  repo_ = tracker::v1::RepoService::NewStub(ch("repo-service"));
  wes_ = tracker::v1::WesPoller::NewStub(ch("wes-poller"));
  scheduler_ = tracker::v1::Scheduler::NewStub(ch("scheduler-service"));
}

int Cluster::Kill(const std::string& name, int signal) {
  auto it = procs_.find(name);
  if (it == procs_.end()) return -1;
  if (signal != 0) it->second->Signal(signal);
  int code = it->second->Wait();
  procs_.erase(it);
  return code;
}

bool Cluster::Restart(const std::string& name, std::string* error) {
  Kill(name);
  if (!StartOne(name, error)) return false;
  if (name == "repo-service" || name == "wes-poller" || name == "azure-verifier") {
    // The scheduler was told the old port: start it again too.
    Kill("scheduler-service");
    if (!StartOne("scheduler-service", error)) return false;
  }
  Connect();
  return true;
}

std::string Cluster::Sim(const std::string& name, const std::string& method,
                         const std::string& path, const std::string& body) {
  return Shell(absl::StrCat("curl -s -X ", method, body.empty() ? "" : " -d " + ShellQuote(body),
                            " http://127.0.0.1:", ports_[name], path))
      .output;
}

grpc::Status Cluster::Cycle(tracker::v1::RunCycleResponse* out, const std::string& env,
                            bool dry_run) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  tracker::v1::RunCycleRequest req;
  req.set_environment(env);
  req.set_dry_run(dry_run);
  return scheduler_->RunCycle(&ctx, req, out);
}

tracker::v1::ReportResponse Cluster::Report(const std::string& branch) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  tracker::v1::ReportRequest req;
  req.set_branch(branch);
  tracker::v1::ReportResponse out;
  repo_->Report(&ctx, req, &out);
  return out;
}

std::vector<tracker::v1::JobSummary> Cluster::Jobs(tracker::v1::JobState state,
                                                   const std::string& branch) {
  std::vector<tracker::v1::JobSummary> out;
  tracker::v1::ListJobsRequest req;
  req.set_branch(branch);
  req.add_states(state);
  req.set_page_size(10000);
  while (true) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    tracker::v1::ListJobsResponse page;
    grpc::Status s = repo_->ListJobs(&ctx, req, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) return out;
    out.insert(out.end(), page.jobs().begin(), page.jobs().end());
    if (page.next_page_token().empty()) return out;
    req.set_page_token(page.next_page_token());
  }
}

int Cluster::Count(tracker::v1::JobState state, const std::string& branch) {
  return static_cast<int>(Jobs(state, branch).size());
}

CommandResult Cluster::Git(const std::string& args) const {
  return Shell(absl::StrCat("git -C ", ShellQuote(dir_ + "/repo-service.git"), " ", args));
}

std::string Cluster::Tip(const std::string& branch) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  tracker::v1::ListFlagsRequest req;
  req.set_branch(branch);
  tracker::v1::ListFlagsResponse out;
  EXPECT_TRUE(repo_->ListFlags(&ctx, req, &out).ok());
  return out.commit();
}

std::string Cluster::RemoteTip(const std::string& branch) {
  return std::string(absl::StripTrailingAsciiWhitespace(
      Shell(absl::StrCat("git -C ", ShellQuote(remote()), " rev-parse ", branch)).output));
}

}  // namespace tracker::testing
