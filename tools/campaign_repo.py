#!/usr/bin/env python3
"""Makes a bare tracking repository for replaying a transfer campaign.

Clones SRC (a bare repository or a bundle, e.g. the real excerpt), moves
jobs back to backlog/ with their run markers removed, points every
params.json's upload_song_url / upload_score_url at the given (simulated)
destination, commits that on `scheduler`, makes `main` the same commit, and
pushes both to a new bare repository DEST.

  campaign_repo.py SRC DEST.git --song-url http://127.0.0.1:PORT [--jobs N]

Only git and the standard library; byte formatting of params.json is kept
(the URL values are replaced in place).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

STATES = ("backlog", "queued", "failed", "completed")


def git(*args, cwd=None):
    subprocess.run(("git",) + args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dest")
    ap.add_argument("--song-url", required=True)
    ap.add_argument("--score-url", default="", help="default: the song url")
    ap.add_argument("--jobs", type=int, default=0,
                    help="move only the first N jobs to backlog (0: all)")
    args = ap.parse_args()
    score = args.score_url or args.song_url
    if os.path.exists(args.dest):
        sys.exit(f"{args.dest} exists already")
    work = tempfile.mkdtemp(prefix="campaign-")
    try:
        git("clone", "-q", "-b", "scheduler", args.src, work)
        moved = 0
        jobs_root = os.path.join(work, "jobs")
        for study in sorted(os.listdir(jobs_root)):
            sdir = os.path.join(jobs_root, study)
            if not os.path.isdir(sdir):
                continue
            for batch in sorted(os.listdir(sdir)):
                bdir = os.path.join(sdir, batch)
                if not os.path.isdir(bdir):
                    continue
                for state in STATES:
                    fdir = os.path.join(bdir, state)
                    if not os.path.isdir(fdir):
                        continue
                    for job in sorted(os.listdir(fdir)):
                        jdir = os.path.join(fdir, job)
                        params = os.path.join(jdir, "params.json")
                        if not os.path.isfile(params):
                            continue
                        if args.jobs and moved >= args.jobs:
                            continue
                        moved += 1
                        with open(params) as f:
                            text = f.read()
                        text = re.sub(r'("upload_song_url"\s*:\s*)"[^"]*"',
                                      lambda m: m.group(1) + '"' + args.song_url + '"', text)
                        text = re.sub(r'("upload_score_url"\s*:\s*)"[^"]*"',
                                      lambda m: m.group(1) + '"' + score + '"', text)
                        with open(params, "w") as f:
                            f.write(text)
                        for name in os.listdir(jdir):
                            if name.startswith("run."):
                                os.remove(os.path.join(jdir, name))
                        if state != "backlog":
                            target = os.path.join(bdir, "backlog")
                            os.makedirs(target, exist_ok=True)
                            keep = os.path.join(target, ".gitkeep")
                            if not os.path.exists(keep):
                                open(keep, "w").close()
                            shutil.move(jdir, os.path.join(target, job))
        for name in os.listdir(jobs_root):
            if name.startswith("excessive_failure.") or name.startswith("pause."):
                os.remove(os.path.join(jobs_root, name))
        git("add", "-A", cwd=work)
        git("-c", "user.name=campaign", "-c", "user.email=campaign@localhost", "commit", "-qm",
            f"Reset {moved} jobs to backlog for a campaign replay", cwd=work)
        git("branch", "-f", "main", "HEAD", cwd=work)
        git("init", "-q", "--bare", args.dest)
        git("push", "-q", args.dest, "scheduler", "main", cwd=work)
        print(f"{moved} jobs in backlog")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
