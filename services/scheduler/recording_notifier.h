#ifndef SERVICES_SCHEDULER_RECORDING_NOTIFIER_H_
#define SERVICES_SCHEDULER_RECORDING_NOTIFIER_H_

// For tests: a Notifier that keeps what it was asked to post.

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "services/scheduler/notifier.h"

namespace tracker::scheduler {

class RecordingNotifier : public Notifier {
 public:
  absl::Status Post(const std::string& text) override {
    absl::MutexLock lock(&mu_);
    texts_.push_back(text);
    return answer_;
  }
  // What Post answers from now on.
  void Answer(absl::Status status) {
    absl::MutexLock lock(&mu_);
    answer_ = std::move(status);
  }
  std::vector<std::string> texts() {
    absl::MutexLock lock(&mu_);
    return texts_;
  }
  // How many posts contain `part`.
  int Count(const std::string& part) {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (const auto& t : texts_) n += absl::StrContains(t, part);
    return n;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> texts_ ABSL_GUARDED_BY(mu_);
  absl::Status answer_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_RECORDING_NOTIFIER_H_
