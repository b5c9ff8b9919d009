// BacklogPicker (steps 5-7): which backlog jobs start next, in which order,
// and how a dry run over several environments plans each job once.

#include "services/scheduler/backlog_picker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "services/scheduler/repo_model.h"
#include "testing/fake_clock.h"
#include "tracking/ids.h"
#include "tracking/proto.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::IsEmpty;
using ::testing::Return;
using namespace tracker::v1;  // NOLINT: generated message names

class BacklogPickerTest : public ::testing::Test {
 protected:
  void Backlog(const std::string& study, const std::string& job) {
    repo_model_.AddJob(study, job, JOB_STATE_BACKLOG);
  }
  static std::vector<std::string> Keys(const BacklogPicker::Picked& picked) {
    std::vector<std::string> out;
    for (const auto& j : picked.jobs) out.push_back(tracking::JobKeyText(j.key()));
    return out;
  }
  static std::string Key(const std::string& study, const std::string& job) {
    return tracking::JobKeyText(study, kModelBatch, job);
  }

  testing::FakeClock clock_;
  RepoModel repo_model_;
  RepoClient repo_{&repo_model_.stub, OneAttempt(), &clock_};
};

TEST_F(BacklogPickerTest, StudiesInPriorityOrderExcludedSkippedUpToCapacity) {
  Backlog("S-A", "job.0001");
  Backlog("S-B", "job.0001");
  Backlog("S-B", "job.0002");
  Backlog("S-C", "job.0001");
  BacklogPicker picker(&repo_, {{"S-C", "S-B", "S-A"}, {}, {"S-C"}});
  BacklogPicker::Picked picked = picker.Pick("qa", 3, nullptr);
  EXPECT_THAT(Keys(picked),
              ElementsAre(Key("S-B", "job.0001"), Key("S-B", "job.0002"), Key("S-A", "job.0001")));
  EXPECT_THAT(picked.note, IsEmpty());
  EXPECT_THAT(Keys(picker.Pick("qa", 1, nullptr)), ElementsAre(Key("S-B", "job.0001")));
}

TEST_F(BacklogPickerTest, StudiesNamedFirstThenEveryOtherStudyByItsId) {
  // The original's -s: the named studies lead, the others still follow.
  for (const char* study : {"S-D", "S-C", "S-B", "S-A"}) Backlog(study, "job.0001");
  BacklogPicker picker(&repo_, {{"S-C", "S-Q", "S-A", "S-C"}, {}, {"S-D"}});
  EXPECT_THAT(Keys(picker.Pick("qa", 10, nullptr)),
              ElementsAre(Key("S-C", "job.0001"), Key("S-A", "job.0001"), Key("S-B", "job.0001")));
}

TEST_F(BacklogPickerTest, OnlyStudiesRestrictAndTakeTheNamedFirstOnes) {
  for (const char* study : {"S-D", "S-C", "S-B", "S-A"}) Backlog(study, "job.0001");
  BacklogPicker by_id(&repo_, {{}, {"S-C", "S-A", "S-B"}, {"S-B"}});
  EXPECT_THAT(Keys(by_id.Pick("qa", 10, nullptr)),
              ElementsAre(Key("S-A", "job.0001"), Key("S-C", "job.0001")));
  // A first study outside the list is not taken.
  BacklogPicker first(&repo_, {{"S-D", "S-C"}, {"S-C", "S-A"}, {}});
  EXPECT_THAT(Keys(first.Pick("qa", 10, nullptr)),
              ElementsAre(Key("S-C", "job.0001"), Key("S-A", "job.0001")));
}

TEST_F(BacklogPickerTest, AJobWhoseLatestRunWasElsewhereWaitsForThatEnvironment) {
  const int64_t epoch = absl::ToUnixSeconds(clock_.Now());
  repo_model_.AddJob("S-A", "job.0001", JOB_STATE_BACKLOG,
                     {MarkerName(epoch - 100, "qa", "wes-1"), MarkerName(epoch, "prod", "wes-2")});
  repo_model_.AddJob("S-A", "job.0002", JOB_STATE_BACKLOG, {MarkerName(epoch, "prod", "wes-3")});
  repo_model_.AddJob("S-A", "job.0003", JOB_STATE_BACKLOG,
                     {MarkerName(epoch - 100, "prod", "wes-4"), MarkerName(epoch, "qa", "wes-5")});
  Backlog("S-A", "job.0004");  // never run (or its runs cleared): anyone's
  BacklogPicker picker(&repo_, {{}, {}, {}});
  // The held jobs fill the first page asked for: the picker asks again.
  EXPECT_THAT(Keys(picker.Pick("qa", 1, nullptr)), ElementsAre(Key("S-A", "job.0003")));
  EXPECT_THAT(Keys(picker.Pick("qa", 5, nullptr)),
              ElementsAre(Key("S-A", "job.0003"), Key("S-A", "job.0004")));
  EXPECT_THAT(Keys(picker.Pick("prod", 5, nullptr)),
              ElementsAre(Key("S-A", "job.0001"), Key("S-A", "job.0002"), Key("S-A", "job.0004")));
  EXPECT_THAT(picker.Pick("other", 5, nullptr).jobs.size(), 1u);
}

