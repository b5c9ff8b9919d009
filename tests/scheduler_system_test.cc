// The four services, the WES and SONG simulators, the Slack sink and a bare
// remote made from the real excerpt (or generated studies without the
// fixtures), driven by scheduler cycles over gRPC.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "testing/cluster.h"

namespace tracker {
namespace {

using ::tracker::testing::Cluster;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::EnvSpec;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

struct SimRun {
  std::string run_id, state, session, resume, job;
};

// A job as a run shows it: its params' study and analyses, the key ARGO
// keeps (it drops run tags). `field`: the params' member of `holder`.
std::string JobOfParams(const google::protobuf::Struct& holder, const std::string& field) {
  auto params = holder.fields().find(field);
  if (params == holder.fields().end()) return "";
  const auto& p = params->second.struct_value();
  std::string job = StringField(p, "study_id");
  auto ids = p.fields().find("analysis_id");
  if (ids != p.fields().end()) {
    for (const auto& id : ids->second.list_value().values()) absl::StrAppend(&job, " ", id.string_value());
  }
  return job;
}

class SchedulerTest : public ::testing::Test {
 protected:
  void Start(ClusterOptions options) {
    cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
    std::string error;
    ASSERT_TRUE(cluster_->Start(&error)) << error;
  }

  std::vector<SimRun> SimRuns(const std::string& env) {
    std::vector<SimRun> out;
    auto parsed = ParseJsonObject(cluster_->Sim("wes-sim-" + env, "GET", "/_sim/runs"), "runs");
    EXPECT_TRUE(parsed.ok());
    if (!parsed.ok()) return out;
    for (const auto& v : parsed->fields().at("runs").list_value().values()) {
      const auto& s = v.struct_value();
      SimRun r{StringField(s, "run_id"), StringField(s, "state"), StringField(s, "session_id"),
               StringField(s, "resume"), ""};
      auto request = s.fields().find("request");
      if (request != s.fields().end()) r.job = JobOfParams(request->second.struct_value(), "workflow_params");
      out.push_back(r);
    }
    return out;
  }

  static bool Live(const std::string& state) {
    return state == "QUEUED" || state == "RUNNING" || state == "INITIALIZING" ||
           state == "CANCELING";
  }

  // Never two live runs for one job, and never more live runs on an
  // environment than max_parallel_runs.
  void CheckRuns(const ClusterOptions& options) {
    for (const EnvSpec& e : options.envs) {
      std::map<std::string, int> live;
      int total_live = 0;
      for (const auto& r : SimRuns(e.name)) {
        if (!Live(r.state)) continue;
        ++total_live;
        EXPECT_LE(++live[r.job], 1) << r.job << " has two live runs on " << e.name;
      }
      EXPECT_LE(total_live, e.max_parallel_runs) << e.name;
    }
  }

