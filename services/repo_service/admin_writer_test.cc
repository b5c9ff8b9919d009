// The admins' writes on a generated repository, through the store's gRPC
// face (what jobctl and grpcurl send): many jobs in one commit, a dry run
// that writes nothing and answers the plan, refusals that write nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/repo_service/store_test_fixture.h"

namespace tracker::repo {
namespace {

namespace v1 = ::tracker::v1;
using ::testing::HasSubstr;

class AdminWriterTest : public StoreTest {
 protected:
  int Commits(const std::string& branch) {
    int n = 0;
    EXPECT_TRUE(absl::SimpleAtoi(Git(clone(), "rev-list --count " + branch), &n));
    return n;
  }
  std::string Subject(const std::string& branch) {
    return Git(clone(), "log -1 --format=%s " + branch);
  }
  v1::Job GetMain(const JobKey& key) {
    v1::GetJobRequest req;
    req.set_branch("main");
    *req.mutable_key() = ToProto(key);
    auto job = api_->GetJob(req);
    EXPECT_TRUE(job.ok()) << job.status();
    return job.ok() ? *job : v1::Job();
  }
  std::string Dir(const JobKey& k, const std::string& folder) {
    return absl::StrCat("jobs/", k.study_id, "/", k.batch_id, "/", folder, "/", k.job_id);
  }
  // `expect` for a refusal: the code, a message part, and main unchanged.
  void ExpectRefused(const absl::Status& status, absl::StatusCode code, const std::string& part,
                     const std::string& main_tip) {
    EXPECT_EQ(status.code(), code) << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr(part));
    EXPECT_EQ(Tip("main"), main_tip);
  }
  // A backlog job started on the scheduler branch and merged into main
  // (the generated repository has no queued job of its own).
  JobKey QueueOne() {
    const JobKey job = JobsIn(State::kBacklog).back();
    Transition start;
    start.key = job;
    start.from = State::kBacklog;
    start.to = State::kQueued;
    EXPECT_TRUE(store_->writer().TransitionJobs({}, {start}).ok());
    EXPECT_TRUE(store_->writer().Merge(WriteOptions{"main"}, "scheduler").ok());
    return job;
  }
  // Jobs of `state` that have run markers.
  std::vector<JobKey> WithRuns(State state) {
    std::vector<JobKey> out;
    for (const JobKey& k : JobsIn(state)) {
      if (GetMain(k).runs_size() > 0) out.push_back(k);
    }
    return out;
  }
};

TEST_F(AdminWriterTest, RequeueFreshOfManyJobsIsOneCommitAfterADryRun) {
  std::vector<JobKey> failed = WithRuns(State::kFailed);
  ASSERT_GE(failed.size(), 2u);
  v1::TransitionJobsRequest req;
  req.mutable_options()->set_branch("main");
  req.mutable_options()->set_message("move 2 failed jobs to backlog with their runs cleared");
  int markers = 0;
  for (const JobKey& k : failed) {
    v1::Transition* t = req.add_transitions();
    *t->mutable_key() = ToProto(k);
    t->set_from_state(v1::JOB_STATE_FAILED);
    t->set_to_state(v1::JOB_STATE_BACKLOG);
    t->set_clear_runs(true);
    markers += GetMain(k).runs_size();
  }
  const std::string tip = Tip("main");
  const int commits = Commits("main");
  req.set_dry_run(true);
  auto plan = api_->TransitionJobs(req);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->dry_run());
  EXPECT_EQ(plan->commit(), tip);
  EXPECT_EQ(plan->message(), "move 2 failed jobs to backlog with their runs cleared");
  EXPECT_EQ(plan->changes_size(), static_cast<int>(failed.size()) + markers);
  EXPECT_EQ(plan->changes(0).action(), "move");
  EXPECT_EQ(plan->changes(0).path(), Dir(failed[0], "failed"));
  EXPECT_EQ(plan->changes(0).detail(), "to backlog/");
  EXPECT_EQ(Tip("main"), tip);  // nothing written

