// The store, through its gRPC face, against the excerpt of the real tracking
// repository (../shared/fixtures, optional): the real history's reports,
// merges, duplicates and bad inputs (its audit: excerpt_audit_test). The same behaviour on a generated
// repository, which every clone has, is in reader_test, writer_test and
// sync_test.

#include "services/repo_service/excerpt_fixture.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "testing/test_util.h"

namespace tracker::repo {
namespace {

using ::testing::HasSubstr;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using tracker::v1::JobState;

// The seed's report loop, verbatim.
constexpr char kSeedLoop[] = R"(cd jobs && for s in *-*;
do
  for f in `echo backlog queued failed completed`;
    do echo -n "$s $f "; ls $s/*/$f/*/params.json 2>/dev/null |wc -l |sed 's/ //g';
  done;
done)";

TEST_F(ExcerptTest, ReportIsByteForByteTheSeedLoop) {
  // The tip (all completed) and a commit 80 back with a real mix of states.
  for (const std::string& rev : {std::string("scheduler"), std::string("scheduler~80")}) {
    std::string commit = Git(remote_, absl::StrCat("rev-parse ", rev));
    std::string dir = Checkout(commit);
    auto seed = Shell(absl::StrCat("cd ", ShellQuote(dir), " && LC_ALL=C bash -c ",
                                 ShellQuote(kSeedLoop)));
    ASSERT_EQ(seed.exit_code, 0) << seed.output;
    tracker::v1::ReportRequest req;
    req.set_commit(commit);
    auto report = api_->Report(req);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->text(), seed.output) << rev;
    EXPECT_EQ(report->commit(), commit);
  }
}

TEST_F(ExcerptTest, EveryJobIsListedWithItsStateAndMarkers) {
  std::string dir = Checkout(Git(remote_, "rev-parse scheduler"));
  auto found = Shell(absl::StrCat("cd ", ShellQuote(dir), " && find jobs -mindepth 5 -maxdepth 5 "
                                "-type f | grep -E '/(backlog|queued|failed|completed)/' | sort"));
  // job path -> sorted file names
  std::map<std::string, std::set<std::string>> expected;
  for (absl::string_view line : absl::StrSplit(found.output, '\n', absl::SkipEmpty())) {
    size_t slash = line.rfind('/');
    expected[std::string(line.substr(0, slash))].insert(std::string(line.substr(slash + 1)));
  }
  // 1,264 params.json in all: 1,259 under jobs/, 5 more under demo-jobs/.
  ASSERT_EQ(expected.size(), 1259u);

  std::map<std::string, std::set<std::string>> listed;
  tracker::v1::ListJobsRequest req;
  req.set_page_size(500);
  int pages = 0;
  do {
    auto page = api_->ListJobs(req);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->total_size(), 1259);
    for (const auto& job : page->jobs()) {
      std::string state = absl::AsciiStrToLower(
          absl::StripPrefix(tracker::v1::JobState_Name(job.state()), "JOB_STATE_"));
      std::string path = absl::StrCat("jobs/", job.key().study_id(), "/", job.key().batch_id(),
                                      "/", state, "/", job.key().job_id());
      tracker::v1::GetJobRequest get;
      *get.mutable_key() = job.key();
      auto detail = api_->GetJob(get);
      ASSERT_TRUE(detail.ok()) << detail.status();
      std::set<std::string> files = {"params.json"};
      for (const auto& run : detail->runs()) {
        files.insert(run.file_name());
        EXPECT_GT(run.epoch_seconds(), 1600000000);
        EXPECT_THAT(run.run_id(), ::testing::StartsWith("wes-"));
      }
      EXPECT_FALSE(detail->params_json().empty());
      EXPECT_GE(detail->batch_line_count(), 1) << path;
      listed[path] = files;
    }
    req.set_page_token(page->next_page_token());
    ++pages;
  } while (!req.page_token().empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed, expected);
}

