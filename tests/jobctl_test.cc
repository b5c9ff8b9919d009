// The whole system driven only through the jobctl binary, as an admin
// would: every subcommand's success path and its bad inputs (exit code and
// message), against the four real services, the simulators and a bare
// remote made from the real excerpt (or generated studies without it).

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"
#include "testing/cluster.h"
#include "testing/jobctl_runner.h"

namespace tracker {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::tracker::testing::Cluster;
using ::tracker::testing::JobctlRunner;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

using Outcome = ::tracker::testing::JobctlOutcome;

class JobctlTest : public ::testing::Test {
 protected:
  void Start(ClusterOptions options) {
    options_ = options;
    cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
    std::string error;
    ASSERT_TRUE(cluster_->Start(&error)) << error;
    jobctl_ = std::make_unique<JobctlRunner>(cluster_.get(), tmp_.path());
  }

  // jobctl with the given arguments; stdin is not a terminal (as in CI).
  Outcome Jobctl(const std::vector<std::string>& args) { return jobctl_->Run(args); }

  // jobctl on a terminal (util-linux `script` gives it a pty), with `input`
  // typed at it; stdout and stderr come back together in `out`.
  Outcome JobctlOnTerminal(const std::vector<std::string>& args, const std::string& input,
                           const std::string& env = "") {
    return jobctl_->OnTerminal(args, input, env);
  }

  Job GetJob(const JobKey& key, const std::string& branch) {
    grpc::ClientContext ctx;
    GetJobRequest req;
    req.set_branch(branch);
    *req.mutable_key() = key;
    Job job;
    grpc::Status s = cluster_->repo()->GetJob(&ctx, req, &job);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return job;
  }

  static std::string Key(const JobKey& k) {
    return absl::StrCat(k.study_id(), "/", k.batch_id(), "/", k.job_id());
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = tmp_.path() + "/" + name;
    Shell("mkdir -p " + ShellQuote(path.substr(0, path.rfind('/'))));
    std::ofstream(path) << text;
    return path;
  }

