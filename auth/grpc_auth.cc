#include "auth/grpc_auth.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "auth/rpc_access.h"
#include "common/log.h"
#include "common/metrics.h"

namespace tracker::auth {
namespace {

constexpr char kPrincipal[] = "tracker_principal";
constexpr char kEmail[] = "tracker_email";
constexpr char kRole[] = "tracker_role";
constexpr char kMethod[] = "tracker_auth_method";

metrics::CounterFamily& Refused() {
  static auto& family = metrics::Registry::Default().Counter(
      "tracker_grpc_server_refused_total",
      "gRPC calls refused before their handler: UNAUTHENTICATED or PERMISSION_DENIED",
      {"method", "code"});
  return family;
}

std::string Value(const grpc::string_ref& ref) { return std::string(ref.data(), ref.size()); }

absl::string_view ShortMethod(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

// The verified client certificate's names: SAN DNS names, then the CN.
std::vector<std::string> CertificateNames(const grpc::AuthContext& context) {
  std::vector<std::string> out;
  for (const char* property : {"x509_subject_alternative_name", "x509_common_name"}) {
    for (const grpc::string_ref& v : context.FindPropertyValues(property)) out.push_back(Value(v));
  }
  return out;
}

grpc::Status Refuse(absl::string_view path, bool known, grpc::StatusCode code,
                    const std::string& who, const std::string& reason) {
  // Unknown paths share one label: a caller cannot grow the metric.
  Refused().Add({known ? std::string(path) : "unknown",
                 code == grpc::StatusCode::UNAUTHENTICATED ? "UNAUTHENTICATED"
                                                           : "PERMISSION_DENIED"});
  LogWarning("rpc_refused").Kv("rpc", std::string(path)).Kv("principal", who).Kv("reason", reason);
  return grpc::Status(code, reason);
}

}  // namespace

grpc::Status AuthProcessor::Process(const InputMetadata& metadata, grpc::AuthContext* context,
                                    OutputMetadata* consumed, OutputMetadata*) {
  std::string path;
  std::string authorization;
  for (const auto& [key, value] : metadata) {
    if (key == ":path") path = Value(value);
    if (key == "authorization") {
      authorization = Value(value);
      // Kept from the handler's metadata: only this class sees the token.
      consumed->insert({"authorization", authorization});
    }
  }
  std::optional<RpcRule> rule = FindRpcRule(path);
  if (!rule) {
    return Refuse(path, false, grpc::StatusCode::PERMISSION_DENIED, "",
                  absl::StrCat(path, " has no access rule: nobody may call it"));
  }
  if (rule->min_role == MinRole::kAnyone) return grpc::Status::OK;

  std::string bearer;
  if (!authorization.empty()) {
    if (!absl::StartsWithIgnoreCase(authorization, "bearer ")) {
      return Refuse(path, true, grpc::StatusCode::UNAUTHENTICATED, "",
                    "the authorization header is not \"Bearer <token>\"");
    }
    bearer = std::string(absl::StripAsciiWhitespace(authorization.substr(7)));
  }
  absl::StatusOr<Principal> principal =
      authenticator_->Authenticate(bearer, CertificateNames(*context));
  if (!principal.ok()) {
    const grpc::StatusCode code = principal.status().code() == absl::StatusCode::kPermissionDenied
                                      ? grpc::StatusCode::PERMISSION_DENIED
                                      : grpc::StatusCode::UNAUTHENTICATED;
    return Refuse(path, true, code, "", std::string(principal.status().message()));
  }
  if (!RoleAllowed(*rule, principal->role)) {
    return Refuse(path, true, grpc::StatusCode::PERMISSION_DENIED, principal->name,
                  absl::StrCat(principal->name, " (", RoleName(principal->role),
                               ") may not call ", ShortMethod(path)));
  }
  context->AddProperty(kPrincipal, principal->name);
  context->AddProperty(kEmail, principal->email);
  context->AddProperty(kRole, std::string(RoleName(principal->role)));
  context->AddProperty(kMethod, principal->method);
  return grpc::Status::OK;
}

std::optional<Principal> CallerOf(const grpc::ServerContext& context) {
  // A context outside any call (a handler called directly) has no peer.
  if (const_cast<grpc::ServerContext&>(context).c_call() == nullptr) return std::nullopt;
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return std::nullopt;
  auto first = [&](const char* name) -> std::string {
    std::vector<grpc::string_ref> values = auth->FindPropertyValues(name);
    return values.empty() ? "" : Value(values.front());
  };
  std::string name = first(kPrincipal);
  if (name.empty()) return std::nullopt;
  Principal p;
  p.name = std::move(name);
  p.email = first(kEmail);
  p.role = ParseRole(first(kRole)).value_or(Role::kViewer);
  p.method = first(kMethod);
  return p;
}

}  // namespace tracker::auth
