#ifndef COMMON_TOKEN_PROVIDER_H_
#define COMMON_TOKEN_PROVIDER_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/http_client.h"

namespace tracker {

// Bearer tokens for outbound calls. A token is a secret: it never goes into
// a log line, an error message or a gRPC status.
class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  virtual absl::StatusOr<std::string> Token() = 0;
  // The server refused `token` (401): the next Token() fetches a new one.
  virtual void Invalidate(const std::string& token) {}
};

class StaticTokenProvider : public TokenProvider {
 public:
  explicit StaticTokenProvider(std::string token) : token_(std::move(token)) {}
  absl::StatusOr<std::string> Token() override { return token_; }

 private:
  std::string token_ ABSL_GUARDED_BY(mu_);
};

// OAuth2 client credentials (RFC 6749 section 4.4): POSTs
// grant_type=client_credentials with HTTP Basic client authentication to
// `token_url`; caches the access token and fetches a new one before it
// expires (at the latest one minute, or half its lifetime, before).
// Thread-safe; concurrent callers share one fetch.
class OAuth2TokenProvider : public TokenProvider {
 public:
  OAuth2TokenProvider(std::shared_ptr<HttpClient> http, std::string token_url,
                      std::string client_id, std::string client_secret,
                      Clock* clock = RealClock::Get());
  absl::StatusOr<std::string> Token() override;
  void Invalidate(const std::string& token) override;

 private:
  // Asks the token endpoint for a new token and keeps it.
  absl::StatusOr<std::string> Refresh(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<HttpClient> http_;
  std::string token_url_;
  std::string client_id_;
  std::string client_secret_;
  Clock* clock_;
  absl::Mutex mu_;
  std::string token_;
  absl::Time refresh_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// The provider an environment's config asks for: OAuth2 when `token_url` is
// set (id and secret read from the environment variables named), else a
// static token from `token_env`, else none (nullptr). FAILED_PRECONDITION
// names the variable that is missing, never a value.
absl::StatusOr<std::shared_ptr<TokenProvider>> MakeTokenProvider(
    std::shared_ptr<HttpClient> http, const std::string& token_url,
    const std::string& client_id_env, const std::string& client_secret_env,
    const std::string& token_env);

// Sends `request` with "Authorization: Bearer <token>" when `tokens` is not
// null; on a 401 the token is invalidated and the request sent once more
// with a fresh one.
absl::StatusOr<HttpResponse> SendAuthorized(HttpClient& http, TokenProvider* tokens,
                                            HttpRequest request);

}  // namespace tracker

#endif  // COMMON_TOKEN_PROVIDER_H_
