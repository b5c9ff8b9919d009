// The four services with TLS on every port and authenticated callers: every
// RPC of every service called with every role (the table's decision, and
// nothing written by a refused call), the handshake refusals, a live
// certificate rotation, the caller as commit author, the plaintext health
// port, and no token in any log line. jobctl_auth_test: jobctl's side.

#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/rpc_access.h"
#include "common/file_util.h"
#include "common/tls.h"
#include "testing/cluster.h"
#include "testing/generic_call.h"

namespace tracker {
namespace {

using ::tracker::auth::Role;
using ::tracker::testing::Cluster;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using ::tracker::testing::TestPki;
using namespace tracker::v1;  // NOLINT: generated message names

// The services of the project and the port each one listens on.
const std::map<std::string, std::string>& ServiceProcesses() {
  static const auto* names = new std::map<std::string, std::string>{
      {"tracker.v1.RepoService", "repo-service"},
      {"tracker.v1.WesPoller", "wes-poller"},
      {"tracker.v1.AzureVerifier", "azure-verifier"},
      {"tracker.v1.Scheduler", "scheduler-service"}};
  return *names;
}

struct Caller {
  std::string label;
  std::optional<Role> role;  // nullopt: nobody the services know
  std::string cert;          // a client certificate name of the test PKI, or ""
  std::string token;
};

std::shared_ptr<grpc::ChannelCredentials> CredentialsOf(const TestPki& pki, const Caller& c) {
  TlsConfig tls;
  tls.ca_file = pki.ca();
  if (!c.cert.empty()) {
    tls.cert_file = pki.cert(c.cert);
    tls.key_file = pki.key(c.cert);
  }
  auto made = MakeChannelCredentials(tls);
  EXPECT_TRUE(made.ok()) << made.status();
  if (c.token.empty()) return *made;
  return grpc::CompositeChannelCredentials(*made, grpc::AccessTokenCredentials(c.token));
}

// One call of `method` with an empty request on a channel of its own (a
// fresh handshake); the status, and the server's certificate when asked.
grpc::Status Call(std::shared_ptr<grpc::ChannelCredentials> creds, int port,
                  const std::string& method, std::string* peer_pem = nullptr) {
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);  // no connection shared with other channels
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), creds, args);
  testing::GenericCallResult r = testing::GenericUnaryCall(channel, method);
  if (peer_pem != nullptr) *peer_pem = r.peer_pem;
  return r.status;
}

std::string Log(const Cluster& cluster, const std::string& name) {
  absl::StatusOr<std::string> text = ReadFile(cluster.dir() + "/" + name + ".log");
  return text.ok() ? *text : "";
}

class AuthSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ClusterOptions options;
    options.tls = true;
    options.jobs = 4;
    options.use_excerpt = false;
    options.envs = {{"rdpc_qa", 2, false}};
    options.extra_args["repo-service"] = {"--health_listen=127.0.0.1:0",
                                          "--health_port_file=" + tmp_.path() + "/health.port"};
    cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
    std::string error;
    ASSERT_TRUE(cluster_->Start(&error)) << error;
    const TestPki& pki = cluster_->pki();
    callers_ = {
        {"nobody", std::nullopt, "", ""},
        {"viewer", Role::kViewer, "", TestPki::Token(Role::kViewer)},
        {"operator", Role::kOperator, "", TestPki::Token(Role::kOperator)},
        {"admin", Role::kAdmin, "", TestPki::Token(Role::kAdmin)},
        {"admin certificate", Role::kAdmin, "jobctl-admin", ""},
        {"scheduler certificate", Role::kScheduler, "scheduler-service", ""},
        {"another service's certificate", std::nullopt, "wes-poller", ""},
        {"an unknown token", std::nullopt, "", "not-a-token-of-this-deployment"},
    };
    (void)pki;
  }

  std::string Tips() {
    return cluster_->Tip("main") + "/" + cluster_->Tip("scheduler");
  }

  TempDir tmp_;
  std::unique_ptr<Cluster> cluster_;
  std::vector<Caller> callers_;
};

