// TreeCache against a real repository whose loose objects the test removes,
// to tell a cached tree from one read again.

#include "services/repo_service/git_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "testing/test_util.h"

namespace tracker::repo {
namespace {

namespace fs = std::filesystem;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

TEST(TreeCacheTest, ServesTheLastTreesWithoutReadingThemAndForgetsTheOldest) {
  InitLibgit2();
  tracker::testing::TempDir tmp;
  const std::string dir = tmp.path() + "/repo.git";
  ASSERT_EQ(Shell("git init -q --bare " + ShellQuote(dir)).exit_code, 0);
  std::string blob = std::string(absl::StripTrailingAsciiWhitespace(
      Shell("git --git-dir=" + ShellQuote(dir) + " hash-object -w --stdin </dev/null").output));
  // kCapacity + 1 distinct loose trees.
  std::vector<std::string> trees;
  for (size_t i = 0; i <= TreeCache::kCapacity; ++i) {
    auto r = Shell(absl::StrCat("printf '100644 blob ", blob, "\\tfile", i, "\\n' | git --git-dir=",
                                ShellQuote(dir), " mktree"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    trees.emplace_back(absl::StripTrailingAsciiWhitespace(r.output));
  }
  git_repository* raw = nullptr;
  ASSERT_EQ(git_repository_open(&raw, dir.c_str()), 0);
  RepositoryPtr repo(raw);
  auto oid = [](const std::string& hex) {
    git_oid o;
    git_oid_fromstr(&o, hex.c_str());
    return o;
  };
  auto remove_object = [&](const std::string& hex) {
    ASSERT_TRUE(fs::remove(absl::StrCat(dir, "/objects/", hex.substr(0, 2), "/", hex.substr(2))));
  };

  TreeCache cache;
  auto first = cache.Lookup(repo.get(), oid(trees[0]));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_STREQ(git_tree_entry_name(git_tree_entry_byindex(first->get(), 0)), "file0");
  remove_object(trees[0]);
  // Gone from disk, still served, and the copy outlives the one handed out.
  first->reset();
  auto again = cache.Lookup(repo.get(), oid(trees[0]));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_STREQ(git_tree_entry_name(git_tree_entry_byindex(again->get(), 0)), "file0");
  // Without the cache the same lookup reads the disk and fails.
  EXPECT_EQ(LookupTree(repo.get(), oid(trees[0])).status().code(), absl::StatusCode::kNotFound);

  // kCapacity newer trees push the first one out.
  for (size_t i = 1; i <= TreeCache::kCapacity; ++i) {
    ASSERT_TRUE(cache.Lookup(repo.get(), oid(trees[i])).ok());
  }
  EXPECT_EQ(cache.Lookup(repo.get(), oid(trees[0])).status().code(),
            absl::StatusCode::kNotFound);
  remove_object(trees[TreeCache::kCapacity]);
  EXPECT_TRUE(cache.Lookup(repo.get(), oid(trees[TreeCache::kCapacity])).ok());
}

}  // namespace
}  // namespace tracker::repo
