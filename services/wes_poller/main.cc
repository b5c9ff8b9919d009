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
#include "common/log.h"
#include "common/server.h"
#include "common/http_flags.h"
#include "common/server_flags.h"
#include "services/wes_poller/poller.h"
#include "services/wes_poller/service.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052", "HOST:PORT to serve gRPC on (port 0: any free port)");
ABSL_FLAG(std::string, config, "", "the YAML config (compute_environments); required");
ABSL_FLAG(int, max_concurrency, 32, "HTTP requests in flight per call");
ABSL_FLAG(bool, check, false, "validate flags, config and credentials, then exit 0 without serving");

int main(int argc, char** argv) {
  tracker::PrepareServiceProcess();
  absl::SetProgramUsageMessage(
      "Talks to the workflow services of every compute environment: run states, start, "
      "resume, cancel, find the runs of a job.");
  absl::ParseCommandLine(argc, argv);
  // Serving flags first: a missing certificate is found before any work.
  absl::StatusOr<tracker::ServerOptions> serving =
      tracker::ServerOptionsFromFlags(absl::GetFlag(FLAGS_listen));
  if (!serving.ok()) {
    std::cerr << "wes-poller: " << serving.status().message() << "\n";
    return 2;
  }
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
  if (absl::GetFlag(FLAGS_max_concurrency) < 1) {
    std::cerr << "wes-poller: --max_concurrency must be >= 1\n";
    return 2;
  }
  auto made = tracker::HttpClientFromFlags();
  if (!made.ok()) {
    std::cerr << "wes-poller: " << made.status().message() << "\n";
    return 2;
  }
  std::shared_ptr<tracker::HttpClient> http = *made;
  tracker::wes::PollerOptions options;
  options.max_concurrency = absl::GetFlag(FLAGS_max_concurrency);
  options.request_timeout = tracker::RequestTimeoutFromFlags();
  auto poller = tracker::wes::Poller::Create(*config, http, options);
  if (!poller.ok()) {
    std::cerr << "wes-poller: " << poller.status().message() << "\n";
    return 2;
  }
  if (absl::GetFlag(FLAGS_check)) return 0;

  tracker::wes::WesPollerServiceImpl service(poller->get());
  absl::Status served = tracker::ServeUntilSignal(
      *serving, {&service});
  if (!served.ok()) {
    std::cerr << "wes-poller: " << served.message() << "\n";
    return 1;
  }
  return 0;
}
