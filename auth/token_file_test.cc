#include "auth/token_file.h"

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace tracker::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAliceToken[] = "alice-secret-token-3f9a";
constexpr char kBobToken[] = "bob-secret-token-77c1";

std::string Entry(absl::string_view token, absl::string_view name, absl::string_view role) {
  return absl::StrCat("  - sha256: ", HashToken(token), "\n    name: ", name, "\n    email: ", name,
                      "@example.org\n    role: ", role, "\n");
}

class TokenFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& content) {
    EXPECT_TRUE(WriteFileAtomically(path_, content).ok());
    return path_;
  }
  // Rewrites in place (same inode), as an editor that truncates does.
  void Overwrite(const std::string& content) {
    std::ofstream out(path_, std::ios::trunc);
    out << content;
  }
  absl::Status LoadError(const std::string& content) {
    Write(content);
    auto file = TokenFile::Load(path_);
    EXPECT_FALSE(file.ok());
    return file.ok() ? absl::OkStatus() : file.status();
  }

  tracker::testing::TempDir dir_;
  const std::string path_ = dir_.path() + "/tokens.yaml";
};

TEST(HashTokenTest, IsTheHexSha256ThatSha256sumPrints) {
  // printf %s test | sha256sum
  EXPECT_EQ(HashToken("test"), "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  EXPECT_EQ(HashToken(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(TokenFileTest, FindsTheEntryOfAToken) {
  Write(absl::StrCat("# sha256 of each token\ntokens:\n", Entry(kAliceToken, "alice", "admin"),
                     Entry(kBobToken, "bob", "viewer")));
  auto file = TokenFile::Load(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  std::optional<Identity> alice = (*file)->Find(kAliceToken);
  ASSERT_TRUE(alice.has_value());
  EXPECT_EQ(alice->subject, "alice");
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(alice->email, "alice@example.org");
  EXPECT_EQ(alice->role, "admin");
  std::optional<Identity> bob = (*file)->Find(kBobToken);
  ASSERT_TRUE(bob.has_value());
  EXPECT_EQ(bob->role, "viewer");
}

TEST_F(TokenFileTest, UnknownTokensAndHashesFindNothing) {
  Write(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "operator")));
  auto file = TokenFile::Load(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_FALSE((*file)->Find(kBobToken).has_value());
  EXPECT_FALSE((*file)->Find("").has_value());
  EXPECT_FALSE((*file)->Find(std::string(kAliceToken) + " ").has_value());
  // The stored hash is not a token: knowing it does not let one in.
  EXPECT_FALSE((*file)->Find(HashToken(kAliceToken)).has_value());
}

TEST_F(TokenFileTest, UpperCaseHashesAndAnEmptyListAreAccepted) {
  std::string upper = HashToken(kAliceToken);
  for (char& c : upper) c = std::toupper(static_cast<unsigned char>(c));
  Write(absl::StrCat("tokens:\n  - sha256: ", upper, "\n    name: alice\n    role: viewer\n"));
  auto file = TokenFile::Load(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE((*file)->Find(kAliceToken).has_value());

  Write("tokens:\n");
  auto empty = TokenFile::Load(path_);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_FALSE((*empty)->Find(kAliceToken).has_value());
}

TEST_F(TokenFileTest, ChangesAreSeenWithoutLoadingAgain) {
  Write(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "admin")));
  auto file = TokenFile::Load(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_FALSE((*file)->Find(kBobToken).has_value());

  // A new admin, the file replaced by rename (as a Secret update does).
  Write(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "admin"),
                     Entry(kBobToken, "bob", "admin")));
  std::optional<Identity> bob = (*file)->Find(kBobToken);
  ASSERT_TRUE(bob.has_value());
  EXPECT_EQ(bob->name, "bob");

  // Alice removed, the file edited in place.
  Overwrite(absl::StrCat("tokens:\n", Entry(kBobToken, "bob", "operator")));
  EXPECT_FALSE((*file)->Find(kAliceToken).has_value());
  ASSERT_TRUE((*file)->Find(kBobToken).has_value());
  EXPECT_EQ((*file)->Find(kBobToken)->role, "operator");
}

TEST_F(TokenFileTest, ABadNewVersionKeepsTheEntriesReadBefore) {
  Write(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "admin")));
  auto file = TokenFile::Load(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  Write(absl::StrCat("tokens:\n", Entry(kBobToken, "bob", "superuser")));
  EXPECT_TRUE((*file)->Find(kAliceToken).has_value());
  EXPECT_FALSE((*file)->Find(kBobToken).has_value());
  // Fixed: the fixed version is read.
  Write(absl::StrCat("tokens:\n", Entry(kBobToken, "bob", "viewer")));
  EXPECT_TRUE((*file)->Find(kBobToken).has_value());
  EXPECT_FALSE((*file)->Find(kAliceToken).has_value());
}

