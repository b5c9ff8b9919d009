#ifndef AUTH_PRINCIPAL_H_
#define AUTH_PRINCIPAL_H_

// Who calls: the authenticated principal and its role.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace tracker::auth {

// viewer < operator < admin: each may do what the ones before it may.
// kScheduler is the scheduler's own identity, beside that order: the only
// caller that writes the scheduler branch and queued/, and nothing else an
// operator may not do.
enum class Role { kViewer = 1, kOperator = 2, kAdmin = 3, kScheduler = 4 };

std::optional<Role> ParseRole(absl::string_view text);  // "viewer", "operator", ...
absl::string_view RoleName(Role role);

struct Principal {
  std::string name;   // the commit author's name and what logs show
  std::string email;  // the commit author's email
  Role role = Role::kViewer;
  // How it was proven: "certificate", "oidc" or "token-file".
  std::string method;
};

}  // namespace tracker::auth

#endif  // AUTH_PRINCIPAL_H_
