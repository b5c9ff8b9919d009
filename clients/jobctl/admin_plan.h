#ifndef CLIENTS_JOBCTL_ADMIN_PLAN_H_
#define CLIENTS_JOBCTL_ADMIN_PLAN_H_

// The routine of every admin write that repo-service can plan (a dry run
// answering the changes and the tip they were planned on): show the plan,
// ask, write exactly that plan, push main.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/jobctl/cli.h"

namespace jobctl {

struct AdminWrite {
  std::string question;  // asked before writing, "... [y/N]"
  bool confirm = true;   // false: a single small change, written unasked
  // The RPC: a dry run (expected_tip "") or the write of the plan made at
  // `expected_tip`.
  std::function<absl::Status(bool dry_run, const std::string& expected_tip,
                             tracker::v1::WriteResult* out)>
      call;
  std::string done;  // printed after the write
};

// Merges scheduler into main first (unless `merge_first` is false: the
// caller did), plans, prints the changes and the commit message, and with
// --dry-run stops there (nothing written, not even the merge); else asks
// (or takes --yes), writes the plan as one commit on main and pushes main.
// Exit codes as every command: 0, 1 refused or failed, 2 usage.
int PlanAndWrite(const std::string& name, Services& s, const Ui& ui, const Args& args,
                 const AdminWrite& write, bool merge_first = true);

// Appends the ids of --file=F (one a line; blank lines and # comments
// skipped) to `ids`; nothing without --file. False with the usage error in
// `rc` when the file cannot be read.
bool ReadIdFile(const std::string& name, const Args& args, std::vector<std::string>* ids,
                int* rc);

}  // namespace jobctl

#endif  // CLIENTS_JOBCTL_ADMIN_PLAN_H_
