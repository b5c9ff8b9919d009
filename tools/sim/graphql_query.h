#ifndef TOOLS_SIM_GRAPHQL_QUERY_H_
#define TOOLS_SIM_GRAPHQL_QUERY_H_

// The part of GraphQL's executable documents (GraphQL spec, October 2021,
// sections 2.3 Operations, 2.4 Selection Sets, 2.6 Arguments, 2.7 Field
// Alias, 2.9 Input Values, 2.10 Variables) that a client of ARGO's
// workflow-api can send: one operation, fields with aliases, arguments
// with literals or variables, nested selections. Fragments and directives
// are refused, so a simulator never silently answers a query it did not
// understand.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/struct.pb.h>

#include "absl/status/statusor.h"

namespace tracker::sim::graphql {

struct Field {
  std::string alias;  // the response key: the alias, or the name
  std::string name;
  // Arguments with variables already replaced by their values (a variable
  // not given is null, as the spec says for a nullable input).
  std::map<std::string, google::protobuf::Value> arguments;
  std::vector<Field> selections;
};

// Parses `query` (an anonymous `{ ... }` or `query Name($v: T) { ... }`)
// and substitutes `variables`. INVALID_ARGUMENT says what is wrong, in the
// words a GraphQL server would use.
absl::StatusOr<std::vector<Field>> Parse(const std::string& query,
                                         const google::protobuf::Struct& variables);

// The members of `value` that `selections` ask for, recursively (lists map
// element-wise); a member the object lacks is null, as GraphQL answers a
// nullable field with no value.
google::protobuf::Value Project(const google::protobuf::Value& value,
                                const std::vector<Field>& selections);

}  // namespace tracker::sim::graphql

#endif  // TOOLS_SIM_GRAPHQL_QUERY_H_
