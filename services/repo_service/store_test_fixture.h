#ifndef SERVICES_REPO_SERVICE_STORE_TEST_FIXTURE_H_
#define SERVICES_REPO_SERVICE_STORE_TEST_FIXTURE_H_

// The store opened on a clone of a repository generated in the real format
// by tools/gen_tracking_repo.py: what every clone can run, fixtures or not.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/repo_service/repo_store.h"
#include "services/repo_service/service_test_client.h"
#include "testing/test_util.h"

namespace tracker::repo {

class StoreTest : public ::testing::Test {
 protected:
  // 60 jobs in 3 studies, one batch of 20 each, spread over the four states
  // with run markers (the generator's seed is fixed: the same every run).
  void SetUp() override {
    remote_ = tmp_.path() + "/remote.git";
    auto made = tracker::testing::Shell(absl::StrCat(
        "python3 ", tracker::testing::ShellQuote(tracker::testing::Runfile("tools/gen_tracking_repo.py")),
        " ", tracker::testing::ShellQuote(remote_), " ", GeneratorFlags(), " 2>&1"));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    OpenStore();
  }
  // tools/gen_tracking_repo.py's options for the repository.
  virtual std::string GeneratorFlags() const {
    return "--jobs 60 --studies 3 --batch-size 20 --mix";
  }
  void OpenStore() {
    StoreOptions options = Options();
    OpenStore(options);
  }
  void OpenStore(const StoreOptions& options) {
    api_.reset();
    store_.reset();
    auto store = RepoStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    api_ = std::make_unique<ServiceTestClient>(store_.get());
  }
  StoreOptions Options() const {
    StoreOptions options;
    options.path = clone();
    options.remote_url = remote_;
    options.push_backoff_ms = 1;
    return options;
  }
  std::string clone() const { return tmp_.path() + "/clone.git"; }

  std::string Git(const std::string& dir, const std::string& args) {
    auto r = tracker::testing::Shell(
        absl::StrCat("git -C ", tracker::testing::ShellQuote(dir), " ", args, " 2>&1"));
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    return std::string(absl::StripTrailingAsciiWhitespace(r.output));
  }
  std::string Tip(const std::string& branch) {
    return Git(clone(), absl::StrCat("rev-parse refs/heads/", branch));
  }
  // Jobs of the scheduler branch's tip in `state`, in listing order.
  std::vector<JobKey> JobsIn(State state) {
    JobQuery query;
    query.states = {state};
    auto page = store_->reader().ListJobs(query);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<JobKey> out;
    if (page.ok()) {
      for (const JobSummary& job : page->jobs) out.push_back(job.key);
    }
    return out;
  }
  static tracker::v1::JobKey ToProto(const JobKey& key) {
    tracker::v1::JobKey out;
    out.set_study_id(key.study_id);
    out.set_batch_id(key.batch_id);
    out.set_job_id(key.job_id);
    return out;
  }

  tracker::testing::TempDir tmp_;
  std::string remote_;
  std::unique_ptr<RepoStore> store_;
  std::unique_ptr<ServiceTestClient> api_;  // the store's gRPC face
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_STORE_TEST_FIXTURE_H_
