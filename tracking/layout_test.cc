#include "tracking/layout.h"

#include <gtest/gtest.h>

#include "tracking/proto.h"

namespace tracker::tracking {
namespace {

TEST(LayoutTest, PathsOfTheRealTree) {
  EXPECT_EQ(BatchDir("PACA-CA", "2021-07-09a"), "jobs/PACA-CA/2021-07-09a");
  EXPECT_EQ(SummaryPath("PACA-CA", "2021-07-09a"), "jobs/PACA-CA/2021-07-09a/batch-summary.tsv");
  EXPECT_EQ(JobDir("LAML-KR", "2021-08-13", State::kFailed, "job.0002"),
            "jobs/LAML-KR/2021-08-13/failed/job.0002");
}

TEST(LayoutTest, StateFoldersRoundTrip) {
  int n = 0;
  for (State s : kAllStates) {
    EXPECT_EQ(StateFromFolder(StateFolder(s)), s);
    EXPECT_EQ(FromJobState(ToJobState(s)), s);
    EXPECT_STREQ(JobStateName(ToJobState(s)), StateFolder(s));
    ++n;
  }
  EXPECT_EQ(n, kStateCount);
  EXPECT_EQ(StateFolder(State::kQueued), std::string("queued"));
  EXPECT_FALSE(StateFromFolder("onhold").has_value());
  EXPECT_FALSE(StateFromFolder("Queued").has_value());
  EXPECT_FALSE(FromJobState(v1::JOB_STATE_UNSPECIFIED).has_value());
  EXPECT_FALSE(FromJobState(static_cast<v1::JobState>(99)).has_value());
  EXPECT_STREQ(JobStateName(v1::JOB_STATE_UNSPECIFIED), "?");
}

TEST(LayoutTest, OnholdIsAJobFolderButNoState) {
  EXPECT_EQ(JobDirIn("ESAD-UK", "2021-07-09", kOnholdFolder, "job.0747"),
            "jobs/ESAD-UK/2021-07-09/onhold/job.0747");
  EXPECT_TRUE(IsJobFolder(kOnholdFolder));
  for (State s : kAllStates) EXPECT_TRUE(IsJobFolder(StateFolder(s)));
  EXPECT_FALSE(IsJobFolder("job.0747"));
  EXPECT_FALSE(IsJobFolder("OnHold"));
  EXPECT_STREQ(JobStateName(v1::JOB_STATE_ONHOLD), kOnholdFolder);
  EXPECT_FALSE(FromJobState(v1::JOB_STATE_ONHOLD).has_value());
}

TEST(LayoutTest, SchedulerOwnedPaths) {
  EXPECT_TRUE(IsSchedulerOwnedPath("jobs/PACA-CA/2021-08-27/queued/job.0008/params.json"));
  EXPECT_TRUE(IsSchedulerOwnedPath("jobs/PACA-CA/2021-08-27/queued/.gitkeep"));
  EXPECT_TRUE(IsSchedulerOwnedPath("jobs/excessive_failure.rdpc_qa.txt"));
  EXPECT_FALSE(IsSchedulerOwnedPath("jobs/pause.rdpc_qa"));
  EXPECT_FALSE(IsSchedulerOwnedPath("jobs/PACA-CA/2021-08-27/failed/job.0008/params.json"));
  EXPECT_FALSE(IsSchedulerOwnedPath("jobs/PACA-CA/2021-08-27/batch-summary.tsv"));
  EXPECT_FALSE(IsSchedulerOwnedPath("README.md"));
  EXPECT_FALSE(IsSchedulerOwnedPath("docs/queued/x"));
}

TEST(LayoutTest, TheJobOfAPath) {
  auto job = JobOfPath("jobs/PACA-CA/2021-08-27/onhold/job.0008/run.1.rdpc_qa.wes-1");
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(JobKeyText(*job), "PACA-CA/2021-08-27/job.0008");
  EXPECT_TRUE(JobOfPath("jobs/PACA-CA/2021-08-27/failed/job.0008").has_value());
  EXPECT_FALSE(JobOfPath("jobs/PACA-CA/2021-08-27/batch-summary.tsv").has_value());
  EXPECT_FALSE(JobOfPath("jobs/PACA-CA/2021-08-27/backlog/.gitkeep").has_value());
  EXPECT_FALSE(JobOfPath("jobs/PACA-CA/2021-08-27/other/job.0008/params.json").has_value());
}

TEST(LayoutTest, OnlyTheTwoBranches) {
  EXPECT_TRUE(ValidateBranch(kMainBranch).ok());
  EXPECT_TRUE(ValidateBranch(kSchedulerBranch).ok());
  for (const char* b : {"master", "origin/main", "", "main "}) {
    EXPECT_EQ(ValidateBranch(b).code(), absl::StatusCode::kInvalidArgument) << b;
  }
}

}  // namespace
}  // namespace tracker::tracking
