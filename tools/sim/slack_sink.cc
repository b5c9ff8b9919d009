// A Slack incoming webhook on loopback that records what is posted to it.
//   POST /<any path>     {"username": "...", "text": "..."}   -> "ok", as Slack
//                        answers; `text` is required, `username` (the name
//                        the message shows, as the original scheduler set
//                        it) optional; the whole body is recorded
//   GET  /_sim/messages  -> {"messages": [<each JSON body>]}
//
//   slack-sink --port=0 [--print]

#include <iostream>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_join.h"
#include "common/json.h"
#include "tools/sim/sim_server.h"

ABSL_FLAG(int, port, 0, "port on --host (0: any free one)");
ABSL_FLAG(std::string, port_file, "", "write the bound port here");
ABSL_FLAG(bool, print, false, "also print each message's text to stdout");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Mutex mu;
  std::vector<std::string> messages;
  const bool print = absl::GetFlag(FLAGS_print);
  httplib::Server server;
  tracker::sim::FaultInjector faults;
  faults.Install(server);
  server.Get("/_sim/messages", [&](const httplib::Request&, httplib::Response& res) {
    absl::MutexLock lock(&mu);
    tracker::sim::Json(res, "{\"messages\":[" + absl::StrJoin(messages, ",") + "]}");
  });
  server.Post(R"(/(.*))", [&](const httplib::Request& req, httplib::Response& res) {
    auto body = tracker::ParseJsonObject(req.body, "webhook payload");
    if (!body.ok() || tracker::StringField(*body, "text").empty()) {
      res.status = 400;
      res.set_content("invalid_payload", "text/plain");
      return;
    }
    absl::MutexLock lock(&mu);
    messages.push_back(tracker::ToJson(*body));
    if (print) std::cout << tracker::StringField(*body, "text") << std::endl;
    res.set_content("ok", "text/plain");
  });
  return tracker::sim::Serve(server, "slack-sink", absl::GetFlag(FLAGS_port),
                             absl::GetFlag(FLAGS_port_file));
}
