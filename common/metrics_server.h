#ifndef COMMON_METRICS_SERVER_H_
#define COMMON_METRICS_SERVER_H_

// Serves the process's metrics (metrics::Registry::Default()) as Prometheus
// text exposition at GET /metrics over plain HTTP, on its own port, so that
// Prometheus scrapes it without speaking gRPC or TLS.

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace tracker {

class MetricsServer {
 public:
  // Binds `listen` (HOST:PORT, port 0: any free one) and serves in a
  // thread of its own. The bound port is returned by port().
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& listen);
  ~MetricsServer();  // stops serving

  int port() const { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace tracker

#endif  // COMMON_METRICS_SERVER_H_
