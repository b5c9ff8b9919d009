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

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace tracker::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_path) {
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    // The test may block signals; the service must start with none blocked.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void ChildProcess::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

int ChildProcess::Wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

int WaitForPortFile(const std::string& path, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    std::ifstream in(path);
    int port = 0;
    if (in >> port && port > 0) return port;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

std::string Runfile(const std::string& relative) {
  const char* dir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  if (dir == nullptr) return relative;
  return absl::StrCat(dir, "/", ws != nullptr ? ws : "jobtracker", "/", relative);
}

}  // namespace tracker::testing

namespace tracker::testing {

std::string DeletedFilesStillHeld(const std::string& path_pattern) {
  std::string held;
  for (int i = 0; i < 50; ++i) {
    held = Shell(absl::StrCat("{ ls -l /proc/", getpid(), "/fd; cat /proc/", getpid(),
                              "/maps; } | grep ", ShellQuote(path_pattern + ".*(deleted)")))
               .output;
    if (held.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return held;
}

}  // namespace tracker::testing
