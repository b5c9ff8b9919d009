#include "proto/tracker/v1/scheduler_names.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
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

std::string WithCycleWords(absl::string_view json) {
  std::vector<std::pair<std::string, std::string>> words;
  for (int i = 0; i < CycleAction_descriptor()->value_count(); ++i) {
    const auto* v = CycleAction_descriptor()->value(i);
    words.emplace_back(absl::StrCat("\"", v->name(), "\""),
                       absl::StrCat("\"", CycleActionName(static_cast<CycleAction>(v->number())), "\""));
  }
  for (int i = 0; i < CycleOutcome_descriptor()->value_count(); ++i) {
    const auto* v = CycleOutcome_descriptor()->value(i);
    words.emplace_back(absl::StrCat("\"", v->name(), "\""),
                       absl::StrCat("\"", CycleOutcomeName(static_cast<CycleOutcome>(v->number())), "\""));
  }
  return absl::StrReplaceAll(json, words);
}

}  // namespace tracker::v1