  // Cycles until `done` holds (at most `max` cycles).
  bool CycleUntil(const std::function<bool()>& done, int max = 60) {
    for (int i = 0; i < max; ++i) {
      if (done()) return true;
      Outcome c = Jobctl({"cycle"});
      EXPECT_EQ(c.code, 0) << c.err;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    return done();
  }

  TempDir tmp_;
  ClusterOptions options_;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<JobctlRunner> jobctl_;
};

TEST_F(JobctlTest, ReadCommandsHelpAndUsageErrors) {
  ClusterOptions options;
  options.jobs = 6;
  Start(options);

  Outcome r = Jobctl({"report"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, cluster_->Report().text());  // the seed's lines, nothing else
  r = Jobctl({"report", "--json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("\"total_jobs\""));
  r = Jobctl({"report", "--changes"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Transfer job status"));
  r = Jobctl({"report", "--branch=feature"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--branch must be scheduler or main"));

  r = Jobctl({"jobs", "--state=backlog"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto backlog = cluster_->Jobs(JOB_STATE_BACKLOG);
  ASSERT_EQ(backlog.size(), 6u);
  for (const auto& j : backlog) EXPECT_THAT(r.out, HasSubstr(Key(j.key())));
  EXPECT_THAT(r.err, HasSubstr("6 of 6 matching jobs"));
  r = Jobctl({"jobs", "--state=running"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--state must be backlog, queued, failed or completed"));
  r = Jobctl({"jobs", "--limit=0"});
  EXPECT_EQ(r.code, 2);

  const std::string key = Key(backlog[0].key());
  r = Jobctl({"show", key});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("state      backlog"));
  EXPECT_THAT(r.out, HasSubstr("never been started"));
  EXPECT_THAT(r.out, HasSubstr(GetJob(backlog[0].key(), "scheduler").analyses(0).analysis_id()));
  EXPECT_THAT(r.out, HasSubstr("\"study_id\""));  // params.json
  r = Jobctl({"show", "PACA-CA/2021-07-09"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("write STUDY/BATCH/JOB"));
  r = Jobctl({"show", absl::StrCat(backlog[0].key().study_id(), "/", backlog[0].key().batch_id(), "/job.9999")});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown job"));
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
  r = Jobctl({"show", "../../etc/passwd/x"});
  EXPECT_EQ(r.code, 2);  // four parts: not a job key
  r = Jobctl({"show", "PACA-CA/2021-07-09/job 1"});
  EXPECT_EQ(r.code, 2);  // not the repository's job id form
  EXPECT_THAT(r.err, HasSubstr("write STUDY/BATCH/JOB"));

  r = Jobctl({"status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("rdpc_qa"));
  // Colours on a terminal only, and never with NO_COLOR.
  EXPECT_THAT(r.out, Not(HasSubstr("\033[")));
  EXPECT_THAT(JobctlOnTerminal({"status"}, "").out, HasSubstr("\033[1m"));
  EXPECT_THAT(JobctlOnTerminal({"status"}, "", "NO_COLOR=1").out, Not(HasSubstr("\033[")));
  EXPECT_THAT(r.out, HasSubstr("rdpc_prod"));
  EXPECT_THAT(r.out, HasSubstr("scheduler"));
  // The real excerpt holds analyses transferred twice; a generated
  // repository holds none (AuditForScriptsAndExitCodes).
  r = Jobctl({"audit"});
  EXPECT_THAT(r.err, HasSubstr("findings on scheduler"));
  if (tracker::testing::FixturesDir().empty()) {
    EXPECT_EQ(r.code, 0) << r.err;
  } else {
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_THAT(r.out, HasSubstr("DUPLICATE_ANALYSIS  analysis "));
  }

  for (const char* name : {"report", "jobs", "show", "status", "audit", "add-batch", "requeue",
                           "clear-runs", "remove-analysis", "pause", "unpause", "clear-failure-flag",
                           "set-parallel", "cycle", "cancel", "sync"}) {
    r = Jobctl({name, "--help"});
    EXPECT_EQ(r.code, 0) << name;
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("usage: jobctl ", name))) << name;
    EXPECT_THAT(r.out, HasSubstr("example")) << name;
  }
  r = Jobctl({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("clear-failure-flag"));
  r = Jobctl({});
  EXPECT_EQ(r.code, 2);
  r = Jobctl({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command \"frobnicate\""));
  r = Jobctl({"jobs", "--colour"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option --colour"));
  r = Jobctl({"status", "extra"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("takes 0 arguments, got 1"));
  r = Jobctl({"--timeout=abc", "status"});
  EXPECT_EQ(r.code, 2);
  // A service that is not there is a server error, with a hint.
  r = Jobctl({"--repo_service=127.0.0.1:1", "report"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("is the service running"));
  // Nothing above wrote anything.
  EXPECT_EQ(cluster_->RemoteTip("main"), cluster_->Tip("main"));
}

TEST_F(JobctlTest, CycleCancelClearRunsRequeueResumeAndSetParallel) {
  ClusterOptions options;
  options.jobs = 4;
  // Runs stay live long enough to be cancelled. Status from GraphQL: ARGO's
  // REST status calls CANCELED "UNKNOWN" (workflow-api State.fromValue).
  options.envs = {{"rdpc_qa", 2, true, 0, 0, 300, 20000}};
  Start(options);

  const std::string tip = cluster_->Tip("scheduler");
  Outcome r = Jobctl({"cycle", "--dry-run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 would start"));
  EXPECT_THAT(r.out, HasSubstr("nothing was written and nothing started"));
  EXPECT_EQ(cluster_->Tip("scheduler"), tip);
  EXPECT_THAT(cluster_->Sim("wes-sim-rdpc_qa", "GET", "/_sim/runs"), Not(HasSubstr("wes-")));

  r = Jobctl({"set-parallel", "rdpc_qa", "1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("max_parallel_runs 2 -> 1"));
  r = Jobctl({"set-parallel", "rdpc_qa", "many"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("N must be a whole number"));
  r = Jobctl({"set-parallel", "rdpc_dev", "3"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown compute environment \"rdpc_dev\""));
  r = Jobctl({"cycle", "rdpc_qa"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(cluster_->Jobs(JOB_STATE_QUEUED).size(), 1u);  // the new limit holds
  ASSERT_EQ(Jobctl({"set-parallel", "rdpc_qa", "2"}).code, 0);
  r = Jobctl({"cycle"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto queued = cluster_->Jobs(JOB_STATE_QUEUED);
  ASSERT_EQ(queued.size(), 2u);
  r = Jobctl({"status"});
  EXPECT_THAT(r.out, HasSubstr("2/2"));
  r = Jobctl({"cycle", "rdpc_dev"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown compute environment"));

  const std::string a = Key(queued[0].key()), b = Key(queued[1].key());
  // Queued jobs belong to the scheduler.
  r = Jobctl({"requeue", a});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("is in queued/, which belongs to the scheduler"));
  EXPECT_EQ(cluster_->Jobs(JOB_STATE_QUEUED).size(), 2u);
  r = Jobctl({"clear-runs", a});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("is in queued/"));
  auto backlog = cluster_->Jobs(JOB_STATE_BACKLOG);
  ASSERT_FALSE(backlog.empty());
  r = Jobctl({"cancel", Key(backlog[0].key())});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("only a queued job has a live run to cancel"));
  r = Jobctl({"cancel", "nope"});
  EXPECT_EQ(r.code, 2);

  // Cancel both live runs: the scheduler moves the jobs to failed/ (and,
  // at 0, starts nothing in their place).
  ASSERT_EQ(Jobctl({"set-parallel", "rdpc_qa", "0"}).code, 0);
  for (const std::string& k : {a, b}) {
    r = Jobctl({"cancel", k});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("asked rdpc_qa to cancel"));
  }
  ASSERT_TRUE(CycleUntil([&] { return cluster_->Jobs(JOB_STATE_FAILED).size() == 2; }));
  // Every recent start failed: the circuit breaker stopped the environment.
  r = Jobctl({"status"});
  EXPECT_THAT(r.out, HasSubstr("stopped"));
  r = Jobctl({"clear-failure-flag", "rdpc_qa"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("scheduling resumes on rdpc_qa"));
  r = Jobctl({"show", a});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("CANCELED"));  // live from the workflow service
  EXPECT_THAT(r.out, HasSubstr("state      failed"));
  // Where the run works, as it was started: under one of the NFS roots.
  EXPECT_THAT(r.out, HasSubstr("launch_dir  /nfs-rdpc_qa-"));
  EXPECT_THAT(r.out, HasSubstr("/wfuser/0.4.0/work"));

  // b starts afresh: its run markers go.
  r = Jobctl({"clear-runs", b});
  EXPECT_EQ(r.code, 0) << r.err;
  r = Jobctl({"clear-runs", b});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("has no run markers"));

  // A dry run writes nothing; two jobs need --yes without a terminal.
  const std::string main_tip = cluster_->Tip("main");
  r = Jobctl({"requeue", a, b, "--dry-run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 jobs would move"));
  EXPECT_EQ(cluster_->Tip("main"), main_tip);
  r = Jobctl({"requeue", a, b});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("add --yes"));
  // On a terminal it asks; "n" changes nothing.
  r = JobctlOnTerminal({"requeue", a, b}, "n\n");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("move 2 failed jobs back to backlog [y/N]"));
  EXPECT_THAT(r.out, HasSubstr("nothing was changed"));
  EXPECT_EQ(cluster_->Jobs(JOB_STATE_FAILED, "main").size(), 2u);
  r = Jobctl({"requeue", a, b, "--yes"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("requeued 2 jobs"));
  EXPECT_EQ(cluster_->Jobs(JOB_STATE_FAILED, "main").size(), 0u);
  EXPECT_EQ(cluster_->RemoteTip("main"), cluster_->Tip("main"));  // pushed
  r = Jobctl({"requeue", a});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("only failed jobs are requeued"));

  // The next cycle resumes a (its session) and starts b afresh.
  ASSERT_EQ(Jobctl({"set-parallel", "rdpc_qa", "2"}).code, 0);
  r = Jobctl({"cycle", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"resumed\""));
  Job ja = GetJob(queued[0].key(), "scheduler"), jb = GetJob(queued[1].key(), "scheduler");
  EXPECT_EQ(ja.state(), JOB_STATE_QUEUED);
  EXPECT_EQ(ja.runs_size(), 2);
  EXPECT_EQ(jb.state(), JOB_STATE_QUEUED);
  EXPECT_EQ(jb.runs_size(), 1);

  // requeue --fresh: a's run markers go before the move, so any
  // environment starts it afresh, in new directories.
  ASSERT_EQ(Jobctl({"set-parallel", "rdpc_qa", "0"}).code, 0);
  ASSERT_EQ(Jobctl({"cancel", a}).code, 0);
  EXPECT_TRUE(CycleUntil([&] { return cluster_->Jobs(JOB_STATE_FAILED).size() == 1; }));
  r = Jobctl({"requeue", a, "--fresh", "--yes"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("requeued 1 jobs"));
  Job fresh = GetJob(queued[0].key(), "main");
  EXPECT_EQ(fresh.state(), JOB_STATE_BACKLOG);
  EXPECT_EQ(fresh.runs_size(), 0);
}

TEST_F(JobctlTest, AdminWritesOnMain) {
  ClusterOptions options;
  options.jobs = 3;
  options.envs = {{"rdpc_qa", 2, false}};
  Start(options);
  auto backlog = cluster_->Jobs(JOB_STATE_BACKLOG);
  ASSERT_FALSE(backlog.empty());
  const std::string study = backlog[0].key().study_id();
  const Job existing = GetJob(backlog[0].key(), "scheduler");
  ASSERT_GT(existing.analyses_size(), 0);
  const std::string taken = existing.analyses(0).analysis_id();

  // add-batch from a summary and a template.
  const std::string summary = Write("new/summary.tsv",
      "# a new batch\n"
      "job.0001\t1\t100\t11111111-1111-4111-8111-111111111111\t100\n"
      "job.0002\t2\t300\t22222222-2222-4222-8222-222222222222\t100\n"
      "job.0002\t2\t300\t33333333-3333-4333-8333-333333333333\t200\n");
  const std::string tmpl = Write("new/params.json",
      "{\n  \"cpus\": 1,\n  \"upload_song_url\": \"http://127.0.0.1:9\",\n  \"analysis_id\": []\n}\n");
  const std::string main_tip = cluster_->Tip("main");
  Outcome r = Jobctl({"add-batch", study, "2030-01-01", "--summary=" + summary, "--template=" + tmpl,
                      "--dry-run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("job.0002"));
  EXPECT_THAT(r.out, HasSubstr("2 jobs, 3 analyses"));
  EXPECT_THAT(r.out, HasSubstr("nothing was written"));
  EXPECT_EQ(cluster_->Tip("main"), main_tip);
  r = Jobctl({"add-batch", study, "2030-01-01", "--summary=" + summary, "--template=" + tmpl});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("stdin is not a terminal"));
  EXPECT_EQ(cluster_->Tip("main"), main_tip);
  r = Jobctl({"add-batch", study, "2030-01-01", "--summary=" + summary, "--template=" + tmpl, "--yes"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("added 2 jobs"));
  JobKey k2;
  k2.set_study_id(study);
  k2.set_batch_id("2030-01-01");
  k2.set_job_id("job.0002");
  Job added = GetJob(k2, "main");
  EXPECT_EQ(added.state(), JOB_STATE_BACKLOG);
  EXPECT_EQ(added.analyses_size(), 2);
  EXPECT_THAT(added.params_json(), HasSubstr("\"_job_id\": \"job.0002\""));
  EXPECT_THAT(added.params_json(), HasSubstr("\"upload_song_url\": \"http://127.0.0.1:9\""));
  EXPECT_EQ(cluster_->RemoteTip("main"), cluster_->Tip("main"));  // pushed

  // A duplicate analysis id is refused naming both places.
  const std::string dup = Write("dup/summary.tsv",
      absl::StrCat("job.0001\t1\t5\t", taken, "\t5\n"));
  const std::string tip_before_dup = cluster_->Tip("main");
  r = Jobctl({"add-batch", study, "2030-01-02", "--summary=" + dup, "--template=" + tmpl, "--yes"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(study, "/2030-01-02/job.0001")));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("is already in ", Key(backlog[0].key()))));
  EXPECT_THAT(r.err, HasSubstr("ALREADY_EXISTS"));
  EXPECT_EQ(cluster_->Tip("main"), tip_before_dup);
  // The same batch again, a malformed summary, a missing file, bad ids.
  r = Jobctl({"add-batch", study, "2030-01-01", "--summary=" + summary, "--template=" + tmpl, "--yes"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("already exists"));
  const std::string bad = Write("bad/summary.tsv", "job.0001\t1\tlots\tabc\t5\n");
  r = Jobctl({"add-batch", study, "2030-01-03", "--summary=" + bad, "--template=" + tmpl});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("line 1"));
  r = Jobctl({"add-batch", study, "2030-01-03", "--summary=" + summary, "--template=/nonexistent.json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot read the template"));
  r = Jobctl({"add-batch", "../x", "2030-01-03", "--summary=" + summary, "--template=" + tmpl});
  EXPECT_EQ(r.code, 2);
  r = Jobctl({"add-batch", study, "2030-01-03", "--summary=" + summary});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("give either --template"));
  EXPECT_EQ(cluster_->Tip("main"), tip_before_dup);

  // add-batch from a folder laid out like a batch.
  Write("dir/batch-summary.tsv", "job.0001\t1\t7\t44444444-4444-4444-8444-444444444444\t7\n");
  Write("dir/job.0001/params.json",
        absl::StrCat("{\"study_id\": \"", study, "\", \"analysis_id\": [\"44444444-4444-4444-8444-444444444444\"]}\n"));
  r = Jobctl({"add-batch", study, "2030-01-04", "--from-dir=" + tmp_.path() + "/dir", "--yes"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("added 1 jobs"));

  // remove-analysis.
  r = Jobctl({"remove-analysis", absl::StrCat(study, "/2030-01-01"), "33333333-3333-4333-8333-333333333333"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(GetJob(k2, "main").analyses_size(), 1);
  r = Jobctl({"remove-analysis", absl::StrCat(study, "/2030-01-01"), "33333333-3333-4333-8333-333333333333"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("is not in"));
  r = Jobctl({"remove-analysis", study, "33333333-3333-4333-8333-333333333333"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("write STUDY/BATCH"));

  // pause / unpause.
  r = Jobctl({"pause", "rdpc_qa", "--reason=storage maintenance"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = Jobctl({"cycle", "rdpc_qa"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("paused"));
  EXPECT_TRUE(cluster_->Jobs(JOB_STATE_QUEUED).empty());  // nothing started
  r = Jobctl({"status"});
  EXPECT_THAT(r.out, HasSubstr("paused"));
  r = Jobctl({"pause", "rdpc_dev"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown compute environment \"rdpc_dev\"; configured: rdpc_qa"));
  r = Jobctl({"pause", "qa/../x"});
  EXPECT_EQ(r.code, 2);
  r = Jobctl({"unpause", "rdpc_qa"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = Jobctl({"unpause", "rdpc_qa"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("is not set"));
  r = Jobctl({"cycle", "rdpc_qa"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(cluster_->Jobs(JOB_STATE_QUEUED).size(), 2u);

  // clear-failure-flag: the flag as the scheduler writes it when it stops
  // an environment.
  r = Jobctl({"clear-failure-flag", "rdpc_qa"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("excessive_failure.rdpc_qa.txt is not set"));
  {
    grpc::ClientContext ctx;
    SetFlagRequest req;
    req.mutable_options()->set_branch("scheduler");
    req.mutable_flag()->set_kind(FLAG_KIND_EXCESSIVE_FAILURE);
    req.mutable_flag()->set_environment("rdpc_qa");
    req.mutable_flag()->set_content("recently_failed_runs: [run.1.rdpc_qa.wes-0]\n");
    WriteResult out;
    ASSERT_TRUE(cluster_->repo()->SetFlag(&ctx, req, &out).ok());
  }
  r = Jobctl({"cycle", "rdpc_qa"});
  EXPECT_THAT(r.out, HasSubstr("stopped"));
  r = Jobctl({"clear-failure-flag", "rdpc_qa"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = Jobctl({"cycle", "rdpc_qa"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("stopped")));

  // sync: main and the remote agree afterwards.
  r = Jobctl({"sync"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("merged scheduler into main"));
  EXPECT_EQ(cluster_->RemoteTip("main"), cluster_->Tip("main"));
  r = Jobctl({"report", "--send"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(cluster_->Sim("slack-sink", "GET", "/_sim/messages"), HasSubstr("Transfer job status"));
}

// `jobctl audit` for scripts: --json, exit code 1 when anything is found,
// the scheduler's environments as the known ones, 2 for usage errors.
TEST_F(JobctlTest, AuditForScriptsAndExitCodes) {
  ClusterOptions options;
  options.use_excerpt = false;  // generated: clean
  options.jobs = 6;
  Start(options);
  Outcome r = Jobctl({"audit", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("\"findings\"")));
  EXPECT_THAT(r.out, HasSubstr("\"environments_checked\": true"));

  // A pause flag written by hand for an environment with a typo in it, as
  // the real repository's jobs/pause.drpc-prod.
  grpc::ClientContext ctx;
  SetFlagRequest flag;
  flag.mutable_options()->set_branch("main");
  flag.mutable_flag()->set_kind(FLAG_KIND_PAUSE);
  flag.mutable_flag()->set_environment("drpc-prod");
  WriteResult written;
  ASSERT_TRUE(cluster_->repo()->SetFlag(&ctx, flag, &written).ok());

  r = Jobctl({"audit", "--branch=main", "--json"});
  EXPECT_EQ(r.code, 1) << r.err;
  auto json = tracker::ParseJsonObject(r.out, "jobctl audit --json");
  ASSERT_TRUE(json.ok()) << json.status() << r.out;
  const auto& findings = json->fields().at("findings").list_value().values();
  ASSERT_EQ(findings.size(), 1);
  const auto& f = findings[0].struct_value().fields();
  EXPECT_EQ(f.at("code").string_value(), "UNKNOWN_ENVIRONMENT");
  EXPECT_EQ(f.at("paths").list_value().values(0).string_value(), "jobs/pause.drpc-prod");
  EXPECT_THAT(f.at("message").string_value(), HasSubstr("rdpc_prod, rdpc_qa"));

  r = Jobctl({"audit", "--branch=main"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("UNKNOWN_ENVIRONMENT  jobs/pause.drpc-prod names environment"));
  EXPECT_THAT(r.err, HasSubstr("1 findings on main at "));
  EXPECT_THAT(r.err, HasSubstr(": 1 UNKNOWN_ENVIRONMENT"));
  // Environments named on the command line replace the scheduler's.
  r = Jobctl({"audit", "--branch=main", "--environments=rdpc_qa,drpc-prod"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  r = Jobctl({"audit", "--environments=../qa"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("not an environment name"));
  r = Jobctl({"audit", "--branch=master"});
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace tracker
