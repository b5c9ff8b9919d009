// StoreReader::ListTransitions: which jobs changed folder between two
// commits (what a push or a merge did, for reports and Slack).

#include <map>
#include <set>
#include <utility>

#include "common/status.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/reader.h"

namespace tracker::repo {

absl::StatusOr<Transitions> StoreReader::ListTransitions(const std::string& from_commit,
                                                         const std::string& to_commit,
                                                         const std::string& branch) const {
  if (from_commit.empty()) return absl::InvalidArgumentError("from_commit is required");
  TRACKER_ASSIGN_OR_RETURN(auto from, ReadRevision(from_commit));
  std::shared_ptr<const Snapshot> to;
  if (!to_commit.empty()) {
    TRACKER_ASSIGN_OR_RETURN(to, ReadRevision(to_commit));
  } else {
    TRACKER_ASSIGN_OR_RETURN(to, Read(branch));
  }
  Transitions out;
  out.from_commit = OidHex(from->commit);
  out.to_commit = OidHex(to->commit);

  // Job -> folder for one batch; empty map for a missing batch.
  auto folders_of = [](const Snapshot& s, const std::string& study, const std::string& batch) {
    std::map<std::string, std::string> where;
    if (const Batch* b = s.FindBatch(study, batch)) {
      for (const auto& [name, folder] : b->folders) {
        for (const JobEntry& job : folder->jobs) where.emplace(job.id, name);
      }
    }
    return where;
  };
  std::set<std::pair<std::string, std::string>> batches;
  for (const Snapshot* s : {from.get(), to.get()}) {
    for (const auto& [sid, study] : s->studies) {
      for (const auto& [bid, batch] : study->batches) batches.emplace(sid, bid);
    }
  }
  for (const auto& [sid, bid] : batches) {
    const Batch* a = from->FindBatch(sid, bid);
    const Batch* b = to->FindBatch(sid, bid);
    if (a != nullptr && b != nullptr && OidEqual(a->tree, b->tree)) continue;
    auto before = folders_of(*from, sid, bid);
    auto after = folders_of(*to, sid, bid);
    std::set<std::string> ids;
    for (const auto& [id, f] : before) ids.insert(id);
    for (const auto& [id, f] : after) ids.insert(id);
    for (const std::string& id : ids) {
      auto x = before.find(id);
      auto y = after.find(id);
      std::string f1 = x == before.end() ? "" : x->second;
      std::string f2 = y == after.end() ? "" : y->second;
      if (f1 == f2) continue;
      out.changes.push_back({JobKey{sid, bid, id}, std::move(f1), std::move(f2)});
    }
  }
  return out;
}

}  // namespace tracker::repo
