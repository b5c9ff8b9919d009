// StoreWriter on a generated repository: commits git reads back, all or
// nothing, compare-and-swap against racing writers, and validation that
// writes nothing.

#include "services/repo_service/writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/repo_service/store_test_fixture.h"

namespace tracker::repo {
namespace {

using ::testing::HasSubstr;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

class WriterTest : public StoreTest {
 protected:
  static Transition Move(const JobKey& key, State from, State to) {
    Transition t;
    t.key = key;
    t.from = from;
    t.to = to;
    return t;
  }
  void ExpectFsckClean() {
    auto fsck = Shell(absl::StrCat("git -C ", ShellQuote(clone()), " fsck --full --strict 2>&1"));
    EXPECT_EQ(fsck.exit_code, 0) << fsck.output;
  }
};

TEST_F(WriterTest, MoveAndMoveBackGivesTheSameTree) {
  const std::string tree_before = Git(clone(), "rev-parse scheduler^{tree}");
  const JobKey job = JobsIn(State::kCompleted).at(0);
  auto moved = store_->writer().TransitionJobs({}, {Move(job, State::kCompleted, State::kBacklog)});
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->branch, "scheduler");
  EXPECT_EQ(moved->commit, Tip("scheduler"));
  EXPECT_EQ(Git(clone(), "log -1 --format=%s scheduler"), "[scheduler] update job status");
  EXPECT_NE(Git(clone(), "rev-parse scheduler^{tree}"), tree_before);
  EXPECT_EQ(Git(clone(), absl::StrCat("ls-tree --name-only scheduler:jobs/", job.study_id, "/",
                                      job.batch_id, "/backlog/", job.job_id)),
            Git(remote_, absl::StrCat("ls-tree --name-only scheduler:jobs/", job.study_id, "/",
                                      job.batch_id, "/completed/", job.job_id)));
  ASSERT_TRUE(
      store_->writer().TransitionJobs({}, {Move(job, State::kBacklog, State::kCompleted)}).ok());
  EXPECT_EQ(Git(clone(), "rev-parse scheduler^{tree}"), tree_before);
  ExpectFsckClean();
}

TEST_F(WriterTest, APendingStartRecordIsReplacedByTheRunMarker) {
  const JobKey job = JobsIn(State::kBacklog).at(0);
  Transition intent = Move(job, State::kBacklog, State::kQueued);
  intent.add_run = Marker{1800000000, "rdpc_qa", "pending-a2", ""};
  ASSERT_TRUE(store_->writer().TransitionJobs({}, {intent}).ok());

  Transition record = Move(job, State::kQueued, State::kQueued);
  record.add_run = Marker{1800000000, "rdpc_qa", "wes-0123456789abcdef0123456789abcdef", ""};
  record.remove_run_file = "run.1800000000.rdpc_qa.pending-a2";
  auto recorded = store_->writer().TransitionJobs({}, {record});
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  auto detail = store_->reader().GetJob("", job);
  ASSERT_TRUE(detail.ok()) << detail.status();
  EXPECT_EQ(detail->state, State::kQueued);
  ASSERT_EQ(detail->runs.size(), 1u);
  EXPECT_EQ(detail->runs[0].file_name,
            "run.1800000000.rdpc_qa.wes-0123456789abcdef0123456789abcdef");

  // The record is gone now: removing it again changes nothing.
  const std::string tip = Tip("scheduler");
  record.add_run.reset();
  EXPECT_EQ(store_->writer().TransitionJobs({}, {record}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  record.remove_run_file = "params.json";
  EXPECT_EQ(store_->writer().TransitionJobs({}, {record}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Tip("scheduler"), tip);
}

TEST_F(WriterTest, TwoWritersRacingOnOneJobExactlyOneWins) {
  std::atomic<int> wins{0}, losses{0};
  const std::string tip = Tip("scheduler");
  const JobKey job = JobsIn(State::kCompleted).at(0);
  auto writer = [&] {
    WriteOptions options;
    options.expected_tip = tip;
    auto r = store_->writer().TransitionJobs(options, {Move(job, State::kCompleted, State::kFailed)});
    if (r.ok()) {
      ++wins;
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted) << r.status();
      ++losses;
    }
  };
  std::thread a(writer), b(writer);
  a.join();
  b.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(losses.load(), 1);
  EXPECT_EQ(Git(clone(), "rev-parse scheduler~1"), tip);
}

// Every write is one pack; the packs are merged as they pile up, readers
// are told, and no removed pack stays open.
TEST_F(WriterTest, ManyWritesLeaveFewPacksAndEveryObjectReadable) {
  const auto packs = [&] { return std::stoi(Git(clone(), "count-objects -v | sed -n 's/^packs: //p'")); };
  const int packs_at_start = packs();
  ASSERT_TRUE(store_->writer().SetFlag({}, FlagKind::kExcessiveFailure, "rdpc_qa", "5 failures\n").ok());
  std::vector<JobKey> jobs = JobsIn(State::kCompleted);
  ASSERT_GE(jobs.size(), 20u);
  jobs.resize(20);
  // 40 more writes: each job there and back.
  for (State to : {State::kFailed, State::kCompleted}) {
    const State from = to == State::kFailed ? State::kCompleted : State::kFailed;
    for (const JobKey& job : jobs) {
      // A reader between writes keeps a pooled handle that a merge retires.
      ASSERT_TRUE(store_->reader().GetJob("", job).ok());
      ASSERT_TRUE(store_->writer().TransitionJobs({}, {Move(job, from, to)}).ok());
    }
  }
  // 41 packs written, merged after every 16: far fewer remain.
  EXPECT_LE(packs(), packs_at_start + 16);
  // The process let go of the merged packs: none stays open or mapped,
  // holding its disk space.
  EXPECT_EQ(tracker::testing::DeletedFilesStillHeld("objects/pack/"), "");
  const auto check = [&] {
    for (const JobKey& job : jobs) {
      auto read = store_->reader().GetJob("", job);
      ASSERT_TRUE(read.ok()) << read.status();
      EXPECT_EQ(read->state, State::kCompleted);
      EXPECT_FALSE(read->params_json.empty());
    }
    auto flags = store_->reader().ListFlags("");
    ASSERT_TRUE(flags.ok()) << flags.status();
    ASSERT_EQ(flags->flags.size(), 1u);
    EXPECT_EQ(flags->flags[0].content, "5 failures\n");
  };
  check();
  OpenStore();
  check();
  ExpectFsckClean();
}

TEST_F(WriterTest, AnImportedBatchIsReadAndItsAnalysesStayUnique) {
  BatchImport batch;
  batch.study_id = JobsIn(State::kCompleted).at(0).study_id;
  batch.batch_id = "2030-01-01";
  batch.summary_tsv = "# new\njob.0001\t2\t300\tnew-a\t100\njob.0001\t2\t300\tnew-b\t200\n";
  batch.params_json["job.0001"] = absl::StrCat(R"({"study_id": ")", batch.study_id,
                                               R"(", "analysis_id": ["new-a", "new-b"]})");
  batch.dry_run = true;
  const std::string main_before = Tip("main");
  auto checked = store_->writer().ImportBatch({}, batch);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_FALSE(checked->result.has_value());
  EXPECT_EQ(Tip("main"), main_before);
  batch.dry_run = false;
  auto imported = store_->writer().ImportBatch({}, batch);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->job_count, 1);
  EXPECT_EQ(imported->analysis_count, 2);
  EXPECT_EQ(imported->total_bytes, 300);
  EXPECT_EQ(Git(clone(), absl::StrCat("show main:jobs/", batch.study_id, "/2030-01-01/batch-summary.tsv")),
            "# new\njob.0001\t2\t300\tnew-a\t100\njob.0001\t2\t300\tnew-b\t200");
  auto job = store_->reader().GetJob("main", JobKey{batch.study_id, "2030-01-01", "job.0001"});
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state, State::kBacklog);
  EXPECT_EQ(job->batch_line_count, 2);

  // An analysis already in another batch is refused, naming both places.
  BatchImport dup = batch;
  dup.batch_id = "2030-01-02";
  auto refused = store_->writer().ImportBatch({}, dup);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr(absl::StrCat(batch.study_id, "/2030-01-01/job.0001")));

  // Removing one analysis keeps every other byte, the comment too.
  auto removed = store_->writer().RemoveAnalysis({}, batch.study_id, "2030-01-01", {"new-a"});
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(Git(clone(), absl::StrCat("show main:jobs/", batch.study_id, "/2030-01-01/batch-summary.tsv")),
            "# new\njob.0001\t2\t300\tnew-b\t200");
  ExpectFsckClean();
}

