#include "services/repo_service/tree_editor.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tracker::repo {

struct TreeEditor::Entry {
  enum Kind { kRemoved, kBlob, kTree, kDir } kind = kRemoved;
  git_oid oid{};                 // kBlob, kTree
  git_filemode_t mode = GIT_FILEMODE_BLOB;
  std::unique_ptr<Node> dir;     // kDir
};

struct TreeEditor::Node {
  std::optional<git_oid> base;   // the tree this directory starts from
  TreePtr base_tree;             // loaded on first look-up
  std::map<std::string, Entry> overrides;
};

TreeEditor::TreeEditor(git_repository* repo, const git_oid* base_root, TreeCache* cache)
    : repo_(repo), cache_(cache), root_(std::make_unique<Node>()) {
  if (base_root != nullptr) root_->base = *base_root;
}

TreeEditor::~TreeEditor() = default;

absl::StatusOr<TreeEditor::Node*> TreeEditor::Child(Node* node,
                                                    const std::string& name) {
  auto it = node->overrides.find(name);
  if (it != node->overrides.end()) {
    Entry& e = it->second;
    if (e.kind == Entry::kDir) return e.dir.get();
    // A tree put here earlier becomes the base of a directory we now edit.
    auto dir = std::make_unique<Node>();
    if (e.kind == Entry::kTree) dir->base = e.oid;
    e.kind = Entry::kDir;
    e.dir = std::move(dir);
    return e.dir.get();
  }
  auto dir = std::make_unique<Node>();
  if (node->base.has_value()) {
    if (node->base_tree == nullptr) {
      auto tree = LookupTree(repo_, *node->base, cache_);
      if (!tree.ok()) return tree.status();
      node->base_tree = *std::move(tree);
    }
    const git_tree_entry* entry = git_tree_entry_byname(node->base_tree.get(), name.c_str());
    if (entry != nullptr && git_tree_entry_type(entry) == GIT_OBJECT_TREE) {
      dir->base = *git_tree_entry_id(entry);
    }
  }
  Entry& e = node->overrides[name];
  e.kind = Entry::kDir;
  e.dir = std::move(dir);
  return e.dir.get();
}

absl::StatusOr<TreeEditor::Node*> TreeEditor::Descend(absl::string_view dir_path) {
  Node* node = root_.get();
  if (dir_path.empty()) return node;
  for (absl::string_view part : absl::StrSplit(dir_path, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return absl::InvalidArgumentError(absl::StrCat("bad path ", dir_path));
    }
    auto child = Child(node, std::string(part));
    if (!child.ok()) return child.status();
    node = *child;
  }
  return node;
}

absl::Status TreeEditor::Put(absl::string_view path, Entry entry) {
  size_t slash = path.rfind('/');
  absl::string_view dir = slash == absl::string_view::npos ? "" : path.substr(0, slash);
  std::string name(slash == absl::string_view::npos ? path : path.substr(slash + 1));
  if (name.empty() || name == "." || name == "..") {
    return absl::InvalidArgumentError(absl::StrCat("bad path ", path));
  }
  auto node = Descend(dir);
  if (!node.ok()) return node.status();
  (*node)->overrides[name] = std::move(entry);
  return absl::OkStatus();
}

absl::Status TreeEditor::PutBlob(absl::string_view path, absl::string_view content) {
  Entry entry;
  entry.kind = Entry::kBlob;
  GIT_RETURN_IF_ERROR(
      git_blob_create_from_buffer(&entry.oid, repo_, content.data(), content.size()),
      "write blob");
  return Put(path, std::move(entry));
}

absl::Status TreeEditor::PutTree(absl::string_view path, const git_oid& tree) {
  Entry entry;
  entry.kind = Entry::kTree;
  entry.oid = tree;
  entry.mode = GIT_FILEMODE_TREE;
  return Put(path, std::move(entry));
}

absl::Status TreeEditor::Remove(absl::string_view path) {
  return Put(path, Entry{});
}

absl::StatusOr<std::optional<git_oid>> TreeEditor::WriteNode(Node* node) {
  if (node->overrides.empty()) return node->base;
  if (node->base.has_value() && node->base_tree == nullptr) {
    auto tree = LookupTree(repo_, *node->base, cache_);
    if (!tree.ok()) return tree.status();
    node->base_tree = *std::move(tree);
  }
  git_treebuilder* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_treebuilder_new(&raw, repo_, node->base_tree.get()),
                      "start tree");
  TreeBuilderPtr builder(raw);
  for (auto& [name, entry] : node->overrides) {
    switch (entry.kind) {
      case Entry::kRemoved:
        if (git_treebuilder_get(builder.get(), name.c_str()) != nullptr) {
          GIT_RETURN_IF_ERROR(git_treebuilder_remove(builder.get(), name.c_str()),
                              "remove tree entry");
        }
        break;
      case Entry::kBlob:
      case Entry::kTree:
        GIT_RETURN_IF_ERROR(git_treebuilder_insert(nullptr, builder.get(), name.c_str(),
                                                   &entry.oid, entry.mode),
                            absl::StrCat("insert ", name));
        break;
      case Entry::kDir: {
        auto child = WriteNode(entry.dir.get());
        if (!child.ok()) return child.status();
        if (child->has_value()) {
          GIT_RETURN_IF_ERROR(git_treebuilder_insert(nullptr, builder.get(), name.c_str(),
                                                     &**child, GIT_FILEMODE_TREE),
                              absl::StrCat("insert ", name));
        } else if (git_treebuilder_get(builder.get(), name.c_str()) != nullptr) {
          GIT_RETURN_IF_ERROR(git_treebuilder_remove(builder.get(), name.c_str()),
                              "remove empty directory");
        }
        break;
      }
    }
  }
  if (git_treebuilder_entrycount(builder.get()) == 0) return std::optional<git_oid>();
  git_oid out;
  GIT_RETURN_IF_ERROR(git_treebuilder_write(&out, builder.get()), "write tree");
  return std::optional<git_oid>(out);
}

absl::StatusOr<git_oid> TreeEditor::Write() {
  auto root = WriteNode(root_.get());
  if (!root.ok()) return root.status();
  if (root->has_value()) return **root;
  // An empty repository: git's well-known empty tree.
  git_treebuilder* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_treebuilder_new(&raw, repo_, nullptr), "start tree");
  TreeBuilderPtr builder(raw);
  git_oid out;
  GIT_RETURN_IF_ERROR(git_treebuilder_write(&out, builder.get()), "write tree");
  return out;
}

}  // namespace tracker::repo
