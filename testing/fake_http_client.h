#ifndef TESTING_FAKE_HTTP_CLIENT_H_
#define TESTING_FAKE_HTTP_CLIENT_H_

#include <deque>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/http_client.h"

namespace tracker::testing {

// Answers requests from a script (queued answers first, then `handler`) and
// records every request it saw.
class FakeHttpClient : public HttpClient {
 public:
  using Handler = std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)>;

  void Push(absl::StatusOr<HttpResponse> answer) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back(std::move(answer));
  }
  void Push(int status, std::string body = "", std::map<std::string, std::string> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    Push(absl::StatusOr<HttpResponse>(std::move(r)));
  }
  void SetHandler(Handler handler) {
    std::lock_guard<std::mutex> lock(mu_);
    handler_ = std::move(handler);
  }

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    Handler handler;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      if (!script_.empty()) {
        auto answer = std::move(script_.front());
        script_.pop_front();
        return answer;
      }
      handler = handler_;
    }
    if (handler) return handler(request);
    return absl::InternalError("FakeHttpClient: no answer scripted for " + request.url);
  }

  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::deque<absl::StatusOr<HttpResponse>> script_;
  Handler handler_;
  std::vector<HttpRequest> requests_;
};

// A clock that only moves when slept on or advanced; records the sleeps.
class FakeClock : public Clock {
 public:
  absl::Time Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void SleepFor(absl::Duration d) override {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(d);
    now_ += d;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }
  std::vector<absl::Duration> sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  std::mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::vector<absl::Duration> sleeps_;
};

}  // namespace tracker::testing

#endif  // TESTING_FAKE_HTTP_CLIENT_H_