TEST_F(ExcerptTest, MoveAndMoveBackGivesTheSameTree) {
  std::string tree_before = Git(tmp_.path() + "/clone.git", "rev-parse scheduler^{tree}");
  tracker::v1::TransitionJobsRequest there;
  auto* t = there.add_transitions();
  t->mutable_key()->set_study_id("PACA-CA");
  t->mutable_key()->set_batch_id("2021-07-09");
  t->mutable_key()->set_job_id("job.0001");
  t->set_from_state(tracker::v1::JOB_STATE_COMPLETED);
  t->set_to_state(tracker::v1::JOB_STATE_BACKLOG);
  auto moved = api_->TransitionJobs(there);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_NE(Git(tmp_.path() + "/clone.git", "rev-parse scheduler^{tree}"), tree_before);

  tracker::v1::TransitionJobsRequest back = there;
  back.mutable_transitions(0)->set_from_state(tracker::v1::JOB_STATE_BACKLOG);
  back.mutable_transitions(0)->set_to_state(tracker::v1::JOB_STATE_COMPLETED);
  ASSERT_TRUE(api_->TransitionJobs(back).ok());
  EXPECT_EQ(Git(tmp_.path() + "/clone.git", "rev-parse scheduler^{tree}"), tree_before);
  auto fsck = Shell(absl::StrCat("git -C ", ShellQuote(tmp_.path() + "/clone.git"), " fsck --full"));
  EXPECT_EQ(fsck.exit_code, 0) << fsck.output;
}

// Every write is one pack; the packs are merged as they pile up, and libgit2
// is told, so reads keep working and git finds nothing wrong.
TEST_F(ExcerptTest, ManyWritesLeaveFewPacksAndEveryObjectReadable) {
  const std::string clone = tmp_.path() + "/clone.git";
  const auto packs = [&] {
    return std::stoi(Git(clone, "count-objects -v | sed -n 's/^packs: //p'"));
  };
  const int packs_at_start = packs();
  tracker::v1::SetFlagRequest flag;
  flag.mutable_flag()->set_kind(tracker::v1::FLAG_KIND_EXCESSIVE_FAILURE);
  flag.mutable_flag()->set_environment("rdpc_qa");
  flag.mutable_flag()->set_content("5 failures since the last push\n");
  ASSERT_TRUE(api_->SetFlag(flag).ok());

  tracker::v1::ListJobsRequest list;
  list.add_states(tracker::v1::JOB_STATE_COMPLETED);
  list.set_page_size(40);
  auto jobs = api_->ListJobs(list);
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  ASSERT_EQ(jobs->jobs_size(), 40);
  for (const auto& job : jobs->jobs()) {
    tracker::v1::TransitionJobsRequest req;
    auto* t = req.add_transitions();
    *t->mutable_key() = job.key();
    t->set_from_state(tracker::v1::JOB_STATE_COMPLETED);
    t->set_to_state(tracker::v1::JOB_STATE_FAILED);
    ASSERT_TRUE(api_->TransitionJobs(req).ok());
  }
  // 41 packs written, merged after every 16: far fewer remain.
  EXPECT_LE(packs(), packs_at_start + 16);
  // The process let go of the merged packs: none stays open or mapped,
  // holding its disk space.
  EXPECT_EQ(tracker::testing::DeletedFilesStillHeld("objects/pack/"), "");
  const auto check = [&] {
    for (const auto& job : jobs->jobs()) {
      tracker::v1::GetJobRequest get;
      *get.mutable_key() = job.key();
      auto read = api_->GetJob(get);
      ASSERT_TRUE(read.ok()) << read.status();
      EXPECT_EQ(read->state(), tracker::v1::JOB_STATE_FAILED);
      EXPECT_FALSE(read->params_json().empty());
    }
    auto flags = api_->ListFlags({});
    ASSERT_TRUE(flags.ok()) << flags.status();
    ASSERT_EQ(flags->flags_size(), 1);
    EXPECT_EQ(flags->flags(0).content(), "5 failures since the last push\n");
  };
  check();
  OpenStore();
  check();
  auto fsck = Shell(absl::StrCat("git -C ", ShellQuote(clone), " fsck --full --strict 2>&1"));
  EXPECT_EQ(fsck.exit_code, 0) << fsck.output;
  EXPECT_EQ(Git(clone, "count-objects -v | sed -n 's/^garbage: //p'"), "0");
}

