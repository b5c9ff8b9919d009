// The admins' hand fixes as jobctl commands, through the binary only,
// against the four real services and the simulators: each command's dry
// run writes nothing, --yes writes exactly one commit on main whose message
// names the action (and pushes it), and refusals (a queued job, an unknown
// job, a revert touching queued/) exit non-zero with nothing written.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "testing/cluster.h"
#include "testing/jobctl_runner.h"

namespace tracker {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::tracker::testing::Cluster;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::JobctlOutcome;
using ::tracker::testing::JobctlRunner;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

class AdminCommandsTest : public ::testing::Test {
 protected:
  // Generated studies (the same with or without ../shared/fixtures), one
  // environment.
  void Start(int jobs, int max_parallel) {
    ClusterOptions options;
    options.jobs = jobs;
    options.use_excerpt = false;
    options.envs = {{"rdpc_qa", max_parallel, false}};
    cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
    std::string error;
    ASSERT_TRUE(cluster_->Start(&error)) << error;
    jobctl_ = std::make_unique<JobctlRunner>(cluster_.get(), tmp_.path());
  }
  JobctlOutcome Jobctl(const std::vector<std::string>& args) { return jobctl_->Run(args); }

  static std::string Key(const JobKey& k) {
    return absl::StrCat(k.study_id(), "/", k.batch_id(), "/", k.job_id());
  }
  // The job on main; NOT_FOUND and the like as the status.
  grpc::Status GetJob(const JobKey& key, Job* job, const std::string& branch = "main") {
    grpc::ClientContext ctx;
    GetJobRequest req;
    req.set_branch(branch);
    *req.mutable_key() = key;
    return cluster_->repo()->GetJob(&ctx, req, job);
  }
  JobState StateOn(const JobKey& key, const std::string& branch = "main") {
    Job job;
    grpc::Status s = GetJob(key, &job, branch);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return job.state();
  }
  // git in the bare remote (what was pushed).
  std::string RemoteGit(const std::string& args) {
    auto r = Shell(absl::StrCat("git -C ", ShellQuote(cluster_->remote()), " ", args));
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    return std::string(absl::StripTrailingAsciiWhitespace(r.output));
  }
  // main brought up to date (merging scheduler is every admin command's
  // first step), so that what a command writes can be counted alone.
  std::string SyncedMain() {
    JobctlOutcome r = Jobctl({"sync"});
    EXPECT_EQ(r.code, 0) << r.err;
    return cluster_->Tip("main");
  }
  // `args` with --dry-run writes nothing and shows `planned`; then with
  // --yes it writes exactly one commit on main (pushed) whose subject
  // contains `subject`. Returns that commit.
  std::string DryRunThenOneCommit(const std::vector<std::string>& args, const std::string& planned,
                                  const std::string& subject) {
    const std::string before = SyncedMain();
    std::vector<std::string> dry = args, yes = args;
    dry.push_back("--dry-run");
    yes.push_back("--yes");
    JobctlOutcome r = Jobctl(dry);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr(planned));
    EXPECT_THAT(r.out, HasSubstr("nothing was written"));
    EXPECT_EQ(cluster_->Tip("main"), before);
    // Without a terminal nobody can answer the prompt: --yes is required.
    r = Jobctl(args);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_THAT(r.err, HasSubstr("add --yes"));
    EXPECT_EQ(cluster_->Tip("main"), before);
    r = Jobctl(yes);
    EXPECT_EQ(r.code, 0) << r.err;
    const std::string after = cluster_->Tip("main");
    EXPECT_EQ(RemoteGit(absl::StrCat("rev-list --count ", before, "..main")), "1");
    EXPECT_EQ(cluster_->RemoteTip("main"), after);  // pushed
    EXPECT_THAT(RemoteGit("log -1 --format=%s main"), HasSubstr(subject));
    return after;
  }
  // A refused command: exit code, message, main unchanged.
  void ExpectRefused(const std::vector<std::string>& args, int code, const std::string& message) {
    const std::string before = cluster_->Tip("main");
    JobctlOutcome r = Jobctl(args);
    EXPECT_EQ(r.code, code) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(message));
    EXPECT_EQ(cluster_->Tip("main"), before);
  }
  void Cycles(int n) {
    for (int i = 0; i < n; ++i) {
      JobctlOutcome c = Jobctl({"cycle"});
      EXPECT_EQ(c.code, 0) << c.err;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
  }

  TempDir tmp_;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<JobctlRunner> jobctl_;
};

