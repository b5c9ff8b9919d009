// The admins' hand fixes as commands, with their help: what `jobctl NAME
// --help` prints. Each replaces one kind of hand commit of the real
// history (README.md, jobctl reference).

#include "clients/jobctl/commands.h"

namespace jobctl {

namespace {

// Options of every planned admin write: a plan first, then --yes or a prompt.
const std::set<std::string> kPlanFlags = {"dry-run", "yes", "json"};

}  // namespace

const std::vector<Command>& AdminCommands() {
  static const std::vector<Command> commands = {
      {"requeue", "move failed (or completed) jobs back to backlog",
       R"(usage: jobctl requeue STUDY/BATCH/JOB... [--file=F] [--fresh] [--from=completed] [--dry-run] [--yes]
       jobctl requeue --study=S [--batch=B] [--fresh] [--from=completed] [--dry-run] [--yes]

Moves failed jobs to backlog on main (after merging scheduler into main),
all in one commit, and pushes main. The scheduler resumes each one with
its last run's session at its next cycle, on the environment of that run
only (its work directory is on that environment's NFS). With --fresh, each
job's run markers are deleted in the same commit: any environment starts
it afresh. Jobs in queued/ belong to the scheduler and are refused; with
--study, every failed job of the study (or batch) moves.

  --file=F          more jobs, one STUDY/BATCH/JOB a line (# comments)
  --fresh           delete the jobs' run markers too (a fresh start)
  --from=completed  run completed jobs again (always asks: their analyses
                    are transferred again)
  --dry-run         list the jobs (as the scheduler's branch has them); write nothing
  --yes             do not ask (required when stdin is not a terminal)

More than one job, or --from=completed, asks first unless --yes.

examples:
  jobctl requeue PACA-CA/2021-07-09/job.0003
  jobctl requeue --file=failed-after-outage.txt --fresh --yes
  jobctl requeue PACA-CA/2021-07-09/job.0004 --from=completed
  jobctl requeue --study=PACA-CA --batch=2021-07-09 --dry-run)",
       {"study", "batch", "file", "from"}, {"dry-run", "yes", "json", "fresh"}, 0, -1, CmdRequeue},
      {"clear-runs", "delete jobs' run markers (their next start is fresh)",
       R"(usage: jobctl clear-runs STUDY/BATCH/JOB... [--file=F] [--dry-run] [--yes]

Removes every run marker of jobs that are not queued, on main, in one
commit, so each next start is a fresh run instead of a resume (what admins
did when a resume kept failing), on any environment: a backlog job whose
latest run was on one environment is otherwise started only there. Shows
the markers first; more than one job asks unless --yes.

  --file=F    more jobs, one STUDY/BATCH/JOB a line
  --dry-run   show what would be deleted; write nothing

examples:
  jobctl clear-runs PACA-CA/2021-07-09/job.0003
  jobctl clear-runs --file=jobs.txt --yes)",
       {"file"}, kPlanFlags, 0, -1, CmdClearRuns},
      {"remove-analysis", "remove duplicate analyses from a batch summary",
       R"(usage: jobctl remove-analysis STUDY/BATCH ANALYSIS_ID... [--file=F] [--dry-run] [--yes]

Removes the analyses' lines from STUDY/BATCH/batch-summary.tsv on main in
one commit (the real history's "manually remove duplicates"); every other
byte stays. More than one analysis asks unless --yes.

  --file=F    more analysis ids, one a line

examples:
  jobctl remove-analysis PACA-CA/2021-07-09 adb32c2f-3b16-45b8-842a-a702700fb579
  jobctl remove-analysis PACA-CA/2021-07-09 --file=duplicates.txt --dry-run)",
       {"file"}, kPlanFlags, 1, -1, CmdRemoveAnalysis},
      {"remove-job", "delete job folders and their summary lines",
       R"(usage: jobctl remove-job STUDY/BATCH/JOB... [--file=F] [--folder=F] [--dry-run] [--yes]

Deletes the jobs' folders and their lines in their batch-summary.tsv on
main, in one commit (what admins did to regenerate jobs, or to drop a
duplicate copy). A job in queued/ (on main or on the scheduler's branch)
is refused: it belongs to the scheduler. Always asks unless --yes.

  --folder=F  only the copy in F (backlog, failed, completed or onhold) of
              a job in two folders; its other copy and its lines stay
  --file=F    more jobs, one STUDY/BATCH/JOB a line

examples:
  jobctl remove-job LAML-KR/2021-07-22/job.0061 --dry-run
  jobctl remove-job ESAD-UK/2021-07-09/job.0747 --folder=failed --yes)",
       {"file", "folder"}, kPlanFlags, 0, -1, CmdRemoveJob},
      {"hold", "put jobs on hold (onhold/: the scheduler leaves them)",
       R"(usage: jobctl hold STUDY/BATCH/JOB... [--file=F] [--dry-run] [--yes]

Moves backlog or failed jobs into their batch's onhold/ folder on main,
in one commit; the scheduler never starts a job there. jobctl jobs
--state=onhold lists them; jobctl release brings them back.

example:
  jobctl hold LAML-KR/2021-07-22/job.0061 LAML-KR/2021-07-22/job.0062)",
       {"file"}, kPlanFlags, 0, -1, CmdHold},
      {"release", "take held jobs out of onhold/",
       R"(usage: jobctl release STUDY/BATCH/JOB... [--file=F] [--to=backlog|failed] [--dry-run] [--yes]

Moves held jobs from onhold/ to backlog/ (or --to=failed) on main, in one
commit; from backlog the scheduler starts them again.

example:
  jobctl release LAML-KR/2021-07-22/job.0061 --yes)",
       {"file", "to"}, kPlanFlags, 0, -1, CmdRelease},
      {"revert", "undo a commit of main",
       R"(usage: jobctl revert COMMIT [--dry-run] [--yes]

Undoes one earlier commit of main (an admin's mistake) with a new commit
on main, as git revert would. Refused when the commit is a merge, is not
on main, touches queued/ or the excessive-failure flags (the scheduler's),
or when a path it changed has changed since: those are fixed with the
other commands. Shows the files first; always asks unless --yes.

example:
  jobctl revert 3f9c2a1 --dry-run)",
       {}, kPlanFlags, 1, 1, CmdRevert},
  };
  return commands;
}

}  // namespace jobctl
