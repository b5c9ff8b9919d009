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
#include "common/curl_http_client.h"
#include "common/log.h"
#include "common/http_retry.h"
#include "common/server.h"
#include "common/token_provider.h"
#include "services/azure_verifier/service.h"
#include "services/azure_verifier/verifier.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50053", "HOST:PORT to serve gRPC on (port 0: any free port)");
ABSL_FLAG(std::string, port_file, "", "write the bound port to this file once serving");
ABSL_FLAG(std::string, config, "", "optional YAML config (validated; the verifier needs none of its keys)");
ABSL_FLAG(std::string, song_token_env, "", "environment variable with a bearer token for SONG (optional)");
ABSL_FLAG(std::string, score_token_env, "", "environment variable with a bearer token for SCORE (optional)");
ABSL_FLAG(int, max_concurrency, 16, "HTTP requests in flight per call");
ABSL_FLAG(int, request_timeout_seconds, 30, "limit of one HTTP attempt");
ABSL_FLAG(int, retry_deadline_seconds, 60, "limit of one HTTP call with its retries");
ABSL_FLAG(int, retry_attempts, 5, "attempts of an HTTP call");
ABSL_FLAG(std::string, ca_file, "", "extra CA bundle (PEM) for SONG/SCORE");
ABSL_FLAG(int, drain_seconds, 0, "after SIGTERM, keep serving this long with health NOT_SERVING before refusing new RPCs");
ABSL_FLAG(int, shutdown_grace_seconds, 20, "how long in-flight RPCs may run after SIGTERM");
ABSL_FLAG(bool, check, false, "validate flags and credentials, then exit 0 without serving");

int main(int argc, char** argv) {
  tracker::PrepareServiceProcess();
  absl::SetProgramUsageMessage(
      "Checks in the destination SONG (and SCORE) that every analysis of a job is PUBLISHED.");
  absl::ParseCommandLine(argc, argv);
  tracker::SetLogComponent("azure-verifier");

  if (!absl::GetFlag(FLAGS_config).empty()) {
    auto config = tracker::LoadTrackerConfig(absl::GetFlag(FLAGS_config));
    if (!config.ok()) {
      std::cerr << "azure-verifier: " << config.status().message() << "\n";
      return 2;
    }
  }
  if (absl::GetFlag(FLAGS_max_concurrency) < 1 || absl::GetFlag(FLAGS_retry_attempts) < 1) {
    std::cerr << "azure-verifier: --max_concurrency and --retry_attempts must be >= 1\n";
    return 2;
  }
  tracker::CurlOptions curl;
  curl.ca_file = absl::GetFlag(FLAGS_ca_file);
  tracker::RetryPolicy retry;
  retry.max_attempts = absl::GetFlag(FLAGS_retry_attempts);
  retry.deadline = absl::Seconds(absl::GetFlag(FLAGS_retry_deadline_seconds));
  auto http = std::make_shared<tracker::RetryingHttpClient>(
      std::make_shared<tracker::CurlHttpClient>(curl), retry);
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
  options.request_timeout = absl::Seconds(absl::GetFlag(FLAGS_request_timeout_seconds));
  tracker::verifier::Verifier verifier(http, *song_tokens, *score_tokens, options);
  tracker::verifier::AzureVerifierServiceImpl service(&verifier);
  tracker::ServerOptions server;
  server.listen = absl::GetFlag(FLAGS_listen);
  server.port_file = absl::GetFlag(FLAGS_port_file);
  server.shutdown_grace = absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));
  server.drain = absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  absl::Status served = tracker::ServeUntilSignal(server, {&service});
  if (!served.ok()) {
    std::cerr << "azure-verifier: " << served.message() << "\n";
    return 1;
  }
  return 0;
}
