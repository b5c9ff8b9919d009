#ifndef PROTO_TRACKER_V1_SCHEDULER_NAMES_H_
#define PROTO_TRACKER_V1_SCHEDULER_NAMES_H_

// The words people read for the scheduler API's enums, in logs and in
// jobctl's tables and JSON: the value's name without its prefix, in lower
// case ("rolled_back", "unavailable"), the words these fields held when they
// were free text.

#include <string>

#include "absl/strings/string_view.h"

#include "proto/tracker/v1/scheduler.pb.h"

namespace tracker::v1 {

// "completed", "rolled_back", ...; "unspecified" for the zero value.
std::string CycleActionName(CycleAction action);
// "ok", "paused", "stopped", "unavailable", "error"; "never run" for the
// zero value, which is what an environment without a cycle reports.
std::string CycleOutcomeName(CycleOutcome outcome);

// `json` (a scheduler message printed by protobuf) with every enum value
// name replaced by its word above ("CYCLE_ACTION_RESUMED" -> "resumed"), so
// that scripts reading jobctl's JSON go on working.
std::string WithCycleWords(absl::string_view json);

}  // namespace tracker::v1

#endif  // PROTO_TRACKER_V1_SCHEDULER_NAMES_H_