TEST_F(AdminCommandsTest, HoldReleaseRemoveJobAndRevert) {
  Start(/*jobs=*/5, /*max_parallel=*/1);
  Cycles(1);
  auto queued = cluster_->Jobs(JOB_STATE_QUEUED);
  ASSERT_EQ(queued.size(), 1u);
  auto backlog = cluster_->Jobs(JOB_STATE_BACKLOG);
  ASSERT_GE(backlog.size(), 3u);
  const JobKey a = backlog[0].key(), b = backlog[1].key();

  // hold: onhold/, listed and shown as held, never started.
  DryRunThenOneCommit({"hold", Key(a)}, "to onhold/", "hold: move 1 job to onhold/");
  EXPECT_EQ(StateOn(a), JOB_STATE_ONHOLD);
  JobctlOutcome r = Jobctl({"jobs", "--state=onhold", "--branch=main"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(Key(a)));
  r = Jobctl({"show", Key(a), "--branch=main", "--no-live"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("onhold"));
  ASSERT_EQ(Jobctl({"set-parallel", "rdpc_qa", "10"}).code, 0);
  Cycles(1);  // merges main into scheduler, starts every backlog job
  EXPECT_EQ(StateOn(a, "scheduler"), JOB_STATE_ONHOLD);
  EXPECT_EQ(cluster_->Count(JOB_STATE_BACKLOG), 0);
  r = Jobctl({"status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("held: 1 job(s) in onhold/"));

  // release: back to backlog, where the next cycle starts it.
  DryRunThenOneCommit({"release", Key(a)}, "to backlog/", "release: move 1 job from onhold/ to backlog/");
  EXPECT_EQ(StateOn(a), JOB_STATE_BACKLOG);
  ExpectRefused({"release", Key(a), "--yes"}, 1, "not held in onhold/");

  // Refusals write nothing: the scheduler's queued job, an unknown job, bad
  // input.
  queued = cluster_->Jobs(JOB_STATE_QUEUED);
  ASSERT_FALSE(queued.empty());
  const std::string live = Key(queued[0].key());
  ExpectRefused({"remove-job", live, "--yes"}, 1, "belongs to the scheduler");
  ExpectRefused({"hold", live, "--yes"}, 1, "queued/");
  ExpectRefused({"remove-job", absl::StrCat(a.study_id(), "/", a.batch_id(), "/job.9999"), "--yes"},
                1, "unknown job");
  ExpectRefused({"remove-job", "nope", "--yes"}, 2, "is not a job");
  ExpectRefused({"remove-job", Key(a), "--folder=queued", "--yes"}, 2, "--folder must be");
  ExpectRefused({"release", Key(a), "--to=queued", "--yes"}, 2, "--to must be");

  // remove-job: the folder and its summary lines, one commit.
  Job before_removal;
  ASSERT_TRUE(GetJob(b, &before_removal).ok());
  ASSERT_EQ(StateOn(b), JOB_STATE_QUEUED);  // started above: removal waits
  ExpectRefused({"remove-job", Key(b), "--yes"}, 1, "belongs to the scheduler");
  Job a_job;
  ASSERT_TRUE(GetJob(a, &a_job).ok());
  ASSERT_GT(a_job.batch_line_count(), 0);
  const std::string removed = DryRunThenOneCommit({"remove-job", Key(a)}, "job folder",
                                                  absl::StrCat("remove-job: delete 1 job (", Key(a), ")"));
  Job gone;
  EXPECT_EQ(GetJob(a, &gone).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(RemoteGit(absl::StrCat("show main:jobs/", a.study_id(), "/", a.batch_id(),
                                     "/batch-summary.tsv")),
              Not(HasSubstr(a.job_id() + "\t")));

  // revert: the removal undone (the job and its lines back), one commit.
  DryRunThenOneCommit({"revert", removed.substr(0, 10)}, "restored", "Revert \"remove-job: delete 1 job");
  Job back;
  ASSERT_TRUE(GetJob(a, &back).ok());
  EXPECT_EQ(back.state(), JOB_STATE_BACKLOG);
  EXPECT_EQ(back.batch_line_count(), a_job.batch_line_count());
  EXPECT_EQ(back.params_json(), a_job.params_json());
  // Reverting it again would undo later work (the revert): refused.
  ExpectRefused({"revert", removed, "--yes"}, 1, "since");
  // The scheduler's start of a job (merged into main) touches queued/.
  const std::string start = RemoteGit(absl::StrCat(
      "log -1 --format=%H main -- jobs/", queued[0].key().study_id(), "/",
      queued[0].key().batch_id(), "/queued/", queued[0].key().job_id()));
  ASSERT_FALSE(start.empty());
  ExpectRefused({"revert", start, "--dry-run"}, 1, "only the scheduler changes");
  ExpectRefused({"revert", start, "--yes"}, 1, "only the scheduler changes");
  ExpectRefused({"revert", "0123456789abcdef", "--yes"}, 1, "no commit");
  ExpectRefused({"revert", "HEAD~1", "--yes"}, 2, "is not a commit id");
}

TEST_F(AdminCommandsTest, BulkRequeueFreshClearRunsRemoveAnalysisAndRerunCompleted) {
  Start(/*jobs=*/6, /*max_parallel=*/6);
  // Three fail, three complete (the simulator's outcomes, in start order).
  cluster_->Sim("wes-sim-rdpc_qa", "POST", "/_sim/outcomes",
                R"({"outcomes":["EXECUTOR_ERROR","COMPLETE","EXECUTOR_ERROR","COMPLETE","EXECUTOR_ERROR","COMPLETE"]})");
  for (int i = 0; i < 60 && cluster_->Count(JOB_STATE_FAILED) + cluster_->Count(JOB_STATE_COMPLETED) < 6; ++i) {
    Cycles(1);
  }
  auto failed = cluster_->Jobs(JOB_STATE_FAILED);
  auto completed = cluster_->Jobs(JOB_STATE_COMPLETED);
  ASSERT_EQ(failed.size(), 3u);
  ASSERT_EQ(completed.size(), 3u);
  ASSERT_EQ(Jobctl({"set-parallel", "rdpc_qa", "0"}).code, 0);  // nothing restarts meanwhile

  // clear-runs of two jobs from a file: one commit.
  const std::string file = tmp_.path() + "/jobs.txt";
  std::ofstream(file) << "# failed after the outage\n" << Key(failed[0].key()) << "\n\n"
                      << Key(completed[0].key()) << "\n";
  DryRunThenOneCommit({"clear-runs", "--file=" + file}, "run marker", "remove failed jobs run info (2 jobs)");
  Job cleared;
  ASSERT_TRUE(GetJob(failed[0].key(), &cleared).ok());
  EXPECT_EQ(cleared.runs_size(), 0);

  // requeue --fresh of the three failed jobs: moved with their runs
  // cleared in ONE commit.
  std::vector<std::string> args = {"requeue"};
  for (const auto& j : failed) args.push_back(Key(j.key()));
  args.push_back("--fresh");
  const std::string before = SyncedMain();
  std::vector<std::string> yes = args;
  yes.push_back("--yes");
  JobctlOutcome r = Jobctl(yes);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("requeued 3 jobs with their runs cleared"));
  EXPECT_EQ(RemoteGit(absl::StrCat("rev-list --count ", before, "..main")), "1");
  EXPECT_EQ(RemoteGit("log -1 --format=%s main"),
            "move 3 failed jobs to backlog with their runs cleared (requeue --fresh)");
  for (const auto& j : failed) {
    Job job;
    ASSERT_TRUE(GetJob(j.key(), &job).ok());
    EXPECT_EQ(job.state(), JOB_STATE_BACKLOG);
    EXPECT_EQ(job.runs_size(), 0);
  }

  // requeue --from=completed: a rerun, always asked for.
  const std::string done = Key(completed[1].key());
  ExpectRefused({"requeue", done}, 1, "only failed jobs are requeued");
  ExpectRefused({"requeue", done, "--from=completed"}, 2, "add --yes");
  ExpectRefused({"requeue", done, "--from=running"}, 2, "--from must be");
  r = jobctl_->OnTerminal({"requeue", done, "--from=completed"}, "n\n");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("run 1 completed job(s) again"));
  EXPECT_EQ(StateOn(completed[1].key()), JOB_STATE_COMPLETED);
  const std::string tip = SyncedMain();
  r = Jobctl({"requeue", done, "--from=completed", "--yes"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(RemoteGit(absl::StrCat("rev-list --count ", tip, "..main")), "1");
  EXPECT_THAT(RemoteGit("log -1 --format=%s main"), HasSubstr("requeue --from=completed"));
  EXPECT_EQ(StateOn(completed[1].key()), JOB_STATE_BACKLOG);

  // remove-analysis of two analyses of one batch (two jobs of a study: the
  // generator makes one batch per study): one commit; an unknown one
  // refuses the lot.
  Job first, second;
  for (const auto* list : {&failed, &completed}) {
    for (const auto& j : *list) {
      Job job;
      ASSERT_TRUE(GetJob(j.key(), &job).ok());
      if (first.key().job_id().empty()) {
        first = job;
      } else if (second.key().job_id().empty() && job.key().study_id() == first.key().study_id() &&
                 job.key().batch_id() == first.key().batch_id()) {
        second = job;
      }
    }
  }
  ASSERT_FALSE(second.key().job_id().empty());
  ASSERT_GT(first.analyses_size(), 0);
  ASSERT_GT(second.analyses_size(), 0);
  const std::string batch = absl::StrCat(first.key().study_id(), "/", first.key().batch_id());
  const std::string x = first.analyses(0).analysis_id(), y = second.analyses(0).analysis_id();
  ExpectRefused({"remove-analysis", batch, x, "00000000-0000-4000-8000-000000000000", "--yes"}, 1,
                "is not in");
  ExpectRefused({"remove-analysis", batch, x, "not/an-id", "--yes"}, 2, "analysis");
  DryRunThenOneCommit({"remove-analysis", batch, x, y}, "line of analysis", "remove 2 analyses from");
  for (const Job* j : {&first, &second}) {
    Job now;
    ASSERT_TRUE(GetJob(j->key(), &now).ok());
    EXPECT_EQ(now.batch_line_count(), j->batch_line_count() - 1);
    for (const auto& a : now.analyses()) {
      EXPECT_NE(a.analysis_id(), x);
      EXPECT_NE(a.analysis_id(), y);
    }
  }
}

}  // namespace
}  // namespace tracker
