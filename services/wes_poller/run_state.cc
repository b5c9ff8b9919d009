#include "services/wes_poller/run_state.h"

#include <cctype>

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

absl::Status ValidateRunId(absl::string_view run_id) {
  if (run_id.empty() || run_id.size() > 128) {
    return absl::InvalidArgumentError(
        absl::StrCat("run id must be 1-128 characters, got ", run_id.size()));
  }
  for (unsigned char c : run_id) {
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') {
      return absl::InvalidArgumentError(absl::StrCat(
          "run id may hold only letters, digits, '.', '_' and '-': \"",
          std::string(run_id.substr(0, 64)), "\""));
    }
  }
  if (run_id == "." || run_id == "..") return absl::InvalidArgumentError("run id may not be . or ..");
  return absl::OkStatus();
}

}  // namespace tracker::wes
