#ifndef AUTH_IDENTITY_H_
#define AUTH_IDENTITY_H_

#include <string>
#include <vector>

namespace tracker::auth {

// Who a verified credential names: the subject of an OIDC token or an entry
// of the static token file. Carries no part of the credential itself, so it
// may be logged and written as a commit author.
struct Identity {
  std::string subject;  // JWT "sub"; for a token file entry: its name
  // Display name: the "name" claim, else "preferred_username", else sub.
  std::string name;
  std::string email;                // "email" claim; may be empty
  std::vector<std::string> groups;  // the groups claim's strings (array, or one string)
  std::string role;                 // token file only: the entry's role as written; JWT: empty
};

}  // namespace tracker::auth

#endif  // AUTH_IDENTITY_H_