TEST_F(ExcerptTest, APendingStartRecordIsReplacedByTheRunMarker) {
  tracker::v1::TransitionJobsRequest intent;
  auto* t = intent.add_transitions();
  t->mutable_key()->set_study_id("PACA-CA");
  t->mutable_key()->set_batch_id("2021-07-09");
  t->mutable_key()->set_job_id("job.0001");
  t->set_from_state(tracker::v1::JOB_STATE_COMPLETED);
  t->set_to_state(tracker::v1::JOB_STATE_QUEUED);
  t->mutable_add_run()->set_epoch_seconds(1800000000);
  t->mutable_add_run()->set_environment("rdpc_qa");
  t->mutable_add_run()->set_run_id("pending-a2");
  ASSERT_TRUE(api_->TransitionJobs(intent).ok());

  tracker::v1::TransitionJobsRequest record = intent;
  auto* r = record.mutable_transitions(0);
  r->set_from_state(tracker::v1::JOB_STATE_QUEUED);
  r->set_to_state(tracker::v1::JOB_STATE_QUEUED);
  r->mutable_add_run()->set_run_id("wes-0123456789abcdef0123456789abcdef");
  r->set_remove_run_file("run.1800000000.rdpc_qa.pending-a2");
  auto recorded = api_->TransitionJobs(record);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  tracker::v1::GetJobRequest get;
  *get.mutable_key() = t->key();
  auto job = api_->GetJob(get);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state(), tracker::v1::JOB_STATE_QUEUED);
  EXPECT_EQ(job->runs(job->runs_size() - 1).file_name(),
            "run.1800000000.rdpc_qa.wes-0123456789abcdef0123456789abcdef");
  for (const auto& run : job->runs()) EXPECT_NE(run.run_id(), "pending-a2");

  // The record is gone now: removing it again changes nothing.
  std::string tip = Tip("scheduler");
  r->clear_add_run();
  auto again = api_->TransitionJobs(record);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();
  r->set_remove_run_file("params.json");
  EXPECT_EQ(api_->TransitionJobs(record).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Tip("scheduler"), tip);
}

TEST_F(ExcerptTest, MergesTheRealMainIntoSchedulerAsGitDidOrRefusesQueuedEdits) {
  // Replay the real history's "Merge branch 'main' into scheduler" commits:
  // scheduler at the first parent, main at the second, then merge. Where the
  // admins' side left queued/ alone, the result must be git's own tree; where
  // they moved a job out of queued/ by hand (it happened once, for
  // PACA-CA/2021-08-27/job.0008), the merge must be refused naming the job.
  std::string merges = Git(remote_, "log --all --merges --format=%H --grep=\"into scheduler\"");
  int clean = 0, refused = 0;
  for (absl::string_view merge : absl::StrSplit(merges, '\n', absl::SkipEmpty())) {
    std::string m(merge);
    std::string ours = Git(remote_, absl::StrCat("rev-parse ", m, "^1"));
    std::string theirs = Git(remote_, absl::StrCat("rev-parse ", m, "^2"));
    std::string base = Git(remote_, absl::StrCat("merge-base ", ours, " ", theirs));
    std::string admin_queued = Git(
        remote_, absl::StrCat("diff --name-only ", base, " ", theirs, " | grep /queued/ | head -1"));
    Git(remote_, absl::StrCat("update-ref refs/heads/scheduler ", ours));
    Git(remote_, absl::StrCat("update-ref refs/heads/main ", theirs));
    api_.reset();
    store_.reset();
    Shell(absl::StrCat("rm -rf ", ShellQuote(tmp_.path() + "/clone.git")));
    OpenStore();
    tracker::v1::MergeRequest req;
    req.mutable_options()->set_branch("scheduler");
    req.set_source("main");
    auto merged = api_->Merge(req);
    if (!admin_queued.empty()) {
      EXPECT_EQ(merged.status().code(), absl::StatusCode::kFailedPrecondition) << m;
      std::string job_dir = admin_queued.substr(0, admin_queued.rfind('/'));
      EXPECT_THAT(std::string(merged.status().message()), HasSubstr(job_dir));
      EXPECT_EQ(Tip("scheduler"), ours);
      ++refused;
      continue;
    }
    ASSERT_TRUE(merged.ok()) << merged.status();
    EXPECT_FALSE(merged->up_to_date());
    EXPECT_EQ(Git(tmp_.path() + "/clone.git", "rev-parse scheduler^{tree}"),
              Git(remote_, absl::StrCat("rev-parse ", m, "^{tree}")))
        << "merge " << m;
    EXPECT_EQ(Git(tmp_.path() + "/clone.git", "rev-parse scheduler^2"), theirs);
    ++clean;
  }
  EXPECT_EQ(clean, 1);
  EXPECT_EQ(refused, 1);
}

