#include "testing/test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace tracker::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(base != nullptr ? base : "/tmp", "/tracker-XXXXXX");
  char* made = mkdtemp(pattern.data());
  path_ = made != nullptr ? made : "";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

CommandResult Shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(absl::StrCat(command, " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string ShellQuote(const std::string& s) {
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "'\\''"}}), "'");
}

std::string FixturesDir() {
  const char* dir = std::getenv("TRACKER_FIXTURES");
  if (dir == nullptr || *dir == '\0') return "";
  std::error_code ec;
  if (!std::filesystem::exists(absl::StrCat(dir, "/tracking-excerpt.bundle"), ec)) return "";
  return dir;
}

bool MakeExcerptRemote(const std::string& dir) {
  std::string fixtures = FixturesDir();
  if (fixtures.empty()) return false;
  CommandResult r = Shell(absl::StrCat("git clone -q --mirror ",
                                     ShellQuote(fixtures + "/tracking-excerpt.bundle"), " ",
                                     ShellQuote(dir)));
  return r.exit_code == 0;
}

}  // namespace tracker::testing
