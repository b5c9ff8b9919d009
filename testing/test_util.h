#ifndef TESTING_TEST_UTIL_H_
#define TESTING_TEST_UTIL_H_

#include <string>

namespace tracker::testing {

// A fresh directory under TEST_TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `command` with /bin/sh; never throws.
CommandResult Shell(const std::string& command);
// Single-quotes `s` for the shell.
std::string ShellQuote(const std::string& s);

// The folder holding tracking-excerpt.bundle, from $TRACKER_FIXTURES; empty
// when it is not there (tests then skip, saying so).
std::string FixturesDir();

// Makes `dir` a bare repository with the excerpt's main and scheduler
// branches, like the real remote. Returns false when the fixture is absent.
bool MakeExcerptRemote(const std::string& dir);

}  // namespace tracker::testing

#define SKIP_WITHOUT_FIXTURES()                                                       \
  do {                                                                                \
    if (::tracker::testing::FixturesDir().empty()) {                                  \
      GTEST_SKIP() << "../shared/fixtures/tracking-excerpt.bundle is absent "         \
                      "(set TRACKER_FIXTURES); skipping the real-data test";          \
    }                                                                                 \
  } while (0)

#endif  // TESTING_TEST_UTIL_H_
