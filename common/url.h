#ifndef COMMON_URL_H_
#define COMMON_URL_H_

// URL helpers every service shares: the one rule for showing a URL in a log
// line, an error or a gRPC answer, and percent-encoding.

#include <string>

#include "absl/strings/string_view.h"

namespace tracker {

// A URL safe to show: the query string is dropped (it may carry a token)
// and user information is masked, "https://user:pw@host/p?x" ->
// "https://***@host/p". scp-like git addresses (git@host:org/repo) carry no
// secret and are kept.
std::string RedactUrl(absl::string_view url);

// The authority of a URL without user information: "host:port" as the
// URL gives them ("https://u:p@wes.example.org:8443/x" ->
// "wes.example.org:8443"); "" when there is no scheme. The metrics' host
// label: two services on one machine are told apart.
std::string UrlAuthority(absl::string_view url);

// Its host alone ("id.example.org"), without the port.
std::string UrlHost(absl::string_view url);

// Percent-encodes for a URL path segment or a form value.
std::string UrlEncode(absl::string_view s);

}  // namespace tracker

#endif  // COMMON_URL_H_
