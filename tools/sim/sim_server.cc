#include "tools/sim/sim_server.h"

#include <signal.h>
#include <sys/socket.h>

#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/json.h"

// One flag for the three simulators: loopback for tests and the demo; a
// container (tools/deploy_check.sh) binds every address so the services'
// containers reach it by its network alias.
ABSL_FLAG(std::string, host, "127.0.0.1", "address to listen on (0.0.0.0 in a container)");

namespace tracker::sim {
namespace {

// Declares a body it never sends: the client sees the connection drop in
// the middle of the answer.
void DropConnection(httplib::Response& res) {
  res.status = 200;
  res.body.clear();  // a set body would be sent instead of the provider
  res.set_content_provider(
      1024, "application/json",
      [](size_t, size_t, httplib::DataSink&) { return false; });
}

}  // namespace

void Json(httplib::Response& res, const std::string& body, int status) {
  res.status = status;
  res.set_content(body, "application/json");
}

void JsonError(httplib::Response& res, int status, const std::string& message) {
  google::protobuf::Struct body;
  (*body.mutable_fields())["msg"].set_string_value(message);
  (*body.mutable_fields())["status_code"].set_number_value(status);
  Json(res, ToJson(body), status);
}

absl::Status FaultInjector::Set(const std::string& json) {
  auto parsed = ParseJsonObject(json, "fault");
  if (!parsed.ok()) return parsed.status();
  Fault f;
  f.mode = StringField(*parsed, "mode");
  if (f.mode.empty()) f.mode = "none";
  if (f.mode != "none" && f.mode != "status" && f.mode != "reset" && f.mode != "reset_after" &&
      f.mode != "hang") {
    return absl::InvalidArgumentError("mode must be none, status, reset, reset_after or hang");
  }
  f.status = IntField(*parsed, "status", 503);
  f.retry_after_s = IntField(*parsed, "retry_after_s", -1);
  f.count = IntField(*parsed, "count", -1);
  f.path = StringField(*parsed, "path");
  f.method = StringField(*parsed, "method");
  f.latency_ms = IntField(*parsed, "latency_ms", 0);
  f.hang_ms = IntField(*parsed, "hang_ms", 30000);
  absl::MutexLock lock(&mu_);
  fault_ = f;
  active_ = true;
  return absl::OkStatus();
}

void FaultInjector::Clear() {
  absl::MutexLock lock(&mu_);
  active_ = false;
}

FaultInjector::Fault FaultInjector::Take(const httplib::Request& req) {
  absl::MutexLock lock(&mu_);
  Fault none;
  if (!active_ || absl::StartsWith(req.path, "/_sim")) return none;
  if (!fault_.path.empty() && !absl::StartsWith(req.path, fault_.path)) return none;
  if (!fault_.method.empty() && fault_.method != req.method) return none;
  if (fault_.count == 0) return none;
  if (fault_.count > 0 && fault_.mode != "none") --fault_.count;
  return fault_;
}

void FaultInjector::Install(httplib::Server& server) {
  server.Post("/_sim/faults", [this](const httplib::Request& req, httplib::Response& res) {
    absl::Status s = Set(req.body);
    if (!s.ok()) return JsonError(res, 400, std::string(s.message()));
    Json(res, "{}");
  });
  server.Delete("/_sim/faults", [this](const httplib::Request&, httplib::Response& res) {
    Clear();
    Json(res, "{}");
  });
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    Fault f = Take(req);
    if (f.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(f.latency_ms));
    if (f.mode == "status") {
      if (f.retry_after_s >= 0) res.set_header("Retry-After", std::to_string(f.retry_after_s));
      JsonError(res, f.status, absl::StrCat("injected fault: HTTP ", f.status));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (f.mode == "reset") {
      DropConnection(res);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (f.mode == "hang") {
      std::this_thread::sleep_for(std::chrono::milliseconds(f.hang_ms));
      DropConnection(res);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (f.mode == "reset_after") {
      // Marks the request; the post-routing handler drops the answer.
      res.set_header("X-Sim-Drop", "1");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.has_header("X-Sim-Drop")) {
      res.headers.erase("X-Sim-Drop");
      DropConnection(res);
    }
  });
}

int Serve(httplib::Server& server, const std::string& name, int port,
          const std::string& port_file) {
  // Many slow (latency-injected) requests at once must not queue behind a
  // handful of workers.
  server.new_task_queue = [] { return new httplib::ThreadPool(96); };
  // Headers and body go out in separate writes: without TCP_NODELAY the
  // second waits for the client's delayed ACK, 40 ms a request.
  server.set_tcp_nodelay(true);
  // cpp-httplib listens with a backlog of 5: a client opening 16
  // connections at once loses SYNs and waits a second for the retransmit.
  // Keep the listening socket to widen the backlog after bind.
  int listen_fd = -1;
  server.set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd = sock;
  });
  const std::string host = absl::GetFlag(FLAGS_host);
  int bound = port == 0 ? server.bind_to_any_port(host)
                        : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    std::cerr << name << ": cannot bind " << host << ":" << port << "\n";
    return 1;
  }
  if (listen_fd >= 0) ::listen(listen_fd, 1024);
  std::cout << name << " listening on " << host << ":" << bound << std::endl;
  if (!port_file.empty()) {
    absl::Status written = WriteFileAtomically(port_file, std::to_string(bound));
    if (!written.ok()) {
      std::cerr << name << ": " << written.message() << "\n";
      return 1;
    }
  }
  // Stop on SIGTERM/SIGINT from a thread that waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread stopper([&server, set] {
    int sig = 0;
    sigwait(&set, &sig);
    server.stop();
  });
  stopper.detach();
  server.listen_after_bind();
  return 0;
}

}  // namespace tracker::sim
