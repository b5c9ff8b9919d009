#include "services/repo_service/objects/pack_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"

namespace tracker::repo::objects {

// SHA-1 through OpenSSL: libgit2 1.5 keeps its own (collision-detecting and
// much slower) implementation private.
class Sha1 {
 public:
  Sha1() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha1(), nullptr); }
  ~Sha1() { EVP_MD_CTX_free(ctx_); }
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;
  void Update(absl::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }
  git_oid Final() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_, digest, &size);
    git_oid oid;
    git_oid_fromraw(&oid, digest);
    return oid;
  }

 private:
  EVP_MD_CTX* ctx_;
};

namespace {

namespace fs = std::filesystem;

constexpr size_t kOidSize = GIT_OID_RAWSZ;
constexpr size_t kBufferSize = 1 << 20;

void AppendOid(std::string& out, const git_oid& oid) {
  out.append(reinterpret_cast<const char*>(oid.id), kOidSize);
}

void PutBe32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out.append(b, 4);
}

uint32_t GetBe32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

std::string PackPath(const std::string& pack_dir, const git_oid& checksum, const char* ext) {
  return absl::StrCat(pack_dir, "/pack-", OidHex(checksum), ext);
}

// Index v2: fan-out table, sorted ids, CRC-32s, offsets (31 bits, larger
// ones through a table of 64-bit offsets), the pack's checksum, and the
// index's own.
std::string IndexBytes(std::vector<PackIndexEntry>& entries, const git_oid& pack_checksum) {
  std::sort(entries.begin(), entries.end(), [](const PackIndexEntry& a, const PackIndexEntry& b) {
    return git_oid_cmp(&a.oid, &b.oid) < 0;
  });
  std::string out("\377tOc", 4);
  PutBe32(out, 2);
  uint32_t fanout[256] = {};
  for (const auto& e : entries) ++fanout[e.oid.id[0]];
  uint32_t total = 0;
  for (uint32_t& f : fanout) {
    total += f;
    f = total;
  }
  for (uint32_t f : fanout) PutBe32(out, f);
  for (const auto& e : entries) AppendOid(out, e.oid);
  for (const auto& e : entries) PutBe32(out, e.crc32);
  std::string large;
  uint32_t large_count = 0;
  for (const auto& e : entries) {
    if (e.offset < 0x80000000u) {
      PutBe32(out, static_cast<uint32_t>(e.offset));
    } else {
      PutBe32(out, 0x80000000u | large_count++);
      PutBe32(large, static_cast<uint32_t>(e.offset >> 32));
      PutBe32(large, static_cast<uint32_t>(e.offset));
    }
  }
  out += large;
  AppendOid(out, pack_checksum);
  Sha1 sha;
  sha.Update(out);
  git_oid index_checksum = sha.Final();
  AppendOid(out, index_checksum);
  return out;
}

// Writes `data` to a new temporary file in `dir` and renames it to `path`.
absl::Status WriteByRename(const std::string& dir, const std::string& path,
                                 absl::string_view data) {
  std::string tmp = dir + "/tmp_idx_XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return ErrnoError("create", tmp);
  absl::Status written = WriteAll(fd, data, tmp);
  if (written.ok() && ::fchmod(fd, 0444) != 0) written = ErrnoError("chmod", tmp);
  if (::close(fd) != 0 && written.ok()) written = ErrnoError("close", tmp);
  if (written.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) written = ErrnoError("rename", tmp);
  if (!written.ok()) ::unlink(tmp.c_str());
  return written;
}

}  // namespace

git_oid ObjectId(git_object_t type, absl::string_view content) {
  Sha1 sha;
  sha.Update(absl::StrCat(git_object_type2string(type), " ", content.size()));
  sha.Update(absl::string_view("\0", 1));
  sha.Update(content);
  return sha.Final();
}

PackWriter::PackWriter(std::string pack_dir, std::string tmp_path, int fd)
    : pack_dir_(std::move(pack_dir)), tmp_path_(std::move(tmp_path)), fd_(fd),
      sha_(std::make_unique<Sha1>()) {}

PackWriter::PackWriter(PackWriter&& other) noexcept
    : pack_dir_(std::move(other.pack_dir_)),
      tmp_path_(std::move(other.tmp_path_)),
      fd_(other.fd_),
      offset_(other.offset_),
      buffer_(std::move(other.buffer_)),
      sha_(std::move(other.sha_)) {
  other.fd_ = -1;
  other.tmp_path_.clear();
}

PackWriter::~PackWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
}

absl::StatusOr<PackWriter> PackWriter::Create(const std::string& pack_dir,
                                              uint32_t object_count) {
  std::error_code ec;
  fs::create_directories(pack_dir, ec);
  std::string tmp = pack_dir + "/tmp_pack_XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return ErrnoError("create", tmp);
  PackWriter writer(pack_dir, tmp, fd);
  std::string header("PACK", 4);
  PutBe32(header, 2);
  PutBe32(header, object_count);
  TRACKER_RETURN_IF_ERROR(writer.Append(header));
  return writer;
}

absl::Status PackWriter::Append(absl::string_view bytes) {
  sha_->Update(bytes);
  offset_ += bytes.size();
  if (buffer_.size() + bytes.size() > kBufferSize) {
    TRACKER_RETURN_IF_ERROR(FlushBuffer());
    if (bytes.size() > kBufferSize) return WriteAll(fd_, bytes, tmp_path_);
  }
  buffer_.append(bytes.data(), bytes.size());
  return absl::OkStatus();
}

