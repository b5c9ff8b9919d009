#!/usr/bin/env python3
"""Generates a bare tracking repository in the real format, fast.

Writes a `git fast-import` stream: jobs/<study>/<batch>/{batch-summary.tsv,
backlog,queued,failed,completed}/ with .gitkeep, params.json as the real
ones, run markers on started jobs, and branches `main` and `scheduler`.

  gen_tracking_repo.py OUT.git --jobs 100000 --studies 20 --mix
  gen_tracking_repo.py OUT.git --jobs 12 --studies 2      # all in backlog

--old-shape adds the real repository's older batch shape to the first study
(S0), as jobs/CLLE-ES/2021-06-21 has it: batch 2021-06-21 whose summary has
6 columns with sizes in decimal GB and a label, and params.json without
_job_id or _batch_id. Three completed jobs: job.0001 (OLD_1), job.0002
(OLD_2, OLD_3), job.0003 (OLD_4), OLD_n = 00000000-0000-4000-8000-<n:012d>.

--seed-problems (implies --old-shape) adds batch 2022-01-01 to S0 holding one
of each problem the audit reports (the first batch of S0 is 2021-07-01; its
job.0001 has analysis EGAZ00000000001; NEW_n = EGAZ9<n:010d>):
  job.0001  completed, analysis EGAZ00000000001   DUPLICATE_ANALYSIS with
            2021-07-01/job.0001 (summaries and params of both)
  job.0002  in backlog/ and in failed/             JOB_IN_TWO_FOLDERS
  job.0003  completed/job.0003/job.0003/ inside    NESTED_JOB_FOLDER
  job.0004  a summary line, no folder              NO_JOB_DIR
  job.0005  backlog/, no summary line              NO_SUMMARY_LINES
  job.0006  analyses_in_job 3, two lines           COUNT_MISMATCH
  job.0007  failed/, run.yesterday.rdpc_qa.wes-... BAD_MARKER
  job.0008, job.0009  both list NEW_80 in params.json only (not in the
            summary)                               DUPLICATE_ANALYSIS
  job.0010  completed, analysis OLD_3 of the old-shape batch's job.0002
                                                   DUPLICATE_ANALYSIS
  jobs/pause.drpc-prod (the real repository's typo) UNKNOWN_ENVIRONMENT when
            the known environments are rdpc_qa and rdpc_prod
"""

import argparse
import json
import os
import random
import subprocess
import sys

STATES = ("backlog", "queued", "failed", "completed")
COUNTRIES = ("CA", "UK", "SG", "KR", "FR", "DE", "JP", "US", "AU", "CN")


def study_ids(n):
    out = []
    for i in range(n):
        code = "".join(chr(ord("A") + (i * 7 + k * 3) % 26) for k in range(4))
        out.append(f"{code}-{COUNTRIES[i % len(COUNTRIES)]}")
    return sorted(set(out))


def params(study, job, analyses):
    return json.dumps({
        "_job_id": job,
        "study_id": study,
        "analysis_id": analyses,
        "max_retries": 3,
        "first_retry_wait_time": 60,
        "cpus": 1,
        "mem": 1,
        "local_dir": "/icgc-argo-scratch",
        "download_song_url": "https://song.cancercollaboratory.org",
        "download_score_url": "https://storage.cancercollaboratory.org",
        "download_cpus": 4,
        "download_mem": 8,
        "download_transport_mem": 2,
        "upload_song_url": "https://song.azure.icgc.overture.bio",
        "upload_score_url": "https://score.azure.icgc.overture.bio",
        "upload_cpus": 4,
        "upload_mem": 8,
        "upload_transport_mem": 2,
        "transport_mem": 2,
    }, indent=2) + "\n"


def old_id(n):
    return f"00000000-0000-4000-8000-{n:012d}"


def new_id(n):
    return f"EGAZ9{n:010d}"


