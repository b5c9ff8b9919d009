#include "services/wes_poller/run_state.h"


#include "absl/strings/str_cat.h"

namespace tracker::wes {

using tracker::v1::RunState;

RunState ParseRunState(absl::string_view text) {
  RunState state;
  if (text.empty() || text == "UNSPECIFIED" ||
      !tracker::v1::RunState_Parse(absl::StrCat("RUN_STATE_", text), &state)) {
    return tracker::v1::RUN_STATE_UNKNOWN;
  }
  return state;
}

std::string RunStateName(RunState state) {
  const std::string& full = tracker::v1::RunState_Name(state);
  return full.size() > 10 ? full.substr(10) : full;  // drops "RUN_STATE_"
}

bool IsTerminal(RunState state) {
  switch (state) {
    case tracker::v1::RUN_STATE_COMPLETE:
    case tracker::v1::RUN_STATE_EXECUTOR_ERROR:
    case tracker::v1::RUN_STATE_SYSTEM_ERROR:
    case tracker::v1::RUN_STATE_CANCELED:
    case tracker::v1::RUN_STATE_PREEMPTED:
      return true;
    default:
      return false;
  }
}

}  // namespace tracker::wes
