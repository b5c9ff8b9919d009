#include "services/scheduler/notifier.h"

#include <google/protobuf/struct.pb.h>

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "common/log.h"

namespace tracker::scheduler {

absl::Status SlackNotifier::Post(const std::string& text) {
  google::protobuf::Struct body;
  (*body.mutable_fields())["username"].set_string_value("scheduler");
  (*body.mutable_fields())["text"].set_string_value(text);
  HttpRequest request;
  request.method = "POST";
  request.url = url_;
  request.idempotent = false;  // a retry could post the message twice
  request.timeout = absl::Seconds(10);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = ToJson(body);
  auto response = http_->Send(request);
  if (!response.ok()) {
    // The message holds the URL only without its path (the path is the
    // webhook's secret).
    return absl::UnavailableError("Slack webhook unreachable");
  }
  if (response->status != 200) {
    return absl::UnavailableError(absl::StrCat("Slack webhook answered HTTP ", response->status));
  }
  return absl::OkStatus();
}

absl::Status LogOnlyNotifier::Post(const std::string&) {
  return absl::FailedPreconditionError("no Slack webhook configured");
}

std::string SlackText(AlertLevel level, const std::string& message) {
  const char* emoji = level == AlertLevel::kCritical  ? ":fire:"
                      : level == AlertLevel::kWarning ? ":warning:"
                                                      : ":information_source:";
  return absl::StrCat(emoji, "\n", message);
}

bool Alerter::Alert(AlertLevel level, const std::string& key, const std::string& text) {
  const char* name = level == AlertLevel::kCritical  ? "CRITICAL"
                     : level == AlertLevel::kWarning ? "WARNING"
                                                     : "INFO";
  {
    absl::MutexLock lock(&mu_);
    auto it = sent_.find(key);
    const absl::Time now = clock_->Now();
    if (it != sent_.end() && now - it->second < repeat_after_) return false;
    sent_[key] = now;
  }
  LogWarning("alert").Kv("level", name).Kv("key", key).Kv("text", text);
  absl::Status posted = notifier_->Post(SlackText(level, text));
  // Without a webhook the log line above is the alert.
  if (!posted.ok() && posted.code() != absl::StatusCode::kFailedPrecondition) {
    LogWarning("alert_not_sent").Kv("error", std::string(posted.message()));
  }
  return true;
}

void Alerter::Resolve(const std::string& key) {
  absl::MutexLock lock(&mu_);
  sent_.erase(key);
}

}  // namespace tracker::scheduler
