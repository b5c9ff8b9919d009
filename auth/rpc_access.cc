#include "auth/rpc_access.h"

#include <map>

namespace tracker::auth {
namespace {

constexpr bool kScheduler = true;
constexpr bool kHumansOnly = false;

// viewer: reads, report, audit, status. operator: the day-to-day changes
// (cycle, pause, requeue, hold, settings). admin: what changes the set of
// jobs or history (import, remove, revert, clear flags, merge, push).
// The scheduler's identity: the reads and writes a cycle makes; repo-service
// also keeps the scheduler branch and queued/ to it (write_access.h).
const std::map<std::string, RpcRule, std::less<>>& Table() {
  static const auto* table = new std::map<std::string, RpcRule, std::less<>>{
      // Probes and load balancers; nothing but serving or not.
      {"/grpc.health.v1.Health/Check", {MinRole::kAnyone, kScheduler}},
      {"/grpc.health.v1.Health/Watch", {MinRole::kAnyone, kScheduler}},
      // grpcurl's schema; the API is public, but only callers see it.
      {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
       {MinRole::kViewer, kScheduler}},

      {"/tracker.v1.RepoService/ListJobs", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.RepoService/GetJob", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.RepoService/ListFlags", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.RepoService/GetSyncStatus", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.RepoService/Report", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.RepoService/ListTransitions", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.RepoService/Audit", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.RepoService/GetRuntimeSettings", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.RepoService/TransitionJobs", {MinRole::kOperator, kScheduler}},
      {"/tracker.v1.RepoService/SetFlag", {MinRole::kOperator, kScheduler}},
      {"/tracker.v1.RepoService/ClearRuns", {MinRole::kOperator, kHumansOnly}},
      {"/tracker.v1.RepoService/HoldJobs", {MinRole::kOperator, kHumansOnly}},
      {"/tracker.v1.RepoService/ReleaseJobs", {MinRole::kOperator, kHumansOnly}},
      {"/tracker.v1.RepoService/Fetch", {MinRole::kOperator, kScheduler}},
      // The scheduler relays an operator's `jobctl set` (as that operator).
      {"/tracker.v1.RepoService/SetRuntimeSetting", {MinRole::kOperator, kScheduler}},
      {"/tracker.v1.RepoService/ClearFlag", {MinRole::kAdmin, kHumansOnly}},
      {"/tracker.v1.RepoService/ImportBatch", {MinRole::kAdmin, kHumansOnly}},
      {"/tracker.v1.RepoService/RemoveAnalysis", {MinRole::kAdmin, kHumansOnly}},
      {"/tracker.v1.RepoService/RemoveJobs", {MinRole::kAdmin, kHumansOnly}},
      {"/tracker.v1.RepoService/RevertCommit", {MinRole::kAdmin, kHumansOnly}},
      {"/tracker.v1.RepoService/Merge", {MinRole::kAdmin, kScheduler}},
      {"/tracker.v1.RepoService/Push", {MinRole::kAdmin, kScheduler}},

      {"/tracker.v1.WesPoller/GetRunStates", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.WesPoller/GetResumeInfo", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.WesPoller/FindRunsOfJob", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.WesPoller/ListEnvironments", {MinRole::kViewer, kScheduler}},
      {"/tracker.v1.WesPoller/CancelRun", {MinRole::kOperator, kScheduler}},
      // A run is started only by a cycle, which records it first.
      {"/tracker.v1.WesPoller/StartRun", {MinRole::kSchedulerOnly, kScheduler}},

      {"/tracker.v1.AzureVerifier/VerifyAnalyses", {MinRole::kViewer, kScheduler}},

      {"/tracker.v1.Scheduler/GetStatus", {MinRole::kViewer, kHumansOnly}},
      {"/tracker.v1.Scheduler/RunCycle", {MinRole::kOperator, kHumansOnly}},
      {"/tracker.v1.Scheduler/SendReport", {MinRole::kOperator, kHumansOnly}},
      {"/tracker.v1.Scheduler/SetMaxParallelRuns", {MinRole::kOperator, kHumansOnly}},
      {"/tracker.v1.Scheduler/SetRuntimeSetting", {MinRole::kOperator, kHumansOnly}},
      {"/tracker.v1.Scheduler/VerifyJobs", {MinRole::kOperator, kHumansOnly}},
      {"/tracker.v1.Scheduler/ReleaseLostRuns", {MinRole::kOperator, kHumansOnly}},
  };
  return *table;
}

}  // namespace

std::optional<RpcRule> FindRpcRule(absl::string_view full_method) {
  auto it = Table().find(full_method);
  if (it == Table().end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> RpcTableMethods() {
  std::vector<std::string> out;
  for (const auto& [method, rule] : Table()) out.push_back(method);
  return out;
}

bool RoleAllowed(const RpcRule& rule, Role role) {
  if (rule.min_role == MinRole::kAnyone) return true;
  if (role == Role::kScheduler) return rule.scheduler;
  switch (rule.min_role) {
    case MinRole::kViewer:
      return true;
    case MinRole::kOperator:
      return role == Role::kOperator || role == Role::kAdmin;
    case MinRole::kAdmin:
      return role == Role::kAdmin;
    default:
      return false;
  }
}

}  // namespace tracker::auth
