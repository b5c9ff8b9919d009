#ifndef TOOLS_SIM_SIM_SERVER_H_
#define TOOLS_SIM_SIM_SERVER_H_

// What the simulators share: fault injection on demand, JSON answers, and
// serving on a loopback port (0 = any, printed and written to a file).

#include <httplib.h>

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace tracker::sim {

// Faults, set with `POST /_sim/faults` (JSON) and cleared with
// `DELETE /_sim/faults`:
//   {"mode": "status", "status": 503, "retry_after_s": 2, "count": 3,
//    "path": "/runs", "method": "GET", "latency_ms": 50, "hang_ms": 30000}
// mode: "none" (latency only), "status" (answer `status`, with Retry-After
// when retry_after_s is set), "reset" (drop the connection before handling),
// "reset_after" (handle the request, e.g. create the run, then drop the
// connection: the ambiguous outcome), "hang" (wait hang_ms, then drop).
// count: how many matching requests get the fault (-1: until cleared).
// latency_ms applies to every matching request while set. Paths under /_sim
// are never faulted.
class FaultInjector {
 public:
  // Installs the pre/post routing handlers and the /_sim/faults endpoints.
  void Install(httplib::Server& server);
  absl::Status Set(const std::string& json);
  void Clear();

 private:
  struct Fault {
    std::string mode = "none";
    int status = 503;
    int retry_after_s = -1;
    int count = -1;
    std::string path;
    std::string method;
    int latency_ms = 0;
    int hang_ms = 30000;
  };
  // Returns the fault to apply to this request (mode "none" when none), and
  // uses up one of its count.
  Fault Take(const httplib::Request& req);

  absl::Mutex mu_;
  Fault fault_ ABSL_GUARDED_BY(mu_);
  bool active_ ABSL_GUARDED_BY(mu_) = false;
};

// Answers `body` as application/json.
void Json(httplib::Response& res, const std::string& body, int status = 200);
// A JSON error body as GA4GH WES and SONG send them.
void JsonError(httplib::Response& res, int status, const std::string& message);

// Binds --host (default 127.0.0.1) on `port` (0 = any), prints "listening on HOST:N",
// writes N to `port_file` when set, and serves until SIGTERM/SIGINT.
int Serve(httplib::Server& server, const std::string& name, int port,
          const std::string& port_file);

}  // namespace tracker::sim

#endif  // TOOLS_SIM_SIM_SERVER_H_