absl::Status PackWriter::FlushBuffer() {
  absl::Status s = WriteAll(fd_, buffer_, tmp_path_);
  buffer_.clear();
  return s;
}

absl::StatusOr<std::string> PackWriter::Finish(std::vector<PackIndexEntry> entries) {
  git_oid checksum = sha_->Final();
  AppendOid(buffer_, checksum);
  TRACKER_RETURN_IF_ERROR(FlushBuffer());
  if (::fchmod(fd_, 0444) != 0) return ErrnoError("chmod", tmp_path_);
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return ErrnoError("close", tmp_path_);
  std::string pack_path = PackPath(pack_dir_, checksum, ".pack");
  if (::rename(tmp_path_.c_str(), pack_path.c_str()) != 0) return ErrnoError("rename", tmp_path_);
  tmp_path_.clear();
  std::string index = IndexBytes(entries, checksum);
  absl::Status indexed =
      WriteByRename(pack_dir_, PackPath(pack_dir_, checksum, ".idx"), index);
  if (!indexed.ok()) {
    ::unlink(pack_path.c_str());
    return indexed;
  }
  return pack_path;
}

PackBatch::PackBatch() = default;
PackBatch::~PackBatch() = default;

git_oid PackBatch::Add(git_object_t type, absl::string_view content) {
  git_oid oid = ObjectId(type, content);
  if (!ids_.insert(std::string(reinterpret_cast<const char*>(oid.id), kOidSize)).second) {
    return oid;
  }
  size_t start = body_.size();
  // The entry header: type and size, 4 bits then 7 per byte, low bits first.
  uint64_t size = content.size();
  unsigned char c = static_cast<unsigned char>((type << 4) | (size & 15));
  size >>= 4;
  while (size != 0) {
    body_.push_back(static_cast<char>(c | 0x80));
    c = size & 0x7f;
    size >>= 7;
  }
  body_.push_back(static_cast<char>(c));
  // zlib's fastest level, as libgit2 writes loose objects.
  uLongf bound = compressBound(content.size());
  size_t header_end = body_.size();
  body_.resize(header_end + bound);
  compress2(reinterpret_cast<Bytef*>(&body_[header_end]), &bound,
            reinterpret_cast<const Bytef*>(content.data()), content.size(), Z_BEST_SPEED);
  body_.resize(header_end + bound);
  uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(&body_[start]), body_.size() - start);
  entries_.push_back({oid, crc, start});
  return oid;
}

absl::StatusOr<std::string> PackBatch::Write(const std::string& pack_dir) {
  if (entries_.empty()) return std::string();
  TRACKER_ASSIGN_OR_RETURN(PackWriter writer,
                           PackWriter::Create(pack_dir, static_cast<uint32_t>(entries_.size())));
  uint64_t base = writer.offset();
  TRACKER_RETURN_IF_ERROR(writer.Append(body_));
  for (auto& e : entries_) e.offset += base;
  auto path = writer.Finish(std::move(entries_));
  body_.clear();
  entries_.clear();
  ids_.clear();
  return path;
}

absl::StatusOr<PackIndex> ReadPackIndex(const std::string& idx_path) {
  std::ifstream in(idx_path, std::ios::binary);
  if (!in) return ErrnoError("open", idx_path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const auto bad = [&](absl::string_view why) {
    return absl::DataLossError(absl::StrCat(idx_path, " is not a pack index v2: ", why));
  };
  constexpr size_t kHeader = 8 + 256 * 4;
  if (data.size() < kHeader + 2 * kOidSize || std::memcmp(p, "\377tOc", 4) != 0 ||
      GetBe32(p + 4) != 2) {
    return bad("bad header");
  }
  const uint32_t n = GetBe32(p + 8 + 255 * 4);
  const size_t ids = kHeader, crcs = ids + size_t{n} * kOidSize, offsets = crcs + size_t{n} * 4,
               large = offsets + size_t{n} * 4;
  if (data.size() < large + 2 * kOidSize) return bad("truncated");
  const size_t large_count = (data.size() - large - 2 * kOidSize) / 8;
  PackIndex index;
  index.entries.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    PackIndexEntry e;
    git_oid_fromraw(&e.oid, p + ids + size_t{i} * kOidSize);
    e.crc32 = GetBe32(p + crcs + size_t{i} * 4);
    uint32_t off = GetBe32(p + offsets + size_t{i} * 4);
    if (off & 0x80000000u) {
      uint32_t k = off & 0x7fffffffu;
      if (k >= large_count) return bad("large offset out of range");
      const unsigned char* q = p + large + size_t{k} * 8;
      e.offset = (uint64_t{GetBe32(q)} << 32) | GetBe32(q + 4);
    } else {
      e.offset = off;
    }
    index.entries.push_back(e);
  }
  git_oid_fromraw(&index.pack_checksum, p + data.size() - 2 * kOidSize);
  std::sort(index.entries.begin(), index.entries.end(),
            [](const PackIndexEntry& a, const PackIndexEntry& b) { return a.offset < b.offset; });
  return index;
}

void RemovePackLeftovers(const std::string& pack_dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pack_dir, ec)) {
    std::string name = entry.path().filename().string();
    bool leftover = absl::StartsWith(name, "tmp_pack_") || absl::StartsWith(name, "tmp_idx_");
    if (!leftover && absl::EndsWith(name, ".pack")) {
      fs::path idx = entry.path();
      idx.replace_extension(".idx");
      leftover = !fs::exists(idx, ec);
    }
    if (leftover) fs::remove(entry.path(), ec);
  }
}

}  // namespace tracker::repo::objects
