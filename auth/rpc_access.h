#ifndef AUTH_RPC_ACCESS_H_
#define AUTH_RPC_ACCESS_H_

// Which role may call which RPC: the one table, for every service of the
// project (rpc_access.cc). A method without an entry is refused to
// everyone, so a new RPC is closed until someone decides who may call it;
// rpc_access_test and tests/auth_roles_test fail until it has an entry.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "auth/principal.h"

namespace tracker::auth {

// The least human role that may call; kSchedulerOnly: no human at all.
enum class MinRole { kAnyone, kViewer, kOperator, kAdmin, kSchedulerOnly };

struct RpcRule {
  MinRole min_role;
  // The scheduler's identity may call it too (it needs no other right).
  bool scheduler;
};

// The rule of a full method name ("/tracker.v1.RepoService/ListJobs");
// nullopt when the table has none.
std::optional<RpcRule> FindRpcRule(absl::string_view full_method);

// Every method the table names, for the tests that walk them.
std::vector<std::string> RpcTableMethods();

// Whether `role` may call under `rule` (an unauthenticated caller only
// where min_role is kAnyone).
bool RoleAllowed(const RpcRule& rule, Role role);

}  // namespace tracker::auth

#endif  // AUTH_RPC_ACCESS_H_
