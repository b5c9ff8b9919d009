#include "auth/token_file.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace tracker::auth {
namespace {

constexpr int64_t kMaxFileBytes = 1 << 20;
const char* const kRoles[] = {"viewer", "operator", "admin"};

std::array<unsigned char, 32> Sha256(absl::string_view data) {
  std::array<unsigned char, 32> digest;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return digest;
}

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

struct ParsedEntry {
  std::array<unsigned char, 32> sha256;
  Identity identity;
};

// Line numbers as an editor shows them.
int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

absl::Status LineError(const std::string& path, int line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", what));
}

// A scalar member of an entry ("" when absent); an error when it is a list
// or a mapping.
absl::StatusOr<std::string> Scalar(const std::string& path, const YAML::Node& entry,
                                   const char* key) {
  const YAML::Node value = entry[key];
  if (!value) return std::string();
  if (!value.IsScalar()) return LineError(path, LineOf(value), absl::StrCat(key, " must be text"));
  return value.Scalar();
}

absl::StatusOr<ParsedEntry> ParseEntry(const std::string& path, const YAML::Node& entry) {
  const int line = LineOf(entry);
  if (!entry.IsMap())
    return LineError(path, line, "an entry must be a mapping (sha256, name, role)");
  for (const auto& member : entry) {
    const std::string key = member.first.IsScalar() ? member.first.Scalar() : "";
    if (key != "sha256" && key != "name" && key != "email" && key != "role") {
      return LineError(path, LineOf(member.first),
                       absl::StrCat("unknown key '", absl::CHexEscape(key),
                                    "' (expected sha256, name, email, role)"));
    }
  }
  absl::StatusOr<std::string> sha = Scalar(path, entry, "sha256");
  absl::StatusOr<std::string> name = Scalar(path, entry, "name");
  absl::StatusOr<std::string> email = Scalar(path, entry, "email");
  absl::StatusOr<std::string> role = Scalar(path, entry, "role");
  for (const auto* s : {&sha, &name, &email, &role}) {
    if (!s->ok()) return s->status();
  }
  // A value that is not a hash may be a token pasted by mistake: never
  // repeat it.
  if (!IsHex64(*sha)) {
    const int at = entry["sha256"] ? LineOf(entry["sha256"]) : line;
    return LineError(path, at,
                     "sha256 must be 64 hex digits, the SHA-256 of the token "
                     "(printf %s \"$TOKEN\" | sha256sum), never the token itself");
  }
  if (name->empty()) return LineError(path, line, "the entry has no name");
  bool known_role = false;
  for (const char* r : kRoles) known_role = known_role || *role == r;
  if (!known_role) {
    const int at = entry["role"] ? LineOf(entry["role"]) : line;
    return LineError(
        path, at,
        absl::StrCat("role '", absl::CHexEscape(*role), "' is not one of viewer, operator, admin"));
  }
  ParsedEntry out;
  const std::string bytes = absl::HexStringToBytes(*sha);
  std::copy(bytes.begin(), bytes.end(), out.sha256.begin());
  out.identity.subject = *name;
  out.identity.name = *name;
  out.identity.email = *email;
  out.identity.role = *role;
  return out;
}

absl::StatusOr<std::vector<ParsedEntry>> ParseTokenFile(const std::string& path,
                                                        const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return LineError(path, e.mark.line + 1, absl::StrCat("not valid YAML: ", e.msg));
  }
  if (!root.IsMap() || !root["tokens"]) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no 'tokens' list"));
  }
  for (const auto& member : root) {
    if (!member.first.IsScalar() || member.first.Scalar() != "tokens") {
      return LineError(path, LineOf(member.first), "unknown key (expected only 'tokens')");
    }
  }
  const YAML::Node tokens = root["tokens"];
  std::vector<ParsedEntry> entries;
  if (tokens.IsNull()) return entries;  // "tokens:" with nothing yet
  if (!tokens.IsSequence()) return LineError(path, LineOf(tokens), "'tokens' must be a list");
  std::map<std::string, int> name_lines;
  std::map<std::array<unsigned char, 32>, int> hash_lines;
  for (const YAML::Node& node : tokens) {
    absl::StatusOr<ParsedEntry> entry = ParseEntry(path, node);
    if (!entry.ok()) return entry.status();
    const int line = LineOf(node);
    auto [name_it, new_name] = name_lines.emplace(entry->identity.name, line);
    if (!new_name) {
      return LineError(path, line,
                       absl::StrCat("name '", absl::CHexEscape(entry->identity.name),
                                    "' is already used on line ", name_it->second));
    }
    auto [hash_it, new_hash] = hash_lines.emplace(entry->sha256, line);
    if (!new_hash) {
      return LineError(
          path, line,
          absl::StrCat("the same token hash is already given on line ", hash_it->second));
    }
    entries.push_back(*std::move(entry));
  }
  return entries;
}

}  // namespace

std::string HashToken(absl::string_view token) {
  const std::array<unsigned char, 32> digest = Sha256(token);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

absl::StatusOr<std::unique_ptr<TokenFile>> TokenFile::Load(std::string path) {
  absl::StatusOr<FileStamp> exists = StatFile(path);
  if (!exists.ok()) return exists.status();
  std::unique_ptr<TokenFile> file(new TokenFile(std::move(path)));
  {
    absl::MutexLock lock(&file->mu_);
    absl::Status loaded = file->Reload();
    if (!loaded.ok()) return loaded;
  }
  return file;
}

absl::Status TokenFile::Reload() {
  absl::StatusOr<FileStamp> stamp = StatFile(path_);
  if (!stamp.ok()) {
    // Gone or unreadable: the entries stay; say so once.
    if (stamp_ == FileStamp{}) return absl::OkStatus();
    stamp_ = FileStamp{};
    return stamp.status();
  }
  if (*stamp == stamp_) return absl::OkStatus();
  stamp_ = *stamp;  // a bad version is reported once, not on every call
  absl::StatusOr<std::string> text = ReadSmallFile(path_, kMaxFileBytes);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<ParsedEntry>> parsed = ParseTokenFile(path_, *text);
  if (!parsed.ok()) return parsed.status();
  entries_.clear();
  for (ParsedEntry& e : *parsed) entries_.push_back(Entry{e.sha256, std::move(e.identity)});
  LogInfo("token_file_loaded")
      .Kv("path", path_)
      .Kv("entries", static_cast<int64_t>(entries_.size()));
  return absl::OkStatus();
}

std::optional<Identity> TokenFile::Find(absl::string_view token) {
  const std::array<unsigned char, 32> digest = Sha256(token);
  absl::MutexLock lock(&mu_);
  absl::Status reloaded = Reload();
  if (!reloaded.ok()) {
    LogWarning("token_file_reload_failed").Kv("path", path_).Kv("error", reloaded.message());
  }
  // Every entry is compared, in constant time each, so the time taken says
  // nothing about which entry, or how much of a hash, matched.
  const Entry* found = nullptr;
  for (const Entry& entry : entries_) {
    if (CRYPTO_memcmp(entry.sha256.data(), digest.data(), digest.size()) == 0) found = &entry;
  }
  if (found == nullptr) return std::nullopt;
  return found->identity;
}

}  // namespace tracker::auth
