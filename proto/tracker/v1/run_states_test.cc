#include "proto/tracker/v1/run_states.h"

#include "gtest/gtest.h"

namespace tracker::v1 {
namespace {

TEST(RunStatesTest, EveryStateTheServicesSendHasItsOutcome) {
  struct Case {
    const char* name;
    RunState state;
    RunOutcome outcome;
  };
  for (const Case& c : {
           Case{"UNKNOWN", RUN_STATE_UNKNOWN, RunOutcome::kActive},
           Case{"QUEUED", RUN_STATE_QUEUED, RunOutcome::kActive},
           Case{"INITIALIZING", RUN_STATE_INITIALIZING, RunOutcome::kActive},
           Case{"INITIALIZED", RUN_STATE_INITIALIZING, RunOutcome::kActive},
           Case{"RUNNING", RUN_STATE_RUNNING, RunOutcome::kActive},
           Case{"PAUSED", RUN_STATE_PAUSED, RunOutcome::kActive},
           Case{"CANCELING", RUN_STATE_CANCELING, RunOutcome::kActive},
           Case{"COMPLETE", RUN_STATE_COMPLETE, RunOutcome::kComplete},
           Case{"EXECUTOR_ERROR", RUN_STATE_EXECUTOR_ERROR, RunOutcome::kFailed},
           Case{"SYSTEM_ERROR", RUN_STATE_SYSTEM_ERROR, RunOutcome::kFailed},
           Case{"FAILED", RUN_STATE_FAILED, RunOutcome::kFailed},
           Case{"ERROR", RUN_STATE_ERROR, RunOutcome::kFailed},
           Case{"CANCELED", RUN_STATE_CANCELED, RunOutcome::kFailed},
           Case{"PREEMPTED", RUN_STATE_PREEMPTED, RunOutcome::kFailed},
       }) {
    EXPECT_EQ(ParseRunState(c.name), c.state) << c.name;
    EXPECT_EQ(OutcomeOf(ParseRunState(c.name)), c.outcome) << c.name;
  }
}

TEST(RunStatesTest, NamesNoServiceSendsAreUnknownAndKeepTheJobWaiting) {
  for (const char* name : {"", "SUCCEEDED", "complete", "UNSPECIFIED", "RUN_STATE_COMPLETE"}) {
    EXPECT_EQ(ParseRunState(name), RUN_STATE_UNKNOWN) << name;
  }
  EXPECT_FALSE(IsTerminal(RUN_STATE_UNKNOWN));
  EXPECT_FALSE(IsTerminal(RUN_STATE_UNSPECIFIED));
}

TEST(RunStatesTest, NamesRoundTripAndFailuresAreTerminal) {
  for (int i = RUN_STATE_UNKNOWN; i <= RUN_STATE_ERROR; ++i) {
    RunState state = static_cast<RunState>(i);
    EXPECT_EQ(ParseRunState(RunStateName(state)), state) << i;
    EXPECT_EQ(IsFailure(state), OutcomeOf(state) == RunOutcome::kFailed);
    EXPECT_EQ(IsTerminal(state), OutcomeOf(state) != RunOutcome::kActive);
  }
  EXPECT_EQ(RunStateName(RUN_STATE_UNSPECIFIED), "UNSPECIFIED");
  EXPECT_TRUE(IsTerminal(RUN_STATE_COMPLETE));
  EXPECT_FALSE(IsFailure(RUN_STATE_COMPLETE));
}

}  // namespace
}  // namespace tracker::v1
