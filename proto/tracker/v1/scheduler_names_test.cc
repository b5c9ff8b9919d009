#include "proto/tracker/v1/scheduler_names.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tracker::v1
