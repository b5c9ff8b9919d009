// The subcommands jobctl knows, with their help. Each help text is what
// `jobctl NAME --help` prints: usage, what it does, options, examples.

#include "clients/jobctl/commands.h"

namespace jobctl {

const std::set<std::string>& GlobalValuedOptions() {
  static const std::set<std::string> options = {"repo_service", "scheduler", "wes_poller", "timeout"};
  return options;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = WithRecoveryCommands({
      {"report", "the seed's status lines per study and state",
       R"(usage: jobctl report [--branch=scheduler|main] [--changes | --send] [--json]

Prints the counts per study and state exactly as the original report loop
did ("PACA-CA backlog 1"). With --changes, the scheduler's full report: the
same lines, what moved since the last report sent to Slack, and the flags.

  --branch=B   scheduler (default) or main
  --changes    the report the scheduler would send now (nothing is sent)
  --send       send that report to Slack now (as the report timer does)
  --json       the structured report

examples:
  jobctl report
  jobctl report --changes
  jobctl report --json | jq '.studies[] | select(.failed > 0)')",
       {"branch"}, {"changes", "send", "json"}, 0, 0, CmdReport},
      {"jobs", "list jobs, with filters",
       R"(usage: jobctl jobs [--study=S]... [--batch=B] [--state=STATE]... [--env=E] [--limit=N] [--json]

Lists jobs with their state and current run. Filters combine; --study and
--state may be repeated or comma-separated.

  --study=S    only these studies
  --batch=B    only this batch (e.g. 2021-07-09)
  --state=S    backlog, queued, failed or completed
  --env=E      only jobs whose current run is on this environment
  --branch=B   scheduler (default) or main
  --limit=N    at most N jobs
  --json       the jobs as JSON

examples:
  jobctl jobs --state=failed
  jobctl jobs --study=PACA-CA,BOCA-UK --state=queued --env=rdpc_qa)",
       {"study", "batch", "state", "env", "branch", "limit"}, {"json"}, 0, 0, CmdJobs},
      {"show", "one job: params, state, run history with live run states",
       R"(usage: jobctl show STUDY/BATCH/JOB [--branch=B] [--no-live] [--json]

Shows a job's state, analyses, params.json and every run marker, with each
run's state, start and end time and error fetched live from its workflow
service (--no-live skips that).

example:
  jobctl show PACA-CA/2021-07-09/job.0001)",
       {"branch"}, {"json", "no-live"}, 1, 1, CmdShow},
      {"status", "the scheduler per environment, and the branches",
       R"(usage: jobctl status [--json]

Per compute environment: the last cycle, its outcome, queued jobs against
max_parallel_runs, the backlog jobs waiting for it (their latest run was
there, so only it starts them; jobctl clear-runs frees one), the next
cycle, and whether it is paused or stopped (and why). Then each branch: tip, remote tip, commits ahead/behind, last push.

examples:
  jobctl status
  jobctl status --json | jq '.scheduler.environments[] | select(.stopped)')",
       {}, {"json"}, 0, 0, CmdStatus},
      {"audit", "check the repository for what admins used to fix by hand",
       R"(usage: jobctl audit [--branch=B] [--json]

Lists analyses in two batches, jobs in two state folders, summary lines
that disagree with each other, unknown folders (such as onhold/).

examples:
  jobctl audit
  jobctl audit --branch=main --json)",
       {"branch"}, {"json"}, 0, 0, CmdAudit},
      {"add-batch", "add a batch of jobs to backlog (validated first)",
       R"(usage: jobctl add-batch STUDY BATCH --summary=FILE.tsv --template=PARAMS.json [--dry-run] [--yes]
       jobctl add-batch STUDY BATCH --from-dir=DIR [--summary=FILE.tsv] [--dry-run] [--yes]

Adds jobs/STUDY/BATCH with its batch-summary.tsv, the four state folders and
one backlog/<job>/params.json per job, as one commit on main (after merging
scheduler into main), then pushes main.

The summary has no header; '#' lines are comments; columns are job_id,
analyses_in_job, job_bytes, analysis_id, analysis_bytes. Every analysis id
must be new to the WHOLE repository: a duplicate is refused naming both
places.

  --template=F  params.json shared by every job; _job_id, study_id and
                analysis_id are filled in per job, other keys kept as written
  --from-dir=D  D/batch-summary.tsv (or --summary) and D/<job_id>/params.json
  --dry-run     validate against the repository and show the jobs; write nothing
  --yes         do not ask (required when stdin is not a terminal)

examples:
  jobctl add-batch PACA-CA 2021-09-01 --summary=summary.tsv --template=params.json --dry-run
  jobctl add-batch PACA-CA 2021-09-01a --from-dir=./2021-09-01a --yes)",
       {"summary", "template", "from-dir"}, {"dry-run", "yes", "json"}, 2, 2, CmdAddBatch},
      {"requeue", "move failed jobs back to backlog, to be resumed",
       R"(usage: jobctl requeue STUDY/BATCH/JOB... [--fresh] [--dry-run] [--yes]
       jobctl requeue --study=S [--batch=B] [--fresh] [--dry-run] [--yes]

Moves failed jobs to backlog on main (after merging scheduler into main) and
pushes main. The scheduler resumes each one with its last run's session at
its next cycle, on the environment of that run only (its work directory is
on that environment's NFS). With --fresh, each job's run markers are
cleared first (as clear-runs does): any environment starts it afresh. Jobs
in queued/ belong to the scheduler and are refused; with --study, every
failed job of the study (or batch) moves. More than one job asks for
confirmation unless --yes.

examples:
  jobctl requeue PACA-CA/2021-07-09/job.0003
  jobctl requeue PACA-CA/2021-07-09/job.0004 --fresh
  jobctl requeue --study=PACA-CA --batch=2021-07-09 --dry-run)",
       {"study", "batch"}, {"dry-run", "yes", "json", "fresh"}, 0, -1, CmdRequeue},
      {"clear-runs", "delete a job's run markers (its next start is fresh)",
       R"(usage: jobctl clear-runs STUDY/BATCH/JOB

Removes every run marker of a job that is not queued, on main, so the next
start is a fresh run instead of a resume (what admins did when a resume
kept failing), on any environment: a backlog job whose latest run was on
one environment is otherwise started only there.

example:
  jobctl clear-runs PACA-CA/2021-07-09/job.0003)",
       {}, {"json"}, 1, 1, CmdClearRuns},
      {"remove-analysis", "remove a duplicate analysis from a batch summary",
       R"(usage: jobctl remove-analysis STUDY/BATCH ANALYSIS_ID

Removes the analysis's line from STUDY/BATCH/batch-summary.tsv on main (the
real history's "manually remove duplicates"); every other byte stays.

example:
  jobctl remove-analysis PACA-CA/2021-07-09 adb32c2f-3b16-45b8-842a-a702700fb579)",
       {}, {"json"}, 2, 2, CmdRemoveAnalysis},
      {"pause", "stop new starts on an environment",
       R"(usage: jobctl pause ENV [--reason=TEXT]

Writes jobs/pause.ENV on main: from the next cycle nothing new starts on ENV;
running jobs are still watched and moved.

example:
  jobctl pause rdpc_qa --reason="storage maintenance until Monday")",
       {"reason"}, {"json"}, 1, 1, CmdPause},
      {"unpause", "allow new starts on an environment again",
       R"(usage: jobctl unpause ENV

Removes jobs/pause.ENV on main; new starts resume at the next cycle.

example:
  jobctl unpause rdpc_qa)",
       {}, {"json"}, 1, 1, CmdUnpause},
      {"clear-failure-flag", "restart an environment stopped for excessive failures",
       R"(usage: jobctl clear-failure-flag ENV

Removes jobs/excessive_failure.ENV.txt (written by the scheduler when it
stopped ENV) on main; scheduling on ENV resumes at the next cycle. Look at
the failed runs it lists first (jobctl jobs --state=failed --env=ENV). The
failures it named are not counted again.

examples:
  jobctl jobs --state=failed --env=rdpc_prod
  jobctl clear-failure-flag rdpc_prod)",
       {}, {"json"}, 1, 1, CmdClearFailureFlag},
      {"set-parallel", "change max_parallel_runs of an environment",
       R"(usage: jobctl set-parallel ENV N

From the next cycle at most N jobs run on ENV at once. Lowering it cancels
nothing: the environment drains to N. The same as `jobctl set ENV
max_parallel_runs N`: written to jobs/scheduler-settings.yaml on main, so
it survives restarts.

example:
  jobctl set-parallel rdpc_prod 8)",
       {}, {"json"}, 2, 2, CmdSetParallel},
      {"cycle", "run a scheduling cycle now",
       R"(usage: jobctl cycle [ENV] [--dry-run] [--json]

Runs the scheduler's cycle for ENV (default: every environment) and shows
what it did to each job. With --dry-run it shows what it would do and
writes nothing, starts nothing.

examples:
  jobctl cycle --dry-run
  jobctl cycle rdpc_qa)",
       {}, {"dry-run", "json"}, 0, 1, CmdCycle},
      {"cancel", "cancel the live run of a queued job",
       R"(usage: jobctl cancel STUDY/BATCH/JOB

Asks the job's workflow service to cancel its current run. The job stays
in queued/ until the scheduler sees the run CANCELED and moves it to
failed/; requeue it from there.

example:
  jobctl cancel PACA-CA/2021-07-09/job.0007)",
       {}, {"json"}, 1, 1, CmdCancel},
      {"sync", "fetch, bring main up to date, push main",
       R"(usage: jobctl sync [--json]

Fetches the tracking remote, merges the remote's main and then the
scheduler branch into main, pushes main, and shows each branch against the
remote. Run it before maintenance, so nothing waits on this clone only.

example:
  jobctl sync)",
       {}, {"json"}, 0, 0, CmdSync},
  });
  return commands;
}

}  // namespace jobctl
