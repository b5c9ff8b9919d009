// Benchmarks repo-service's store against the seed's way of doing the same
// work (the shell report loop on a checkout; `git mv` + `git commit` per
// job), in the same run, on the given bare repositories.
//
//   repo_bench NAME=/path/to/bare.git [NAME=...]
//
// Prints one table per repository: median wall time per operation, and the
// baseline's median with the ratio.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <thread>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/repo_service/repo_store.h"
#include "tracking/flags.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Appends `runs` timings of `fn` to `ms`.
void Sample(int runs, const std::function<void()>& fn, std::vector<double>& ms) {
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
}

double Median(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

double MedianMs(int runs, const std::function<void()>& fn) {
  std::vector<double> ms;
  Sample(runs, fn, ms);
  return Median(ms);
}

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string Quote(const std::string& s) { return "'" + s + "'"; }

long PeakRssMb() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

void Row(const std::string& what, double ours, double baseline = -1) {
  if (baseline < 0) {
    std::cout << absl::StrFormat("  %-44s %10.3f ms\n", what, ours);
  } else {
    std::cout << absl::StrFormat("  %-44s %10.3f ms   seed way %10.3f ms   %7.1fx\n", what,
                                 ours, baseline, baseline / ours);
  }
}

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s << "\n";
    std::exit(1);
  }
}

