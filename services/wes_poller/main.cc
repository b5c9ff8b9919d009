// wes-poller: the workflow services (GA4GH WES, ARGO RDPC GraphQL) of every
// compute environment in the config, behind one gRPC API.
//
//   wes-poller --listen=0.0.0.0:50052 --config=/etc/tracker/config.yaml

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
#include "services/wes_poller/poller.h"
#include "services/wes_poller/service.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052", "HOST:PORT to serve gRPC on (port 0: any free port)");
ABSL_FLAG(std::string, port_file, "", "write the bound port to this file once serving");
ABSL_FLAG(std::string, config, "", "the YAML config (compute_environments); required");
ABSL_FLAG(int, max_concurrency, 32, "HTTP requests in flight per call");
ABSL_FLAG(int, request_timeout_seconds, 30, "limit of one HTTP attempt");
ABSL_FLAG(int, retry_deadline_seconds, 60, "limit of one HTTP call with its retries");
ABSL_FLAG(int, retry_attempts, 5, "attempts of an idempotent HTTP call");
ABSL_FLAG(std::string, ca_file, "", "extra CA bundle (PEM) for the workflow services");
ABSL_FLAG(int, drain_seconds, 0, "after SIGTERM, keep serving this long with health NOT_SERVING before refusing new RPCs");
ABSL_FLAG(int, shutdown_grace_seconds, 20, "how long in-flight RPCs may run after SIGTERM");
ABSL_FLAG(bool, check, false, "validate flags, config and credentials, then exit 0 without serving");

int main(int argc, char** argv) {
  tracker::PrepareServiceProcess();
  absl::SetProgramUsageMessage(
      "Talks to the workflow services of every compute environment: run states, start, "
      "resume, cancel, find runs by tag.");
  absl::ParseCommandLine(argc, argv);
  tracker::SetLogComponent("wes-poller");

  if (absl::GetFlag(FLAGS_config).empty()) {
    std::cerr << "wes-poller: --config is required (the YAML with compute_environments)\n";
    return 2;
  }
  auto config = tracker::LoadTrackerConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::cerr << "wes-poller: " << config.status().message() << "\n";
    return 2;
  }
  if (absl::GetFlag(FLAGS_max_concurrency) < 1 || absl::GetFlag(FLAGS_retry_attempts) < 1) {
    std::cerr << "wes-poller: --max_concurrency and --retry_attempts must be >= 1\n";
    return 2;
  }
  tracker::CurlOptions curl;
  curl.ca_file = absl::GetFlag(FLAGS_ca_file);
  tracker::RetryPolicy retry;
  retry.max_attempts = absl::GetFlag(FLAGS_retry_attempts);
  retry.deadline = absl::Seconds(absl::GetFlag(FLAGS_retry_deadline_seconds));
  auto http = std::make_shared<tracker::RetryingHttpClient>(
      std::make_shared<tracker::CurlHttpClient>(curl), retry);
  tracker::wes::PollerOptions options;
  options.max_concurrency = absl::GetFlag(FLAGS_max_concurrency);
  options.request_timeout = absl::Seconds(absl::GetFlag(FLAGS_request_timeout_seconds));
  auto poller = tracker::wes::Poller::Create(*config, http, options);
  if (!poller.ok()) {
    std::cerr << "wes-poller: " << poller.status().message() << "\n";
    return 2;
  }
  if (absl::GetFlag(FLAGS_check)) return 0;

  tracker::wes::WesPollerServiceImpl service(poller->get());
  tracker::ServerOptions server;
  server.listen = absl::GetFlag(FLAGS_listen);
  server.port_file = absl::GetFlag(FLAGS_port_file);
  server.shutdown_grace = absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));
  server.drain = absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  absl::Status served = tracker::ServeUntilSignal(server, {&service});
  if (!served.ok()) {
    std::cerr << "wes-poller: " << served.message() << "\n";
    return 1;
  }
  return 0;
}
