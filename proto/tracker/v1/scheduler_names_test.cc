#include "proto/tracker/v1/scheduler_names.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <string>

namespace tracker::v1 {
namespace {

TEST(SchedulerNamesTest, ActionsReadAsTheyDidAsText) {
  EXPECT_EQ(CycleActionName(CYCLE_ACTION_COMPLETED), "completed");
  EXPECT_EQ(CycleActionName(CYCLE_ACTION_ROLLED_BACK), "rolled_back");
  EXPECT_EQ(CycleActionName(CYCLE_ACTION_AMBIGUOUS), "ambiguous");
  EXPECT_EQ(CycleActionName(CYCLE_ACTION_UNSPECIFIED), "unspecified");
}

TEST(SchedulerNamesTest, OutcomesReadAsTheyDidAsText) {
  EXPECT_EQ(CycleOutcomeName(CYCLE_OUTCOME_OK), "ok");
  EXPECT_EQ(CycleOutcomeName(CYCLE_OUTCOME_UNAVAILABLE), "unavailable");
  EXPECT_EQ(CycleOutcomeName(CYCLE_OUTCOME_UNSPECIFIED), "never run");
}

TEST(SchedulerNamesTest, AValueFromANewerServerShowsItsNumber) {
  EXPECT_EQ(CycleOutcomeName(static_cast<CycleOutcome>(42)), "42");
}

TEST(SchedulerNamesTest, JsonShowsTheWordsOnly) {
  RunCycleResponse r;
  auto* env = r.add_environments();
  env->set_environment("qa");
  env->set_outcome(CYCLE_OUTCOME_STOPPED);
  env->add_actions()->set_action(CYCLE_ACTION_ROLLED_BACK);
  env->add_actions()->set_action(CYCLE_ACTION_RESUMED);
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(r, &json).ok());
  EXPECT_EQ(WithCycleWords(json),
            R"({"environments":[{"environment":"qa","actions":[{"action":"rolled_back"},)"
            R"({"action":"resumed"}],"outcome":"stopped"}]})");
  // Text that only looks like a value is left alone.
  EXPECT_EQ(WithCycleWords(R"({"detail":"CYCLE_ACTION_RESUMED soon"})"),
            R"({"detail":"CYCLE_ACTION_RESUMED soon"})");
}

}  // namespace
}  // namespace tracker::v1
