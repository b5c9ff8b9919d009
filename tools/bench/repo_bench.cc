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
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/repo_service/repo_store.h"

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
  auto snap = *store->Read("scheduler");
  std::cout << "\n" << name << ": " << snap->job_count << " jobs in " << snap->studies.size()
            << " studies\n";
  Row("cold start (open clone, parse both branches)", cold);

  // Report.
  tracker::v1::ReportRequest report_req;
  std::string report_text;
  double report = MedianMs(200, [&] { report_text = store->Report(report_req)->text(); });
  std::string loop = absl::StrCat(
      "cd ", Quote(checkout + "/jobs"),
      " && for s in *-*; do for f in `echo backlog queued failed completed`; do echo -n \"$s $f \"; "
      "ls $s/*/$f/*/params.json 2>/dev/null |wc -l |sed 's/ //g'; done; done > /dev/null");
  double report_seed = MedianMs(3, [&] { Sh(loop); });
  Row("Report", report, report_seed);

  // Find backlog or completed jobs to move back and forth.
  std::vector<tracker::v1::JobKey> keys;
  tracker::tracking::State from_state = tracker::tracking::State::kCompleted;
  for (const auto& [sid, study] : snap->studies) {
    for (const auto& [bid, batch] : study->batches) {
      const auto* folder = batch->StateFolderOf(from_state);
      if (folder == nullptr) continue;
      for (const auto& job : folder->jobs) {
        if (keys.size() >= 1000) break;
        tracker::v1::JobKey k;
        k.set_study_id(sid);
        k.set_batch_id(bid);
        k.set_job_id(job.id);
        keys.push_back(k);
      }
    }
  }
  auto one = [&](const tracker::v1::JobKey& key, bool forward) {
    tracker::v1::TransitionJobsRequest req;
    auto* t = req.add_transitions();
    *t->mutable_key() = key;
    t->set_from_state(forward ? tracker::v1::JOB_STATE_COMPLETED : tracker::v1::JOB_STATE_FAILED);
    t->set_to_state(forward ? tracker::v1::JOB_STATE_FAILED : tracker::v1::JOB_STATE_COMPLETED);
    Check(store->TransitionJobs(req).status(), "transition");
  };
  // Every single transition moves a different job, as the scheduler does, so
  // each writes new trees; moving one job back and forth would find its trees
  // already written and understate the cost.
  auto move_back = [&](size_t from, size_t to) {
    tracker::v1::TransitionJobsRequest req;
    for (size_t i = from; i < to; ++i) {
      auto* t = req.add_transitions();
      *t->mutable_key() = keys[i];
      t->set_from_state(tracker::v1::JOB_STATE_FAILED);
      t->set_to_state(tracker::v1::JOB_STATE_COMPLETED);
    }
    Check(store->TransitionJobs(req).status(), "move back");
  };
  size_t seed_next = keys.size() / 2;
  auto seed_one = [&] {
    const auto& k = keys[seed_next++ % keys.size()];
    std::string dir = absl::StrCat("jobs/", k.study_id(), "/", k.batch_id());
    Sh(absl::StrCat("cd ", Quote(checkout), " && git mv ", dir, "/completed/", k.job_id(), " ",
                    dir, "/failed/", k.job_id(),
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
    tracker::v1::TransitionJobsRequest req;
    for (const auto& key : keys) {
      auto* t = req.add_transitions();
      *t->mutable_key() = key;
      t->set_from_state(forward ? tracker::v1::JOB_STATE_COMPLETED : tracker::v1::JOB_STATE_FAILED);
      t->set_to_state(forward ? tracker::v1::JOB_STATE_FAILED : tracker::v1::JOB_STATE_COMPLETED);
    }
    forward = !forward;
    Check(store->TransitionJobs(req).status(), "1000 transitions");
  });
  Row(absl::StrCat(keys.size(), " transitions in one commit"), thousand,
      single_seed * static_cast<double>(keys.size()));

  // ImportBatch of 1,000 new jobs with the repository-wide uniqueness check.
  tracker::v1::ImportBatchRequest import;
  import.set_study_id("BENCH-XX");
  import.set_batch_id("2030-01-01");
  std::string tsv = "# bench\n";
  for (int i = 1; i <= 1000; ++i) {
    std::string job = absl::StrFormat("job.%04d", i);
    std::string analysis = absl::StrFormat("bench-analysis-%06d", i);
    absl::StrAppend(&tsv, job, "\t1\t1000\t", analysis, "\t1000\n");
    (*import.mutable_params_json())[job] = absl::StrCat(
        "{\"study_id\": \"BENCH-XX\", \"analysis_id\": [\"", analysis, "\"]}\n");
  }
  import.set_summary_tsv(tsv);
  import.set_dry_run(true);
  double import_check = MedianMs(5, [&] { Check(store->ImportBatch(import).status(), "import"); });
  import.set_dry_run(false);
  double import_write = MedianMs(1, [&] { Check(store->ImportBatch(import).status(), "import"); });
  Row("ImportBatch 1,000 jobs: validation + uniqueness", import_check);
  Row("ImportBatch 1,000 jobs: validation + commit", import_write);
  std::cout << absl::StrFormat("  %-44s %10ld MB\n", "peak resident memory of this process",
                               PeakRssMb());
  store.reset();
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
  }
  return 0;
}