def add_old_shape_batch(study, blob, files, mark):
    """The older shape (see the module's help); returns the next mark."""
    base = f"jobs/{study}/2021-06-21"
    jobs = {"job.0001": [(old_id(1), "9.73")],
            "job.0002": [(old_id(2), "8.20"), (old_id(3), "11.67")],
            "job.0003": [(old_id(4), "0.012")]}
    lines = []
    for job, analyses in jobs.items():
        total = analyses[0][1] if len(analyses) == 1 else "%.2f" % sum(
            float(gb) for _, gb in analyses)
        for a, gb in analyses:
            lines.append(f"{job}\t{len(analyses)}\t{total}\t{a}\t{gb}\tPCAWG")
        p = json.loads(params(study, job, [a for a, _ in analyses]))
        del p["_job_id"]
        blob(mark, json.dumps(p, indent=4) + "\n")
        files.append((f"{base}/completed/{job}/params.json", mark))
        mark += 1
        files.append((f"{base}/completed/{job}/run.1624300000.rdpc-prod."
                      f"wes-{int(job[-4:]):032x}", 1))
    for state in STATES:
        files.append((f"{base}/{state}/.gitkeep", 1))
    blob(mark, "\n".join(lines) + "\n")
    files.append((f"{base}/batch-summary.tsv", mark))
    return mark + 1


