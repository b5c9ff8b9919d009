// Merging the tracker's packs: git must read, verify and fsck the merged
// pack, and a pack we cannot merge safely is left exactly as it was.

#include "services/repo_service/objects/pack_merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/repo_service/objects/pack_test_fixture.h"
#include "testing/test_util.h"

namespace tracker::repo::objects {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

TEST(GeometricRollupTest, RollsUpWhatBreaksTheProgressionOfTwo) {
  EXPECT_EQ(GeometricRollup({}), 0u);
  EXPECT_EQ(GeometricRollup({5}), 0u);
  EXPECT_EQ(GeometricRollup({1, 1}), 2u);
  EXPECT_EQ(GeometricRollup({1, 2, 4, 8}), 0u);     // already a progression
  EXPECT_EQ(GeometricRollup({1, 1, 4}), 2u);        // 2 stays at most half of 4
  EXPECT_EQ(GeometricRollup({1, 1, 3}), 3u);        // 2 is more than half of 3
  EXPECT_EQ(GeometricRollup({1, 1, 1, 1, 100}), 4u);
  EXPECT_EQ(GeometricRollup(std::vector<uint64_t>(16, 7)), 16u);
}

TEST_F(PackTest, SmallPacksMergeIntoOneThatGitAccepts) {
  CommitChain(20);
  const std::string objects_before = GitOk("rev-list --objects --all | sort");
  absl::flat_hash_set<std::string> not_mergeable;
  auto merged = MergePacks(pack_dir_, 16, /*durable=*/true, &not_mergeable);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->packs_merged, 20u);
  // 20 commits, 20 trees, 20 blobs, and the shared blob once.
  EXPECT_EQ(merged->objects, 61u);
  EXPECT_EQ(Count(".pack"), 1u);
  EXPECT_EQ(Count(".idx"), 1u);
  EXPECT_EQ(GitOk("rev-list --objects --all | sort"), objects_before);
  ExpectGitAccepts();
  // Few packs: nothing to do.
  merged = MergePacks(pack_dir_, 16, true, &not_mergeable);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->packs_merged, 0u);
}

TEST_F(PackTest, PacksWithDeltasOrAKeepFileAreLeftAlone) {
  // A pack git made, with a delta: two versions of one file.
  std::string text;
  for (int i = 0; i < 400; ++i) absl::StrAppend(&text, "line ", i * 7919 % 1000, "\n");
  std::string work = tmp_.path() + "/work";
  ASSERT_EQ(Shell(absl::StrCat("git init -q ", ShellQuote(work), " && cd ", ShellQuote(work),
                               " && printf '%s' ", ShellQuote(text), " > f && git add f && ",
                               "git -c user.name=t -c user.email=t@e commit -qm a && echo x >> f",
                               " && git -c user.name=t -c user.email=t@e commit -qam b && ",
                               "git repack -adq && cp .git/objects/pack/* ",
                               ShellQuote(pack_dir_ + "/"), " 2>&1"))
                .exit_code,
            0);
  const std::set<std::string> gits = Files();
  ASSERT_THAT(GitOk("verify-pack -v " + ShellQuote(pack_dir_) + "/*.idx"),
              HasSubstr("chain length = 1"));
  CommitChain(17);
  // One of ours, kept.
  std::string kept;
  for (const auto& name : Files()) {
    if (!gits.count(name) && absl::EndsWith(name, ".pack")) kept = name.substr(0, name.size() - 5);
  }
  std::ofstream(pack_dir_ + "/" + kept + ".keep") << "kept by an admin";

  absl::flat_hash_set<std::string> not_mergeable;
  auto merged = MergePacks(pack_dir_, 4, true, &not_mergeable);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->packs_merged, 16u);
  for (const auto& name : gits) EXPECT_TRUE(fs::exists(pack_dir_ + "/" + name)) << name;
  EXPECT_TRUE(fs::exists(pack_dir_ + "/" + kept + ".pack"));
  // Ours merged; git's, ours kept, and the new one remain.
  EXPECT_EQ(Count(".pack"), 3u);
  ExpectGitAccepts();
}

TEST_F(PackTest, ADamagedPackIsNotMergedAndNothingIsRemoved) {
  CommitChain(17);
  const std::set<std::string> before = Files();
  // Flip a byte inside the first object of one pack (after its 12-byte header).
  std::string victim = pack_dir_ + "/" + *before.begin();
  if (!absl::EndsWith(victim, ".pack")) victim = victim.substr(0, victim.size() - 4) + ".pack";
  ::chmod(victim.c_str(), 0644);
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(14);
    char c = 0;
    f.read(&c, 1);
    f.seekp(14);
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  absl::flat_hash_set<std::string> not_mergeable;
  auto merged = MergePacks(pack_dir_, 16, true, &not_mergeable);
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kDataLoss) << merged.status();
  EXPECT_THAT(merged.status().message(), HasSubstr("does not match its CRC"));
  EXPECT_EQ(Files(), before);  // no pack removed, no temporary file left
}

}  // namespace
}  // namespace tracker::repo::objects
