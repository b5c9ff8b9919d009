#ifndef PROTO_TRACKER_V1_RUN_STATES_H_
#define PROTO_TRACKER_V1_RUN_STATES_H_

// What a workflow service's run state means to the tracker: one table, in
// run_states.cc, each row citing where the state comes from. The wes-poller
// reads states through it and the scheduler decides through it; nothing
// else compares state names.

#include <string>

#include "absl/strings/string_view.h"
#include "proto/tracker/v1/wes.pb.h"

namespace tracker::v1 {

enum class RunOutcome {
  kActive,    // still going (or not known yet): keep the job queued, poll again
  kComplete,  // finished well: the job's analyses should be in SONG
  kFailed,    // finished badly: the job goes to failed/
};

// "COMPLETE" -> RUN_STATE_COMPLETE; a name no service is known to send ->
// RUN_STATE_UNKNOWN. Case as the services send it (upper).
RunState ParseRunState(absl::string_view text);
// RUN_STATE_COMPLETE -> "COMPLETE".
std::string RunStateName(RunState state);
RunOutcome OutcomeOf(RunState state);
// Complete or failed: the run will not change any more.
inline bool IsTerminal(RunState state) { return OutcomeOf(state) != RunOutcome::kActive; }
inline bool IsFailure(RunState state) { return OutcomeOf(state) == RunOutcome::kFailed; }

}  // namespace tracker::v1

#endif  // PROTO_TRACKER_V1_RUN_STATES_H_
