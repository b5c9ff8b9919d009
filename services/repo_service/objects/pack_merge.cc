#include "services/repo_service/objects/pack_merge.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/objects/pack_file.h"

namespace tracker::repo::objects {
namespace {

namespace fs = std::filesystem;

struct Candidate {
  std::string stem;  // the path without ".pack"
  uint64_t size = 0;
};

// Packs with an index, no .keep, and not known to hold deltas.
std::vector<Candidate> ListCandidates(const std::string& pack_dir,
                                      const absl::flat_hash_set<std::string>& not_mergeable) {
  std::vector<Candidate> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pack_dir, ec)) {
    const fs::path& path = entry.path();
    if (path.extension() != ".pack") continue;
    std::string stem = (path.parent_path() / path.stem()).string();
    if (not_mergeable.contains(stem) || !fs::exists(stem + ".idx", ec) ||
        fs::exists(stem + ".keep", ec)) {
      continue;
    }
    uint64_t size = entry.file_size(ec);
    if (ec) continue;
    out.push_back({stem, size});
  }
  std::sort(out.begin(), out.end(),
            [](const Candidate& a, const Candidate& b) { return a.size < b.size; });
  return out;
}

// A pack mapped into memory, with its index.
class SourcePack {
 public:
  static absl::StatusOr<std::unique_ptr<SourcePack>> Open(const std::string& stem) {
    auto pack = std::unique_ptr<SourcePack>(new SourcePack(stem));
    TRACKER_ASSIGN_OR_RETURN(pack->index_, ReadPackIndex(stem + ".idx"));
    std::string path = stem + ".pack";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open", path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return ErrnoError("stat", path);
    }
    pack->size_ = static_cast<size_t>(st.st_size);
    void* data = pack->size_ == 0 ? MAP_FAILED
                                  : ::mmap(nullptr, pack->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (data == MAP_FAILED) return ErrnoError("map", path);
    pack->data_ = static_cast<const unsigned char*>(data);
    return pack;
  }
  ~SourcePack() {
    if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
  }

  const std::string& stem() const { return stem_; }
  const PackIndex& index() const { return index_; }

  // The bytes of entry `i` (index order = offset order): DATA_LOSS when they
  // fall outside the pack.
  absl::StatusOr<absl::string_view> Entry(size_t i) const {
    const size_t end_of_objects = size_ < GIT_OID_RAWSZ ? 0 : size_ - GIT_OID_RAWSZ;
    uint64_t begin = index_.entries[i].offset;
    uint64_t end =
        i + 1 < index_.entries.size() ? index_.entries[i + 1].offset : end_of_objects;
    if (begin < 12 || begin >= end || end > end_of_objects) {
      return absl::DataLossError(
          absl::StrCat(stem_, ".idx names an object outside ", stem_, ".pack"));
    }
    return absl::string_view(reinterpret_cast<const char*>(data_ + begin), end - begin);
  }

  // Whether any object is stored as a delta (types 6 and 7): such a pack
  // cannot be merged by copying bytes.
  bool HasDeltas() const {
    for (size_t i = 0; i < index_.entries.size(); ++i) {
      auto bytes = Entry(i);
      if (!bytes.ok()) return true;
      int type = (static_cast<unsigned char>((*bytes)[0]) >> 4) & 7;
      if (type < GIT_OBJECT_COMMIT || type > GIT_OBJECT_TAG) return true;
    }
    return false;
  }

 private:
  explicit SourcePack(std::string stem) : stem_(std::move(stem)) {}
  std::string stem_;
  PackIndex index_;
  const unsigned char* data_ = nullptr;
  size_t size_ = 0;
};

