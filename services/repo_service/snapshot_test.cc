// Snapshots of jobs/ on a repository built here with git itself, in the
// real format: what a snapshot holds, and that the next commit's snapshot
// shares every subtree that did not change.

#include "services/repo_service/snapshot.h"

#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "testing/test_util.h"

namespace tracker::repo {
namespace {

using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitLibgit2();
    Run("git init -q -b main .");
    Write("jobs/PACA-CA/2021-07-09/batch-summary.tsv",
          "job.0001\t1\t100\ta-1\t100\n"
          "job.0002\t2\t300\ta-2\t100\n"
          "job.0002\t2\t300\ta-3\t200\n");
    Write("jobs/PACA-CA/2021-07-09/backlog/job.0001/params.json", R"({"study_id":"PACA-CA"})");
    Write("jobs/PACA-CA/2021-07-09/queued/job.0002/params.json", R"({"study_id":"PACA-CA"})");
    Write("jobs/PACA-CA/2021-07-09/queued/job.0002/run.1626105600.rdpc_qa.wes-0b1", "");
    Write("jobs/PACA-CA/2021-07-09/queued/job.0002/run.1626019200.rdpc_qa.wes-0a1", "");
    Write("jobs/PACA-CA/2021-07-09/onhold/job.0009/params.json", "{}");
    Write("jobs/PACA-CA/2021-07-09/failed/.gitkeep", "");
    Write("jobs/BOCA-UK/2021-07-12/batch-summary.tsv", "job.0001\t1\t5\tb-1\t5\n");
    Write("jobs/BOCA-UK/2021-07-12/completed/job.0001/params.json", "{}");
    Write("jobs/pause.rdpc_qa", "storage maintenance\n");
    Write("jobs/README.md", "notes an admin left\n");
    first_ = Commit("first");
  }

  void Run(const std::string& command) {
    auto r = Shell(absl::StrCat("cd ", ShellQuote(tmp_.path()), " && ", command, " 2>&1"));
    ASSERT_EQ(r.exit_code, 0) << command << ": " << r.output;
  }
  void Write(const std::string& path, const std::string& content) {
    Run(absl::StrCat("mkdir -p ", ShellQuote(path.substr(0, path.rfind('/')))));
    std::ofstream(tmp_.path() + "/" + path) << content;
  }
  git_oid Commit(const std::string& message) {
    Run(absl::StrCat("git add -A && git -c user.name=t -c user.email=t@t commit -qm ", message));
    auto repo = OpenRepository(tmp_.path() + "/.git");
    EXPECT_TRUE(repo.ok()) << repo.status();
    repo_ = *std::move(repo);
    auto tip = ResolveRef(repo_.get(), "refs/heads/main");
    EXPECT_TRUE(tip.ok()) << tip.status();
    return *tip;
  }

  TempDir tmp_;
  RepositoryPtr repo_;
  git_oid first_{};
};

