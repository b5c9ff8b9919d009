#ifndef PROTO_TRACKER_V1_SCHEDULER_NAMES_H_
#define PROTO_TRACKER_V1_SCHEDULER_NAMES_H_

// The words people read for the scheduler API's enums, in logs and in
// jobctl's tables: the value's name without its prefix, in lower case
// ("rolled_back", "unavailable"). JSON output keeps the enum names.

#include <string>

#include "proto/tracker/v1/scheduler.pb.h"

namespace tracker::v1 {

// "completed", "rolled_back", ...; "unspecified" for the zero value.
std::string CycleActionName(CycleAction action);
// "ok", "paused", "stopped", "unavailable", "error"; "never run" for the
// zero value, which is what an environment without a cycle reports.
std::string CycleOutcomeName(CycleOutcome outcome);

}  // namespace tracker::v1

#endif  // PROTO_TRACKER_V1_SCHEDULER_NAMES_H_