absl::StatusOr<PackMergeResult> Merge(const std::string& pack_dir,
                                      const std::vector<std::unique_ptr<SourcePack>>& sources,
                                      bool durable) {
  absl::flat_hash_set<std::string> seen;
  for (const auto& s : sources) {
    for (const auto& e : s->index().entries) {
      seen.insert(std::string(reinterpret_cast<const char*>(e.oid.id), GIT_OID_RAWSZ));
    }
  }
  TRACKER_ASSIGN_OR_RETURN(PackWriter writer,
                           PackWriter::Create(pack_dir, static_cast<uint32_t>(seen.size())));
  seen.clear();
  std::vector<PackIndexEntry> entries;
  for (const auto& s : sources) {
    const auto& index = s->index().entries;
    for (size_t i = 0; i < index.size(); ++i) {
      TRACKER_ASSIGN_OR_RETURN(absl::string_view bytes, s->Entry(i));
      // Copied bytes keep their CRC: checking it stops a damaged object
      // from moving on into a pack whose own checksums would vouch for it.
      uint32_t crc =
          crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size()));
      if (crc != index[i].crc32) {
        return absl::DataLossError(absl::StrCat("object ", OidHex(index[i].oid), " in ",
                                                s->stem(), ".pack does not match its CRC"));
      }
      if (!seen.insert(std::string(reinterpret_cast<const char*>(index[i].oid.id),
                                   GIT_OID_RAWSZ))
               .second) {
        continue;
      }
      entries.push_back({index[i].oid, crc, writer.offset()});
      TRACKER_RETURN_IF_ERROR(writer.Append(bytes));
    }
  }
  PackMergeResult result;
  result.objects = entries.size();
  TRACKER_ASSIGN_OR_RETURN(result.pack_path, writer.Finish(std::move(entries)));
  std::string stem = result.pack_path.substr(0, result.pack_path.size() - 5);
  if (durable) TRACKER_RETURN_IF_ERROR(SyncFileSystemOf(pack_dir));
  // Only now, with every object in the new pack on disk, the old ones go;
  // the index first, so that no reader finds an index without its pack.
  for (const auto& s : sources) {
    if (s->stem() == stem) continue;  // the same objects again: the same pack
    for (const char* ext : {".idx", ".pack", ".rev", ".bitmap"}) {
      ::unlink((s->stem() + ext).c_str());
    }
    ++result.packs_merged;
  }
  return result;
}

}  // namespace

size_t GeometricRollup(const std::vector<uint64_t>& ascending_sizes) {
  const auto& s = ascending_sizes;
  if (s.size() < 2) return 0;
  // From the largest down, the first pair out of progression: it and
  // everything smaller roll up.
  size_t i = s.size() - 1;
  for (; i > 0; --i) {
    if (s[i] < 2 * s[i - 1]) break;
  }
  size_t split = i == 0 ? 0 : i + 1;
  uint64_t total = 0;
  for (size_t k = 0; k < split; ++k) total += s[k];
  // The new pack must itself stay at most half the next one up.
  while (split < s.size() && s[split] < 2 * total) total += s[split++];
  return split;
}

absl::StatusOr<PackMergeResult> MergePacks(const std::string& pack_dir, size_t max_packs,
                                           bool durable,
                                           absl::flat_hash_set<std::string>* not_mergeable) {
  for (;;) {
    std::vector<Candidate> packs = ListCandidates(pack_dir, *not_mergeable);
    if (packs.size() <= max_packs) return PackMergeResult{};
    std::vector<uint64_t> sizes;
    for (const auto& p : packs) sizes.push_back(p.size);
    size_t split = GeometricRollup(sizes);
    if (split < 2) return PackMergeResult{};
    std::vector<std::unique_ptr<SourcePack>> sources;
    bool chosen_again = false;
    for (size_t i = 0; i < split; ++i) {
      TRACKER_ASSIGN_OR_RETURN(auto source, SourcePack::Open(packs[i].stem));
      if (source->HasDeltas()) {
        not_mergeable->insert(packs[i].stem);
        chosen_again = true;
      }
      sources.push_back(std::move(source));
    }
    if (!chosen_again) return Merge(pack_dir, sources, durable);
  }
}

}  // namespace tracker::repo::objects
