// ObjectStore, the package's face: a write's objects published with a
// compare-and-swap of a branch, and packs kept few as writes pile up.

#include "services/repo_service/objects/object_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/objects/pack_test_fixture.h"
#include "services/repo_service/objects/tree_editor.h"

namespace tracker::repo::objects {
namespace {

class ObjectStoreTest : public PackTest {
 protected:
  void SetUp() override {
    PackTest::SetUp();
    InitLibgit2();
    auto repo = OpenRepository(dir_);
    ASSERT_TRUE(repo.ok()) << repo.status();
    repo_ = *std::move(repo);
    auto store = ObjectStore::Open(repo_.get(), /*fd_in_repo=*/0, /*durable=*/false);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    // The branch exists already, as the tracker's always do.
    const std::string empty_tree = GitOk("hash-object -w -t tree /dev/null");
    const std::string root = GitOk("-c user.name=t -c user.email=t@example.org commit-tree -m root " + empty_tree);
    GitOk("update-ref refs/heads/main " + root);
    ASSERT_EQ(git_oid_fromstr(&root_, root.c_str()), 0);
  }
  // One commit writing jobs/file.txt with `content` on top of `parent`,
  // in `write`.
  git_oid Commit(ObjectWrite& write, const git_oid* parent_tree, const git_oid& parent,
                 const std::string& content, git_oid* tree_out) {
    TreeEditor editor(repo_.get(), parent_tree, &write);
    EXPECT_TRUE(editor.PutBlob("jobs/file.txt", content).ok());
    auto tree = editor.Write();
    EXPECT_TRUE(tree.ok()) << tree.status();
    *tree_out = *tree;
    std::vector<git_oid> parents;
    parents.push_back(parent);
    auto commit = write.AddCommit(*tree, parents, "t", "t@example.org", "c\n");
    EXPECT_TRUE(commit.ok()) << commit.status();
    return *commit;
  }

  RepositoryPtr repo_;
  std::unique_ptr<ObjectStore> store_;
  git_oid root_{};
};

TEST_F(ObjectStoreTest, PublishMovesTheBranchOnlyFromWhereItWas) {
  git_oid tree{};
  ObjectWrite first;
  git_oid c1 = Commit(first, nullptr, root_, "one\n", &tree);
  absl::Status published = store_->Publish(first, "refs/heads/main", root_, c1, "first");
  ASSERT_TRUE(published.ok()) << published;
  EXPECT_EQ(GitOk("rev-parse refs/heads/main"), OidHex(c1));
  EXPECT_EQ(GitOk("show main:jobs/file.txt"), "one");

  ObjectWrite second;
  git_oid tree2{};
  git_oid c2 = Commit(second, &tree, c1, "two\n", &tree2);
  // A writer that read the branch before the first write loses: nothing
  // moves.
  absl::Status stale = store_->Publish(second, "refs/heads/main", root_, c2, "stale");
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted) << stale;
  EXPECT_EQ(GitOk("rev-parse refs/heads/main"), OidHex(c1));
  ObjectWrite again;
  c2 = Commit(again, &tree, c1, "two\n", &tree2);
  ASSERT_TRUE(store_->Publish(again, "refs/heads/main", c1, c2, "second").ok());
  EXPECT_EQ(GitOk("show main:jobs/file.txt"), "two");
  ExpectGitAccepts();
}

TEST_F(ObjectStoreTest, PacksStayFewAsWritesPileUp) {
  git_oid tip = root_, tree{};
  bool have_tree = false;
  int merges = 0;
  for (int i = 0; i < 2 * ObjectStore::kPacksBetweenMerges; ++i) {
    ObjectWrite write;
    git_oid next_tree{};
    git_oid next = Commit(write, have_tree ? &tree : nullptr, tip, absl::StrCat(i, "\n"), &next_tree);
    absl::Status published = store_->Publish(write, "refs/heads/main", tip, next, "w");
    ASSERT_TRUE(published.ok()) << published;
    tip = next;
    tree = next_tree;
    have_tree = true;
    merges += store_->MergePacksIfDue() ? 1 : 0;
  }
  // A merge is due every 16 writes and happens once more than 16 packs can
  // be merged: 32 writes leave at most 16 packs, not 32.
  EXPECT_GE(merges, 1);
  EXPECT_LE(Count(".pack"), static_cast<size_t>(ObjectStore::kPacksBetweenMerges));
  EXPECT_EQ(GitOk("show main:jobs/file.txt"), absl::StrCat(2 * ObjectStore::kPacksBetweenMerges - 1));
  ExpectGitAccepts();
}

}  // namespace
}  // namespace tracker::repo::objects
