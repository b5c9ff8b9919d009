#ifndef SERVICES_SCHEDULER_NOTIFIER_H_
#define SERVICES_SCHEDULER_NOTIFIER_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/http_client.h"

namespace tracker::scheduler {

// Where reports and alerts go. Implementations are thread-safe.
class Notifier {
 public:
  virtual ~Notifier() = default;
  // FAILED_PRECONDITION when there is nowhere to post; UNAVAILABLE when the
  // destination failed.
  virtual absl::Status Post(const std::string& text) = 0;
};

// A Slack incoming webhook: POST {"username": "scheduler", "text": ...}, the
// body the original scheduler posted (its operators' channel shows the
// messages under that name). The URL is a secret (it holds the credential):
// never logged.
class SlackNotifier : public Notifier {
 public:
  SlackNotifier(std::shared_ptr<HttpClient> http, std::string url)
      : http_(std::move(http)), url_(std::move(url)) {}
  absl::Status Post(const std::string& text) override;

 private:
  std::shared_ptr<HttpClient> http_;
  std::string url_;
};

// No webhook configured: nothing is posted (alerts are in the log only), and
// Post says so, so that nobody is told a report was sent.
class LogOnlyNotifier : public Notifier {
 public:
  absl::Status Post(const std::string&) override;
};

enum class AlertLevel { kInfo, kWarning, kCritical };

// A message in the form the original scheduler posted: the level's emoji on
// a line of its own (":fire:" CRITICAL, ":warning:" WARNING,
// ":information_source:" INFO), then the message.
std::string SlackText(AlertLevel level, const std::string& message);

// Alerts, deduplicated: the same key is sent once, then again only after
// `repeat_after` (a standing problem is not re-announced every cycle).
// Every alert is logged. Thread-safe.
class Alerter {
 public:
  Alerter(Notifier* notifier, Clock* clock, absl::Duration repeat_after = absl::Hours(6))
      : notifier_(notifier), clock_(clock), repeat_after_(repeat_after) {}
  // Returns true when the alert was sent (not a duplicate).
  bool Alert(AlertLevel level, const std::string& key, const std::string& text);
  // The problem behind `key` is gone: the next occurrence alerts again.
  void Resolve(const std::string& key);

 private:
  Notifier* const notifier_;
  Clock* const clock_;
  const absl::Duration repeat_after_;
  absl::Mutex mu_;
  std::map<std::string, absl::Time> sent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_NOTIFIER_H_
