#include "services/repo_service/git_util.h"

#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status.h"

namespace tracker::repo {

void InitLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // A crash right after a ref update must not leave a ref that points at
    // objects still in the page cache.
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    // Objects we need stay parsed in our own snapshot, so libgit2's object
    // cache buys nothing: a snapshot load touches every tree once. With it
    // (even capped at 8 MiB, a cap on raw sizes, not on parsed trees) the
    // repo-service held 138 MB resident at 100,000 jobs.
    git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
    // Every id a write puts in a tree or commit is one this process just
    // wrote or read from the branch tip, so libgit2's check that each exists
    // only re-reads them: an open and an inflate per tree on the path.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
  });
}

absl::StatusOr<RepositoryPtr> OpenRepository(const std::string& path) {
  git_repository* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_repository_open(&raw, path.c_str()),
                      absl::StrCat("open repository ", path));
  return RepositoryPtr(raw);
}

absl::Status GitStatus(int error, absl::string_view context) {
  const git_error* last = git_error_last();
  std::string message = absl::StrCat(context, ": ",
                                     last != nullptr && last->message != nullptr
                                         ? last->message
                                         : "libgit2 error");
  git_error_clear();
  switch (error) {
    case GIT_ELOCKED:
      return absl::UnavailableError(message);
    case GIT_EMODIFIED:
    case GIT_ENONFASTFORWARD:
      return absl::AbortedError(message);
    case GIT_EMERGECONFLICT:
    case GIT_ECONFLICT:
      return absl::FailedPreconditionError(message);
    case GIT_ENOTFOUND:
      return absl::NotFoundError(message);
    case GIT_EAUTH:
    case GIT_ECERTIFICATE:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::StatusOr<git_oid> ResolveRef(git_repository* repo, const std::string& ref_name) {
  git_oid oid;
  GIT_RETURN_IF_ERROR(git_reference_name_to_id(&oid, repo, ref_name.c_str()),
                      absl::StrCat("resolve ", ref_name));
  return oid;
}

absl::StatusOr<std::string> ReadBlob(git_repository* repo, const git_oid& oid) {
  git_blob* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_blob_lookup(&raw, repo, &oid), "read blob");
  BlobPtr blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<size_t>(git_blob_rawsize(blob.get())));
}

std::string ObjectDirectory(git_repository* repo) {
  GitBuf objects;
  std::string dir;
  if (git_repository_item_path(objects.get(), repo, GIT_REPOSITORY_ITEM_OBJECTS) == 0) {
    dir = objects.str();
  } else {
    git_error_clear();
    dir = absl::StrCat(git_repository_path(repo), "objects");
  }
  return std::string(absl::StripSuffix(dir, "/"));
}

std::string PackDirectory(git_repository* repo) { return ObjectDirectory(repo) + "/pack"; }

absl::StatusOr<TreePtr> TreeCache::Lookup(git_repository* repo, const git_oid& oid) {
  for (const auto& [id, tree] : trees_) {
    if (git_oid_equal(&id, &oid)) {
      git_tree* copy = nullptr;
      GIT_RETURN_IF_ERROR(git_tree_dup(&copy, tree.get()), "copy tree");
      return TreePtr(copy);
    }
  }
  git_tree* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_tree_lookup(&raw, repo, &oid), "read tree");
  TreePtr tree(raw);
  git_tree* copy = nullptr;
  GIT_RETURN_IF_ERROR(git_tree_dup(&copy, tree.get()), "copy tree");
  if (trees_.size() == kCapacity) trees_.erase(trees_.begin());
  trees_.emplace_back(oid, TreePtr(copy));
  return tree;
}

absl::StatusOr<TreePtr> LookupTree(git_repository* repo, const git_oid& oid, TreeCache* cache) {
  if (cache != nullptr) return cache->Lookup(repo, oid);
  git_tree* tree = nullptr;
  GIT_RETURN_IF_ERROR(git_tree_lookup(&tree, repo, &oid), "read tree");
  return TreePtr(tree);
}

std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), &oid);
  return std::string(buf);
}

absl::Status ParseOid(absl::string_view hex, git_oid* out) {
  if (hex.size() != GIT_OID_HEXSZ ||
      git_oid_fromstrn(out, hex.data(), hex.size()) != 0) {
    git_error_clear();
    return absl::InvalidArgumentError(
        absl::StrCat("'", hex.substr(0, 64), "' is not a full 40-hex commit id"));
  }
  return absl::OkStatus();
}

}  // namespace tracker::repo
