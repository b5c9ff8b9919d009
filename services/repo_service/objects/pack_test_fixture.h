#ifndef SERVICES_REPO_SERVICE_OBJECTS_PACK_TEST_FIXTURE_H_
#define SERVICES_REPO_SERVICE_OBJECTS_PACK_TEST_FIXTURE_H_

// A bare repository made by git, packs of ours written into it, and git's
// own checks of the result: what pack_file_test and pack_merge_test share.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/objects/pack_file.h"
#include "testing/test_util.h"

namespace tracker::repo::objects {

inline std::string Raw(const git_oid& oid) {
  return std::string(reinterpret_cast<const char*>(oid.id), GIT_OID_RAWSZ);
}

class PackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/repo.git";
    ASSERT_EQ(::tracker::testing::Shell("git init -q --bare " + ::tracker::testing::ShellQuote(dir_)).exit_code, 0);
    pack_dir_ = dir_ + "/objects/pack";
  }

  tracker::testing::CommandResult Git(const std::string& args) {
    return ::tracker::testing::Shell(absl::StrCat("git --git-dir=", ::tracker::testing::ShellQuote(dir_), " ", args, " 2>&1"));
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
    for (const auto& e : std::filesystem::directory_iterator(pack_dir_)) {
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
      if (absl::EndsWith(name, ".idx")) GitOk("verify-pack " + ::tracker::testing::ShellQuote(pack_dir_ + "/" + name));
    }
  }

  tracker::testing::TempDir tmp_;
  std::string dir_;
  std::string pack_dir_;
};

}  // namespace tracker::repo::objects

#endif  // SERVICES_REPO_SERVICE_OBJECTS_PACK_TEST_FIXTURE_H_