TEST_F(ExcerptTest, ADuplicateAnalysisIsRefusedNamingBothPlaces) {
  tracker::v1::ImportBatchRequest req;
  req.set_study_id("PACA-CA");
  req.set_batch_id("2021-12-01");
  // EGAR00001228396 is job.0003 of PACA-CA/2021-07-09 in the real data.
  req.set_summary_tsv("job.0001\t1\t100\tEGAR00001228396\t100\n");
  (*req.mutable_params_json())["job.0001"] =
      R"({"study_id": "PACA-CA", "analysis_id": ["EGAR00001228396"]})";
  std::string before = Tip("main");
  auto result = api_->ImportBatch(req);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("PACA-CA/2021-07-09/job.0003"));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("PACA-CA/2021-12-01/job.0001"));
  EXPECT_EQ(Tip("main"), before);
}

TEST_F(ExcerptTest, AMergeThatChangesQueuedIsRefused) {
  // The scheduler queues a job; an admin then edits it on main (forbidden).
  tracker::v1::TransitionJobsRequest queue;
  auto* t = queue.add_transitions();
  t->mutable_key()->set_study_id("BTCA-SG");
  t->mutable_key()->set_batch_id("2021-07-12");
  t->mutable_key()->set_job_id("job.0001");
  t->set_from_state(tracker::v1::JOB_STATE_COMPLETED);
  t->set_to_state(tracker::v1::JOB_STATE_QUEUED);
  t->mutable_add_run()->set_epoch_seconds(1700000000);
  t->mutable_add_run()->set_environment("rdpc_qa");
  t->mutable_add_run()->set_run_id("wes-0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(api_->TransitionJobs(queue).ok());
  ASSERT_TRUE(api_->Push({}).ok());

  std::string work = tmp_.path() + "/admin";
  Git(tmp_.path(), absl::StrCat("clone -q -b scheduler ", ShellQuote(remote_), " admin"));
  Git(work, "checkout -q -B main origin/scheduler");
  Shell(absl::StrCat("cd ", ShellQuote(work), " && rm jobs/BTCA-SG/2021-07-12/queued/job.0001/run.*"));
  Git(work, "-c user.name=a -c user.email=a@b commit -qam 'edit queued by hand'");
  Git(work, "push -q origin main");

  ASSERT_TRUE(api_->Fetch().ok());
  std::string before = Tip("scheduler");
  tracker::v1::MergeRequest merge;
  merge.mutable_options()->set_branch("scheduler");
  merge.set_source("main");
  auto merged = api_->Merge(merge);
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(merged.status().message()),
              HasSubstr("jobs/BTCA-SG/2021-07-12/queued/job.0001"));
  EXPECT_EQ(Tip("scheduler"), before);
}

