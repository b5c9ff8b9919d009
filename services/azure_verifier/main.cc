// azure-verifier: checks in the destination SONG (and SCORE) that every
// analysis of a job arrived and is PUBLISHED.
//
//   azure-verifier --listen=0.0.0.0:50053 [--song_token_env=SONG_TOKEN]

#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/config.h"
#include "common/log.h"
#include "common/server.h"
#include "common/http_flags.h"
#include "common/server_flags.h"
#include "common/token_provider.h"
#include "services/azure_verifier/service.h"
#include "services/azure_verifier/verifier.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50053", "HOST:PORT to serve gRPC on (port 0: any free port)");
ABSL_FLAG(std::string, config, "", "optional YAML config (validated; the verifier needs none of its keys)");
ABSL_FLAG(std::string, song_token_env, "", "environment variable with a bearer token for SONG (optional)");
ABSL_FLAG(std::string, score_token_env, "", "environment variable with a bearer token for SCORE (optional)");
ABSL_FLAG(int, max_concurrency, 16, "HTTP requests in flight per call");
ABSL_FLAG(bool, check, false, "validate flags and credentials, then exit 0 without serving");

int main(int argc, char** argv) {
  tracker::PrepareServiceProcess();
  absl::SetProgramUsageMessage(
      "Checks in the destination SONG (and SCORE) that every analysis of a job is PUBLISHED.");
  absl::ParseCommandLine(argc, argv);
  // Serving flags first: a missing certificate is found before any work.
  absl::StatusOr<tracker::ServerOptions> serving =
      tracker::ServerOptionsFromFlags(absl::GetFlag(FLAGS_listen));
  if (!serving.ok()) {
    std::cerr << "azure-verifier: " << serving.status().message() << "\n";
    return 2;
  }
  tracker::SetLogComponent("azure-verifier");

  if (!absl::GetFlag(FLAGS_config).empty()) {
    auto config = tracker::LoadTrackerConfig(absl::GetFlag(FLAGS_config));
    if (!config.ok()) {
      std::cerr << "azure-verifier: " << config.status().message() << "\n";
      return 2;
    }
  }
  if (absl::GetFlag(FLAGS_max_concurrency) < 1) {
    std::cerr << "azure-verifier: --max_concurrency must be >= 1\n";
    return 2;
  }
  auto made = tracker::HttpClientFromFlags();
  if (!made.ok()) {
    std::cerr << "azure-verifier: " << made.status().message() << "\n";
    return 2;
  }
  std::shared_ptr<tracker::HttpClient> http = *made;
  auto song_tokens = tracker::MakeTokenProvider(http, "", "", "", absl::GetFlag(FLAGS_song_token_env));
  auto score_tokens = tracker::MakeTokenProvider(http, "", "", "", absl::GetFlag(FLAGS_score_token_env));
  for (const auto* t : {&song_tokens, &score_tokens}) {
    if (!t->ok()) {
      std::cerr << "azure-verifier: " << t->status().message() << "\n";
      return 2;
    }
  }
  if (absl::GetFlag(FLAGS_check)) return 0;

  tracker::verifier::VerifierOptions options;
  options.max_concurrency = absl::GetFlag(FLAGS_max_concurrency);
  options.request_timeout = tracker::RequestTimeoutFromFlags();
  tracker::verifier::Verifier verifier(http, *song_tokens, *score_tokens, options);
  tracker::verifier::AzureVerifierServiceImpl service(&verifier);
  absl::Status served = tracker::ServeUntilSignal(
      *serving, {&service});
  if (!served.ok()) {
    std::cerr << "azure-verifier: " << served.message() << "\n";
    return 1;
  }
  return 0;
}
