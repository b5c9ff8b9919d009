#ifndef SERVICES_REPO_SERVICE_SERVICE_CONVERT_H_
#define SERVICES_REPO_SERVICE_SERVICE_CONVERT_H_

// The write options and results every write handler translates, shared by
// the service's files.

#include "proto/tracker/v1/repo.pb.h"
#include "services/repo_service/store_types.h"

namespace tracker::repo {

inline WriteOptions FromProto(const tracker::v1::WriteOptions& o) {
  return {o.branch(), o.expected_tip(), o.message(), o.author().name(), o.author().email()};
}

inline void ToProto(const WriteResult& r, tracker::v1::WriteResult* out) {
  out->set_commit(r.commit);
  out->set_branch(r.branch);
}

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_SERVICE_CONVERT_H_
