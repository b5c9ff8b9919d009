// The tracker's packs against git itself: git must read, verify and fsck
// every pack we write or merge, and a pack we cannot merge safely is left
// exactly as it was.

#include "services/repo_service/pack_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/pack_merge.h"
#include "testing/test_util.h"

namespace tracker::repo {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

std::string Raw(const git_oid& oid) {
  return std::string(reinterpret_cast<const char*>(oid.id), GIT_OID_RAWSZ);
}

class PackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/repo.git";
    ASSERT_EQ(Shell("git init -q --bare " + ShellQuote(dir_)).exit_code, 0);
    pack_dir_ = dir_ + "/objects/pack";
  }

  tracker::testing::CommandResult Git(const std::string& args) {
    return Shell(absl::StrCat("git --git-dir=", ShellQuote(dir_), " ", args, " 2>&1"));
  }
  std::string GitOk(const std::string& args) {
    auto r = Git(args);
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    return std::string(absl::StripTrailingAsciiWhitespace(r.output));
  }

  // One commit (a blob, a tree, the commit) on top of `parent`, in a pack of
  // its own; also a blob every such pack shares. Returns the commit's id.
  std::string CommitInOwnPack(int n, const std::string& parent) {
    PackBatch batch;
    git_oid shared = batch.Add(GIT_OBJECT_BLOB, "in every pack\n");
    git_oid blob = batch.Add(GIT_OBJECT_BLOB, absl::StrCat("content ", n, "\n"));
    git_oid tree = batch.Add(GIT_OBJECT_TREE, absl::StrCat("100644 a", std::string(1, '\0'),
                                                           Raw(blob), "100644 b",
                                                           std::string(1, '\0'), Raw(shared)));
    std::string commit = absl::StrCat("tree ", OidHex(tree), "\n");
    if (!parent.empty()) absl::StrAppend(&commit, "parent ", parent, "\n");
    absl::StrAppend(&commit, "author t <t@example.org> ", 1700000000 + n,
                    " +0000\ncommitter t <t@example.org> ", 1700000000 + n, " +0000\n\nc", n,
                    "\n");
    git_oid id = batch.Add(GIT_OBJECT_COMMIT, commit);
    auto written = batch.Write(pack_dir_);
    EXPECT_TRUE(written.ok()) << written.status();
    return OidHex(id);
  }
  // A chain of `n` commits, each in its own pack; main points at the last.
  void CommitChain(int n) {
    std::string tip;
    for (int i = 0; i < n; ++i) tip = CommitInOwnPack(i, tip);
    GitOk("update-ref refs/heads/main " + tip);
  }

  std::set<std::string> Files() {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(pack_dir_)) {
      names.insert(e.path().filename().string());
    }
    return names;
  }
  size_t Count(const std::string& ext) {
    size_t n = 0;
    for (const auto& name : Files()) n += absl::EndsWith(name, ext);
    return n;
  }
  void ExpectGitAccepts() {
    GitOk("fsck --full --strict");
    for (const auto& name : Files()) {
      if (absl::EndsWith(name, ".idx")) GitOk("verify-pack " + ShellQuote(pack_dir_ + "/" + name));
    }
  }

  tracker::testing::TempDir tmp_;
  std::string dir_;
  std::string pack_dir_;
};

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
}  // namespace tracker::repo
