#ifndef TESTING_FAKE_HTTP_CLIENT_H_
#define TESTING_FAKE_HTTP_CLIENT_H_

#include <deque>
#include <functional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/http_client.h"
#include "testing/fake_clock.h"  // FakeClock, for the tests that use both

namespace tracker::testing {

// Answers requests from a script (queued answers first, then `handler`) and
// records every request it saw.
class FakeHttpClient : public HttpClient {
 public:
  using Handler = std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)>;

  void Push(absl::StatusOr<HttpResponse> answer) {
    absl::MutexLock lock(&mu_);
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
    absl::MutexLock lock(&mu_);
    handler_ = std::move(handler);
  }

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    Handler handler;
    {
      absl::MutexLock lock(&mu_);
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
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  absl::Mutex mu_;
  std::deque<absl::StatusOr<HttpResponse>> script_ ABSL_GUARDED_BY(mu_);
  Handler handler_ ABSL_GUARDED_BY(mu_);
  std::vector<HttpRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tracker::testing

#endif  // TESTING_FAKE_HTTP_CLIENT_H_
