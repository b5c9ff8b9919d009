#ifndef TESTING_TEST_PKI_H_
#define TESTING_TEST_PKI_H_

// Certificates, bearer tokens and an auth config for tests of the secured
// services: what a deployment gets from cert-manager and its identity
// provider, made by tools/gen_certs.sh in a test directory.
//
//   DIR/ca.pem                      the CA every service trusts
//   DIR/<service>.pem, .key         one certificate per service, for server
//                                   and client authentication
//   DIR/jobctl-admin.pem, .key      an admin's client certificate
//   DIR/tokens.yaml                 hashed tokens: viewer, operator, admin
//   DIR/<role>.token                each token in a file (jobctl --token-file)
//   DIR/auth.yaml                   the auth config naming all of them

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "auth/principal.h"

namespace tracker::testing {

class TestPki {
 public:
  static constexpr const char* kServices[] = {"repo-service", "wes-poller", "azure-verifier",
                                              "scheduler-service"};

  explicit TestPki(std::string dir) : dir_(std::move(dir)) {}

  // Makes everything above; `extra_auth_yaml` is appended to auth.yaml
  // (an oidc: section, say).
  absl::Status Create(const std::string& extra_auth_yaml = "");

  // tools/gen_certs.sh with `options` (e.g. {"--days", "-1"}) for `name`.
  absl::Status MakeCertificate(const std::string& name,
                               const std::vector<std::string>& options = {}) const;

  // The token of a human role, as the client sends it (never logged).
  static std::string Token(auth::Role role);

  const std::string& dir() const { return dir_; }
  std::string ca() const { return dir_ + "/ca.pem"; }
  std::string cert(const std::string& name) const { return dir_ + "/" + name + ".pem"; }
  std::string key(const std::string& name) const { return dir_ + "/" + name + ".key"; }
  std::string token_file(auth::Role role) const;
  std::string auth_config() const { return dir_ + "/auth.yaml"; }

  // A service's TLS and auth flags (its own certificate, files re-read
  // every second so rotation tests need not wait).
  std::vector<std::string> ServiceFlags(const std::string& name) const;

 private:
  std::string dir_;
};

}  // namespace tracker::testing

#endif  // TESTING_TEST_PKI_H_