void Bench(const std::string& name, const std::string& bare) {
  std::string work = absl::StrCat(fs::temp_directory_path().string(), "/repo-bench-", getpid(),
                                  "-", name);
  fs::remove_all(work);
  fs::create_directories(work);
  std::string clone = work + "/clone.git";
  std::string checkout = work + "/checkout";
  Sh(absl::StrCat("git clone -q --mirror ", Quote(bare), " ", Quote(clone)));
  Sh(absl::StrCat("git clone -q -b scheduler ", Quote(bare), " ", Quote(checkout)));

  tracker::repo::StoreOptions options;
  options.path = clone;
  options.remote_url = bare;
  std::unique_ptr<tracker::repo::RepoStore> store;
  double cold = MedianMs(1, [&] {
    auto opened = tracker::repo::RepoStore::Open(options);
    Check(opened.status(), "open");
    store = *std::move(opened);
  });
  auto snap = *store->reader().Read("scheduler");
  std::cout << "\n" << name << ": " << snap->job_count << " jobs in " << snap->studies.size()
            << " studies\n";
  Row("cold start (open clone, parse both branches)", cold);

  // Report.
  std::string report_text;
  double report = MedianMs(200, [&] { report_text = store->reader().Report("", "")->text; });
  std::string loop = absl::StrCat(
      "cd ", Quote(checkout + "/jobs"),
      " && for s in *-*; do for f in `echo backlog queued failed completed`; do echo -n \"$s $f \"; "
      "ls $s/*/$f/*/params.json 2>/dev/null |wc -l |sed 's/ //g'; done; done > /dev/null");
  double report_seed = MedianMs(3, [&] { Sh(loop); });
  Row("Report", report, report_seed);

  // Find backlog or completed jobs to move back and forth.
  using tracker::repo::State;
  using tracker::repo::Transition;
  std::vector<tracker::repo::JobKey> keys;
  tracker::tracking::State from_state = tracker::tracking::State::kCompleted;
  for (const auto& [sid, study] : snap->studies) {
    for (const auto& [bid, batch] : study->batches) {
      const auto* folder = batch->StateFolderOf(from_state);
      if (folder == nullptr) continue;
      for (const auto& job : folder->jobs) {
        if (keys.size() >= 1000) break;
        keys.push_back({sid, bid, job.id});
      }
    }
  }
  auto move = [](const tracker::repo::JobKey& key, bool forward) {
    Transition t;
    t.key = key;
    t.from = forward ? State::kCompleted : State::kFailed;
    t.to = forward ? State::kFailed : State::kCompleted;
    return t;
  };
  auto one = [&](const tracker::repo::JobKey& key, bool forward) {
    Check(store->writer().TransitionJobs({}, {move(key, forward)}).status(), "transition");
  };
  // Every single transition moves a different job, as the scheduler does, so
  // each writes new trees; moving one job back and forth would find its trees
  // already written and understate the cost.
  auto move_back = [&](size_t from, size_t to) {
    std::vector<Transition> back;
    for (size_t i = from; i < to; ++i) back.push_back(move(keys[i], false));
    Check(store->writer().TransitionJobs({}, back).status(), "move back");
  };
  size_t seed_next = keys.size() / 2;
  auto seed_one = [&] {
    const auto& k = keys[seed_next++ % keys.size()];
    std::string dir = absl::StrCat("jobs/", k.study_id, "/", k.batch_id);
    Sh(absl::StrCat("cd ", Quote(checkout), " && git mv ", dir, "/completed/", k.job_id, " ",
                    dir, "/failed/", k.job_id,
                    " && git -c user.name=b -c user.email=b@x commit -qm '[scheduler] update job status'"));
  };
  // Disk latency on a shared machine drifts over seconds, so the three are
  // sampled in interleaved rounds and compared over the same stretch of time.
  // Each round starts with sync(): our syncs must not pay for writing back
  // the dirty pages git's commits left behind, nor git for ours.
  // "No fsync" is the durability of git's defaults (no fsync of loose objects
  // or refs), to show what our syncs cost.
  tracker::repo::StoreOptions undurable = options;
  undurable.durable_writes = false;
  // Distinct jobs in every round too (a job moved and moved back would find
  // its trees from an earlier round): the first half of `keys` for us, the
  // second half for the seed.
  const size_t per_round = std::max<size_t>(1, std::min<size_t>(40, keys.size() / 20));
  size_t next = 0;
  std::vector<double> synced, unsynced, seed;
  for (int round = 0; round < 5; ++round) {
    for (auto* opts : {&options, &undurable}) {
      ::sync();
      store.reset();
      store = *tracker::repo::RepoStore::Open(*opts);
      size_t first = next;
      Sample(per_round, [&] { one(keys[next++], true); }, opts == &options ? synced : unsynced);
      move_back(first, next);
    }
    ::sync();
    Sample(6, seed_one, seed);
  }
  double single_seed = Median(seed);
  Row("one transition (one commit)", Median(synced), single_seed);
  Row("one transition, no fsync (as git's defaults)", Median(unsynced), single_seed);
  store.reset();
  store = *tracker::repo::RepoStore::Open(options);

  bool forward = true;
  double thousand = MedianMs(3, [&] {
    std::vector<Transition> all;
    for (const auto& key : keys) all.push_back(move(key, forward));
    forward = !forward;
    Check(store->writer().TransitionJobs({}, all).status(), "1000 transitions");
  });
  Row(absl::StrCat(keys.size(), " transitions in one commit"), thousand,
      single_seed * static_cast<double>(keys.size()));

  // ImportBatch of 1,000 new jobs with the repository-wide uniqueness check.
  tracker::repo::BatchImport import;
  import.study_id = "BENCH-XX";
  import.batch_id = "2030-01-01";
  std::string tsv = "# bench\n";
  for (int i = 1; i <= 1000; ++i) {
    std::string job = absl::StrFormat("job.%04d", i);
    std::string analysis = absl::StrFormat("bench-analysis-%06d", i);
    absl::StrAppend(&tsv, job, "\t1\t1000\t", analysis, "\t1000\n");
    import.params_json[job] = absl::StrCat(
        "{\"study_id\": \"BENCH-XX\", \"analysis_id\": [\"", analysis, "\"]}\n");
  }
  import.summary_tsv = tsv;
  import.dry_run = true;
  double import_check =
      MedianMs(5, [&] { Check(store->writer().ImportBatch({}, import).status(), "import"); });
  import.dry_run = false;
  double import_write =
      MedianMs(1, [&] { Check(store->writer().ImportBatch({}, import).status(), "import"); });
  Row("ImportBatch 1,000 jobs: validation + uniqueness", import_check);
  Row("ImportBatch 1,000 jobs: validation + commit", import_write);
  std::cout << absl::StrFormat("  %-44s %10ld MB\n", "peak resident memory of this process",
                               PeakRssMb());
  store.reset();
  fs::remove_all(work);
}