TEST_F(TokenFileTest, AHashThatIsNotOneIsRejectedWithItsLineAndNeverShown) {
  // A token pasted where its hash belongs.
  absl::Status status =
      LoadError(absl::StrCat("# admins\ntokens:\n", Entry(kBobToken, "bob", "viewer"),
                             "  - sha256: ", kAliceToken, "\n    name: alice\n    role: admin\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr(path_ + ":7: sha256 must be 64 hex digits"));
  EXPECT_THAT(status.message(), Not(HasSubstr(kAliceToken)));
  EXPECT_THAT(status.message(), Not(HasSubstr(HashToken(kBobToken))));

  status = LoadError(absl::StrCat("tokens:\n  - sha256: ", HashToken(kAliceToken).substr(1),
                                  "z\n    name: alice\n    role: admin\n"));
  EXPECT_THAT(status.message(), HasSubstr(path_ + ":2: sha256 must be 64 hex digits"));
  EXPECT_THAT(status.message(), Not(HasSubstr(HashToken(kAliceToken).substr(1))));
}

TEST_F(TokenFileTest, RolesAreViewerOperatorOrAdmin) {
  absl::Status status = LoadError(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "root")));
  EXPECT_THAT(status.message(),
              HasSubstr(path_ + ":5: role 'root' is not one of viewer, operator, admin"));
  status = LoadError(
      absl::StrCat("tokens:\n  - sha256: ", HashToken(kAliceToken), "\n    name: alice\n"));
  EXPECT_THAT(status.message(), HasSubstr(path_ + ":2: role '' is not one of"));
  status = LoadError(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "Admin")));
  EXPECT_THAT(status.message(), HasSubstr("role 'Admin' is not one of"));
}

TEST_F(TokenFileTest, NamesAndHashesAreUnique) {
  absl::Status status = LoadError(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "admin"),
                                               Entry(kBobToken, "alice", "viewer")));
  EXPECT_THAT(status.message(), HasSubstr(path_ + ":6: name 'alice' is already used on line 2"));
  status = LoadError(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "admin"),
                                  Entry(kAliceToken, "bob", "viewer")));
  EXPECT_THAT(status.message(),
              HasSubstr(path_ + ":6: the same token hash is already given on line 2"));
  EXPECT_THAT(status.message(), Not(HasSubstr(HashToken(kAliceToken))));
}

TEST_F(TokenFileTest, MisspelledKeysAndMissingPartsAreRejected) {
  absl::Status status = LoadError(absl::StrCat("tokens:\n  - sha256: ", HashToken(kAliceToken),
                                               "\n    name: alice\n    emial: a@x.org\n"
                                               "    role: admin\n"));
  EXPECT_THAT(status.message(), HasSubstr(path_ + ":4: unknown key 'emial'"));
  status = LoadError(
      absl::StrCat("tokens:\n  - sha256: ", HashToken(kAliceToken), "\n    role: admin\n"));
  EXPECT_THAT(status.message(), HasSubstr(path_ + ":2: the entry has no name"));
  status = LoadError("tokens:\n  - just-a-string\n");
  EXPECT_THAT(status.message(), HasSubstr(path_ + ":2: an entry must be a mapping"));
  status = LoadError("admins:\n  - x\n");
  EXPECT_THAT(status.message(), HasSubstr(path_ + ": no 'tokens' list"));
  status = LoadError("tokens: [\n  - a\n");
  EXPECT_THAT(status.message(), HasSubstr("not valid YAML"));
  status = LoadError(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "admin"), "extra: 1\n"));
  EXPECT_THAT(status.message(), HasSubstr(path_ + ":6: unknown key"));
}

TEST_F(TokenFileTest, FindsFromManyThreadsWhileTheFileChanges) {
  Write(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "admin")));
  auto file = TokenFile::Load(path_);
  ASSERT_TRUE(file.ok()) << file.status();
  std::atomic<bool> done{false};
  std::atomic<int> misses{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        if (!(*file)->Find(kAliceToken).has_value()) ++misses;
      }
    });
  }
  for (int i = 0; i < 50; ++i) {  // alice is in every version
    Write(absl::StrCat("tokens:\n", Entry(kAliceToken, "alice", "admin"),
                       Entry(kBobToken, absl::StrCat("bob", i), "viewer")));
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(misses.load(), 0);
  EXPECT_EQ((*file)->Find(kBobToken)->name, "bob49");
}

TEST_F(TokenFileTest, AMissingFileIsNotFound) {
  auto file = TokenFile::Load(dir_.path() + "/absent.yaml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(file.status().message(), HasSubstr(dir_.path() + "/absent.yaml"));
}

}  // namespace
}  // namespace tracker::auth
