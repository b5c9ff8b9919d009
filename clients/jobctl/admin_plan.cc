#include "clients/jobctl/admin_plan.h"

#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tracking/layout.h"

namespace jobctl {

namespace {

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

void PrintPlan(const Ui& ui, const tracker::v1::WriteResult& plan) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : plan.changes()) rows.push_back({c.action(), c.path(), c.detail()});
  ui.Table({"CHANGE", "PATH", "WHAT"}, rows);
  std::cout << "one commit on " << plan.branch() << " (at " << plan.commit().substr(0, 12)
            << "): \"" << FirstLine(plan.message()) << "\"\n";
}

}  // namespace

int PlanAndWrite(const std::string& name, Services& s, const Ui& ui, const Args& args,
                 const AdminWrite& write, bool merge_first) {
  const bool dry_run = args.Has("dry-run");
  const bool json = args.Has("json");
  // A dry run writes nothing at all: it plans on main as it is.
  if (!dry_run && merge_first) {
    if (int rc = MergeSchedulerFirst(name, s)) return rc;
  }
  tracker::v1::WriteResult plan;
  absl::Status st = write.call(/*dry_run=*/true, "", &plan);
  if (!st.ok()) return ServerError(name, st);
  if (!json) PrintPlan(ui, plan);
  if (dry_run) {
    if (json) {
      ui.Json(plan);
    } else {
      std::cout << "dry run: " << plan.changes_size() << " change(s) planned; nothing was written"
                << " (main may still lack the scheduler's newest moves: the real run merges"
                   " them first)\n";
    }
    return kOk;
  }
  if (write.confirm) {
    if (int rc = ui.Confirm(name, write.question, args.Has("yes"))) return rc;
  }
  ui.Progress("writing...");
  tracker::v1::WriteResult result;
  st = write.call(/*dry_run=*/false, plan.commit(), &result);
  if (!st.ok()) {
    if (st.code() == absl::StatusCode::kAborted) {
      st = absl::AbortedError(absl::StrCat(
          st.message(), " (main moved after the plan was shown; run the command again)"));
    }
    return ServerError(name, st);
  }
  PushMain(s, name);
  if (json) {
    ui.Json(result);
  } else {
    std::cout << write.done << " (" << result.branch() << " at " << result.commit().substr(0, 12)
              << ")\n";
  }
  return kOk;
}

bool ReadIdFile(const std::string& name, const Args& args, std::vector<std::string>* ids,
                int* rc) {
  if (!args.Has("file")) return true;
  std::ifstream in(args.Get("file"));
  if (!in) {
    *rc = UsageError(name, absl::StrCat("cannot read ", args.Get("file")));
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view id = absl::StripAsciiWhitespace(line);
    if (id.empty() || id[0] == '#') continue;
    ids->emplace_back(id);
  }
  return true;
}

}  // namespace jobctl
