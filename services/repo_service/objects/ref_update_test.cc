// UpdateBranchRef against real bare repositories made with git itself, and
// read back with git.

#include "services/repo_service/objects/ref_update.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/repo_service/git_util.h"
#include "testing/test_util.h"

namespace tracker::repo::objects {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

constexpr char kRef[] = "refs/heads/scheduler";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RefUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitLibgit2();
    dir_ = tmp_.path() + "/repo.git";
    Git("init -q --bare " + ShellQuote(dir_));
    std::string tree = Git("hash-object -w -t tree /dev/null");
    first_ = Git("commit-tree " + tree + " -m first");
    second_ = Git("commit-tree " + tree + " -p " + first_ + " -m second");
    Git(absl::StrCat("update-ref ", kRef, " ", first_));
    Open();
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
  }
  void Open() {
    repo_.reset();
    git_repository* raw = nullptr;
    ASSERT_EQ(git_repository_open(&raw, dir_.c_str()), 0);
    repo_.reset(raw);
    if (fd_ < 0) fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  }
  std::string Git(const std::string& args) {
    auto r = Shell(absl::StrCat("cd ", ShellQuote(tmp_.path()),
                                " && git -c user.name=t -c user.email=t@example.org ",
                                dir_.empty() ? "" : "--git-dir=" + ShellQuote(dir_) + " ",
                                args, " 2>&1"));
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    return std::string(absl::StripTrailingAsciiWhitespace(r.output));
  }
  git_oid Oid(const std::string& hex) {
    git_oid oid;
    EXPECT_EQ(git_oid_fromstr(&oid, hex.c_str()), 0);
    return oid;
  }
  absl::Status Update(const std::string& expected, const std::string& next, bool reflog,
                      bool durable = true) {
    DeferredObjectSync objects(repo_.get(), fd_, durable, nullptr);
    return UpdateBranchRef(repo_.get(), kRef, Oid(expected), Oid(next), "test: move",
                           reflog, objects);
  }
  std::string Tip() { return Git(absl::StrCat("rev-parse ", kRef)); }
  std::string Lock() { return absl::StrCat(dir_, "/", kRef, ".lock"); }

  tracker::testing::TempDir tmp_;
  std::string dir_;
  std::string first_, second_;
  RepositoryPtr repo_;
  int fd_ = -1;
};

TEST_F(RefUpdateTest, MovesTheRefAsGitReadsIt) {
  for (bool durable : {true, false}) {
    ASSERT_TRUE(Update(first_, second_, false, durable).ok());
    EXPECT_EQ(Tip(), second_);
    EXPECT_EQ(ReadFile(absl::StrCat(dir_, "/", kRef)), second_ + "\n");
    EXPECT_FALSE(fs::exists(Lock()));
    ASSERT_TRUE(Update(second_, first_, false, durable).ok());
    EXPECT_EQ(Tip(), first_);
  }
  Git("fsck --full --no-dangling");
}

TEST_F(RefUpdateTest, ARefKeptOnlyInPackedRefsGetsALooseRef) {
  Git("pack-refs --all");
  ASSERT_FALSE(fs::exists(absl::StrCat(dir_, "/", kRef)));
  fs::remove_all(dir_ + "/refs/heads");
  Open();
  ASSERT_TRUE(Update(first_, second_, false).ok());
  EXPECT_EQ(Tip(), second_);
  EXPECT_THAT(ReadFile(dir_ + "/packed-refs"), HasSubstr(first_));
}

TEST_F(RefUpdateTest, ARefThatMovedIsAbortedAndNothingIsWritten) {
  absl::Status s = Update(second_, first_, false);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_THAT(s.message(), HasSubstr("branch scheduler moved while this write was prepared"));
  EXPECT_EQ(Tip(), first_);
  EXPECT_FALSE(fs::exists(Lock()));
}

TEST_F(RefUpdateTest, ALockHeldByAnotherProcessIsUnavailableAndLeftAlone) {
  { std::ofstream(Lock()) << "another writer\n"; }
  absl::Status s = Update(first_, second_, false);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_THAT(s.message(), HasSubstr("another process is updating the ref"));
  EXPECT_EQ(Tip(), first_);
  EXPECT_EQ(ReadFile(Lock()), "another writer\n");
}

TEST_F(RefUpdateTest, WithAReflogTheEntryIsWrittenAsGitWould) {
  Git("config core.logAllRefUpdates true");
  Open();
  auto wants = WritesReflog(repo_.get());
  ASSERT_TRUE(wants.ok()) << wants.status();
  ASSERT_TRUE(*wants);
  ASSERT_TRUE(Update(first_, second_, *wants).ok());
  EXPECT_EQ(Tip(), second_);
  EXPECT_THAT(Git(absl::StrCat("reflog show --format=%H:%gs ", kRef)),
              HasSubstr(second_ + ":test: move"));
  // The moved ref is refused through this path too.
  EXPECT_EQ(Update(first_, second_, true).code(), absl::StatusCode::kAborted);
}

TEST_F(RefUpdateTest, WritesReflogFollowsGitsSetting) {
  auto bare = WritesReflog(repo_.get());
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(*bare) << "a bare repository logs no ref updates by default";
  Git("config core.logAllRefUpdates always");
  Open();
  EXPECT_TRUE(*WritesReflog(repo_.get()));
  Git("config core.logAllRefUpdates sometimes");
  Open();
  auto bad = WritesReflog(repo_.get());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(bad.status().message(), HasSubstr("core.logAllRefUpdates"));
}

TEST(DeferredObjectSyncTest, RunsTheWorkInBetweenAndReportsAFailedSync) {
  int ran = 0;
  {
    int fd = ::open("/", O_RDONLY | O_DIRECTORY);
    DeferredObjectSync objects(nullptr, fd, true, nullptr);
    EXPECT_TRUE(objects.Flush([&] { ++ran; }).ok());
    EXPECT_TRUE(objects.Flush().ok());
    ::close(fd);
  }
  EXPECT_EQ(ran, 1);
  // A descriptor that is not open: the sync fails, and the failure is the
  // answer, after the work in between has run.
  DeferredObjectSync broken(nullptr, -1, true, nullptr);
  absl::Status s = broken.Flush([&] { ++ran; });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_THAT(s.message(), HasSubstr("syncfs of the repository failed"));
  EXPECT_EQ(ran, 2);
  // Without durability nothing is synced, and the work still runs.
  DeferredObjectSync undurable(nullptr, -1, false, nullptr);
  EXPECT_TRUE(undurable.Flush([&] { ++ran; }).ok());
  EXPECT_EQ(ran, 3);
}

}  // namespace
}  // namespace tracker::repo::objects
