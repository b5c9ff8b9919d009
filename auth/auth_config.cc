#include "auth/auth_config.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"

namespace tracker::auth {
namespace {

absl::Status KeyError(const std::string& key, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("auth config: ", key, " ", what));
}

std::string PathFrom(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return absl::StrCat(base_dir, "/", path);
}

absl::StatusOr<Role> RoleAt(const YAML::Node& node, const std::string& key, bool scheduler_ok) {
  std::optional<Role> role = node.IsScalar() ? ParseRole(node.as<std::string>()) : std::nullopt;
  if (!role || (*role == Role::kScheduler && !scheduler_ok)) {
    return KeyError(key, scheduler_ok ? "must be viewer, operator, admin or scheduler"
                                      : "must be viewer, operator or admin");
  }
  return *role;
}

absl::StatusOr<std::map<std::string, Role>> RoleMap(const YAML::Node& node,
                                                    const std::string& key) {
  std::map<std::string, Role> out;
  if (!node) return out;
  if (!node.IsMap()) return KeyError(key, "must be a map of name: role");
  for (const auto& entry : node) {
    const std::string name = entry.first.as<std::string>();
    absl::StatusOr<Role> role = RoleAt(entry.second, absl::StrCat(key, ".", name), false);
    if (!role.ok()) return role.status();
    out[name] = *role;
  }
  return out;
}

std::string Text(const YAML::Node& node, const char* key) {
  return node[key] && node[key].IsScalar() ? node[key].as<std::string>() : "";
}

absl::Status ParseOidc(const YAML::Node& node, const std::string& base_dir, AuthConfig* out) {
  if (!node.IsMap()) return KeyError("oidc", "must be a map");
  OidcOptions oidc;
  oidc.issuer = Text(node, "issuer");
  oidc.audience = Text(node, "audience");
  oidc.jwks_file = PathFrom(base_dir, Text(node, "jwks_file"));
  oidc.jwks_url = Text(node, "jwks_url");
  if (node["groups_claim"]) oidc.groups_claim = Text(node, "groups_claim");
  if (oidc.issuer.empty()) return KeyError("oidc.issuer", "is required");
  if (oidc.audience.empty()) return KeyError("oidc.audience", "is required");
  if (oidc.jwks_file.empty() == oidc.jwks_url.empty()) {
    return KeyError("oidc", "needs exactly one of jwks_file and jwks_url");
  }
  auto groups = RoleMap(node["group_roles"], "oidc.group_roles");
  if (!groups.ok()) return groups.status();
  auto subjects = RoleMap(node["subject_roles"], "oidc.subject_roles");
  if (!subjects.ok()) return subjects.status();
  if (groups->empty() && subjects->empty()) {
    return KeyError("oidc", "names no role (group_roles or subject_roles): nobody could call");
  }
  out->group_roles = *std::move(groups);
  out->subject_roles = *std::move(subjects);
  out->oidc = std::move(oidc);
  return absl::OkStatus();
}

absl::Status ParseCertificates(const YAML::Node& node, AuthConfig* out) {
  if (!node.IsSequence()) return KeyError("certificates", "must be a list");
  std::set<std::string> seen;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string key = absl::StrCat("certificates[", i, "]");
    CertificateIdentity cert;
    cert.identity = Text(node[i], "identity");
    if (cert.identity.empty()) return KeyError(key, "needs an identity");
    if (!seen.insert(cert.identity).second) return KeyError(key, "repeats " + cert.identity);
    absl::StatusOr<Role> role = RoleAt(node[i]["role"], key + ".role", true);
    if (!role.ok()) return role.status();
    cert.role = *role;
    cert.email = Text(node[i], "email");
    out->certificates.push_back(std::move(cert));
  }
  return absl::OkStatus();
}

absl::StatusOr<AuthConfig> ParseRoot(const YAML::Node& root, const std::string& base_dir);

}  // namespace

absl::StatusOr<AuthConfig> ParseAuthConfig(const std::string& yaml_text,
                                           const std::string& base_dir) {
  // yaml-cpp throws on a node of the wrong kind anywhere below (a map where
  // a name is expected): every such throw is a bad file, never a crash.
  try {
    return ParseRoot(YAML::Load(yaml_text), base_dir);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("auth config: not valid: ", e.what()));
  }
}

namespace {

absl::StatusOr<AuthConfig> ParseRoot(const YAML::Node& root, const std::string& base_dir) {
  if (!root.IsMap()) return absl::InvalidArgumentError("auth config: must be a YAML map");
  AuthConfig config;
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    if (key != "oidc" && key != "token_file" && key != "certificates") {
      return KeyError(key, "is not a setting (oidc, token_file, certificates)");
    }
  }
  if (root["oidc"]) {
    absl::Status oidc = ParseOidc(root["oidc"], base_dir, &config);
    if (!oidc.ok()) return oidc;
  }
  config.token_file = PathFrom(base_dir, Text(root, "token_file"));
  if (root["certificates"]) {
    absl::Status certs = ParseCertificates(root["certificates"], &config);
    if (!certs.ok()) return certs;
  }
  if (!config.oidc && config.token_file.empty() && config.certificates.empty()) {
    return absl::InvalidArgumentError(
        "auth config: names no way in (oidc, token_file or certificates): nobody could call");
  }
  return config;
}

}  // namespace

absl::StatusOr<AuthConfig> LoadAuthConfig(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
  absl::StatusOr<AuthConfig> config = ParseAuthConfig(*text, dir);
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace tracker::auth