  req.set_dry_run(false);
  req.mutable_options()->set_expected_tip(plan->commit());
  auto done = api_->TransitionJobs(req);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_FALSE(done->dry_run());
  EXPECT_EQ(Commits("main"), commits + 1);
  EXPECT_EQ(Subject("main"), "move 2 failed jobs to backlog with their runs cleared");
  for (const JobKey& k : failed) {
    v1::Job job = GetMain(k);
    EXPECT_EQ(job.state(), v1::JOB_STATE_BACKLOG);
    EXPECT_EQ(job.runs_size(), 0);
  }
  // The same plan again: main moved on, so it is refused, not re-applied.
  EXPECT_EQ(api_->TransitionJobs(req).status().code(), absl::StatusCode::kAborted);
  // clear_runs never goes with queued/.
  v1::TransitionJobsRequest bad = req;
  bad.mutable_options()->clear_expected_tip();
  bad.mutable_transitions(0)->set_to_state(v1::JOB_STATE_QUEUED);
  bad.mutable_options()->set_branch("scheduler");
  ExpectRefused(api_->TransitionJobs(bad).status(), absl::StatusCode::kInvalidArgument,
                "clear_runs", Tip("main"));
}

TEST_F(AdminWriterTest, ClearRunsAndRemoveAnalysisTakeManyIdsInOneCommit) {
  const JobKey queued = QueueOne();
  std::vector<JobKey> done = WithRuns(State::kCompleted), failed;
  ASSERT_FALSE(done.empty());
  // A failed job of the same batch (the remove-analysis below edits one).
  for (const JobKey& k : WithRuns(State::kFailed)) {
    if (k.study_id == done[0].study_id && k.batch_id == done[0].batch_id) failed.push_back(k);
  }
  ASSERT_FALSE(failed.empty());
  v1::ClearRunsRequest clear;
  *clear.mutable_key() = ToProto(done[0]);
  *clear.add_keys() = ToProto(failed[0]);
  const std::string tip = Tip("main");
  const int commits = Commits("main");
  clear.set_dry_run(true);
  auto plan = api_->ClearRuns(clear);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->changes(0).action(), "remove");
  EXPECT_THAT(plan->changes(0).path(), HasSubstr(Dir(done[0], "completed") + "/run."));
  EXPECT_EQ(Tip("main"), tip);
  clear.set_dry_run(false);
  ASSERT_TRUE(api_->ClearRuns(clear).ok());
  EXPECT_EQ(Commits("main"), commits + 1);
  EXPECT_EQ(Subject("main"), "remove failed jobs run info (2 jobs)");
  EXPECT_EQ(GetMain(done[0]).runs_size(), 0);
  EXPECT_EQ(GetMain(failed[0]).runs_size(), 0);

  // One refusal refuses the whole request: a queued job, an unknown one,
  // a job named twice, a job without markers left.
  const std::string now = Tip("main");
  v1::ClearRunsRequest mixed;
  *mixed.add_keys() = ToProto(WithRuns(State::kFailed).at(0));
  *mixed.add_keys() = ToProto(queued);
  ExpectRefused(api_->ClearRuns(mixed).status(), absl::StatusCode::kFailedPrecondition,
                "is in queued/", now);
  *mixed.mutable_keys(1) = ToProto(JobKey{queued.study_id, queued.batch_id, "job.9999"});
  ExpectRefused(api_->ClearRuns(mixed).status(), absl::StatusCode::kNotFound, "unknown job", now);
  *mixed.mutable_keys(1) = mixed.keys(0);
  ExpectRefused(api_->ClearRuns(mixed).status(), absl::StatusCode::kInvalidArgument,
                "named twice", now);
  *mixed.mutable_keys(1) = ToProto(done[0]);
  ExpectRefused(api_->ClearRuns(mixed).status(), absl::StatusCode::kFailedPrecondition,
                "has no run markers", now);

  // remove-analysis: two analyses of one batch, one commit, every other
  // line kept.
  const v1::Job job = GetMain(done[0]);
  ASSERT_GT(job.analyses_size(), 0);
  const v1::Job other = GetMain(failed[0]);
  ASSERT_EQ(other.key().study_id(), job.key().study_id());
  ASSERT_EQ(other.key().batch_id(), job.key().batch_id());
  const std::string path = absl::StrCat("main:jobs/", job.key().study_id(), "/", job.key().batch_id(),
                                        "/batch-summary.tsv");
  const std::string before = Git(clone(), "show " + path);
  v1::RemoveAnalysisRequest remove;
  remove.set_study_id(job.key().study_id());
  remove.set_batch_id(job.key().batch_id());
  remove.add_analysis_ids(job.analyses(0).analysis_id());
  remove.add_analysis_ids(other.analyses(0).analysis_id());
  remove.add_analysis_ids("00000000-0000-4000-8000-000000000000");
  ExpectRefused(api_->RemoveAnalysis(remove).status(), absl::StatusCode::kNotFound,
                "00000000-0000-4000-8000-000000000000 is not in", now);
  remove.mutable_analysis_ids()->RemoveLast();
  ASSERT_TRUE(api_->RemoveAnalysis(remove).ok());
  EXPECT_EQ(Commits("main"), commits + 2);  // clear-runs, remove-analysis
  EXPECT_THAT(Subject("main"), HasSubstr("remove 2 analyses from"));
  const std::string after = Git(clone(), "show " + path);
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(before, '\n')).size(),
            std::vector<std::string>(absl::StrSplit(after, '\n')).size() + 2);
  EXPECT_THAT(after, ::testing::Not(HasSubstr(job.analyses(0).analysis_id())));
}

