#include "services/repo_service/known_hosts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tracker::repo {
namespace {

using ::testing::HasSubstr;

// github.com's published ed25519 key, and one that is not.
constexpr char kGithub[] = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
constexpr char kOther[] = "AAAAC3NzaC1lZDI1NTE5AAAAIBVXYZ0000000000000000000000000000000000000000";

constexpr char kKnownHosts[] =
    "# from ssh-keyscan github.com\n"
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
    "\n"
    "git.example.org,10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBVXYZ0000000000000000000000000000000000000000 ops\n"
    "[git.internal]:2222 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7\n"
    "@revoked old.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
    "old.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n";

TEST(KnownHosts, AcceptsTheListedKey) {
  EXPECT_TRUE(CheckKnownHost(kKnownHosts, "github.com", 22, kGithub).ok());
  EXPECT_TRUE(CheckKnownHost(kKnownHosts, "10.0.0.5", 22, kOther).ok());
  EXPECT_TRUE(CheckKnownHost(kKnownHosts, "git.internal", 2222, "AAAAB3NzaC1yc2EAAAADAQABAAABAQC7").ok());
}

TEST(KnownHosts, RefusesAnotherKeyForAKnownHost) {
  absl::Status s = CheckKnownHost(kKnownHosts, "github.com", 22, kOther);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()), HasSubstr("man in the middle"));
}

TEST(KnownHosts, RefusesUnknownHostsAndPorts) {
  EXPECT_THAT(std::string(CheckKnownHost(kKnownHosts, "gitlab.com", 22, kGithub).message()),
              HasSubstr("gitlab.com: it is not in known_hosts"));
  // The same host on another port is another entry.
  EXPECT_FALSE(CheckKnownHost(kKnownHosts, "github.com", 2222, kGithub).ok());
  EXPECT_FALSE(CheckKnownHost(kKnownHosts, "git.internal", 22, "AAAAB3NzaC1yc2EAAAADAQABAAABAQC7").ok());
  EXPECT_FALSE(CheckKnownHost("", "github.com", 22, kGithub).ok());
}

TEST(KnownHosts, ARevokedKeyIsRefusedEvenWhenAlsoListed) {
  absl::Status s = CheckKnownHost(kKnownHosts, "old.example.org", 22, kGithub);
  EXPECT_THAT(std::string(s.message()), HasSubstr("@revoked"));
  // Whatever the order of the lines.
  const std::string reversed = std::string("old.example.org ssh-ed25519 ") + kGithub + "\n@revoked old.example.org ssh-ed25519 " + kGithub + "\n";
  EXPECT_FALSE(CheckKnownHost(reversed, "old.example.org", 22, kGithub).ok());
}

TEST(KnownHosts, SaysWhenNamesAreHashed) {
  absl::Status s = CheckKnownHost("|1|abc=|def= ssh-ed25519 AAAA\n", "github.com", 22, kGithub);
  EXPECT_THAT(std::string(s.message()), HasSubstr("hashed names"));
}

}  // namespace
}  // namespace tracker::repo
