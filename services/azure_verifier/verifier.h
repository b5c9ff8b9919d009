#ifndef SERVICES_AZURE_VERIFIER_VERIFIER_H_
#define SERVICES_AZURE_VERIFIER_VERIFIER_H_

#include <memory>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http_client.h"
#include "common/token_provider.h"
#include "proto/tracker/v1/verifier.pb.h"

namespace tracker::verifier {

struct VerifierOptions {
  int max_concurrency = 16;
  int max_analyses_per_call = 1000;
  absl::Duration request_timeout = absl::Seconds(30);
  size_t max_cached = 500000;
};

// Asks the destination SONG whether analyses are PUBLISHED and, when a
// SCORE url is given, whether their objects exist there. A PUBLISHED answer
// (with its objects all present) is remembered: it does not change back
// without an admin. Thread-safe.
class Verifier {
 public:
  Verifier(std::shared_ptr<HttpClient> http, std::shared_ptr<TokenProvider> song_tokens,
           std::shared_ptr<TokenProvider> score_tokens, VerifierOptions options = {});

  absl::StatusOr<tracker::v1::VerifyAnalysesResponse> VerifyAnalyses(
      const tracker::v1::VerifyAnalysesRequest& req);

 private:
  absl::StatusOr<tracker::v1::AnalysisVerification> VerifyOne(const std::string& song,
                                                              const std::string& score,
                                                              const std::string& study,
                                                              const std::string& analysis_id);
  absl::StatusOr<bool> ObjectExists(const std::string& score, const std::string& object_id);

  std::shared_ptr<HttpClient> http_;
  std::shared_ptr<TokenProvider> song_tokens_;
  std::shared_ptr<TokenProvider> score_tokens_;
  VerifierOptions options_;
  absl::Mutex cache_mu_;
  std::unordered_map<std::string, tracker::v1::AnalysisVerification> published_ ABSL_GUARDED_BY(cache_mu_);
};

// INVALID_ARGUMENT unless `url` is an http(s) URL without query or fragment.
absl::Status ValidateBaseUrl(absl::string_view url, absl::string_view what);

}  // namespace tracker::verifier

#endif  // SERVICES_AZURE_VERIFIER_VERIFIER_H_