TEST_F(AuthSystemTest, EveryRpcOfEveryServiceWithEveryRole) {
  const TestPki& pki = cluster_->pki();
  struct Allowed {
    std::string method;
    Caller caller;
    int port;
  };
  std::vector<Allowed> allowed;
  int denied = 0;
  const std::string before = Tips();
  for (const auto& [service_name, process] : ServiceProcesses()) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    const int port = cluster_->port(process);
    for (int m = 0; m < service->method_count(); ++m) {
      const std::string method = absl::StrCat("/", service_name, "/", service->method(m)->name());
      std::optional<auth::RpcRule> rule = auth::FindRpcRule(method);
      ASSERT_TRUE(rule.has_value()) << method << " has no entry in auth/rpc_access.cc";
      for (const Caller& caller : callers_) {
        const bool may = caller.role && auth::RoleAllowed(*rule, *caller.role);
        if (may) {
          allowed.push_back({method, caller, port});
          continue;
        }
        grpc::Status s = Call(CredentialsOf(pki, caller), port, method);
        const grpc::StatusCode want = caller.role ? grpc::StatusCode::PERMISSION_DENIED
                                                  : grpc::StatusCode::UNAUTHENTICATED;
        EXPECT_EQ(s.error_code(), want) << method << " as " << caller.label << ": "
                                        << s.error_message();
        EXPECT_FALSE(s.error_message().empty()) << method << " as " << caller.label;
        ++denied;
      }
    }
  }
  // Nothing a refused call asked for was written.
  EXPECT_EQ(Tips(), before);
  EXPECT_GT(denied, 100);

  // The allowed ones reach their handler: whatever it answers an empty
  // request, it is not a refusal of the caller (a person writing the
  // scheduler branch, the default of some writes, is the branch rule's).
  for (const Allowed& a : allowed) {
    grpc::Status s = Call(CredentialsOf(pki, a.caller), a.port, a.method);
    EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << a.method << " as " << a.caller.label << ": " << s.error_message();
    if (s.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
      EXPECT_TRUE(absl::StrContains(s.error_message(), "may not write the scheduler branch"))
          << a.method << " as " << a.caller.label << ": " << s.error_message();
    }
  }
}

TEST_F(AuthSystemTest, HandshakesWithoutTheRightCertificatesAreRefused) {
  const TestPki& pki = cluster_->pki();
  const int repo = cluster_->port("repo-service");
  const std::string list = "/tracker.v1.RepoService/ListFlags";
  const Caller admin{"admin", Role::kAdmin, "jobctl-admin", ""};
  ASSERT_TRUE(Call(CredentialsOf(pki, admin), repo, list).ok());

  // A client certificate of another CA, and an expired one of ours.
  ASSERT_TRUE(pki.MakeCertificate("stranger", {"--ca", "other-ca"}).ok());
  ASSERT_TRUE(pki.MakeCertificate("expired", {"--days", "-1"}).ok());
  for (const char* cert : {"stranger", "expired"}) {
    // Sent as they are (our own client refuses an expired certificate
    // before sending it): the server must refuse them itself.
    grpc::SslCredentialsOptions raw;
    raw.pem_root_certs = *ReadFile(pki.ca());
    raw.pem_cert_chain = *ReadFile(pki.cert(cert));
    raw.pem_private_key = *ReadFile(pki.key(cert));
    grpc::Status s = Call(grpc::SslCredentials(raw), repo, list);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << cert << ": " << s.error_message();
  }
  // A client that trusts another CA does not accept the server.
  TlsConfig wrong_ca;
  wrong_ca.ca_file = pki.dir() + "/other-ca.pem";
  grpc::Status s = Call(*MakeChannelCredentials(wrong_ca), repo, list);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // Plaintext to a TLS port.
  s = Call(grpc::InsecureChannelCredentials(), repo, list);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // A server answering with the certificate of another service: the client
  // expects wes-poller and gets repo-service's certificate.
  TlsConfig tls;
  tls.ca_file = pki.ca();
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("wes-poller");
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", repo),
                                           *MakeChannelCredentials(tls), args);
  ListFlagsResponse flags;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  s = RepoService::NewStub(channel)->ListFlags(&ctx, ListFlagsRequest(), &flags);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // No client certificate and no token.
  s = Call(CredentialsOf(pki, {"nobody", std::nullopt, "", ""}), repo, list);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "no credentials")) << s.error_message();
}

TEST_F(AuthSystemTest, ARenewedServerCertificateIsServedWithoutARestart) {
  const TestPki& pki = cluster_->pki();
  const int repo = cluster_->port("repo-service");
  const int pid = cluster_->pid("repo-service");
  const Caller admin{"admin", Role::kAdmin, "jobctl-admin", ""};
  std::string served;
  ASSERT_TRUE(Call(CredentialsOf(pki, admin), repo, "/tracker.v1.RepoService/ListFlags", &served).ok());
  ASSERT_EQ(served, *ReadFile(pki.cert("repo-service")));

  ASSERT_TRUE(pki.MakeCertificate("repo-service").ok());  // a new key and certificate
  const std::string renewed = *ReadFile(pki.cert("repo-service"));
  ASSERT_NE(renewed, served);
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    std::string now;
    grpc::Status s = Call(CredentialsOf(pki, admin), repo, "/tracker.v1.RepoService/ListFlags", &now);
    ASSERT_TRUE(s.ok()) << s.error_message();
    seen = now == renewed;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(seen) << "the renewed certificate was not served within 10 s";
  EXPECT_EQ(cluster_->pid("repo-service"), pid);
}

