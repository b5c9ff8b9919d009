#include "common/url.h"

#include <gtest/gtest.h>

namespace tracker {
namespace {

TEST(RedactUrlTest, DropsQueryAndMasksUserInformation) {
  EXPECT_EQ(RedactUrl("https://wes.example/api/v1/runs?token=abc"), "https://wes.example/api/v1/runs");
  EXPECT_EQ(RedactUrl("https://user:s3cret@github.com/org/repo.git"),
            "https://***@github.com/org/repo.git");
  EXPECT_EQ(RedactUrl("https://x-access-token:ghp_abc@github.com"), "https://***@github.com");
  EXPECT_EQ(RedactUrl("ssh://git@github.com/org/repo.git"), "ssh://***@github.com/org/repo.git");
  // An '@' in the path is not user information.
  EXPECT_EQ(RedactUrl("https://song.example/studies/a@b"), "https://song.example/studies/a@b");
  // scp-like git addresses carry no secret.
  EXPECT_EQ(RedactUrl("git@github.com:org/repo.git"), "git@github.com:org/repo.git");
  EXPECT_EQ(RedactUrl("https://u:p@host.x/a/b?token=s3cret"), "https://***@host.x/a/b");
  EXPECT_EQ(RedactUrl("/srv/tracking.git"), "/srv/tracking.git");
  EXPECT_EQ(RedactUrl(""), "");
}

TEST(UrlEncodeTest, EncodesAllButUnreserved) {
  EXPECT_EQ(UrlEncode("wes-0123_a.b~c"), "wes-0123_a.b~c");
  EXPECT_EQ(UrlEncode("a/b c?&="), "a%2Fb%20c%3F%26%3D");
  EXPECT_EQ(UrlEncode("\xff"), "%FF");
}

TEST(UrlAuthorityTest, HostAndPortWithoutUserInformation) {
  EXPECT_EQ(UrlAuthority("https://u:p@wes.example.org:8443/x?y=1"), "wes.example.org:8443");
  EXPECT_EQ(UrlAuthority("http://127.0.0.1:9/api#f"), "127.0.0.1:9");
  EXPECT_EQ(UrlAuthority("no scheme"), "");
}

TEST(UrlHostTest, HostWithoutUserInformationOrPort) {
  EXPECT_EQ(UrlHost("https://id.example.org/realms/argo"), "id.example.org");
  EXPECT_EQ(UrlHost("https://user:pw@id.example.org:8443/x?y=1"), "id.example.org");
  EXPECT_EQ(UrlHost("http://[::1]:8080/"), "[::1]");
  EXPECT_EQ(UrlHost("https://host"), "host");
  EXPECT_EQ(UrlHost("no scheme/here"), "");
}

}  // namespace
}  // namespace tracker
