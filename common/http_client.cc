#include "common/http_client.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace tracker {
namespace {

constexpr char kMaybeSentPayload[] = "type.tracker/http.maybe_sent";

}  // namespace

std::string HttpResponse::Header(absl::string_view name) const {
  auto it = headers.find(absl::AsciiStrToLower(name));
  return it == headers.end() ? std::string() : it->second;
}

absl::Status MarkMaybeSent(absl::Status status) {
  status.SetPayload(kMaybeSentPayload, absl::Cord("1"));
  return status;
}

bool RequestMayHaveBeenSent(const absl::Status& status) {
  return status.GetPayload(kMaybeSentPayload).has_value();
}

absl::Status Prefixed(absl::string_view prefix, const absl::Status& status) {
  absl::Status out(status.code(), absl::StrCat(prefix, ": ", status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

absl::StatusCode HttpStatusToCode(int http_status) {
  if (http_status >= 200 && http_status < 300) return absl::StatusCode::kOk;
  switch (http_status) {
    case 400: return absl::StatusCode::kInvalidArgument;
    case 401: return absl::StatusCode::kUnauthenticated;
    case 403: return absl::StatusCode::kPermissionDenied;
    case 404: return absl::StatusCode::kNotFound;
    case 408: return absl::StatusCode::kUnavailable;
    case 409: return absl::StatusCode::kAborted;
    case 412: return absl::StatusCode::kFailedPrecondition;
    case 429: return absl::StatusCode::kUnavailable;
    default: break;
  }
  if (http_status >= 500) return absl::StatusCode::kUnavailable;
  if (http_status >= 400) return absl::StatusCode::kFailedPrecondition;
  return absl::StatusCode::kUnknown;  // 1xx/3xx: we follow no redirects
}

absl::Status HttpError(absl::string_view what, const HttpRequest& request,
                       const HttpResponse& response, bool include_body) {
  std::string message = absl::StrCat(what, ": HTTP ", response.status, " from ",
                                     request.method, " ", RedactUrl(request.url));
  if (include_body && !response.body.empty()) {
    std::string head = response.body.substr(0, 200);
    for (char& c : head) {
      if (!std::isprint(static_cast<unsigned char>(c))) c = ' ';
    }
    absl::StrAppend(&message, ": ", head);
  }
  return absl::Status(HttpStatusToCode(response.status), message);
}

}  // namespace tracker