TEST_F(AuthSystemTest, TheCallerIsTheAuthorAndOnlyTheSchedulerWritesItsBranch) {
  const TestPki& pki = cluster_->pki();
  const Caller op{"operator", Role::kOperator, "", TestPki::Token(Role::kOperator)};
  auto repo = RepoService::NewStub(
      OpenChannel(absl::StrCat("127.0.0.1:", cluster_->port("repo-service")), CredentialsOf(pki, op)));

  // The scheduler's cycle, over mutual TLS, writes it as itself.
  const std::string before_cycle = cluster_->Tip("scheduler");
  RunCycleResponse cycle;
  grpc::Status ran = cluster_->Cycle(&cycle);
  ASSERT_TRUE(ran.ok()) << ran.error_message();
  ASSERT_NE(cluster_->Tip("scheduler"), before_cycle);
  auto authors = cluster_->Git(absl::StrCat("log --format=%an ", before_cycle, "..scheduler"));
  EXPECT_EQ(authors.exit_code, 0) << authors.output;
  EXPECT_FALSE(authors.output.empty());
  for (absl::string_view line : absl::StrSplit(authors.output, '\n', absl::SkipEmpty())) {
    EXPECT_EQ(line, "scheduler-service");
  }

  // The request names someone else: the commit names the caller.
  SetFlagRequest pause;
  pause.mutable_options()->set_branch("main");
  pause.mutable_options()->mutable_author()->set_name("mallory");
  pause.mutable_options()->mutable_author()->set_email("mallory@example.org");
  pause.mutable_flag()->set_kind(FLAG_KIND_PAUSE);
  pause.mutable_flag()->set_environment("rdpc_qa");
  WriteResult written;
  grpc::ClientContext ctx;
  ASSERT_TRUE(repo->SetFlag(&ctx, pause, &written).ok());
  auto author = cluster_->Git("log -1 --format=%an%x09%ae " + written.commit());
  EXPECT_EQ(author.output, "operator-user\toperator@example.org\n");
  EXPECT_TRUE(absl::StrContains(Log(*cluster_, "repo-service"), "principal=operator-user"))
      << "the write's log line names the principal";

  // A person never writes the scheduler branch.
  const std::string tip = cluster_->Tip("scheduler");
  SetFlagRequest on_scheduler = pause;
  on_scheduler.mutable_options()->set_branch("scheduler");
  grpc::ClientContext ctx2;
  grpc::Status s = repo->SetFlag(&ctx2, on_scheduler, &written);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(cluster_->Tip("scheduler"), tip);
}

// Kubelet's probes speak plaintext: the health port answers them, and
// nothing else of the service is there.
TEST_F(AuthSystemTest, TheHealthPortAnswersProbesAndNothingElse) {
  const int port = testing::WaitForPortFile(tmp_.path() + "/health.port", 5000);
  ASSERT_GT(port, 0);
  EXPECT_EQ(testing::HealthOf(port), "SERVING");

  grpc::Status s = Call(grpc::InsecureChannelCredentials(), port, "/tracker.v1.RepoService/ListFlags");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED) << s.error_message();
  s = Call(grpc::InsecureChannelCredentials(), port, "/tracker.v1.RepoService/ImportBatch");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED) << s.error_message();
}

TEST_F(AuthSystemTest, NoTokenInAnyLogLine) {
  const TestPki& pki = cluster_->pki();
  for (const Caller& c : callers_) {
    (void)Call(CredentialsOf(pki, c), cluster_->port("repo-service"),
               "/tracker.v1.RepoService/ImportBatch");
  }
  RunCycleResponse cycle;
  (void)cluster_->Cycle(&cycle);
  auto logs = Shell(absl::StrCat("cat ", ShellQuote(cluster_->dir()), "/*.log"));
  ASSERT_FALSE(logs.output.empty());
  EXPECT_TRUE(absl::StrContains(logs.output, "rpc_refused")) << "refusals are logged";
  for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    EXPECT_FALSE(absl::StrContains(logs.output, TestPki::Token(role))) << RoleName(role);
  }
  EXPECT_FALSE(absl::StrContains(logs.output, "not-a-token-of-this-deployment"));
}

}  // namespace
}  // namespace tracker
