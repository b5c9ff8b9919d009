#include "services/repo_service/objects/tree_editor.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tracker::repo::objects {
namespace {

struct TreeEntry {
  absl::string_view name;  // into the base tree or the editor's overrides
  git_filemode_t mode;
  git_oid oid;
};

// git's order of tree entries: by name, a tree's name compared as if it
// ended in '/' ("a.b" < "a/" < "a0").
bool GitOrder(const TreeEntry& a, const TreeEntry& b) {
  const size_t n = std::min(a.name.size(), b.name.size());
  int c = std::memcmp(a.name.data(), b.name.data(), n);
  if (c != 0) return c < 0;
  auto next = [n](const TreeEntry& e) -> unsigned char {
    if (e.name.size() > n) return static_cast<unsigned char>(e.name[n]);
    return e.mode == GIT_FILEMODE_TREE ? '/' : '\0';
  };
  return next(a) < next(b);
}

// A tree object's content: "<octal mode> <name>\0<20-byte id>" per entry.
// `kept` comes from a tree git wrote, so already in git's order; `edited`
// is small.
std::string SerializeTree(std::vector<TreeEntry> kept, std::vector<TreeEntry> edited) {
  std::sort(edited.begin(), edited.end(), GitOrder);
  if (!std::is_sorted(kept.begin(), kept.end(), GitOrder)) {
    std::sort(kept.begin(), kept.end(), GitOrder);  // a tree not written by git
  }
  std::vector<TreeEntry> all;
  all.reserve(kept.size() + edited.size());
  std::merge(kept.begin(), kept.end(), edited.begin(), edited.end(), std::back_inserter(all),
             GitOrder);
  std::string out;
  out.reserve(all.size() * (8 + 24 + GIT_OID_RAWSZ));
  char mode[16];
  for (const TreeEntry& e : all) {
    int len = std::snprintf(mode, sizeof(mode), "%o ", static_cast<unsigned>(e.mode));
    out.append(mode, static_cast<size_t>(len));
    out.append(e.name.data(), e.name.size());
    out.push_back('\0');
    out.append(reinterpret_cast<const char*>(e.oid.id), GIT_OID_RAWSZ);
  }
  return out;
}

}  // namespace

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

TreeEditor::TreeEditor(git_repository* repo, const git_oid* base_root, ObjectWrite* objects,
                       TreeCache* cache)
    : repo_(repo), objects_(objects), cache_(cache), root_(std::make_unique<Node>()) {
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
  entry.oid = objects_->Add(GIT_OBJECT_BLOB, content);
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
  std::vector<TreeEntry> edited;
  for (auto& [name, entry] : node->overrides) {
    switch (entry.kind) {
      case Entry::kRemoved:
        break;
      case Entry::kBlob:
      case Entry::kTree:
        edited.push_back({name, entry.mode, entry.oid});
        break;
      case Entry::kDir: {
        auto child = WriteNode(entry.dir.get());
        if (!child.ok()) return child.status();
        if (child->has_value()) edited.push_back({name, GIT_FILEMODE_TREE, **child});
        break;
      }
    }
  }
  std::vector<TreeEntry> kept;
  if (node->base_tree != nullptr) {
    const git_tree* base = node->base_tree.get();
    const size_t count = git_tree_entrycount(base);
    kept.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(base, i);
      absl::string_view name = git_tree_entry_name(e);
      if (node->overrides.find(std::string(name)) != node->overrides.end()) continue;
      kept.push_back({name, git_tree_entry_filemode(e), *git_tree_entry_id(e)});
    }
  }
  std::string content = SerializeTree(std::move(kept), std::move(edited));
  if (content.empty()) return std::optional<git_oid>();
  return std::optional<git_oid>(objects_->Add(GIT_OBJECT_TREE, content));
}

absl::StatusOr<git_oid> TreeEditor::Write() {
  auto root = WriteNode(root_.get());
  if (!root.ok()) return root.status();
  if (root->has_value()) return **root;
  // An empty repository: git's well-known empty tree.
  return objects_->Add(GIT_OBJECT_TREE, "");
}

}  // namespace tracker::repo::objects