TEST_F(AdminWriterTest, RemoveJobsDeletesFoldersAndSummaryLines) {
  const JobKey queued = QueueOne();
  const JobKey gone = JobsIn(State::kFailed).at(0);
  const std::string summary = absl::StrCat("main:jobs/", gone.study_id, "/", gone.batch_id,
                                           "/batch-summary.tsv");
  ASSERT_THAT(Git(clone(), "show " + summary), HasSubstr(gone.job_id + "\t"));
  v1::RemoveJobsRequest req;
  *req.add_keys() = ToProto(gone);
  req.set_dry_run(true);
  const std::string tip = Tip("main");
  auto plan = api_->RemoveJobs(req);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->changes_size(), 2);
  EXPECT_EQ(plan->changes(0).path(), Dir(gone, "failed"));
  EXPECT_EQ(plan->changes(1).action(), "edit");
  EXPECT_THAT(plan->changes(1).detail(), HasSubstr("of " + gone.job_id + " removed"));
  EXPECT_EQ(Tip("main"), tip);
  req.set_dry_run(false);
  ASSERT_TRUE(api_->RemoveJobs(req).ok());
  EXPECT_EQ(Subject("main"), absl::StrCat("remove-job: delete 1 job (", gone.study_id, "/",
                                          gone.batch_id, "/", gone.job_id, ")"));
  EXPECT_THAT(Git(clone(), "show " + summary), ::testing::Not(HasSubstr(gone.job_id + "\t")));
  EXPECT_EQ(store_->reader().GetJob("main", gone).status().code(), absl::StatusCode::kNotFound);

  // Refused, writing nothing: queued (the scheduler's), unknown, on the
  // scheduler branch, a folder the job is not in, queued/ as --folder.
  const std::string now = Tip("main");
  v1::RemoveJobsRequest bad;
  *bad.add_keys() = ToProto(queued);
  ExpectRefused(api_->RemoveJobs(bad).status(), absl::StatusCode::kFailedPrecondition,
                "belongs to the scheduler", now);
  *bad.mutable_keys(0) = ToProto(gone);
  ExpectRefused(api_->RemoveJobs(bad).status(), absl::StatusCode::kNotFound, "unknown job", now);
  *bad.mutable_keys(0) = ToProto(JobsIn(State::kBacklog).at(0));
  bad.mutable_options()->set_branch("scheduler");
  ExpectRefused(api_->RemoveJobs(bad).status(), absl::StatusCode::kInvalidArgument,
                "main only", now);
  bad.mutable_options()->clear_branch();
  bad.set_folder("completed");
  ExpectRefused(api_->RemoveJobs(bad).status(), absl::StatusCode::kNotFound,
                "is not in completed/ (it is in backlog/)", now);
  bad.set_folder("queued");
  ExpectRefused(api_->RemoveJobs(bad).status(), absl::StatusCode::kInvalidArgument,
                "must be backlog, failed, completed or onhold", now);

  // A backlog job the scheduler started since main last merged it: main
  // still shows it in backlog, yet it is the scheduler's now.
  const JobKey started = JobsIn(State::kBacklog).at(0);
  Transition start;
  start.key = started;
  start.from = State::kBacklog;
  start.to = State::kQueued;
  ASSERT_TRUE(store_->writer().TransitionJobs({}, {start}).ok());
  bad.clear_folder();
  *bad.mutable_keys(0) = ToProto(started);
  ExpectRefused(api_->RemoveJobs(bad).status(), absl::StatusCode::kFailedPrecondition,
                "on the scheduler branch", now);
}

