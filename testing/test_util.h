#ifndef TESTING_TEST_UTIL_H_
#define TESTING_TEST_UTIL_H_

#include <string>
#include <vector>

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


namespace tracker::testing {

// A child process (a service under test), killed with SIGKILL when dropped.
class ChildProcess {
 public:
  // Starts argv[0] with the given arguments; stdout/stderr go to `log_path`.
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const { return pid_; }
  void Signal(int signal);
  // Waits for exit; returns the exit code, or 128+signal.
  int Wait();

 private:
  int pid_ = -1;
};

// Waits up to `timeout_ms` for `path` to hold a port number; 0 on timeout.
int WaitForPortFile(const std::string& path, int timeout_ms = 30000);

// Files this process still holds open or mapped after they were deleted,
// whose path matches the grep pattern `path_pattern` (e.g. git packs that
// a merge removed). Waits up to 5 s for them to be let go (a release may
// happen on another thread); "" when none is left.
std::string DeletedFilesStillHeld(const std::string& path_pattern);

// Runs `$RUNFILES/<relative>` (a data dependency) path resolution.
std::string Runfile(const std::string& relative);

}  // namespace tracker::testing

#endif  // TESTING_TEST_UTIL_H_
