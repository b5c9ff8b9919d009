#ifndef CLIENTS_JOBCTL_COMMANDS_H_
#define CLIENTS_JOBCTL_COMMANDS_H_

#include <set>
#include <string>
#include <vector>

#include "clients/jobctl/batch.h"
#include "clients/jobctl/cli.h"

namespace jobctl {

struct Command {
  std::string name;
  std::string summary;  // one line, for `jobctl --help`
  std::string help;     // usage, options and examples, for `jobctl NAME --help`
  std::set<std::string> valued;
  std::set<std::string> flags;
  // Positional arguments allowed: [min, max] (max -1: any number).
  int min_args = 0;
  int max_args = 0;
  int (*run)(const std::string& name, Services& s, const Ui& ui, const Args& args);
};

// Every subcommand, in the order `jobctl --help` lists them.
const std::vector<Command>& Commands();

// The commands of the admins' hand fixes (admin_command_table.cc), listed
// after add-batch.
const std::vector<Command>& AdminCommands();

// Options every command takes (service addresses, deadline, --help).
const std::set<std::string>& GlobalValuedOptions();

// The subcommands (one file per kind: read, write, ops).
int CmdReport(const std::string&, Services&, const Ui&, const Args&);
int CmdJobs(const std::string&, Services&, const Ui&, const Args&);
int CmdShow(const std::string&, Services&, const Ui&, const Args&);
int CmdStatus(const std::string&, Services&, const Ui&, const Args&);
int CmdAudit(const std::string&, Services&, const Ui&, const Args&);
int CmdAddBatch(const std::string&, Services&, const Ui&, const Args&);
int CmdGenerateBatch(const std::string&, Services&, const Ui&, const Args&);
int CmdRequeue(const std::string&, Services&, const Ui&, const Args&);
int CmdClearRuns(const std::string&, Services&, const Ui&, const Args&);
int CmdRemoveAnalysis(const std::string&, Services&, const Ui&, const Args&);
int CmdPause(const std::string&, Services&, const Ui&, const Args&);
int CmdUnpause(const std::string&, Services&, const Ui&, const Args&);
int CmdClearFailureFlag(const std::string&, Services&, const Ui&, const Args&);
int CmdSetParallel(const std::string&, Services&, const Ui&, const Args&);
int CmdCycle(const std::string&, Services&, const Ui&, const Args&);
int CmdCancel(const std::string&, Services&, const Ui&, const Args&);
int CmdSync(const std::string&, Services&, const Ui&, const Args&);
// "held: N jobs in onhold/ ..." when there are any (jobctl status).
void PrintHeldJobs(Services& s);
int CmdRemoveJob(const std::string&, Services&, const Ui&, const Args&);
int CmdHold(const std::string&, Services&, const Ui&, const Args&);
int CmdRelease(const std::string&, Services&, const Ui&, const Args&);
int CmdRevert(const std::string&, Services&, const Ui&, const Args&);

// add-batch's path for a planned batch: repo-service's checks (a dry run of
// ImportBatch), the jobs shown, --dry-run stops there; else confirmation or
// --yes, the import on main after merging scheduler, and a push of main.
// `message`: the commit's ("" = repo-service's default).
int ImportPlannedBatch(const std::string& name, Services& s, const Ui& ui, const Args& args,
                       const std::string& study, const std::string& batch, const BatchPlan& plan,
                       const std::string& message);

// recovery_commands.cc: set, complete --verify, release-lost.
std::vector<Command> WithRecoveryCommands(std::vector<Command> commands);
int CmdSet(const std::string&, Services&, const Ui&, const Args&);
int CmdComplete(const std::string&, Services&, const Ui&, const Args&);
int CmdReleaseLost(const std::string&, Services&, const Ui&, const Args&);
// What `status` adds: disabled environments, settings from the file, lost runs.
void PrintRecoveryStatus(const Ui& ui, const tracker::v1::GetStatusResponse& status);
// What `cycle` adds: the failed jobs checked in SONG, a settings note.
void PrintCycleChecks(const Ui& ui, const tracker::v1::RunCycleResponse& out);

}  // namespace jobctl

#endif  // CLIENTS_JOBCTL_COMMANDS_H_
