#include "services/repo_service/known_hosts.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tracker::repo {

absl::Status CheckKnownHost(absl::string_view known_hosts, absl::string_view host, int port,
                            absl::string_view key_base64) {
  const std::string name =
      port == 22 || port <= 0 ? std::string(host) : absl::StrCat("[", host, "]:", port);
  bool host_listed = false, hashed_seen = false, accepted = false;
  std::string revoked_type;  // a @revoked line anywhere wins
  for (absl::string_view line : absl::StrSplit(known_hosts, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    bool revoked = false;
    if (!f.empty() && f[0][0] == '@') {
      revoked = f[0] == "@revoked";
      if (!revoked) continue;  // @cert-authority: certificates are not used here
      f.erase(f.begin());
    }
    if (f.size() < 3) continue;
    bool match = false;
    for (absl::string_view h : absl::StrSplit(f[0], ',')) {
      if (absl::StartsWith(h, "|1|")) hashed_seen = true;
      if (h == name) match = true;
    }
    if (!match) continue;
    host_listed = true;
    if (f[2] != key_base64) continue;
    if (revoked) {
      revoked_type = std::string(f[1]);
    } else {
      accepted = true;
    }
  }
  if (!revoked_type.empty()) {
    return absl::UnavailableError(absl::StrCat("the ", revoked_type, " host key of ", name,
                                               " is marked @revoked in known_hosts"));
  }
  if (accepted) return absl::OkStatus();
  std::string why = host_listed ? "its host key is not the one known_hosts lists (changed? or a man in the middle)"
                                : "it is not in known_hosts";
  if (!host_listed && hashed_seen) {
    absl::StrAppend(&why, " (known_hosts has hashed names, which are not supported: use ssh-keyscan without -H)");
  }
  return absl::UnavailableError(absl::StrCat("refusing to talk to ", name, ": ", why));
}

}  // namespace tracker::repo
