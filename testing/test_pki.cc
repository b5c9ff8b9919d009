#include "testing/test_pki.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "auth/token_file.h"
#include "testing/test_util.h"

namespace tracker::testing {

std::string TestPki::Token(auth::Role role) {
  return absl::StrCat("test-", auth::RoleName(role), "-token-3c9e5a0d41f7b2");
}

std::string TestPki::token_file(auth::Role role) const {
  return absl::StrCat(dir_, "/", auth::RoleName(role), ".token");
}

absl::Status TestPki::MakeCertificate(const std::string& name,
                                      const std::vector<std::string>& options) const {
  std::string command = absl::StrCat("bash ", ShellQuote(Runfile("tools/gen_certs.sh")));
  for (const std::string& o : options) absl::StrAppend(&command, " ", ShellQuote(o));
  absl::StrAppend(&command, " ", ShellQuote(dir_), " ", ShellQuote(name));
  CommandResult made = Shell(command);
  if (made.exit_code != 0) {
    return absl::InternalError(absl::StrCat("gen_certs.sh ", name, ": ", made.output));
  }
  return absl::OkStatus();
}

absl::Status TestPki::Create(const std::string& extra_auth_yaml) {
  for (const char* name : kServices) {
    absl::Status made = MakeCertificate(name);
    if (!made.ok()) return made;
  }
  absl::Status admin = MakeCertificate("jobctl-admin");
  if (!admin.ok()) return admin;

  std::ofstream tokens(dir_ + "/tokens.yaml");
  tokens << "tokens:\n";
  for (auth::Role role : {auth::Role::kViewer, auth::Role::kOperator, auth::Role::kAdmin}) {
    const std::string name(auth::RoleName(role));
    tokens << "  - sha256: " << auth::HashToken(Token(role)) << "\n"
           << "    name: " << name << "-user\n"
           << "    email: " << name << "@example.org\n"
           << "    role: " << name << "\n";
    std::ofstream(token_file(role)) << Token(role) << "\n";
  }
  tokens.close();

  std::ofstream config(auth_config());
  config << "token_file: tokens.yaml\n"
         << "certificates:\n"
         << "  - identity: scheduler-service\n"
         << "    role: scheduler\n"
         << "  - identity: jobctl-admin\n"
         << "    role: admin\n"
         << "    email: jobctl-admin@example.org\n"
         << extra_auth_yaml;
  config.close();
  if (!config) return absl::InternalError("cannot write " + auth_config());
  return absl::OkStatus();
}

std::vector<std::string> TestPki::ServiceFlags(const std::string& name) const {
  return {"--tls_cert=" + cert(name), "--tls_key=" + key(name), "--tls_ca=" + ca(),
          "--tls_reload_seconds=1", "--auth_config=" + auth_config()};
}

}  // namespace tracker::testing
