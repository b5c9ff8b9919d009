#ifndef SERVICES_REPO_SERVICE_EXCERPT_FIXTURE_H_
#define SERVICES_REPO_SERVICE_EXCERPT_FIXTURE_H_

// The store opened on a clone of the real excerpt (../shared/fixtures,
// optional: tests skip, saying so, without it).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/repo_service/repo_store.h"
#include "services/repo_service/service_test_client.h"
#include "testing/test_util.h"

namespace tracker::repo {

class ExcerptTest : public ::testing::Test {
 protected:
  // `git -C dir args`, expected to succeed; its output without the last
  // newline.
  static std::string Git(const std::string& dir, const std::string& args) {
    auto r = ::tracker::testing::Shell(
        absl::StrCat("git -C ", ::tracker::testing::ShellQuote(dir), " ", args));
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    return std::string(absl::StripTrailingAsciiWhitespace(r.output));
  }
  void SetUp() override {
    SKIP_WITHOUT_FIXTURES();
    remote_ = tmp_.path() + "/remote.git";
    ASSERT_TRUE(tracker::testing::MakeExcerptRemote(remote_));
    OpenStore();
  }
  void OpenStore() {
    api_.reset();
    store_.reset();
    StoreOptions options;
    options.path = tmp_.path() + "/clone.git";
    options.remote_url = remote_;
    options.push_backoff_ms = 1;
    auto store = RepoStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    api_ = std::make_unique<ServiceTestClient>(store_.get());
  }
  std::string Tip(const std::string& branch) {
    return Git(tmp_.path() + "/clone.git", absl::StrCat("rev-parse refs/heads/", branch));
  }
  // A work-tree checkout of `commit` of the excerpt, for the seed's commands.
  std::string Checkout(const std::string& commit) {
    std::string dir = tmp_.path() + "/checkout";
    ::tracker::testing::Shell(absl::StrCat("rm -rf ", ::tracker::testing::ShellQuote(dir)));
    Git(tmp_.path(),
        absl::StrCat("clone -q ", ::tracker::testing::ShellQuote(remote_), " checkout"));
    Git(dir, absl::StrCat("checkout -q ", commit));
    return dir;
  }

  ::tracker::testing::TempDir tmp_;
  std::string remote_;
  std::unique_ptr<RepoStore> store_;
  std::unique_ptr<ServiceTestClient> api_;  // the store's gRPC face
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_EXCERPT_FIXTURE_H_