  RunCycleResponse Cycle(const std::string& env = "") {
    RunCycleResponse out;
    grpc::Status s = cluster_->Cycle(&out, env);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Cycles until every job left backlog/queued, checking the invariants
  // after each.
  int CycleUntilDone(const ClusterOptions& options, int max_cycles = 80) {
    for (int i = 1; i <= max_cycles; ++i) {
      RunCycleResponse r = Cycle();
      for (const auto& env : r.environments()) {
        for (const EnvSpec& e : options.envs) {
          if (e.name == env.environment()) EXPECT_LE(env.queued(), e.max_parallel_runs);
        }
      }
      CheckRuns(options);
      int open = cluster_->Count(JOB_STATE_BACKLOG) + cluster_->Count(JOB_STATE_QUEUED);
      if (open == 0) return i;
      std::this_thread::sleep_for(std::chrono::milliseconds(120));
    }
    return -1;
  }

  std::vector<std::string> SlackTexts() {
    std::vector<std::string> out;
    auto parsed = ParseJsonObject(cluster_->Sim("slack-sink", "GET", "/_sim/messages"), "messages");
    if (!parsed.ok()) return out;
    for (const auto& v : parsed->fields().at("messages").list_value().values()) {
      out.push_back(StringField(v.struct_value(), "text"));
    }
    return out;
  }

  TempDir tmp_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(SchedulerTest, JobsFlowFromBacklogToCompletedAndThePushReachesTheRemote) {
  ClusterOptions options;
  options.jobs = 14;
  Start(options);
  int completed_before = cluster_->Count(JOB_STATE_COMPLETED);
  ASSERT_EQ(cluster_->Count(JOB_STATE_BACKLOG), 14);
  int cycles = CycleUntilDone(options);
  ASSERT_GT(cycles, 0) << "jobs did not finish";
  EXPECT_EQ(cluster_->Count(JOB_STATE_COMPLETED), completed_before + 14);
  EXPECT_EQ(cluster_->Count(JOB_STATE_FAILED), 0);
  // Both environments took work: 4 + 2 slots.
  int qa = 0, prod = 0;
  for (const auto& j : cluster_->Jobs(JOB_STATE_COMPLETED)) {
    if (j.current_run().environment() == "rdpc_qa") ++qa;
    if (j.current_run().environment() == "rdpc_prod") ++prod;
    EXPECT_FALSE(absl::StartsWith(j.current_run().run_id(), "pending-"));
  }
  EXPECT_GT(qa, 0);
  EXPECT_GT(prod, 0);
  // Every job was started exactly once.
  std::map<std::string, int> runs_per_job;
  for (const char* env : {"rdpc_qa", "rdpc_prod"}) {
    for (const auto& r : SimRuns(env)) runs_per_job[r.job]++;
  }
  EXPECT_EQ(runs_per_job.size(), 14u);
  for (const auto& [job, n] : runs_per_job) EXPECT_EQ(n, 1) << job;
  // The push reached the remote (push interval 0: every cycle with news).
  grpc::ClientContext ctx;
  GetSyncStatusResponse sync;
  ASSERT_TRUE(cluster_->repo()->GetSyncStatus(&ctx, GetSyncStatusRequest(), &sync).ok());
  for (const auto& b : sync.branches()) {
    if (b.name() == "scheduler") EXPECT_EQ(cluster_->RemoteTip("scheduler"), b.tip());
  }
  auto log = Shell(absl::StrCat("git -C ", ShellQuote(cluster_->remote()),
                                " log --format=%s scheduler"));
  EXPECT_TRUE(absl::StrContains(log.output, "[scheduler] update job status: ")) << log.output;
  EXPECT_TRUE(absl::StrContains(log.output, " completed, 0 failed")) << log.output;

  // Every run got its environment's api_token, which no log and no commit
  // holds: the simulator shows it as ARGO's index does, an md5.
  for (const char* env : {"rdpc_qa", "rdpc_prod"}) {
    const std::string token = tracker::testing::ApiToken(env);
    EXPECT_TRUE(absl::StrContains(cluster_->Sim(absl::StrCat("wes-sim-", env), "GET", "/_sim/runs"),
                                  "\"api_token\""));
    EXPECT_NE(Shell(absl::StrCat("grep -rl ", ShellQuote(token), " ", ShellQuote(cluster_->dir()),
                                 " --include=*.log")).exit_code, 0) << "a log holds " << env << "'s api_token";
    EXPECT_NE(Shell(absl::StrCat("git -C ", ShellQuote(cluster_->remote()), " grep -q ",
                                 ShellQuote(token), " $(git -C ", ShellQuote(cluster_->remote()),
                                 " rev-list --all)")).exit_code, 0) << "the repository holds it";
  }

  // The report to Slack: the seed's lines and what changed since the push
  // the scheduler last knew of.
  grpc::ClientContext rctx;
  SendReportRequest rreq;
  SendReportResponse report;
  ASSERT_TRUE(cluster_->scheduler()->SendReport(&rctx, rreq, &report).ok());
  EXPECT_TRUE(report.sent());
  auto texts = SlackTexts();
  ASSERT_FALSE(texts.empty());
  // Posted in the original's form: the INFO emoji line, then the report.
  EXPECT_EQ(texts.back(), ":information_source:\n" + report.text());
  EXPECT_TRUE(absl::StrContains(report.text(), cluster_->Report().text())) << report.text();
}

TEST_F(SchedulerTest, AFailedJobMovedBackByAnAdminIsResumedWithItsSession) {
  ClusterOptions options;
  options.jobs = 2;
  options.envs = {{"rdpc_qa", 2, false}};
  Start(options);
  // One fails, one completes: not every start failed, the breaker holds.
  cluster_->Sim("wes-sim-rdpc_qa", "POST", "/_sim/outcomes",
                R"({"outcomes":["EXECUTOR_ERROR","COMPLETE"]})");
  for (int i = 0; i < 40 && cluster_->Count(JOB_STATE_FAILED) == 0; ++i) {
    Cycle();
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
  }
  auto failed = cluster_->Jobs(JOB_STATE_FAILED);
  ASSERT_EQ(failed.size(), 1u);
  auto first_runs = SimRuns("rdpc_qa");
  ASSERT_EQ(first_runs.size(), 2u);
  Job failed_job;
  {
    grpc::ClientContext ctx;
    GetJobRequest req;
    *req.mutable_key() = failed[0].key();
    ASSERT_TRUE(cluster_->repo()->GetJob(&ctx, req, &failed_job).ok());
  }
  google::protobuf::Struct holder;
  *(*holder.mutable_fields())["params"].mutable_struct_value() =
      *ParseJsonObject(failed_job.params_json(), "params");
  ASSERT_EQ(first_runs[0].job, JobOfParams(holder, "params"));

  // The admin's way: scheduler into main, failed -> backlog on main.
  {
    grpc::ClientContext ctx;
    MergeRequest m;
    m.mutable_options()->set_branch("main");
    m.set_source("scheduler");
    MergeResponse mr;
    ASSERT_TRUE(cluster_->repo()->Merge(&ctx, m, &mr).ok());
    grpc::ClientContext ctx2;
    TransitionJobsRequest t;
    t.mutable_options()->set_branch("main");
    auto* tr = t.add_transitions();
    *tr->mutable_key() = failed[0].key();
    tr->set_from_state(JOB_STATE_FAILED);
    tr->set_to_state(JOB_STATE_BACKLOG);
    WriteResult wr;
    grpc::Status s = cluster_->repo()->TransitionJobs(&ctx2, t, &wr);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  RunCycleResponse r = Cycle();
  bool resumed = false;
  for (const auto& a : r.environments(0).actions()) resumed |= a.action() == CYCLE_ACTION_RESUMED;
  EXPECT_TRUE(resumed) << r.DebugString();
  auto runs = SimRuns("rdpc_qa");
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[2].job, first_runs[0].job);
  EXPECT_EQ(runs[2].resume, first_runs[0].session);
  EXPECT_EQ(runs[2].session, first_runs[0].session);
  // Recorded as the job's second attempt.
  std::string second_marker;
  for (const auto& j : cluster_->Jobs(JOB_STATE_QUEUED)) {
    if (j.key().SerializeAsString() == failed[0].key().SerializeAsString()) {
      EXPECT_EQ(j.run_count(), 2);
      second_marker = j.current_run().run_id();
    }
  }
  EXPECT_EQ(second_marker, runs[2].run_id);
  EXPECT_GT(CycleUntilDone(options), 0);
  std::string seen;
  for (const auto& run : SimRuns("rdpc_qa")) {
    absl::StrAppend(&seen, run.job, " ", run.state, " ", run.resume, "; ");
  }
  EXPECT_EQ(cluster_->Count(JOB_STATE_FAILED), 0) << seen;
}

TEST_F(SchedulerTest, AWesOutageChangesNothingASongOutageKeepsCompleteJobsQueued) {
  ClusterOptions options;
  options.jobs = 4;
  options.envs = {{"rdpc_qa", 4, false}};
  Start(options);
  Cycle();  // starts all four
  EXPECT_EQ(cluster_->Count(JOB_STATE_QUEUED), 4);
  cluster_->Sim("wes-sim-rdpc_qa", "POST", "/_sim/faults", R"({"mode":"status","status":503})");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // the runs complete meanwhile
  grpc::ClientContext ctx;
  GetSyncStatusResponse before;
  ASSERT_TRUE(cluster_->repo()->GetSyncStatus(&ctx, GetSyncStatusRequest(), &before).ok());
  RunCycleResponse down = Cycle();
  EXPECT_EQ(down.environments(0).outcome(), CYCLE_OUTCOME_UNAVAILABLE);
  grpc::ClientContext ctx_after;
  GetSyncStatusResponse after_down;
  ASSERT_TRUE(cluster_->repo()->GetSyncStatus(&ctx_after, GetSyncStatusRequest(), &after_down).ok());
  for (int b = 0; b < before.branches_size(); ++b) {
    EXPECT_EQ(after_down.branches(b).tip(), before.branches(b).tip()) << "the outage wrote something";
  }
  EXPECT_EQ(cluster_->Count(JOB_STATE_QUEUED), 4);
  EXPECT_EQ(cluster_->Count(JOB_STATE_FAILED), 0);
  cluster_->Sim("wes-sim-rdpc_qa", "DELETE", "/_sim/faults");

  // SONG answers 503 for analyses: COMPLETE runs wait in queued/.
  cluster_->Sim("song-sim", "POST", "/_sim/faults", R"({"mode":"status","status":503,"path":"/studies"})");
  RunCycleResponse waiting = Cycle();
  EXPECT_EQ(cluster_->Count(JOB_STATE_QUEUED), 4);
  EXPECT_EQ(cluster_->Count(JOB_STATE_COMPLETED, "scheduler") >= 0, true);
  int waits = 0;
  for (const auto& a : waiting.environments(0).actions()) waits += a.action() == CYCLE_ACTION_WAITING;
  EXPECT_EQ(waits, 4) << waiting.DebugString();
  cluster_->Sim("song-sim", "DELETE", "/_sim/faults");
  RunCycleResponse after = Cycle();
  EXPECT_EQ(after.environments(0).completed(), 4) << after.DebugString();
  EXPECT_EQ(cluster_->Count(JOB_STATE_QUEUED), 0);
}

TEST_F(SchedulerTest, TheCircuitBreakerStopsOnlyThatEnvironmentAndAlertsOnce) {
  ClusterOptions options;
  options.jobs = 10;
  options.envs = {{"rdpc_qa", 3, false, 0, /*failure_rate=*/1.0},
                  {"rdpc_prod", 2, true}};
  Start(options);
  EXPECT_GT(CycleUntilDone(options), 0);
  grpc::ClientContext ctx;
  ListFlagsRequest lf;
  ListFlagsResponse flags;
  ASSERT_TRUE(cluster_->repo()->ListFlags(&ctx, lf, &flags).ok());
  bool tripped = false;
  for (const auto& f : flags.flags()) {
    if (f.kind() == FLAG_KIND_EXCESSIVE_FAILURE && f.environment() == "rdpc_qa") {
      tripped = true;
      EXPECT_TRUE(absl::StartsWith(f.content(), "recently_failed_runs: [run.")) << f.content();
    }
  }
  ASSERT_TRUE(tripped);
  // qa started its three, and nothing after they failed.
  EXPECT_EQ(SimRuns("rdpc_qa").size(), 3u);
  // prod went on with the rest.
  EXPECT_EQ(cluster_->Count(JOB_STATE_FAILED), 3);
  EXPECT_EQ(cluster_->Count(JOB_STATE_BACKLOG) + cluster_->Count(JOB_STATE_QUEUED), 0);
  int critical = 0;
  for (const auto& t : SlackTexts()) critical += absl::StartsWith(t, ":fire:\nrdpc_qa stopped");
  EXPECT_EQ(critical, 1);
  // Persisted and pushed: the remote's scheduler has the flag.
  auto ls = Shell(absl::StrCat("git -C ", ShellQuote(cluster_->remote()),
                               " ls-tree --name-only scheduler jobs/"));
  EXPECT_TRUE(absl::StrContains(ls.output, "jobs/excessive_failure.rdpc_qa.txt")) << ls.output;
  grpc::ClientContext sctx;
  GetStatusResponse status;
  ASSERT_TRUE(cluster_->scheduler()->GetStatus(&sctx, GetStatusRequest(), &status).ok());
  for (const auto& e : status.environments()) {
    EXPECT_EQ(e.stopped(), e.name() == "rdpc_qa") << e.name();
  }
}

TEST_F(SchedulerTest, PauseDryRunAndAConcurrentAdminPushToMain) {
  ClusterOptions options;
  options.jobs = 6;
  options.envs = {{"rdpc_qa", 2, false}};
  Start(options);
  // Dry run: answers what would happen, writes nothing.
  std::string tip = cluster_->RemoteTip("scheduler");
  RunCycleResponse dry;
  ASSERT_TRUE(cluster_->Cycle(&dry, "", true).ok());
  EXPECT_TRUE(dry.dry_run());
  EXPECT_EQ(dry.environments(0).actions_size(), 2);
  EXPECT_EQ(cluster_->Count(JOB_STATE_BACKLOG), 6);
  EXPECT_TRUE(SimRuns("rdpc_qa").empty());

  // An admin pauses the environment on the remote's main, by hand.
  std::string admin = tmp_.path() + "/admin";
  auto r = Shell(absl::StrCat(
      "git clone -q -b main ", ShellQuote(cluster_->remote()), " ", ShellQuote(admin),
      " && cd ", ShellQuote(admin), " && touch jobs/pause.rdpc_qa && git add jobs/pause.rdpc_qa",
      " && git -c user.name=admin -c user.email=a@x commit -qm 'pause rdpc_qa' && git push -q origin main"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  RunCycleResponse paused = Cycle();
  EXPECT_EQ(paused.environments(0).outcome(), CYCLE_OUTCOME_PAUSED);
  EXPECT_TRUE(SimRuns("rdpc_qa").empty());
  // Unpaused on main again: the scheduler's pushes merge the admin's work.
  r = Shell(absl::StrCat("cd ", ShellQuote(admin), " && git pull -q --no-rebase origin main",
                         " && git rm -q jobs/pause.rdpc_qa",
                         " && git -c user.name=admin -c user.email=a@x commit -qm unpause",
                         " && git push -q origin main"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GT(CycleUntilDone(options), 0);
  auto contains = Shell(absl::StrCat("git -C ", ShellQuote(cluster_->remote()),
                                     " merge-base --is-ancestor main scheduler"));
  EXPECT_EQ(contains.exit_code, 0) << "the admin's main is not in the pushed scheduler";
}

}  // namespace
}  // namespace tracker

namespace tracker {
namespace {

// Config errors: one clear message naming the key, exit code 2, nothing
// started.
TEST(SchedulerConfigTest, BadConfigExitsTwoNamingTheKey) {
  TempDir tmp;
  const std::string bin = ::tracker::testing::Runfile("services/scheduler/scheduler-service");
  struct Case {
    std::string yaml, flags, expect;
  };
  const std::string env = "compute_environments:\n  qa:\n    wes_url: http://w\n    max_parallel_runs: 2\n";
  const std::string wf = "workflow:\n  url: https://x\n  version: 1\n";
  std::vector<Case> cases = {
      {"scheduling_interval: soon\n" + env + wf, "", "scheduling_interval"},
      {"compute_environments:\n  qa:\n    wes_url: http://w\n    max_parallel_runs: two\n" + wf, "",
       "compute_environments.qa.max_parallel_runs"},
      {env + wf + "slack_notification:\n  web_hook_url: https://hooks.slack.com/x\n", "",
       "slack_notification.web_hook_url"},
      {env + wf + "slack_notification:\n  web_hook_url_env: TRACKER_UNSET_HOOK\n", "",
       "TRACKER_UNSET_HOOK"},
      {env + wf + "schedulng_interval: 5\n", "", "schedulng_interval"},
      {env, "", "workflow.url"},
      {env + wf, "--studies=paca-ca", "--studies"},
      {"scheduling_interval: [\n", "", "not valid YAML"},
  };
  unsetenv("TRACKER_UNSET_HOOK");
  for (const auto& c : cases) {
    std::string path = tmp.path() + "/config.yaml";
    std::ofstream(path) << c.yaml;
    auto r = Shell(absl::StrCat(ShellQuote(bin), " --check --insecure_plaintext --config=", ShellQuote(path), " ", c.flags));
    EXPECT_EQ(r.exit_code, 2) << c.expect << ": " << r.output;
    EXPECT_TRUE(absl::StrContains(r.output, c.expect)) << c.expect << ": " << r.output;
  }
  std::ofstream(tmp.path() + "/config.yaml") << env + wf;
  auto ok = Shell(absl::StrCat(ShellQuote(bin), " --check --insecure_plaintext --config=", ShellQuote(tmp.path() + "/config.yaml")));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

}  // namespace
}  // namespace tracker
