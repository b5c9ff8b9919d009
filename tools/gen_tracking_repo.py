#!/usr/bin/env python3
"""Generates a bare tracking repository in the real format, fast.

Writes a `git fast-import` stream: jobs/<study>/<batch>/{batch-summary.tsv,
backlog,queued,failed,completed}/ with .gitkeep, params.json as the real
ones, run markers on started jobs, and branches `main` and `scheduler`.

  gen_tracking_repo.py OUT.git --jobs 100000 --studies 20 --mix
  gen_tracking_repo.py OUT.git --jobs 12 --studies 2      # all in backlog
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
