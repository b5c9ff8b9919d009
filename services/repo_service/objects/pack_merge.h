#ifndef SERVICES_REPO_SERVICE_OBJECTS_PACK_MERGE_H_
#define SERVICES_REPO_SERVICE_OBJECTS_PACK_MERGE_H_

// Merges the packs the tracker writes (one per write, pack_file.h) so that
// they never grow into thousands of files that every object look-up walks.
//
// The policy is git's `git repack --geometric=2`: packs sorted by size must
// each be at least twice the size of all smaller ones together; the smallest
// ones that break that are rolled into one. Each byte is copied O(log n)
// times over the life of the repository, and the number of packs stays
// logarithmic in its size. Merging copies the objects' bytes as they are (no
// inflating, no deltas), which is why only packs without deltas take part:
// the ones the tracker wrote. A pack fetched from the remote (deltas) or one
// with a .keep file is left alone.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

namespace tracker::repo::objects {

// How many of the smallest packs (`ascending_sizes`, sorted) to roll into one
// so that the rest, with the new pack, grow by a factor of two each: git's
// split_pack_geometry(). 0 or 1: nothing to merge.
size_t GeometricRollup(const std::vector<uint64_t>& ascending_sizes);

struct PackMergeResult {
  size_t packs_merged = 0;
  size_t objects = 0;
  std::string pack_path;  // the new pack; empty when nothing was merged
};

// Merges packs in `pack_dir` when more than `max_packs` of them can be
// merged. The new pack is complete (and, when `durable`, on disk: one
// syncfs of the file system) before any old one is removed, so a crash at any point loses no
// object: at worst an object is in two packs, which git allows.
// `not_mergeable` remembers, for the caller, the packs found to hold deltas
// so they are not read again. DATA_LOSS when a pack's bytes do not match its
// index (nothing is removed then).
absl::StatusOr<PackMergeResult> MergePacks(const std::string& pack_dir, size_t max_packs,
                                           bool durable,
                                           absl::flat_hash_set<std::string>* not_mergeable);

}  // namespace tracker::repo::objects

#endif  // SERVICES_REPO_SERVICE_OBJECTS_PACK_MERGE_H_
