// RuntimeSettingsReader: the config's values overlaid by the file on main;
// a file that cannot be read keeps the last good settings; an environment
// the config does not have is alerted, never applied.

#include "services/scheduler/runtime_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "testing/fake_clock.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Return;

class RuntimeSettingsReaderTest : public ::testing::Test {
 protected:
  RuntimeSettingsReaderTest() {
    ComputeEnvironment qa;
    qa.name = "rdpc_qa";
    qa.max_parallel_runs = 2;
    qa.excessive_failure_threshold = 10;
    config_.compute_environments["rdpc_qa"] = qa;
    config_.workflow.version = "v1";
  }
  void Set(const std::string& env, const std::string& key, const std::string& value) {
    absl::MutexLock lock(&repo_model_.mu);
    ASSERT_TRUE(tracking::SetRuntimeSetting(&repo_model_.settings, env, key, value).ok());
  }

  TrackerConfig config_;
  testing::FakeClock clock_;
  RepoModel repo_model_;
  RepoClient repo_{&repo_model_.stub, OneAttempt(), &clock_};
  RecordingNotifier slack_;
  Alerter alerts_{&slack_, &clock_};
  RuntimeSettingsReader reader_{&config_, &repo_, &alerts_};
};

TEST_F(RuntimeSettingsReaderTest, NoFileIsTheConfig) {
  EXPECT_EQ(reader_.Refresh(), "");
  EffectiveSettings s = reader_.For("rdpc_qa");
  EXPECT_EQ(s.max_parallel_runs, 2);
  EXPECT_EQ(s.excessive_failure_threshold, 10);
  EXPECT_EQ(s.workflow_version, "v1");
  EXPECT_TRUE(s.enabled);
  EXPECT_TRUE(s.from_file.empty());
}

TEST_F(RuntimeSettingsReaderTest, TheFileOverridesFromTheNextRefresh) {
  Set("rdpc_qa", "max_parallel_runs", "7");
  Set("rdpc_qa", "enabled", "false");
  Set("rdpc_qa", "workflow_version", "v2");
  Set("rdpc_qa", "excessive_failure_threshold", "0");
  EXPECT_EQ(reader_.For("rdpc_qa").max_parallel_runs, 2);  // not read yet
  EXPECT_EQ(reader_.Refresh(), "");
  EffectiveSettings s = reader_.For("rdpc_qa");
  EXPECT_EQ(s.max_parallel_runs, 7);
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.workflow_version, "v2");
  EXPECT_EQ(s.excessive_failure_threshold, 0);
  EXPECT_THAT(s.from_file, ElementsAre("enabled=false", "excessive_failure_threshold=0",
                                       "max_parallel_runs=7", "workflow_version=v2"));
}

TEST_F(RuntimeSettingsReaderTest, AnUnreadableFileKeepsTheLastGoodSettingsAndAlerts) {
  Set("rdpc_qa", "max_parallel_runs", "7");
  reader_.Refresh();
  EXPECT_CALL(repo_model_.stub, GetRuntimeSettings(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                    "jobs/scheduler-settings.yaml line 2: max_parallel_runs must be "
                                    "a whole number")));
  const std::string note = reader_.Refresh();
  EXPECT_THAT(note, HasSubstr("line 2"));
  EXPECT_THAT(note, HasSubstr("the last ones read stay in force"));
  EXPECT_EQ(reader_.For("rdpc_qa").max_parallel_runs, 7);
  EXPECT_EQ(slack_.Count("runtime settings not read"), 1);
}

TEST_F(RuntimeSettingsReaderTest, AnEnvironmentTheConfigDoesNotHaveIsAlertedAndIgnored) {
  Set("rdpc-qa", "enabled", "false");  // the real repo's kind of typo
  const std::string note = reader_.Refresh();
  EXPECT_THAT(note, HasSubstr("names environments the config does not have: rdpc-qa"));
  EXPECT_TRUE(reader_.For("rdpc_qa").enabled);
  EXPECT_EQ(slack_.Count("rdpc-qa"), 1);
  reader_.Refresh();
  EXPECT_EQ(slack_.Count("rdpc-qa"), 1);  // deduplicated
}

}  // namespace
}  // namespace tracker::scheduler