TEST_F(BacklogPickerTest, WithoutPrioritiesEveryStudyWithBacklogByItsId) {
  Backlog("S-B", "job.0001");
  Backlog("S-A", "job.0001");
  repo_model_.AddJob("S-0", "job.0001", JOB_STATE_QUEUED);  // no backlog: not asked
  BacklogPicker picker(&repo_, {{}, {}, {"S-X"}});
  std::vector<std::string> asked;
  ON_CALL(repo_model_.stub, ListJobs(_, _, _))
      .WillByDefault(Invoke([&](auto*, const ListJobsRequest& req, ListJobsResponse* out) {
        asked.push_back(req.study_ids(0));
        auto* j = out->add_jobs();
        j->mutable_key()->set_study_id(req.study_ids(0));
        j->mutable_key()->set_batch_id(kModelBatch);
        j->mutable_key()->set_job_id("job.0001");
        return grpc::Status::OK;
      }));
  EXPECT_THAT(Keys(picker.Pick("qa", 5, nullptr)),
              ElementsAre(Key("S-A", "job.0001"), Key("S-B", "job.0001")));
  EXPECT_THAT(asked, ElementsAre("S-A", "S-B"));
}

TEST_F(BacklogPickerTest, NoCapacityAsksNothing) {
  Backlog("S-A", "job.0001");
  EXPECT_CALL(repo_model_.stub, ListJobs(_, _, _)).Times(0);
  EXPECT_CALL(repo_model_.stub, Report(_, _, _)).Times(0);
  BacklogPicker picker(&repo_, {{}, {}, {}});
  EXPECT_THAT(picker.Pick("qa", 0, nullptr).jobs, IsEmpty());
  EXPECT_THAT(picker.Pick("qa", -2, nullptr).jobs, IsEmpty());
}

TEST_F(BacklogPickerTest, AStudyWithoutJobsIsSkippedQuietlyOtherErrorsAreNoted) {
  Backlog("S-B", "job.0001");
  ON_CALL(repo_model_.stub, ListJobs(_, _, _))
      .WillByDefault(Invoke([&](auto*, const ListJobsRequest& req, ListJobsResponse* out) {
        if (req.study_ids(0) == "S-A") return grpc::Status(grpc::StatusCode::NOT_FOUND, "no study");
        if (req.study_ids(0) == "S-C") return grpc::Status(grpc::StatusCode::INTERNAL, "broken");
        auto* j = out->add_jobs();
        j->mutable_key()->set_study_id(req.study_ids(0));
        j->mutable_key()->set_batch_id(kModelBatch);
        j->mutable_key()->set_job_id("job.0001");
        return grpc::Status::OK;
      }));
  BacklogPicker quiet(&repo_, {{"S-A", "S-B"}, {}, {}});
  BacklogPicker::Picked picked = quiet.Pick("qa", 3, nullptr);
  EXPECT_THAT(Keys(picked), ElementsAre(Key("S-B", "job.0001")));
  EXPECT_THAT(picked.note, IsEmpty());
  BacklogPicker noted(&repo_, {{"S-C", "S-B"}, {}, {}});
  picked = noted.Pick("qa", 3, nullptr);
  EXPECT_THAT(Keys(picked), ElementsAre(Key("S-B", "job.0001")));
  EXPECT_THAT(picked.note, HasSubstr("cannot list backlog of S-C: broken"));
}

TEST_F(BacklogPickerTest, StudiesThatCannotBeListedPickNothingWithANote) {
  Backlog("S-A", "job.0001");
  EXPECT_CALL(repo_model_.stub, Report(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  BacklogPicker picker(&repo_, {{}, {}, {}});
  BacklogPicker::Picked picked = picker.Pick("qa", 2, nullptr);
  EXPECT_THAT(picked.jobs, IsEmpty());
  EXPECT_THAT(picked.note, HasSubstr("cannot list studies: down"));
}

TEST_F(BacklogPickerTest, ADryRunSkipsJobsAnEarlierEnvironmentPlanned) {
  for (const char* job : {"job.0001", "job.0002", "job.0003"}) Backlog("S-A", job);
  BacklogPicker picker(&repo_, {{"S-A"}, {}, {}});
  std::set<std::string> claimed;
  EXPECT_THAT(Keys(picker.Pick("qa", 2, &claimed)),
              ElementsAre(Key("S-A", "job.0001"), Key("S-A", "job.0002")));
  // The backlog is unchanged (nothing written); the next environment gets
  // what is left.
  EXPECT_THAT(Keys(picker.Pick("qa", 2, &claimed)), ElementsAre(Key("S-A", "job.0003")));
  EXPECT_EQ(claimed.size(), 3u);
  EXPECT_THAT(picker.Pick("qa", 2, &claimed).jobs, IsEmpty());
}

}  // namespace
}  // namespace tracker::scheduler
