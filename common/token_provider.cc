#include "common/token_provider.h"

#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "common/http_metrics.h"
#include "common/url.h"
#include "common/log.h"
#include "common/metrics.h"

namespace tracker {

OAuth2TokenProvider::OAuth2TokenProvider(std::shared_ptr<HttpClient> http, std::string token_url,
                                         std::string client_id, std::string client_secret,
                                         Clock* clock)
    : http_(std::move(http)),
      token_url_(std::move(token_url)),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)),
      clock_(clock) {}

absl::StatusOr<std::string> OAuth2TokenProvider::Token() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  if (!token_.empty() && now < refresh_at_) return token_;
  auto token = Refresh(now);
  static auto& refreshes = metrics::Registry::Default().Counter(
      "tracker_token_refreshes_total", "OAuth2 token requests, by token endpoint host and result",
      {"host", "result"});
  refreshes.Add({UrlAuthority(token_url_), token.ok() ? "ok" : "failed"});
  return token;
}

absl::StatusOr<std::string> OAuth2TokenProvider::Refresh(absl::Time now) {

  HttpRequest request;
  request.method = "POST";
  request.url = token_url_;
  request.idempotent = true;  // asking for a token twice is harmless
  request.timeout = absl::Seconds(20);
  request.headers = {
      {"Authorization",
       absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(client_id_, ":", client_secret_)))},
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"Accept", "application/json"}};
  request.body = "grant_type=client_credentials";
  auto response = http_->Send(request);
  if (!response.ok()) {
    return Prefixed("token request failed", response.status());
  }
  if (response->status != 200) {
    // The body of a token endpoint may echo credentials: never shown.
    return HttpError("token request refused", request, *response, /*include_body=*/false);
  }
  auto body = ParseJsonObject(response->body, "token response");
  if (!body.ok()) {
    return absl::UnavailableError(absl::StrCat("token response from ", RedactUrl(token_url_),
                                               " is not JSON"));
  }
  std::string token = StringField(*body, "access_token");
  if (token.empty()) {
    return absl::UnavailableError(
        absl::StrCat("token response from ", RedactUrl(token_url_), " has no access_token"));
  }
  absl::Duration lifetime = absl::Hours(1);
  auto it = body->fields().find("expires_in");
  if (it != body->fields().end() && it->second.has_number_value()) {
    lifetime = absl::Seconds(it->second.number_value());
  }
  token_ = std::move(token);
  refresh_at_ = now + lifetime - std::min(absl::Minutes(1), lifetime / 2);
  LogInfo("token_refreshed")
      .Kv("token_url", RedactUrl(token_url_))
      .Kv("expires_in_s", absl::ToInt64Seconds(lifetime));
  return token_;
}

void OAuth2TokenProvider::Invalidate(const std::string& token) {
  absl::MutexLock lock(&mu_);
  if (token == token_) token_.clear();
}

absl::StatusOr<std::shared_ptr<TokenProvider>> MakeTokenProvider(
    std::shared_ptr<HttpClient> http, const std::string& token_url,
    const std::string& client_id_env, const std::string& client_secret_env,
    const std::string& token_env) {
  auto read_env = [](const std::string& name, const char* what) -> absl::StatusOr<std::string> {
    if (name.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("no environment variable named for the ", what));
    }
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') {
      return absl::FailedPreconditionError(
          absl::StrCat("environment variable ", name, " (the ", what, ") is not set"));
    }
    return std::string(value);
  };
  if (!token_url.empty()) {
    auto id = read_env(client_id_env, "OAuth2 client id");
    if (!id.ok()) return id.status();
    auto secret = read_env(client_secret_env, "OAuth2 client secret");
    if (!secret.ok()) return secret.status();
    return std::shared_ptr<TokenProvider>(
        std::make_shared<OAuth2TokenProvider>(std::move(http), token_url, *id, *secret));
  }
  if (!token_env.empty()) {
    auto token = read_env(token_env, "bearer token");
    if (!token.ok()) return token.status();
    return std::shared_ptr<TokenProvider>(std::make_shared<StaticTokenProvider>(*token));
  }
  return std::shared_ptr<TokenProvider>();
}

absl::StatusOr<HttpResponse> SendAuthorized(HttpClient& http, TokenProvider* tokens,
                                            HttpRequest request) {
  if (tokens == nullptr) return http.Send(request);
  const size_t auth_index = request.headers.size();
  request.headers.emplace_back("Authorization", "");
  for (int attempt = 1;; ++attempt) {
    auto token = tokens->Token();
    if (!token.ok()) return token.status();
    request.headers[auth_index].second = absl::StrCat("Bearer ", *token);
    auto response = http.Send(request);
    if (!response.ok() || response->status != 401 || attempt == 2) return response;
    tokens->Invalidate(*token);
  }
}

}  // namespace tracker