TEST_F(SnapshotTest, HoldsStudiesBatchesFoldersMarkersFlagsAndTheRest) {
  auto snap = LoadSnapshot(repo_.get(), first_, {});
  ASSERT_TRUE(snap.ok()) << snap.status();
  const Snapshot& s = **snap;
  EXPECT_TRUE(OidEqual(s.commit, first_));
  ASSERT_EQ(s.studies.size(), 2u);
  EXPECT_EQ(s.studies.begin()->first, "BOCA-UK");  // byte order
  EXPECT_EQ(s.job_count, 3);  // onhold/ is reported, never counted
  const Batch* batch = s.FindBatch("PACA-CA", "2021-07-09");
  ASSERT_NE(batch, nullptr);
  EXPECT_TRUE(batch->has_summary);
  EXPECT_TRUE(batch->summary->error.empty()) << batch->summary->error;
  ASSERT_EQ(batch->summary->summary.lines.size(), 3u);
  EXPECT_EQ(batch->summary->summary.lines[2].analysis_bytes, 200);
  const Folder* queued = batch->StateFolderOf(tracking::State::kQueued);
  ASSERT_NE(queued, nullptr);
  const JobEntry* job = queued->Find("job.0002");
  ASSERT_NE(job, nullptr);
  EXPECT_TRUE(job->has_params);
  // Oldest first by epoch: the last is the current run.
  EXPECT_EQ(job->markers, (std::vector<std::string>{"run.1626019200.rdpc_qa.wes-0a1",
                                                    "run.1626105600.rdpc_qa.wes-0b1"}));
  EXPECT_EQ(batch->folders.count("onhold"), 1u);
  const Folder* failed = batch->StateFolderOf(tracking::State::kFailed);
  ASSERT_NE(failed, nullptr);
  EXPECT_TRUE(failed->jobs.empty());  // .gitkeep only
  EXPECT_EQ(s.FindBatch("PACA-CA", "2021-07-10"), nullptr);
  ASSERT_EQ(s.flags.size(), 1u);
  EXPECT_EQ(s.flags[0].kind, tracking::FlagKind::kPause);
  EXPECT_EQ(s.flags[0].environment, "rdpc_qa");
  EXPECT_EQ(s.flags[0].content, "storage maintenance\n");
  EXPECT_EQ(s.unknown_entries, std::vector<std::string>{"README.md"});
}

TEST_F(SnapshotTest, TheNextCommitSharesWhatDidNotChange) {
  auto before = LoadSnapshot(repo_.get(), first_, {});
  ASSERT_TRUE(before.ok()) << before.status();
  Run("git mv jobs/PACA-CA/2021-07-09/backlog/job.0001 jobs/PACA-CA/2021-07-09/failed/job.0001");
  const git_oid second = Commit("move");
  auto after = LoadSnapshot(repo_.get(), second, {before->get()});
  ASSERT_TRUE(after.ok()) << after.status();
  // The untouched study is the same object; the edited one is new.
  EXPECT_EQ((*after)->studies.at("BOCA-UK"), (*before)->studies.at("BOCA-UK"));
  EXPECT_NE((*after)->studies.at("PACA-CA"), (*before)->studies.at("PACA-CA"));
  const Batch* batch = (*after)->FindBatch("PACA-CA", "2021-07-09");
  ASSERT_NE(batch, nullptr);
  EXPECT_NE(batch->StateFolderOf(tracking::State::kFailed)->Find("job.0001"), nullptr);
  EXPECT_EQ(batch->StateFolderOf(tracking::State::kQueued),
            (*before)->FindBatch("PACA-CA", "2021-07-09")->StateFolderOf(tracking::State::kQueued));
  // The snapshot it came from is unchanged.
  EXPECT_NE((*before)->FindBatch("PACA-CA", "2021-07-09")->StateFolderOf(
                tracking::State::kBacklog)->Find("job.0001"),
            nullptr);
}

TEST_F(SnapshotTest, ACommitWithoutJobsIsEmptyAndABadSummaryIsReported) {
  Write("jobs/BOCA-UK/2021-07-12/batch-summary.tsv", "job.0001\tone\t5\tb-1\t5\n");
  auto snap = LoadSnapshot(repo_.get(), Commit("bad"), {});
  ASSERT_TRUE(snap.ok()) << snap.status();
  const Batch* batch = (*snap)->FindBatch("BOCA-UK", "2021-07-12");
  ASSERT_NE(batch, nullptr);
  EXPECT_NE(batch->summary->error.find("line 1"), std::string::npos) << batch->summary->error;
  Run("git rm -rq jobs");
  Write("other.txt", "x");
  auto empty = LoadSnapshot(repo_.get(), Commit("empty"), {snap->get()});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE((*empty)->studies.empty());
  EXPECT_EQ((*empty)->job_count, 0);
}

}  // namespace
}  // namespace tracker::repo