TEST_F(AdminWriterTest, HeldJobsAreListedShownCountedAndReleased) {
  const JobKey queued = QueueOne();
  const JobKey a = JobsIn(State::kBacklog).at(0), b = JobsIn(State::kFailed).at(0);
  v1::HoldJobsRequest hold;
  *hold.add_keys() = ToProto(a);
  *hold.add_keys() = ToProto(b);
  const int commits = Commits("main");
  ASSERT_TRUE(api_->HoldJobs(hold).ok());
  EXPECT_EQ(Commits("main"), commits + 1);
  EXPECT_THAT(Subject("main"), HasSubstr("hold: move 2 jobs to onhold/"));
  // As the real repository's admins made it: onhold/ with a .gitkeep.
  EXPECT_THAT(Git(clone(), absl::StrCat("ls-tree --name-only main:jobs/", a.study_id, "/",
                                        a.batch_id, "/onhold")),
              HasSubstr(".gitkeep"));
  EXPECT_EQ(GetMain(a).state(), v1::JOB_STATE_ONHOLD);

  // Listed when asked for (or with every state), never with the states the
  // scheduler asks for; counted by the report; not an unknown folder.
  v1::ListJobsRequest list;
  list.set_branch("main");
  list.add_states(v1::JOB_STATE_ONHOLD);
  auto held = api_->ListJobs(list);
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_EQ(held->jobs_size(), 2);
  EXPECT_EQ(held->jobs(0).state(), v1::JOB_STATE_ONHOLD);
  list.clear_states();
  auto every = api_->ListJobs(list);
  ASSERT_TRUE(every.ok());
  EXPECT_EQ(every->total_size(), 60);
  list.add_states(v1::JOB_STATE_BACKLOG);
  list.add_states(v1::JOB_STATE_FAILED);
  auto scheduler_view = api_->ListJobs(list);
  ASSERT_TRUE(scheduler_view.ok());
  for (const auto& j : scheduler_view->jobs()) {
    EXPECT_FALSE(j.key().study_id() == a.study_id && j.key().batch_id() == a.batch_id &&
                 j.key().job_id() == a.job_id);
  }
  v1::ReportRequest report;
  report.set_branch("main");
  auto counts = api_->Report(report);
  ASSERT_TRUE(counts.ok());
  int onhold = 0;
  for (const auto& s : counts->studies()) {
    auto it = s.other_folders().find("onhold");
    if (it != s.other_folders().end()) onhold += it->second;
  }
  EXPECT_EQ(onhold, 2);
  auto audit = store_->reader().Audit(AuditQuery{"main", {}});
  ASSERT_TRUE(audit.ok());
  for (const Finding& f : audit->findings) EXPECT_NE(f.code, "UNKNOWN_FOLDER") << f.message;

  // Refusals: hold twice, hold a queued or completed job, release a job
  // that is not held, release to queued/.
  const std::string now = Tip("main");
  ExpectRefused(api_->HoldJobs(hold).status(), absl::StatusCode::kFailedPrecondition,
                "only backlog and failed jobs are held", now);
  v1::HoldJobsRequest bad;
  *bad.add_keys() = ToProto(queued);
  ExpectRefused(api_->HoldJobs(bad).status(), absl::StatusCode::kFailedPrecondition,
                "queued/ belongs to the scheduler", now);
  v1::ReleaseJobsRequest release;
  *release.add_keys() = ToProto(JobsIn(State::kCompleted).at(0));
  ExpectRefused(api_->ReleaseJobs(release).status(), absl::StatusCode::kFailedPrecondition,
                "not held in onhold/", now);
  *release.mutable_keys(0) = ToProto(b);
  release.set_to_state(v1::JOB_STATE_QUEUED);
  ExpectRefused(api_->ReleaseJobs(release).status(), absl::StatusCode::kInvalidArgument,
                "released to backlog or failed", now);

  // b goes back to failed/, with its runs.
  const int runs = GetMain(b).runs_size();
  release.set_to_state(v1::JOB_STATE_FAILED);
  ASSERT_TRUE(api_->ReleaseJobs(release).ok());
  EXPECT_THAT(Subject("main"), HasSubstr("release: move 1 job from onhold/ to failed/"));
  EXPECT_EQ(GetMain(b).state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(GetMain(b).runs_size(), runs);
}

TEST_F(AdminWriterTest, RevertUndoesAnAdminCommitAndRefusesTheSchedulersOrLaterWork) {
  const JobKey a = JobsIn(State::kBacklog).at(0);
  v1::HoldJobsRequest hold;
  *hold.add_keys() = ToProto(a);
  auto held = api_->HoldJobs(hold);
  ASSERT_TRUE(held.ok());
  const std::string tree_before = Git(clone(), "rev-parse main~1^{tree}");

  v1::RevertCommitRequest revert;
  revert.set_commit(held->commit().substr(0, 10));
  revert.set_dry_run(true);
  auto plan = api_->RevertCommit(revert);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_GE(plan->changes_size(), 2);
  EXPECT_THAT(plan->message(), HasSubstr("Revert \"hold: move 1 job to onhold/"));
  EXPECT_EQ(Tip("main"), held->commit());
  revert.set_dry_run(false);
  auto reverted = api_->RevertCommit(revert);
  ASSERT_TRUE(reverted.ok()) << reverted.status();
  EXPECT_EQ(Git(clone(), "rev-parse main^{tree}"), tree_before);
  EXPECT_THAT(Git(clone(), "log -1 --format=%B main"),
              HasSubstr("This reverts commit " + held->commit()));
  EXPECT_EQ(GetMain(a).state(), v1::JOB_STATE_BACKLOG);

  // Reverting it again: its paths changed since (by the revert itself).
  const std::string now = Tip("main");
  ExpectRefused(api_->RevertCommit(revert).status(), absl::StatusCode::kFailedPrecondition,
                "since", now);
  // A scheduler commit brought into main touches queued/: refused.
  Transition start;
  start.key = a;
  start.from = State::kBacklog;
  start.to = State::kQueued;
  auto started = store_->writer().TransitionJobs({}, {start});
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(store_->writer().Merge(WriteOptions{"main"}, "scheduler").ok());
  const std::string merged = Tip("main");
  revert.set_commit(started->commit);
  ExpectRefused(api_->RevertCommit(revert).status(), absl::StatusCode::kFailedPrecondition,
                "only the scheduler changes", merged);
  revert.set_commit(merged);
  ExpectRefused(api_->RevertCommit(revert).status(), absl::StatusCode::kFailedPrecondition,
                "a merge", merged);
  revert.set_commit("0123456789abcdef0123456789abcdef01234567");
  ExpectRefused(api_->RevertCommit(revert).status(), absl::StatusCode::kNotFound, "no commit",
                merged);
  revert.set_commit("HEAD~1");
  ExpectRefused(api_->RevertCommit(revert).status(), absl::StatusCode::kInvalidArgument,
                "not a commit id", merged);
  revert.set_commit(held->commit());
  revert.mutable_options()->set_branch("scheduler");
  ExpectRefused(api_->RevertCommit(revert).status(), absl::StatusCode::kInvalidArgument,
                "main only", merged);
}

}  // namespace
}  // namespace tracker::repo