TEST_F(ExcerptTest, ARejectedPushIsMergedAndRetriedNeverForced) {
  // Someone else pushes to main while we have an unpushed admin commit.
  std::string work = tmp_.path() + "/admin";
  Git(tmp_.path(), absl::StrCat("clone -q -b main ", ShellQuote(remote_), " admin"));
  Shell(absl::StrCat("cd ", ShellQuote(work), " && touch jobs/pause.rdpc_prod"));
  Git(work, "add jobs/pause.rdpc_prod");
  Git(work, "-c user.name=a -c user.email=a@b commit -qm 'pause prod'");
  Git(work, "push -q origin main");
  std::string theirs = Git(work, "rev-parse HEAD");

  tracker::v1::SetFlagRequest flag;
  flag.mutable_flag()->set_kind(tracker::v1::FLAG_KIND_PAUSE);
  flag.mutable_flag()->set_environment("rdpc_qa");
  ASSERT_TRUE(api_->SetFlag(flag).ok());
  tracker::v1::PushRequest push;
  push.set_branch("main");
  auto pushed = api_->Push(push);
  ASSERT_TRUE(pushed.ok()) << pushed.status();
  EXPECT_EQ(pushed->attempts(), 2);
  std::string remote_main = Git(remote_, "rev-parse main");
  EXPECT_EQ(remote_main, pushed->commit());
  // Their commit is kept (an ancestor), and both flags are there.
  EXPECT_EQ(Shell(absl::StrCat("git -C ", ShellQuote(remote_), " merge-base --is-ancestor ",
                             theirs, " main")).exit_code, 0);
  EXPECT_EQ(Git(remote_, "ls-tree --name-only main jobs/ | grep pause | sort | tr '\\n' ' '"),
            "jobs/pause.rdpc_prod jobs/pause.rdpc_qa");
  auto status = api_->SyncStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_GT(status->branches(0).last_push_epoch(), 0);
  EXPECT_EQ(status->branches(0).ahead(), 0);
}

TEST_F(ExcerptTest, TwoWritersRacingOnOneJobExactlyOneWins) {
  std::atomic<int> wins{0}, losses{0};
  std::string tip = Tip("scheduler");
  auto writer = [&](const char* env) {
    tracker::v1::TransitionJobsRequest req;
    req.mutable_options()->set_expected_tip(tip);
    auto* t = req.add_transitions();
    t->mutable_key()->set_study_id("LAML-KR");
    t->mutable_key()->set_batch_id("2021-08-27");
    t->mutable_key()->set_job_id("job.0001");
    t->set_from_state(tracker::v1::JOB_STATE_COMPLETED);
    t->set_to_state(tracker::v1::JOB_STATE_FAILED);
    auto r = api_->TransitionJobs(req);
    if (r.ok()) {
      ++wins;
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted) << r.status();
      ++losses;
    }
  };
  std::thread a(writer, "a"), b(writer, "b");
  a.join();
  b.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(losses.load(), 1);
  EXPECT_EQ(Git(tmp_.path() + "/clone.git", "rev-parse scheduler~1"), tip);
}

}  // namespace
}  // namespace tracker::repo

