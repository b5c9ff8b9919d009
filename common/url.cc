#include "common/url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tracker {

std::string RedactUrl(absl::string_view url) {
  url = url.substr(0, url.find('?'));
  const size_t scheme = url.find("://");
  if (scheme == absl::string_view::npos) return std::string(url);
  const size_t host = scheme + 3;
  const size_t at = url.find('@', host);
  const size_t slash = url.find('/', host);
  if (at == absl::string_view::npos || (slash != absl::string_view::npos && at > slash)) {
    return std::string(url);
  }
  return absl::StrCat(url.substr(0, host), "***@", url.substr(at + 1));
}

std::string UrlAuthority(absl::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == absl::string_view::npos) return "";
  absl::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != absl::string_view::npos) rest = rest.substr(at + 1);
  return std::string(rest);
}

std::string UrlHost(absl::string_view url) {
  const std::string authority = UrlAuthority(url);
  if (!authority.empty() && authority[0] == '[') return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

std::string UrlEncode(absl::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace tracker
