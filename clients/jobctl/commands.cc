// The subcommands jobctl knows, with their help. Each help text is what
// `jobctl NAME --help` prints: usage, what it does, options, examples.

#include "clients/jobctl/commands.h"

namespace jobctl {

const std::set<std::string>& GlobalValuedOptions() {
  static const std::set<std::string> options = {"repo_service", "scheduler", "wes_poller", "timeout",
                                                      "ca", "cert", "key", "token-file"};
  return options;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = [] {
    std::vector<Command> all = {
      {"report", "the seed's status lines per study and state",
       R"(usage: jobctl report [--branch=scheduler|main] [--progress | --changes | --send] [--json]

Prints the counts per study and state exactly as the original report loop
did ("PACA-CA backlog 1"). With --progress, per study and in total the jobs
and bytes completed of all (bytes from the batch summaries) with a bar, what
completed in the last 24 hours and the estimated finish at that pace. With
--changes, the scheduler's full report (the same progress, the lines, what
moved since the last report sent to Slack, and the flags).

  --branch=B   scheduler (default) or main
  --progress   the campaign's progress and estimated finish
  --changes    the report the scheduler would send now (nothing is sent)
  --send       send that report to Slack now (as the report timer does)
  --json       the structured report

examples:
  jobctl report
  jobctl report --progress
  jobctl report --changes
  jobctl report --json | jq '.studies[] | select(.failed > 0)')",
       {"branch"}, {"progress", "changes", "send", "json"}, 0, 0, CmdReport},
      {"jobs", "list jobs, with filters",
       R"(usage: jobctl jobs [--study=S]... [--batch=B] [--state=STATE]... [--env=E] [--limit=N] [--json]

Lists jobs with their state and current run. Filters combine; --study and
--state may be repeated or comma-separated.

  --study=S    only these studies
  --batch=B    only this batch (e.g. 2021-07-09)
  --state=S    backlog, queued, failed, completed or onhold (held jobs)
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
       R"(usage: jobctl audit [--branch=B] [--environments=ENV,ENV] [--json]

Checks the whole repository (default branch scheduler) and lists each
problem with every place involved: an analysis in two jobs (summaries and
params.json alike), a job in two folders or nested in a job's folder, a
summary line without a job or a job without summary lines, analyses_in_job
that disagrees with the lines, a marker or params.json that does not parse,
a flag for an environment the configuration does not know, unknown folders.
The known environments are the scheduler's (asked with GetStatus), or
--environments; without either, flags are not checked (said on stderr).

exit codes: 0 nothing found, 1 findings (or a server error), 2 usage

examples:
  jobctl audit
  jobctl audit --branch=main --json | jq -r '.findings[] | select(.code == "DUPLICATE_ANALYSIS") | .analysis_id'
  jobctl audit --environments=rdpc_qa,rdpc_prod)",
       {"branch", "environments"}, {"json"}, 0, 0, CmdAudit},
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
      {"generate-batch", "generate a batch from a SONG payload dump, as the original generator",
       R"(usage: jobctl generate-batch STUDY --payloads=DUMP.json.gz --template=PARAMS.json
           [--config=job-gen.conf] [--jobs=N] [--batch=ID] [--max-cpus=N] [--dry-run] [--yes]

Makes a batch of the PUBLISHED analyses of DUMP that no job of STUDY holds
yet (neither its batch-summary.tsv lines nor its params.json), grouped as
scripts/gen-transfer-jobs.py grouped them, and adds it as add-batch does.
DUMP is SONG's answer to GET /studies/STUDY/analysis?analysisStates=PUBLISHED,
gzipped or not. In dump order, an analysis larger than
max_analysis_data_size_to_be_pooled is a job of its own; smaller ones are
pooled, max_analyses_per_job to a job. The summary starts with the line
"# SONG analysis objects retrieved from payload dump: DUMP". A study with
jobs in onhold/ is refused until they are moved back or removed.

  --payloads=F  the SONG payload dump
  --template=F  params.json shared by every job (as add-batch --template);
                the job's analysis_id is sorted
  --config=F    job-gen.conf (default: 2 GB pooled, 1 analysis per job,
                1000 jobs per batch)
  --jobs=N      at most N jobs (default max_jobs_per_batch); the rest waits
                for the next batch
  --batch=ID    the batch id (default: today, UTC, or today with the next
                letter when today's exists, as the original)
  --max-cpus=N  a one-analysis job gets a CPU per 5 GB up to N, memory 2 GB
                per CPU, in the template's download_/upload_cpus and _mem
                (default 4; 0 keeps the template's values)
  --dry-run     show the jobs, checked by repo-service; write nothing
  --yes         do not ask (required when stdin is not a terminal)

Exit codes: 2 for a dump that is missing, not JSON or of another study, 1
when nothing is new or the repository refuses the batch.

examples:
  jobctl generate-batch LAML-KR --payloads=LAML-KR.payloads.2021-07-12.json.gz \
      --template=params.json --config=job-gen.conf --dry-run
  jobctl generate-batch LAML-KR --payloads=LAML-KR.payloads.2021-07-12.json.gz \
      --template=params.json --jobs=100 --yes)",
       {"payloads", "template", "config", "jobs", "batch", "max-cpus"}, {"dry-run", "yes", "json"}, 1, 1,
       CmdGenerateBatch},
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
    };
    // The admins' hand fixes (admin_command_table.cc) follow add-batch.
    const std::vector<Command>& admin = AdminCommands();
    auto after = all.begin();
    while (after != all.end() && after->name != "add-batch") ++after;
    all.insert(after == all.end() ? after : after + 1, admin.begin(), admin.end());
    return WithRecoveryCommands(std::move(all));
  }();
  return commands;
}

}  // namespace jobctl