namespace tracker::repo {
namespace {

// Every bad input of SPEC.md section 6 that reaches repo-service: the right
// code, a message naming the problem, and both branch tips unchanged.
TEST_F(ExcerptTest, BadInputGetsTheRightCodeAndChangesNothing) {
  const auto C = tracker::v1::JOB_STATE_COMPLETED;
  const auto B = tracker::v1::JOB_STATE_BACKLOG;
  const auto Q = tracker::v1::JOB_STATE_QUEUED;
  struct Case {
    std::string name;
    std::function<absl::Status()> call;
    absl::StatusCode code;
    std::string says;
  };
  auto import = [&](std::string tsv, std::map<std::string, std::string> params,
                    std::string batch = "2022-01-01") {
    tracker::v1::ImportBatchRequest req;
    req.set_study_id("PACA-CA");
    req.set_batch_id(batch);
    req.set_summary_tsv(tsv);
    for (auto& [k, v] : params) (*req.mutable_params_json())[k] = v;
    return api_->ImportBatch(req).status();
  };
  const std::string ok_params = R"({"study_id": "PACA-CA", "analysis_id": ["new-1"]})";
  std::vector<Case> cases = {
      {"path traversal in a job id",
       [&] { return api_->TransitionJobs(TransitionRequest("PACA-CA", "2021-07-09", "../../x", C, B)).status(); },
       absl::StatusCode::kInvalidArgument, "invalid job id"},
      {"slash in a study id",
       [&] { return api_->TransitionJobs(TransitionRequest("PACA/CA", "2021-07-09", "job.0001", C, B)).status(); },
       absl::StatusCode::kInvalidArgument, "invalid study id"},
      {"control character in a job id",
       [&] { return api_->TransitionJobs(TransitionRequest("PACA-CA", "2021-07-09", std::string("job\x01", 4), C, B)).status(); },
       absl::StatusCode::kInvalidArgument, "\\x01"},
      {"NUL in a batch id",
       [&] { return api_->TransitionJobs(TransitionRequest("PACA-CA", std::string("2021-07-0\0", 10), "job.0001", C, B)).status(); },
       absl::StatusCode::kInvalidArgument, "invalid batch id"},
      {"unknown study",
       [&] { return api_->TransitionJobs(TransitionRequest("XXXX-YY", "2021-07-09", "job.0001", C, B)).status(); },
       absl::StatusCode::kNotFound, "unknown study XXXX-YY"},
      {"unknown job",
       [&] { return api_->TransitionJobs(TransitionRequest("PACA-CA", "2021-07-09", "job.9999", C, B)).status(); },
       absl::StatusCode::kNotFound, "unknown job PACA-CA/2021-07-09/job.9999"},
      {"job not in the expected state",
       [&] { return api_->TransitionJobs(TransitionRequest("PACA-CA", "2021-07-09", "job.0001", B, C)).status(); },
       absl::StatusCode::kFailedPrecondition, "is in completed/, not in backlog/"},
      {"admin touching queued/ on main",
       [&] { return api_->TransitionJobs(TransitionRequest("PACA-CA", "2021-07-09", "job.0001", C, Q, "main")).status(); },
       absl::StatusCode::kFailedPrecondition, "queued/ belongs to the scheduler"},
      {"unknown branch",
       [&] { return api_->TransitionJobs(TransitionRequest("PACA-CA", "2021-07-09", "job.0001", C, B, "master")).status(); },
       absl::StatusCode::kInvalidArgument, "invalid branch"},
      {"stale expected tip",
       [&] {
         auto req = TransitionRequest("PACA-CA", "2021-07-09", "job.0001", C, B);
         req.mutable_options()->set_expected_tip(std::string(40, 'a'));
         return api_->TransitionJobs(req).status();
       },
       absl::StatusCode::kAborted, "not the expected"},
      {"too many transitions",
       [&] {
         tracker::v1::TransitionJobsRequest req;
         for (int i = 0; i < 10001; ++i) *req.add_transitions() = TransitionRequest("PACA-CA", "2021-07-09", absl::StrCat("job.", i), C, B).transitions(0);
         return api_->TransitionJobs(req).status();
       },
       absl::StatusCode::kInvalidArgument, "at most 10000"},
      {"malformed TSV",
       [&] { return import("job.0001\t1\t100\tnew-1\n", {{"job.0001", ok_params}}); },
       absl::StatusCode::kInvalidArgument, "line 1: expected 5 tab-separated columns"},
      {"TSV number that is not one",
       [&] { return import("job.0001\tone\t100\tnew-1\t100\n", {{"job.0001", ok_params}}); },
       absl::StatusCode::kInvalidArgument, "analyses_in_job must be a whole number"},
      {"malformed params JSON",
       [&] { return import("job.0001\t1\t100\tnew-1\t100\n", {{"job.0001", "{\"study_id\": "}}); },
       absl::StatusCode::kInvalidArgument, "params.json of job.0001 is not a JSON object"},
      {"params for another study",
       [&] { return import("job.0001\t1\t100\tnew-1\t100\n", {{"job.0001", R"({"study_id": "BOCA-UK"})"}}); },
       absl::StatusCode::kInvalidArgument, "\"study_id\" must be \"PACA-CA\""},
      {"job in the TSV without params",
       [&] { return import("job.0001\t1\t100\tnew-1\t100\njob.0002\t1\t5\tnew-2\t5\n", {{"job.0001", ok_params}}); },
       absl::StatusCode::kInvalidArgument, "without a params.json: job.0002"},
      {"params without a TSV line",
       [&] { return import("job.0001\t1\t100\tnew-1\t100\n", {{"job.0001", ok_params}, {"job.0002", "{}"}}); },
       absl::StatusCode::kInvalidArgument, "not in batch-summary.tsv: job.0002"},
      {"duplicate analysis inside the new TSV",
       [&] { return import("job.0001\t2\t200\tnew-1\t100\njob.0001\t2\t200\tnew-1\t100\n", {{"job.0001", "{}"}}); },
       absl::StatusCode::kInvalidArgument, "already on line 1"},
      {"batch that already exists",
       [&] { return import("job.0001\t1\t100\tnew-1\t100\n", {{"job.0001", ok_params}}, "2021-07-09"); },
       absl::StatusCode::kAlreadyExists, "batch PACA-CA/2021-07-09 already exists"},
      {"clearing a flag that is not set",
       [&] {
         tracker::v1::ClearFlagRequest req;
         req.set_kind(tracker::v1::FLAG_KIND_EXCESSIVE_FAILURE);
         req.set_environment("rdpc_qa");
         return api_->ClearFlag(req).status();
       },
       absl::StatusCode::kNotFound, "excessive_failure.rdpc_qa.txt is not set"},
      {"flag for a bad environment name",
       [&] {
         tracker::v1::SetFlagRequest req;
         req.mutable_flag()->set_kind(tracker::v1::FLAG_KIND_PAUSE);
         req.mutable_flag()->set_environment("../x");
         return api_->SetFlag(req).status();
       },
       absl::StatusCode::kInvalidArgument, "invalid environment"},
      {"removing an analysis that is not there",
       [&] {
         tracker::v1::RemoveAnalysisRequest req;
         req.set_study_id("PACA-CA");
         req.set_batch_id("2021-07-09");
         req.set_analysis_id("nope");
         return api_->RemoveAnalysis(req).status();
       },
       absl::StatusCode::kNotFound, "analysis nope is not in PACA-CA/2021-07-09"},
      {"merging a branch that does not exist",
       [&] {
         tracker::v1::MergeRequest req;
         req.mutable_options()->set_branch("scheduler");
         req.set_source("feature");
         return api_->Merge(req).status();
       },
       absl::StatusCode::kInvalidArgument, "merge source 'feature'"},
      {"report of a commit that does not exist",
       [&] {
         tracker::v1::ReportRequest req;
         req.set_commit(std::string(40, 'b'));
         return api_->Report(req).status();
       },
       absl::StatusCode::kNotFound, "no commit"},
  };
  const std::string main_before = Tip("main"), sched_before = Tip("scheduler");
  for (const Case& c : cases) {
    absl::Status s = c.call();
    EXPECT_EQ(s.code(), c.code) << c.name << ": " << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.says)) << c.name;
    EXPECT_EQ(Tip("main"), main_before) << c.name;
    EXPECT_EQ(Tip("scheduler"), sched_before) << c.name;
  }
}

TEST_F(ExcerptTest, AnUnreachableRemoteIsUnavailableAndChangesNothing) {
  Git(tmp_.path() + "/clone.git", "remote set-url origin /nonexistent/remote.git");
  std::string before = Tip("scheduler");
  EXPECT_EQ(api_->Fetch().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(api_->Push({}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Tip("scheduler"), before);
}

}  // namespace
}  // namespace tracker::repo
