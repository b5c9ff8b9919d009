#include "auth/principal.h"

namespace tracker::auth {

std::optional<Role> ParseRole(absl::string_view text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "operator") return Role::kOperator;
  if (text == "admin") return Role::kAdmin;
  if (text == "scheduler") return Role::kScheduler;
  return std::nullopt;
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
    case Role::kScheduler:
      return "scheduler";
  }
  return "unknown";
}

}  // namespace tracker::auth
