// What TLS and the check of every caller cost: the same read (RepoService
// ListFlags) against repo-service without security and with TLS, as an
// admin certificate, a static token and an OIDC JWT; calls on one channel
// (the usual case: jobctl and the scheduler keep theirs) and calls that
// each open a channel (a new TLS handshake every time). Prints the mean
// and median latency, repo-service's CPU per call, and the ratios to the
// plaintext run of the same process.
//
//   tools/bench/auth_bench.sh [CALLS]

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "auth/jwt_test_util.h"
#include "common/tls.h"
#include "testing/cluster.h"
#include "tools/bench/proc_stats.h"

namespace {

using namespace tracker::v1;  // NOLINT: generated message names
using tracker::bench::CpuSeconds;
using tracker::testing::Cluster;
using tracker::testing::ClusterOptions;

struct Figures {
  double mean_us = 0, median_us = 0, cpu_us = 0;
};

// `calls` ListFlags; a new channel for each when `fresh`.
Figures Measure(Cluster& cluster, std::shared_ptr<grpc::ChannelCredentials> creds, int calls,
                bool fresh) {
  const std::string address = absl::StrCat("127.0.0.1:", cluster.port("repo-service"));
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);  // no connection shared between channels
  auto open = [&] { return RepoService::NewStub(grpc::CreateCustomChannel(address, creds, args)); };
  auto stub = open();
  std::vector<double> us;
  const double cpu = CpuSeconds(cluster.pid("repo-service"));
  for (int i = 0; i < calls; ++i) {
    if (fresh) stub = open();
    grpc::ClientContext ctx;
    ListFlagsRequest req;
    req.set_branch("main");
    ListFlagsResponse out;
    const auto start = std::chrono::steady_clock::now();
    grpc::Status s = stub->ListFlags(&ctx, req, &out);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!s.ok()) {
      std::cerr << "call failed: " << s.error_message() << "\n";
      std::exit(1);
    }
  }
  Figures f;
  for (double v : us) f.mean_us += v / calls;
  std::sort(us.begin(), us.end());
  f.median_us = us[us.size() / 2];
  f.cpu_us = (CpuSeconds(cluster.pid("repo-service")) - cpu) * 1e6 / calls;
  return f;
}

std::unique_ptr<Cluster> Start(const std::string& dir, bool tls, const std::string& extra_auth) {
  ClusterOptions options;
  options.tls = tls;
  options.extra_auth_yaml = extra_auth;
  options.jobs = 4;
  options.use_excerpt = false;
  options.envs = {{"rdpc_qa", 1, false}};
  auto cluster = std::make_unique<Cluster>(dir, options);
  std::string error;
  if (!cluster->Start(&error)) {
    std::cerr << error << "\n";
    std::exit(1);
  }
  return cluster;
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::max(100, std::atoi(argv[1])) : 2000;
  tracker::testing::TempDir plain_dir, tls_dir;
  namespace jwt = tracker::auth::testing;
  jwt::TestKey key = jwt::TestKey::Rsa("bench-key");
  std::system(("mkdir -p " + tls_dir.path() + "/pki").c_str());
  std::ofstream(tls_dir.path() + "/pki/jwks.json") << jwt::Jwks({key.PublicJwk()});
  const std::string oidc = absl::StrCat("oidc:\n  issuer: ", jwt::kIssuer, "\n  audience: ",
                                        jwt::kAudience,
                                        "\n  jwks_file: jwks.json\n  group_roles:\n"
                                        "    tracker-admins: admin\n");
  auto plain = Start(plain_dir.path(), false, "");
  auto secure = Start(tls_dir.path(), true, oidc);
  const tracker::testing::TestPki& pki = secure->pki();

  tracker::TlsConfig ca_only;
  ca_only.ca_file = pki.ca();
  tracker::TlsConfig with_cert = ca_only;
  with_cert.cert_file = pki.cert("jobctl-admin");
  with_cert.key_file = pki.key("jobctl-admin");
  auto tls = *tracker::MakeChannelCredentials(ca_only);
  const std::string token = tracker::testing::TestPki::Token(tracker::auth::Role::kAdmin);
  // Valid for the whole run.
  auto claims = jwt::AliceClaims(absl::Now());
  const std::string id_token = key.Sign(jwt::Json(claims));

  struct Case {
    std::string name;
    Cluster* cluster;
    std::shared_ptr<grpc::ChannelCredentials> creds;
  };
  std::vector<Case> cases = {
      {"plaintext (--insecure_plaintext)", plain.get(), grpc::InsecureChannelCredentials()},
      {"TLS + admin client certificate", secure.get(), *tracker::MakeChannelCredentials(with_cert)},
      {"TLS + static token", secure.get(),
       grpc::CompositeChannelCredentials(tls, grpc::AccessTokenCredentials(token))},
      {"TLS + OIDC JWT (RS256)", secure.get(),
       grpc::CompositeChannelCredentials(tls, grpc::AccessTokenCredentials(id_token))},
  };
  for (bool fresh : {false, true}) {
    std::cout << (fresh ? "\na new channel per call (a handshake each time), "
                        : "one channel, ")
              << (fresh ? calls / 10 : calls) << " ListFlags calls\n";
    std::cout << absl::StrFormat("  %-34s %10s %10s %12s %8s %8s\n", "", "mean us", "median us",
                                 "server cpu us", "x mean", "x cpu");
    Figures base;
    for (size_t i = 0; i < cases.size(); ++i) {
      Measure(*cases[i].cluster, cases[i].creds, 50, fresh);  // warm up
      Figures f = Measure(*cases[i].cluster, cases[i].creds, fresh ? calls / 10 : calls, fresh);
      if (i == 0) base = f;
      std::cout << absl::StrFormat("  %-34s %10.0f %10.0f %12.0f %8.2f %8.2f\n", cases[i].name,
                                   f.mean_us, f.median_us, f.cpu_us, f.mean_us / base.mean_us,
                                   f.cpu_us / std::max(1.0, base.cpu_us));
    }
  }
  return 0;
}
