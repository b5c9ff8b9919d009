#include "auth/rpc_access.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "proto/tracker/v1/repo.grpc.pb.h"
#include "proto/tracker/v1/scheduler.grpc.pb.h"
#include "proto/tracker/v1/verifier.grpc.pb.h"
#include "proto/tracker/v1/wes.grpc.pb.h"

namespace tracker::auth {
namespace {

// Every method of every service of the project, from the generated
// descriptors: a new RPC shows up here without anyone listing it.
std::set<std::string> ServiceMethods() {
  std::set<std::string> out;
  for (const char* name : {tracker::v1::RepoService::service_full_name(),
                           tracker::v1::WesPoller::service_full_name(),
                           tracker::v1::AzureVerifier::service_full_name(),
                           tracker::v1::Scheduler::service_full_name()}) {
    const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    EXPECT_NE(service, nullptr) << name;
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      out.insert(absl::StrCat("/", name, "/", service->method(i)->name()));
    }
  }
  return out;
}

TEST(RpcAccessTest, EveryMethodHasARuleAndEveryRuleAMethod) {
  const std::set<std::string> methods = ServiceMethods();
  ASSERT_GT(methods.size(), 30u);
  for (const std::string& m : methods) {
    EXPECT_TRUE(FindRpcRule(m).has_value()) << m << " has no rule in auth/rpc_access.cc";
  }
  for (const std::string& m : RpcTableMethods()) {
    if (m.rfind("/grpc.", 0) == 0) continue;  // health and reflection
    EXPECT_TRUE(methods.count(m)) << m << " is in the table but no service has it";
  }
  EXPECT_FALSE(FindRpcRule("/tracker.v1.RepoService/NoSuchMethod").has_value());
}

TEST(RpcAccessTest, RolesOrderAndTheSchedulerIdentity) {
  const RpcRule read = *FindRpcRule("/tracker.v1.RepoService/ListJobs");
  const RpcRule requeue = *FindRpcRule("/tracker.v1.RepoService/TransitionJobs");
  const RpcRule import = *FindRpcRule("/tracker.v1.RepoService/ImportBatch");
  const RpcRule start = *FindRpcRule("/tracker.v1.WesPoller/StartRun");
  const RpcRule health = *FindRpcRule("/grpc.health.v1.Health/Check");
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) EXPECT_TRUE(RoleAllowed(read, r));
  EXPECT_FALSE(RoleAllowed(requeue, Role::kViewer));
  EXPECT_TRUE(RoleAllowed(requeue, Role::kOperator));
  EXPECT_TRUE(RoleAllowed(requeue, Role::kScheduler));
  EXPECT_FALSE(RoleAllowed(import, Role::kOperator));
  EXPECT_TRUE(RoleAllowed(import, Role::kAdmin));
  EXPECT_FALSE(RoleAllowed(import, Role::kScheduler)) << "the scheduler imports nothing";
  EXPECT_FALSE(RoleAllowed(start, Role::kAdmin)) << "runs start only from a cycle";
  EXPECT_TRUE(RoleAllowed(start, Role::kScheduler));
  EXPECT_EQ(health.min_role, MinRole::kAnyone);
}

TEST(RpcAccessTest, RoleNamesRoundTrip) {
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin, Role::kScheduler}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_FALSE(ParseRole("root").has_value());
}

}  // namespace
}  // namespace tracker::auth
