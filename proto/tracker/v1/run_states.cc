#include "proto/tracker/v1/run_states.h"

#include <iterator>

namespace tracker::v1 {
namespace {

struct Row {
  const char* name;  // as the service sends it
  RunState state;
  RunOutcome outcome;
};

// Sources: GA4GH WES 1.1 (ga4gh/workflow-execution-service-schemas,
// openapi/workflow_execution_service.openapi.yaml, State); ARGO's
// workflow-management (streams/schema/RunState.java: UNKNOWN .. SYSTEM_ERROR,
// no FAILED); ARGO's workflow-relay, which indexes what workflow-api's
// GraphQL answers (model/index/WorkflowState.java: adds FAILED, ERROR,
// INITIALIZED); the original scheduler (icgc-25k-azure-transfer-job-tracking
// scripts/scheduler.py: COMPLETE is completed, a state containing ERROR or
// FAILED is failed, anything else stays queued).
constexpr Row kRows[] = {
    // WES 1.1; workflow-api's REST /status also answers UNKNOWN for every
    // state its State.fromValue does not know (FAILED, SYSTEM_ERROR, ...),
    // so UNKNOWN is "ask again", never an outcome.
    {"UNKNOWN", RUN_STATE_UNKNOWN, RunOutcome::kActive},
    {"QUEUED", RUN_STATE_QUEUED, RunOutcome::kActive},              // WES 1.1, management
    {"INITIALIZING", RUN_STATE_INITIALIZING, RunOutcome::kActive},  // WES 1.1, management
    {"INITIALIZED", RUN_STATE_INITIALIZING, RunOutcome::kActive},   // relay WorkflowState
    {"RUNNING", RUN_STATE_RUNNING, RunOutcome::kActive},            // WES 1.1, management, relay
    {"PAUSED", RUN_STATE_PAUSED, RunOutcome::kActive},              // WES 1.1, management
    {"CANCELING", RUN_STATE_CANCELING, RunOutcome::kActive},        // WES 1.1, management
    {"COMPLETE", RUN_STATE_COMPLETE, RunOutcome::kComplete},        // all; original: completed
    // Nextflow "failed"/"error" events and completed-without-success
    // (management's converter); original: contains ERROR -> failed.
    {"EXECUTOR_ERROR", RUN_STATE_EXECUTOR_ERROR, RunOutcome::kFailed},
    // An executor pod lost (management's webLogSender); original: failed.
    {"SYSTEM_ERROR", RUN_STATE_SYSTEM_ERROR, RunOutcome::kFailed},
    {"FAILED", RUN_STATE_FAILED, RunOutcome::kFailed},  // relay; original: contains FAILED
    {"ERROR", RUN_STATE_ERROR, RunOutcome::kFailed},    // relay; original: contains ERROR
    // The original kept a CANCELED job queued, holding a slot for ever; a
    // cancelled run will not finish, so its job is failed (and can be
    // requeued).
    {"CANCELED", RUN_STATE_CANCELED, RunOutcome::kFailed},
    {"PREEMPTED", RUN_STATE_PREEMPTED, RunOutcome::kFailed},  // WES 1.1 only
};

}  // namespace

RunState ParseRunState(absl::string_view text) {
  for (const Row& row : kRows) {
    if (text == row.name) return row.state;
  }
  return RUN_STATE_UNKNOWN;
}

std::string RunStateName(RunState state) {
  for (const Row& row : kRows) {
    if (row.state == state) return row.name;
  }
  return "UNSPECIFIED";
}

RunOutcome OutcomeOf(RunState state) {
  for (const Row& row : kRows) {
    if (row.state == state) return row.outcome;
  }
  return RunOutcome::kActive;  // UNSPECIFIED: nothing was read
}

}  // namespace tracker::v1