def add_problem_batch(study, blob, files, mark):
    """One of each problem (see the module's help); returns the next mark."""
    base = f"jobs/{study}/2022-01-01"
    marker = "run.1640000000.rdpc_qa.wes-%032x"
    # job -> (folders, analyses in params.json, summary lines as
    # (analyses_in_job, analysis)), in job order.
    jobs = {
        "job.0001": (["completed"], ["EGAZ00000000001"], [(1, "EGAZ00000000001")]),
        "job.0002": (["backlog", "failed"], [new_id(2)], [(1, new_id(2))]),
        "job.0003": (["completed"], [new_id(3)], [(1, new_id(3))]),
        "job.0004": ([], [], [(1, new_id(4))]),
        "job.0005": (["backlog"], [new_id(5)], []),
        "job.0006": (["completed"], [new_id(61), new_id(62)], [(3, new_id(61)), (3, new_id(62))]),
        "job.0007": (["failed"], [new_id(7)], [(1, new_id(7))]),
        "job.0008": (["completed"], [new_id(8), new_id(80)], [(1, new_id(8))]),
        "job.0009": (["completed"], [new_id(9), new_id(80)], [(1, new_id(9))]),
        "job.0010": (["completed"], [old_id(3)], [(1, old_id(3))]),
    }
    lines, params_mark = [], {}
    for index, (job, (folders, analyses, summary)) in enumerate(jobs.items()):
        for count, a in summary:
            lines.append(f"{job}\t{count}\t{count * 1000}\t{a}\t1000")
        if not folders:
            continue
        blob(mark, params(study, job, analyses))
        params_mark[job] = mark
        for folder in folders:
            files.append((f"{base}/{folder}/{job}/params.json", mark))
            if folder != "backlog":
                files.append((f"{base}/{folder}/{job}/" + marker % (index + 1), 1))
        mark += 1
    # A copy of the job inside its own folder, as the real ESAD-UK has.
    files.append((f"{base}/completed/job.0003/job.0003/params.json", params_mark["job.0003"]))
    files.append((f"{base}/failed/job.0007/run.yesterday.rdpc_qa.wes-%032x" % 7, 1))
    for state in STATES:
        files.append((f"{base}/{state}/.gitkeep", 1))
    blob(mark, "\n".join(lines) + "\n")
    files.append((f"{base}/batch-summary.tsv", mark))
    files.append(("jobs/pause.drpc-prod", 1))
    return mark + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="bare repository to create (must not exist)")
    ap.add_argument("--jobs", type=int, default=12)
    ap.add_argument("--studies", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=1000,
                    help="jobs per batch (a study gets several batches)")
    ap.add_argument("--mix", action="store_true",
                    help="spread jobs over all four states, with run markers")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--old-shape", action="store_true",
                    help="add a batch in the older 6-column, GB shape (see above)")
    ap.add_argument("--seed-problems", action="store_true",
                    help="add a batch with one of each problem the audit finds")
    ap.add_argument("--song-url", default="https://song.azure.icgc.overture.bio",
                    help="upload_song_url written into every params.json")
    ap.add_argument("--score-url", default="https://score.azure.icgc.overture.bio",
                    help="upload_score_url written into every params.json")
    args = ap.parse_args()
    if os.path.exists(args.out):
        sys.exit(f"{args.out} exists already")
    rng = random.Random(args.seed)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", args.out], check=True)
    fi = subprocess.Popen(["git", "-C", args.out, "fast-import", "--quiet"],
                          stdin=subprocess.PIPE)
    w = fi.stdin

    def blob(mark, data):
        data = data.encode()
        w.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")

    blob(1, "")  # .gitkeep and markers
    mark = 2
    files = []   # (path, mark)
    studies = study_ids(args.studies)
    per_study = [args.jobs // len(studies)] * len(studies)
    for i in range(args.jobs % len(studies)):
        per_study[i] += 1
    analysis_seq = 0
    for s_index, study in enumerate(studies):
        remaining = per_study[s_index]
        batch_index = 0
        while remaining > 0:
            n = min(remaining, args.batch_size)
            remaining -= n
            batch = f"2021-{7 + batch_index // 26 % 6:02d}-{1 + batch_index % 26:02d}"
            batch_index += 1
            base = f"jobs/{study}/{batch}"
            summary = [f"# SONG analysis objects retrieved from payload dump: "
                       f"{study}.payloads.2021-06-21.json.gz"]
            for state in STATES:
                files.append((f"{base}/{state}/.gitkeep", 1))
            for j in range(1, n + 1):
                job = f"job.{j:04d}"
                count = 1 if rng.random() < 0.9 else rng.randint(2, 5)
                analyses, sizes = [], []
                for _ in range(count):
                    analysis_seq += 1
                    analyses.append(f"EGAZ{analysis_seq:011d}")
                    sizes.append(rng.randint(10**9, 2 * 10**11))
                for a, size in zip(analyses, sizes):
                    summary.append(f"{job}\t{count}\t{sum(sizes)}\t{a}\t{size}")
                state = "backlog"
                if args.mix:
                    state = rng.choices(STATES, weights=(10, 2, 8, 80))[0]
                p = dict(json.loads(params(study, job, analyses)))
                p["upload_song_url"] = args.song_url
                p["upload_score_url"] = args.score_url
                blob(mark, json.dumps(p, indent=2) + "\n")
                files.append((f"{base}/{state}/{job}/params.json", mark))
                mark += 1
                if state != "backlog":
                    env = rng.choice(("rdpc_qa", "rdpc_prod"))
                    epoch = 1626000000 + rng.randint(0, 5000000)
                    run = "wes-%032x" % rng.getrandbits(128)
                    files.append((f"{base}/{state}/{job}/run.{epoch}.{env}.{run}", 1))
            blob(mark, "\n".join(summary) + "\n")
            files.append((f"{base}/batch-summary.tsv", mark))
            mark += 1
    if args.old_shape or args.seed_problems:
        mark = add_old_shape_batch(studies[0], blob, files, mark)
    if args.seed_problems:
        mark = add_problem_batch(studies[0], blob, files, mark)
    files.append(("jobs/.gitignore", 1))
    msg = f"added {args.jobs} jobs for {len(studies)} studies".encode()
    w.write(b"commit refs/heads/main\nmark :%d\n" % mark)
    w.write(b"committer Tracking Admin <admin@example.org> 1626000000 +0000\n")
    w.write(b"data %d\n%s\n" % (len(msg), msg))
    for path, m in files:
        w.write(b"M 100644 :%d %s\n" % (m, path.encode()))
    w.write(b"\nreset refs/heads/scheduler\nfrom :%d\n\n" % mark)
    w.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", args.out, "gc", "-q", "--aggressive", "--prune=now"],
                   check=True)
    print(f"{args.out}: {args.jobs} jobs in {len(studies)} studies")


if __name__ == "__main__":
    main()
