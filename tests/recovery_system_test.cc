// The admins' hand fixes of the real history that the scheduler now does
// or that jobctl does through it, on the whole system (the four services,
// the simulators, a bare remote) driven through the jobctl binary:
//   - a failed job whose analyses are all PUBLISHED in SONG is completed by
//     the next cycle, saying so in the commit and in Slack (and by
//     `jobctl complete --verify`, which refuses while any is not);
//   - a queued job whose run the workflow service lost is alerted once,
//     listed by `jobctl status`, and moved to failed/ by `jobctl
//     release-lost` (refused for a job whose run is not lost);
//   - `jobctl set` writes jobs/scheduler-settings.yaml on main, and the
//     next cycle, and a restarted scheduler, obey it.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"
#include "testing/cluster.h"
#include "testing/jobctl_runner.h"

namespace tracker {
namespace {

using ::testing::HasSubstr;
using ::tracker::testing::Cluster;
using ::tracker::testing::JobctlRunner;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

std::string KeyText(const JobKey& k) {
  return absl::StrCat(k.study_id(), "/", k.batch_id(), "/", k.job_id());
}

class RecoveryTest : public ::testing::Test {
 protected:
  void Start(ClusterOptions options) {
    cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
    std::string error;
    ASSERT_TRUE(cluster_->Start(&error)) << error;
  }
  // jobctl with `args` as the admin alice, stdin not a terminal; exit code
  // and both streams together.
  tracker::testing::CommandResult Jobctl(const std::vector<std::string>& args) {
    return Shell(JobctlRunner(cluster_.get(), tmp_.path()).Command(args, "JOBCTL_ADMIN=alice") +
                 " </dev/null");
  }
  RunCycleResponse Cycle() {
    RunCycleResponse out;
    grpc::Status s = cluster_->Cycle(&out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  bool CycleUntil(const std::function<bool()>& done, int max = 60) {
    for (int i = 0; i < max; ++i) {
      if (done()) return true;
      Cycle();
      std::this_thread::sleep_for(std::chrono::milliseconds(120));
    }
    return done();
  }
  Job GetJob(const JobKey& key, const std::string& branch = "scheduler") {
    grpc::ClientContext ctx;
    GetJobRequest req;
    req.set_branch(branch);
    *req.mutable_key() = key;
    Job job;
    EXPECT_TRUE(cluster_->repo()->GetJob(&ctx, req, &job).ok());
    return job;
  }
  // What the transfer workflow does when it finishes: the job's analyses
  // PUBLISHED in the destination SONG.
  void Publish(const JobKey& key) {
    auto params = ParseJsonObject(GetJob(key).params_json(), "params");
    ASSERT_TRUE(params.ok());
    google::protobuf::Struct body;
    (*body.mutable_fields())["study_id"].set_string_value(StringField(*params, "study_id"));
    *(*body.mutable_fields())["analysis_ids"].mutable_list_value() =
        params->fields().at("analysis_id").list_value();
    cluster_->Sim("song-sim", "POST", "/_sim/publish", ToJson(body));
  }
  std::string Git(const std::string& args) { return cluster_->Git(args).output; }
  int SlackCount(const std::string& part) {
    const std::string all = cluster_->Sim("slack-sink", "GET", "/_sim/messages");
    int n = 0;
    for (size_t at = all.find(part); at != std::string::npos; at = all.find(part, at + 1)) ++n;
    return n;
  }

  TempDir tmp_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(RecoveryTest, AFailedJobWhoseAnalysesArePublishedIsCompletedByTheNextCycle) {
  ClusterOptions options;
  options.jobs = 2;
  options.envs = {{"rdpc_qa", 2, false}};
  Start(options);
  cluster_->Sim("wes-sim-rdpc_qa", "POST", "/_sim/outcomes",
                R"({"outcomes":["EXECUTOR_ERROR","EXECUTOR_ERROR"]})");
  ASSERT_TRUE(CycleUntil([&] { return cluster_->Count(JOB_STATE_FAILED) == 2; }));
  auto failed = cluster_->Jobs(JOB_STATE_FAILED);
  const JobKey by_hand = failed[0].key(), automatic = failed[1].key();

  // Not PUBLISHED (the runs failed before their upload): the cycle checks
  // them and leaves them; jobctl refuses and writes nothing.
  RunCycleResponse r = Cycle();
  ASSERT_EQ(r.failed_checked_size(), 2) << r.DebugString();
  for (const auto& a : r.failed_checked()) EXPECT_EQ(a.action(), CYCLE_ACTION_WAITING);
  const std::string main_before = cluster_->Tip("main");
  auto refused = Jobctl({"complete", KeyText(by_hand), "--verify", "--yes"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("not every analysis is PUBLISHED"));
  EXPECT_EQ(Jobctl({"complete", KeyText(by_hand)}).exit_code, 2);  // --verify is required

  // By hand: published, then jobctl complete --verify.
  Publish(by_hand);
  auto dry = Jobctl({"complete", KeyText(by_hand), "--verify", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_THAT(dry.output, HasSubstr("dry run: nothing changed"));
  EXPECT_EQ(GetJob(by_hand, "main").state(), JOB_STATE_FAILED);
  auto done = Jobctl({"complete", KeyText(by_hand), "--verify", "--yes"});
  ASSERT_EQ(done.exit_code, 0) << done.output;
  EXPECT_EQ(GetJob(by_hand, "main").state(), JOB_STATE_COMPLETED);
  EXPECT_NE(cluster_->Tip("main"), main_before);
  EXPECT_THAT(Git("log -1 --format=%B main"),
              HasSubstr("complete 1 job: analyses all PUBLISHED in SONG (jobctl complete --verify)"));
  EXPECT_THAT(Git("log -1 --format=%an main"), HasSubstr("alice"));

  // Automatic: published, and the next cycle completes it.
  Publish(automatic);
  r = Cycle();
  bool completed = false;
  for (const auto& a : r.failed_checked()) {
    if (KeyText(a.key()) == KeyText(automatic)) completed = a.action() == CYCLE_ACTION_PUBLISHED;
  }
  EXPECT_TRUE(completed) << r.DebugString();
  EXPECT_EQ(GetJob(automatic).state(), JOB_STATE_COMPLETED);
  EXPECT_THAT(Git("log --format=%B scheduler"),
              HasSubstr("[scheduler] update job status: 1 failed job completed, analyses all "
                        "PUBLISHED in SONG\n\n" + KeyText(automatic)));
  EXPECT_EQ(SlackCount("1 failed job moved to completed/: the analyses are all PUBLISHED in SONG"), 1);
  EXPECT_EQ(SlackCount(KeyText(automatic) + ": failed, but"), 1);
}

TEST_F(RecoveryTest, ALostRunIsAlertedOnceListedAndReleasedToFailed) {
  ClusterOptions options;
  options.jobs = 2;
  options.envs = {{"rdpc_qa", 2, false}};
  options.envs[0].running_ms = 600000;  // the runs stay live
  Start(options);
  ASSERT_TRUE(CycleUntil([&] { return cluster_->Count(JOB_STATE_QUEUED) == 2; }));
  auto queued = cluster_->Jobs(JOB_STATE_QUEUED);
  const JobKey lost = queued[0].key(), live = queued[1].key();
  // The workflow service loses one run (as after the campaign's outages).
  cluster_->Sim("wes-sim-rdpc_qa", "DELETE", "/_sim/runs/" + queued[0].current_run().run_id());

  // release-lost refuses a job whose run is not recorded as lost.
  auto early = Jobctl({"release-lost", KeyText(lost), "--yes"});
  EXPECT_EQ(early.exit_code, 1) << early.output;
  EXPECT_THAT(early.output, HasSubstr("not recorded as lost"));

  for (int i = 0; i < 3; ++i) {
    RunCycleResponse r = Cycle();
    bool saw = false;
    for (const auto& a : r.environments(0).actions()) {
      if (KeyText(a.key()) == KeyText(lost)) saw = a.action() == CYCLE_ACTION_LOST;
    }
    EXPECT_TRUE(saw) << r.DebugString();
  }
  EXPECT_EQ(SlackCount(KeyText(lost) + " is queued but its run"), 1);  // once
  auto status = Jobctl({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_THAT(status.output, HasSubstr("lost runs"));
  EXPECT_THAT(status.output, HasSubstr(KeyText(lost)));
  EXPECT_THAT(status.output, ::testing::Not(HasSubstr(KeyText(live) + "  ")));

  auto live_refused = Jobctl({"release-lost", KeyText(live), "--yes"});
  EXPECT_EQ(live_refused.exit_code, 1) << live_refused.output;
  EXPECT_EQ(GetJob(live).state(), JOB_STATE_QUEUED);
  EXPECT_EQ(Jobctl({"release-lost", KeyText(lost)}).exit_code, 2);  // no --yes without a terminal
  EXPECT_EQ(GetJob(lost).state(), JOB_STATE_QUEUED);
  auto released = Jobctl({"release-lost", KeyText(lost), "--yes"});
  ASSERT_EQ(released.exit_code, 0) << released.output;
  EXPECT_EQ(GetJob(lost).state(), JOB_STATE_FAILED);
  EXPECT_EQ(GetJob(live).state(), JOB_STATE_QUEUED);
  EXPECT_THAT(Git("log -1 --format=%B scheduler"),
              HasSubstr("[scheduler] update job status: 1 lost run released to failed/ by alice"));
  status = Jobctl({"status"});
  EXPECT_THAT(status.output, ::testing::Not(HasSubstr("lost runs")));
}

TEST_F(RecoveryTest, SetMaxParallelRunsIsObeyedByTheNextCycleAndAfterARestart) {
  ClusterOptions options;
  options.jobs = 8;
  options.envs = {{"rdpc_qa", 1, false}};
  options.envs[0].running_ms = 600000;
  Start(options);
  Cycle();
  EXPECT_EQ(cluster_->Count(JOB_STATE_QUEUED), 1);

  // Bad input: exit 2 (usage) or 1 (the scheduler refused), nothing written.
  const std::string main_before = cluster_->Tip("main");
  for (const auto& [args, code] : std::vector<std::pair<std::vector<std::string>, int>>{
           {{"set", "rdpc_qa", "max_parallel_runs", "two"}, 2},
           {{"set", "rdpc_qa", "max_parallel_run", "2"}, 2},
           {{"set", "rdpc_qa", "enabled", "maybe"}, 2},
           {{"set", "rdpc/qa", "enabled", "true"}, 2},
           {{"set", "rdpc_prod", "max_parallel_runs", "2"}, 1},
           {{"set", "rdpc_qa", "max_parallel_runs"}, 2}}) {
    auto r = Jobctl(args);
    EXPECT_EQ(r.exit_code, code) << absl::StrJoin(args, " ") << ": " << r.output;
  }
  EXPECT_EQ(cluster_->Tip("main"), main_before);

  auto set = Jobctl({"set", "rdpc_qa", "max_parallel_runs", "3"});
  ASSERT_EQ(set.exit_code, 0) << set.output;
  EXPECT_THAT(set.output, HasSubstr("rdpc_qa: max_parallel_runs (the config's value) -> 3"));
  EXPECT_THAT(Git("log -1 --format=%s main"),
              HasSubstr("set rdpc_qa max_parallel_runs 3 (was the config's value)"));
  EXPECT_THAT(Git("log -1 --format=%an main"), HasSubstr("alice"));
  // Pushed: the remote's main has the file.
  EXPECT_THAT(Shell(absl::StrCat("git -C ", ShellQuote(cluster_->remote()),
                                 " show main:jobs/scheduler-settings.yaml")).output,
              HasSubstr("rdpc_qa:\n  max_parallel_runs: 3\n"));
  Cycle();
  EXPECT_EQ(cluster_->Count(JOB_STATE_QUEUED), 3);

  // set-parallel writes the same setting.
  auto parallel = Jobctl({"set-parallel", "rdpc_qa", "5"});
  ASSERT_EQ(parallel.exit_code, 0) << parallel.output;
  EXPECT_THAT(Git("show main:jobs/scheduler-settings.yaml"), HasSubstr("max_parallel_runs: 5"));

  // A restarted scheduler reads it from the repository.
  std::string error;
  ASSERT_TRUE(cluster_->Restart("scheduler-service", &error)) << error;
  Cycle();
  EXPECT_EQ(cluster_->Count(JOB_STATE_QUEUED), 5);
  auto status = Jobctl({"status"});
  EXPECT_THAT(status.output, HasSubstr("5/5"));
  EXPECT_THAT(status.output, HasSubstr("rdpc_qa settings from jobs/scheduler-settings.yaml: "
                                       "max_parallel_runs=5"));

  // Off: the environment's cycle does not run; on again.
  ASSERT_EQ(Jobctl({"set", "rdpc_qa", "enabled", "false"}).exit_code, 0);
  RunCycleResponse r = Cycle();
  EXPECT_EQ(r.environments(0).outcome(), CYCLE_OUTCOME_PAUSED);
  EXPECT_THAT(r.environments(0).message(), HasSubstr("disabled"));
  ASSERT_EQ(Jobctl({"set", "rdpc_qa", "max_parallel_runs", "6"}).exit_code, 0);
  Cycle();
  EXPECT_EQ(cluster_->Count(JOB_STATE_QUEUED), 5);  // nothing started while off
  ASSERT_EQ(Jobctl({"set", "rdpc_qa", "enabled", "true"}).exit_code, 0);
  Cycle();
  EXPECT_EQ(cluster_->Count(JOB_STATE_QUEUED), 6);
}

}  // namespace
}  // namespace tracker