// Reads while a push is refused and backing off. The remote is served by
// `git daemon` and a pre-receive hook declines every push, so the store
// fetches, merges (nothing to merge) and sleeps between attempts, as it does
// when another writer keeps winning the race to the remote.
void BenchReadsDuringPush(const std::string& name, const std::string& bare) {
  std::string work = absl::StrCat(fs::temp_directory_path().string(), "/repo-bench-push-",
                                  getpid(), "-", name);
  fs::remove_all(work);
  fs::create_directories(work + "/served");
  const std::string served = work + "/served/remote.git";
  Sh(absl::StrCat("git clone -q --bare ", Quote(bare), " ", Quote(served)));
  {
    std::ofstream hook(served + "/hooks/pre-receive");
    hook << "#!/bin/sh\necho 'declined: someone else pushed' >&2\nexit 1\n";
  }
  fs::permissions(served + "/hooks/pre-receive", fs::perms::owner_all, fs::perm_options::add);
  const int port = 20000 + getpid() % 20000;
  Sh(absl::StrCat("git daemon --reuseaddr --export-all --enable=receive-pack --listen=127.0.0.1 "
                  "--port=", port, " --base-path=", Quote(work + "/served"), " --pid-file=",
                  Quote(work + "/daemon.pid"), " --detach ", Quote(work + "/served")));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  tracker::repo::StoreOptions options;
  options.path = work + "/clone.git";
  options.remote_url = absl::StrCat("git://127.0.0.1:", port, "/remote.git");
  options.push_max_attempts = 4;
  options.push_backoff_ms = 500;
  auto opened = tracker::repo::RepoStore::Open(options);
  Check(opened.status(), "open over git://");
  std::unique_ptr<tracker::repo::RepoStore> store = *std::move(opened);
  Check(store->writer()
            .SetFlag({}, tracker::tracking::FlagKind::kPause, "bench_push", "")
            .status(),
        "commit to push");

  std::vector<tracker::repo::JobKey> gets;
  auto snap = *store->reader().Read("scheduler");
  for (const auto& [sid, study] : snap->studies) {
    for (const auto& [bid, batch] : study->batches) {
      for (const auto& [folder_name, folder] : batch->folders) {
        for (const auto& job : folder->jobs) {
          if (gets.size() >= 500 || !job.has_params) continue;
          gets.push_back({sid, bid, job.id});
        }
      }
    }
  }
  size_t next = 0;
  auto get_one = [&] {
    Check(store->reader().GetJob("", gets[next++ % gets.size()]).status(), "GetJob");
  };
  auto stats = [](std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    return absl::StrFormat("median %8.3f ms  p99 %9.3f ms  max %9.3f ms  (%zu reads)",
                           ms[ms.size() / 2], ms[ms.size() * 99 / 100], ms.back(), ms.size());
  };
  std::vector<double> idle;
  Sample(2000, get_one, idle);

  std::atomic<bool> pushing{true};
  double push_ms = 0;
  std::string push_status;
  std::thread pusher([&] {
    auto t0 = Clock::now();
    push_status = store->sync().Push("main", 0).status().ToString();
    push_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    pushing = false;
  });
  std::vector<double> during;
  while (pushing) {
    Sample(1, get_one, during);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  pusher.join();
  std::cout << "\n" << name << ": GetJob while a push is refused 4 times (backoff 500 ms)\n";
  std::cout << "  GetJob, nothing else running        " << stats(idle) << "\n";
  std::cout << "  GetJob, during the push             " << stats(during) << "\n";
  std::cout << absl::StrFormat("  the push: %.0f ms, %s\n", push_ms, push_status.substr(0, 60));
  store.reset();
  Sh(absl::StrCat("kill $(cat ", Quote(work + "/daemon.pid"), ") 2>/dev/null"));
  fs::remove_all(work);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: repo_bench NAME=/path/to/bare.git [...]\n";
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    size_t eq = arg.find('=');
    Bench(arg.substr(0, eq), arg.substr(eq + 1));
    BenchReadsDuringPush(arg.substr(0, eq), arg.substr(eq + 1));
  }
  return 0;
}
