#ifndef SERVICES_REPO_SERVICE_OBJECTS_TREE_EDITOR_H_
#define SERVICES_REPO_SERVICE_OBJECTS_TREE_EDITOR_H_

#include <git2.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/objects/object_store.h"

namespace tracker::repo::objects {

// Edits a git tree in memory: no work tree, no index, no index.lock.
// Edits are recorded as an overlay on the base tree; Write() writes only the
// trees on the edited paths (the rest keep their ids), so a change costs the
// depth of the path, not the size of the repository. A directory left empty
// disappears, as in git. New blobs and trees go to `objects` (the write's
// one pack); the trees are serialized here, merging the base tree's entries,
// already in git's order, with the few edited ones, where libgit2's tree
// builder copied every entry into a map and sorted them again. Not
// thread-safe; one editor per write.
class TreeEditor {
 public:
  // `base_root` may be null for an empty repository. Base trees are read
  // through `cache` when given.
  TreeEditor(git_repository* repo, const git_oid* base_root, ObjectWrite* objects,
             TreeCache* cache = nullptr);
  ~TreeEditor();

  absl::Status PutBlob(absl::string_view path, absl::string_view content);
  absl::Status PutTree(absl::string_view path, const git_oid& tree);
  // Removing a path that is not there is not an error.
  absl::Status Remove(absl::string_view path);
  // Writes the changed trees; returns the new root tree id.
  absl::StatusOr<git_oid> Write();

 private:
  struct Node;
  struct Entry;
  absl::StatusOr<Node*> Descend(absl::string_view dir_path);
  absl::StatusOr<Node*> Child(Node* node, const std::string& name);
  absl::StatusOr<std::optional<git_oid>> WriteNode(Node* node);
  absl::Status Put(absl::string_view path, Entry entry);

  git_repository* repo_;
  ObjectWrite* objects_;
  TreeCache* cache_;
  std::unique_ptr<Node> root_;
};

}  // namespace tracker::repo::objects

#endif  // SERVICES_REPO_SERVICE_OBJECTS_TREE_EDITOR_H_
