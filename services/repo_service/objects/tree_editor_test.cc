// TreeEditor writes its trees itself: they must be exactly the trees git
// would write (git mktree sorts and canonicalizes; the ids must match).

#include "services/repo_service/objects/tree_editor.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "testing/test_util.h"

namespace tracker::repo::objects {
namespace {

using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

class TreeEditorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitLibgit2();
    dir_ = tmp_.path() + "/repo.git";
    ASSERT_EQ(Shell("git init -q --bare " + ShellQuote(dir_)).exit_code, 0);
    git_repository* raw = nullptr;
    ASSERT_EQ(git_repository_open(&raw, dir_.c_str()), 0);
    repo_.reset(raw);
  }
  std::string Git(const std::string& args) {
    auto r = Shell(absl::StrCat("git --git-dir=", ShellQuote(dir_), " ", args, " 2>&1"));
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    return std::string(absl::StripTrailingAsciiWhitespace(r.output));
  }
  // Writes the editor's objects, then has git rebuild the tree `id` from its
  // own listing: git sorts entries itself, so equal ids mean our order and
  // bytes are git's.
  std::string Written(TreeEditor& editor, ObjectWrite& objects) {
    auto root = editor.Write();
    EXPECT_TRUE(root.ok()) << root.status();
    EXPECT_TRUE(objects.WritePack(dir_ + "/objects/pack").ok());
    EXPECT_EQ(git_odb_refresh(Odb()), 0);
    return OidHex(*root);
  }
  std::string Canonical(const std::string& tree) {
    return Git(absl::StrCat("ls-tree ", tree, " | git --git-dir=", ShellQuote(dir_), " mktree"));
  }
  git_odb* Odb() {
    git_odb* odb = nullptr;
    git_repository_odb(&odb, repo_.get());
    odb_.reset(odb);
    return odb;
  }

  tracker::testing::TempDir tmp_;
  std::string dir_;
  RepositoryPtr repo_;
  OdbPtr odb_;
};

TEST_F(TreeEditorTest, TreesAreInGitsOrderWithTreesSortedAsIfEndingInSlash) {
  ObjectWrite objects;
  TreeEditor editor(repo_.get(), nullptr, &objects);
  // "a" is a tree, so it sorts as "a/": after "a.b" and "a-b", before "a0".
  for (const char* path : {"d/a0", "d/a/x", "d/a.b", "d/a-b/y", "d/ab", "d/a/.gitkeep"}) {
    ASSERT_TRUE(editor.PutBlob(path, path).ok());
  }
  std::string root = Written(editor, objects);
  EXPECT_EQ(Canonical(root), root);
  std::string d = Git("rev-parse " + root + ":d");
  EXPECT_EQ(Canonical(d), d);
  EXPECT_EQ(Git("ls-tree --name-only " + d), "a-b\na.b\na\na0\nab");

  // Editing a base tree keeps its entries in order around the edits.
  git_oid base;
  ASSERT_EQ(git_oid_fromstr(&base, root.c_str()), 0);
  TreeEditor edit(repo_.get(), &base, &objects);
  ASSERT_TRUE(edit.PutBlob("d/a/z", "new").ok());
  ASSERT_TRUE(edit.Remove("d/a.b").ok());
  ASSERT_TRUE(edit.PutBlob("d/a", "now a file").ok());  // a tree replaced by a blob
  ASSERT_TRUE(edit.PutBlob("d/a.c", "c").ok());
  std::string edited = Written(edit, objects);
  std::string d2 = Git("rev-parse " + edited + ":d");
  EXPECT_EQ(Canonical(d2), d2);
  EXPECT_EQ(Git("ls-tree --name-only " + d2), "a\na-b\na.c\na0\nab");
  Git("fsck --full --strict --no-dangling");
}

TEST_F(TreeEditorTest, AnEmptiedDirectoryDisappearsAndAnEmptyRootIsTheEmptyTree) {
  ObjectWrite objects;
  TreeEditor editor(repo_.get(), nullptr, &objects);
  ASSERT_TRUE(editor.PutBlob("jobs/x/params.json", "{}").ok());
  std::string root = Written(editor, objects);
  git_oid base;
  ASSERT_EQ(git_oid_fromstr(&base, root.c_str()), 0);
  TreeEditor emptied(repo_.get(), &base, &objects);
  ASSERT_TRUE(emptied.Remove("jobs/x/params.json").ok());
  EXPECT_EQ(Written(emptied, objects), Git("hash-object -t tree /dev/null"));
  EXPECT_EQ(Git("cat-file -t " + Git("hash-object -t tree /dev/null")), "tree");
}

}  // namespace
}  // namespace tracker::repo::objects
