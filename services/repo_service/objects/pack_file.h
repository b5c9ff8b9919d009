#ifndef SERVICES_REPO_SERVICE_OBJECTS_PACK_FILE_H_
#define SERVICES_REPO_SERVICE_OBJECTS_PACK_FILE_H_

// Git pack files (format v2, index v2) written by the tracker itself.
//
// Why: libgit2 writes every new object as its own loose file, and before each
// one it checks every backend for the object and re-reads the pack directory.
// A transition writes about seven objects: seven file creations, each ~0.2 ms
// on the service's disk before any sync, and ~70 system calls. Written as one
// pack, a write creates two files (the .pack, then its .idx) and git, libgit2
// and `git fsck` read them as they read any pack. Objects go in whole (no
// deltas), so packs can later be merged by copying bytes (pack_merge.h).

#include <git2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::repo::objects {

// git's object id: SHA-1 of "<type> <size>\0" followed by the content.
git_oid ObjectId(git_object_t type, absl::string_view content);

// One object's place in a pack, as its .idx records it.
struct PackIndexEntry {
  git_oid oid;
  uint32_t crc32;   // of the object's bytes in the pack (header and data)
  uint64_t offset;  // of those bytes from the start of the .pack
};

class Sha1;  // pack_file.cc

// A pack being written: created as objects/pack/tmp_pack_XXXXXX, appended to
// while its SHA-1 is computed, then renamed to pack-<checksum>.pack and given
// its .idx (written last, as git does: an .idx names a complete pack). No
// fsync: the caller makes the files durable (one syncfs for a whole write).
// A failed or abandoned writer removes its temporary file.
class PackWriter {
 public:
  // `object_count` goes in the header, so it is known up front.
  static absl::StatusOr<PackWriter> Create(const std::string& pack_dir, uint32_t object_count);
  PackWriter(PackWriter&& other) noexcept;
  PackWriter& operator=(PackWriter&&) = delete;
  ~PackWriter();

  uint64_t offset() const { return offset_; }
  absl::Status Append(absl::string_view bytes);
  // Writes the trailer and the index of `entries` (any order); returns the
  // path of the .pack.
  absl::StatusOr<std::string> Finish(std::vector<PackIndexEntry> entries);

 private:
  PackWriter(std::string pack_dir, std::string tmp_path, int fd);
  absl::Status FlushBuffer();

  std::string pack_dir_;
  std::string tmp_path_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  std::string buffer_;
  std::unique_ptr<Sha1> sha_;
};

// The new objects of one write, deflated in memory until Write().
// Not thread-safe.
class PackBatch {
 public:
  PackBatch();
  ~PackBatch();
  // Returns the object's id; an object added twice is kept once.
  git_oid Add(git_object_t type, absl::string_view content);
  bool empty() const { return entries_.empty(); }
  // Writes every object added since the last Write() as one pack in
  // `pack_dir`; nothing when there is none. Returns the .pack's path, or ""
  // when nothing was written.
  absl::StatusOr<std::string> Write(const std::string& pack_dir);

 private:
  std::string body_;  // the objects' bytes, back to back, as they go in the pack
  std::vector<PackIndexEntry> entries_;  // offsets into body_
  absl::flat_hash_set<std::string> ids_;  // raw ids of the objects in body_
};

// A pack's index (v2), read from disk.
struct PackIndex {
  std::vector<PackIndexEntry> entries;  // in offset order
  git_oid pack_checksum;
};
absl::StatusOr<PackIndex> ReadPackIndex(const std::string& idx_path);

// Removes what a write or merge that died left in `pack_dir`: temporary
// files, and a .pack whose .idx was never written. Only for a process that
// holds the repository's lock (nobody else may be writing there).
void RemovePackLeftovers(const std::string& pack_dir);

}  // namespace tracker::repo::objects

#endif  // SERVICES_REPO_SERVICE_OBJECTS_PACK_FILE_H_
