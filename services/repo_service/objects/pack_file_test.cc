// The tracker's packs against git itself: git must read, verify and fsck
// every pack we write, and a writer that died leaves nothing git trips on.

#include "services/repo_service/objects/pack_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/objects/pack_test_fixture.h"
#include "testing/test_util.h"

namespace tracker::repo::objects {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

TEST_F(PackTest, GitReadsVerifiesAndFsckAcceptsAWrittenPack) {
  PackBatch batch;
  // Big enough for a size header of several bytes.
  std::string big;
  for (int i = 0; i < 20000; ++i) absl::StrAppend(&big, i, "\n");
  git_oid hello = batch.Add(GIT_OBJECT_BLOB, "hello\n");
  git_oid large = batch.Add(GIT_OBJECT_BLOB, big);
  EXPECT_EQ(OidHex(batch.Add(GIT_OBJECT_BLOB, "hello\n")), OidHex(hello));  // kept once
  git_oid tree = batch.Add(GIT_OBJECT_TREE, absl::StrCat("100644 big", std::string(1, '\0'),
                                                         Raw(large), "100644 hello",
                                                         std::string(1, '\0'), Raw(hello)));
  git_oid commit = batch.Add(
      GIT_OBJECT_COMMIT,
      absl::StrCat("tree ", OidHex(tree),
                   "\nauthor t <t@example.org> 1700000000 +0100\ncommitter t <t@example.org> "
                   "1700000000 +0100\n\nfirst\n"));
  auto path = batch.Write(pack_dir_);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_TRUE(batch.empty());

  EXPECT_EQ(OidHex(hello), std::string(absl::StripTrailingAsciiWhitespace(
                               Shell("printf 'hello\\n' | git hash-object --stdin").output)));
  EXPECT_EQ(GitOk("cat-file -p " + OidHex(hello)), "hello");
  EXPECT_EQ(GitOk("cat-file -s " + OidHex(large)), std::to_string(big.size()));
  EXPECT_EQ(GitOk("log --format=%s " + OidHex(commit)), "first");
  GitOk("update-ref refs/heads/main " + OidHex(commit));
  ExpectGitAccepts();
  std::string listing = GitOk("verify-pack -v " + ShellQuote(*path));
  EXPECT_THAT(listing, HasSubstr("non delta: 4 objects"));

  // Our reader agrees with the name git's checks accepted.
  std::string idx = path->substr(0, path->size() - 5) + ".idx";
  auto index = ReadPackIndex(idx);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(index->entries.size(), 4u);
  EXPECT_THAT(*path, HasSubstr("pack-" + OidHex(index->pack_checksum) + ".pack"));
  for (size_t i = 1; i < index->entries.size(); ++i) {
    EXPECT_LT(index->entries[i - 1].offset, index->entries[i].offset);
  }
}

TEST_F(PackTest, NothingAddedWritesNoFile) {
  PackBatch batch;
  auto path = batch.Write(pack_dir_);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, "");
  EXPECT_TRUE(!fs::exists(pack_dir_) || Files().empty());
}

TEST_F(PackTest, LeftoversOfADeadWriterAreRemovedAndCompletePacksKept) {
  CommitChain(1);
  std::set<std::string> complete = Files();
  ASSERT_EQ(complete.size(), 2u);
  for (const char* name : {"tmp_pack_Ab12Cd", "tmp_idx_Ef34Gh",
                           "pack-0123456789abcdef0123456789abcdef01234567.pack"}) {
    std::ofstream(pack_dir_ + "/" + name) << "partial";
  }
  RemovePackLeftovers(pack_dir_);
  EXPECT_EQ(Files(), complete);
  ExpectGitAccepts();
}

}  // namespace
}  // namespace tracker::repo::objects