TEST_F(WriterTest, FlagsAndRunsAreSetAndCleared) {
  ASSERT_TRUE(store_->writer().SetFlag({}, FlagKind::kPause, "rdpc_prod", "").ok());
  EXPECT_EQ(Git(clone(), "log -1 --format=%s main"), "pause rdpc_prod");
  ASSERT_TRUE(store_->writer().ClearFlag({}, FlagKind::kPause, "rdpc_prod").ok());
  EXPECT_EQ(Git(clone(), "log -1 --format=%s main"), "unpause rdpc_prod");
  auto again = store_->writer().ClearFlag({}, FlagKind::kPause, "rdpc_prod");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kNotFound);

  WriteOptions on_scheduler;
  on_scheduler.branch = "scheduler";
  const JobKey failed = JobsIn(State::kFailed).at(0);
  ASSERT_TRUE(store_->writer().ClearRuns(on_scheduler, {failed}).ok());
  auto job = store_->reader().GetJob("", failed);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_TRUE(job->runs.empty());
  EXPECT_EQ(store_->writer().ClearRuns(on_scheduler, {failed}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// Bad input through the gRPC face: the right code, a message naming the
// problem, and both branch tips unchanged.
TEST_F(WriterTest, BadInputGetsTheRightCodeAndChangesNothing) {
  const JobKey job = JobsIn(State::kCompleted).at(0);
  auto transition = [&](const std::string& study, const std::string& batch, const std::string& id,
                        tracker::v1::JobState from, tracker::v1::JobState to,
                        const std::string& branch = "") {
    return api_->TransitionJobs(TransitionRequest(study, batch, id, from, to, branch)).status();
  };
  const auto C = tracker::v1::JOB_STATE_COMPLETED;
  const auto B = tracker::v1::JOB_STATE_BACKLOG;
  const auto Q = tracker::v1::JOB_STATE_QUEUED;
  struct Case {
    std::string name;
    absl::Status status;
    absl::StatusCode code;
    std::string says;
  };
  const std::string main_before = Tip("main"), sched_before = Tip("scheduler");
  tracker::v1::SetFlagRequest no_kind;
  no_kind.mutable_flag()->set_environment("rdpc_qa");
  std::vector<Case> cases = {
      {"path traversal", transition(job.study_id, job.batch_id, "../../x", C, B),
       absl::StatusCode::kInvalidArgument, "invalid job id"},
      {"unknown study", transition("XXXX-YY", job.batch_id, job.job_id, C, B),
       absl::StatusCode::kNotFound, "unknown study XXXX-YY"},
      {"not in the expected state", transition(job.study_id, job.batch_id, job.job_id, B, C),
       absl::StatusCode::kFailedPrecondition, "is in completed/, not in backlog/"},
      {"queued/ on main", transition(job.study_id, job.batch_id, job.job_id, C, Q, "main"),
       absl::StatusCode::kFailedPrecondition, "queued/ belongs to the scheduler"},
      {"unknown branch", transition(job.study_id, job.batch_id, job.job_id, C, B, "master"),
       absl::StatusCode::kInvalidArgument, "invalid branch"},
      {"unspecified state",
       transition(job.study_id, job.batch_id, job.job_id, tracker::v1::JOB_STATE_UNSPECIFIED, B),
       absl::StatusCode::kInvalidArgument, "from_state must be BACKLOG"},
      {"flag without a kind", api_->SetFlag(no_kind).status(), absl::StatusCode::kInvalidArgument,
       "flag.kind must be PAUSE or EXCESSIVE_FAILURE"},
      {"merge source", store_->writer().Merge(WriteOptions{"scheduler"}, "feature").status(),
       absl::StatusCode::kInvalidArgument, "merge source 'feature'"},
      {"merge into itself", store_->writer().Merge(WriteOptions{"main"}, "main").status(),
       absl::StatusCode::kInvalidArgument, "cannot be merged into itself"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.code(), c.code) << c.name << ": " << c.status;
    EXPECT_THAT(std::string(c.status.message()), HasSubstr(c.says)) << c.name;
  }
  EXPECT_EQ(Tip("main"), main_before);
  EXPECT_EQ(Tip("scheduler"), sched_before);
}

}  // namespace
}  // namespace tracker::repo
