#include "proto/tracker/v1/scheduler_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace tracker::v1 {

namespace {

// A value outside the enum (a newer server) has no name: show its number.
std::string Lower(const std::string& full, absl::string_view prefix, int value) {
  if (full.empty()) return std::to_string(value);
  return absl::AsciiStrToLower(absl::StripPrefix(full, prefix));
}

}  // namespace

std::string CycleActionName(CycleAction action) {
  return Lower(CycleAction_Name(action), "CYCLE_ACTION_", action);
}

std::string CycleOutcomeName(CycleOutcome outcome) {
  if (outcome == CYCLE_OUTCOME_UNSPECIFIED) return "never run";
  return Lower(CycleOutcome_Name(outcome), "CYCLE_OUTCOME_", outcome);
}

}  // namespace tracker::v1
