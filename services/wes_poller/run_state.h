#ifndef SERVICES_WES_POLLER_RUN_STATE_H_
#define SERVICES_WES_POLLER_RUN_STATE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "proto/tracker/v1/wes.pb.h"

namespace tracker::wes {

// "COMPLETE" -> RUN_STATE_COMPLETE; anything not in GA4GH WES 1.1 -> UNKNOWN.
tracker::v1::RunState ParseRunState(absl::string_view text);
// RUN_STATE_COMPLETE -> "COMPLETE".
std::string RunStateName(tracker::v1::RunState state);
// COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED, PREEMPTED: the run will
// not change any more.
bool IsTerminal(tracker::v1::RunState state);

}  // namespace tracker::wes

#endif  // SERVICES_WES_POLLER_RUN_STATE_H_
