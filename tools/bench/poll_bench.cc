// Polling many runs through the wes-poller's Poller (real libcurl, real
// HTTP to the WES simulator, which adds a fixed latency to every request),
// against the original script's way in the same run: one request at a time.
//
//   poll_bench WES_URL [RUNS] [LATENCY_MS]
//
// Prints wall times, the ratio to sequential, and the ratio to the lower
// bound latency x ceil(requests / concurrency); then the same runs through
// ARGO's GraphQL, one run per request against batches of aliased queries.

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/config.h"
#include "common/curl_http_client.h"
#include "common/http_retry.h"
#include "services/wes_poller/poller.h"

namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<tracker::HttpClient> Http() {
  return std::make_shared<tracker::RetryingHttpClient>(
      std::make_shared<tracker::CurlHttpClient>(), tracker::RetryPolicy{});
}

double Poll(const tracker::TrackerConfig& config, const std::string& env, int concurrency,
            const std::vector<std::string>& ids, int batch = 50) {
  tracker::wes::PollerOptions options;
  options.max_concurrency = concurrency;
  options.graphql_batch_size = batch;
  auto poller = tracker::wes::Poller::Create(config, Http(), options);
  if (!poller.ok()) {
    std::cerr << poller.status() << "\n";
    std::exit(1);
  }
  tracker::v1::GetRunStatesRequest req;
  req.set_environment(env);
  for (const auto& id : ids) req.add_run_ids(id);
  auto t0 = Clock::now();
  auto states = (*poller)->GetRunStates(req);
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!states.ok()) {
    std::cerr << states.status() << "\n";
    std::exit(1);
  }
  for (const auto& run : states->runs()) {
    if (run.error_code() != 0 || run.state() == tracker::v1::RUN_STATE_UNSPECIFIED) {
      std::cerr << "run " << run.run_id() << " not read: " << run.error_message() << "\n";
      std::exit(1);
    }
  }
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: poll_bench WES_URL [RUNS] [LATENCY_MS]\n";
    return 2;
  }
  const std::string wes = argv[1];
  const int runs = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int latency_ms = argc > 3 ? std::atoi(argv[3]) : 50;
  tracker::TrackerConfig config;
  tracker::ComputeEnvironment env;
  env.name = "bench";
  env.wes_url = wes;
  env.max_parallel_runs = 1;
  config.compute_environments["bench"] = env;
  // The same service through ARGO's GraphQL.
  env.name = "bench_gql";
  env.graphql_url = wes + "/graphql";
  config.compute_environments["bench_gql"] = env;

  // Start the runs (no latency yet: the simulator adds it once they exist).
  auto http = Http();
  std::vector<std::string> ids;
  for (int i = 0; i < runs; ++i) {
    tracker::HttpRequest post;
    post.method = "POST";
    post.url = wes + "/runs";
    post.idempotent = false;
    post.headers = {{"Content-Type", "application/json"}};
    post.body = absl::StrCat(R"({"workflow_url":"bench","workflow_params":{"n":)", i, "}}");
    auto r = http->Send(post);
    if (!r.ok() || r->status != 200) {
      std::cerr << "cannot start run " << i << "\n";
      return 1;
    }
    ids.push_back(r->body.substr(r->body.find("wes-"), 36));
  }
  tracker::HttpRequest fault;
  fault.method = "POST";
  fault.url = wes + "/_sim/faults";
  fault.body = absl::StrCat(R"({"mode":"none","latency_ms":)", latency_ms, "}");
  if (!http->Send(fault).ok()) return 1;

  std::cout << absl::StrFormat("GetRunStates of %d runs, %d ms latency per request\n", runs,
                               latency_ms);
  double sequential = Poll(config, "bench", 1, ids);
  std::cout << absl::StrFormat("  %-34s %8.2f s\n", "sequential (the original script)",
                               sequential);
  for (int concurrency : {8, 32, 64}) {
    double t = Poll(config, "bench", concurrency, ids);
    double bound = latency_ms / 1000.0 * std::ceil(static_cast<double>(runs) / concurrency);
    std::cout << absl::StrFormat(
        "  %-34s %8.2f s   %6.1fx faster than sequential   %4.2fx the lower bound (%.2f s)\n",
        absl::StrCat("concurrency ", concurrency), t, sequential / t, t / bound, bound);
  }
  // GraphQL: one aliased `runs` per run id, many per request.
  std::cout << "through GraphQL (requests = ceil(runs / batch)):\n";
  double one_each = Poll(config, "bench_gql", 1, ids, 1);
  std::cout << absl::StrFormat("  %-34s %8.2f s   %5d requests (the original's SINGLE_RUN_QUERY)\n",
                               "batch 1, sequential", one_each, runs);
  for (auto [batch, concurrency] : std::vector<std::pair<int, int>>{{50, 1}, {50, 8}, {200, 8}}) {
    double t = Poll(config, "bench_gql", concurrency, ids, batch);
    int requests = (runs + batch - 1) / batch;
    std::cout << absl::StrFormat("  %-34s %8.2f s   %5d requests   %6.1fx faster than batch 1\n",
                                 absl::StrCat("batch ", batch, ", concurrency ", concurrency), t,
                                 requests, one_each / t);
  }
  return 0;
}
