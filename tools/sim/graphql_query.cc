#include "tools/sim/graphql_query.h"

#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tracker::sim::graphql {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// A recursive-descent reader of one document. Commas and comments are
// ignored tokens (spec 2.1.7, 2.1.4).
class Reader {
 public:
  Reader(const std::string& text, const Struct& variables) : s_(text), vars_(variables) {}

  absl::StatusOr<std::vector<Field>> Document() {
    Skip();
    if (Peek('{')) return Rest(SelectionSet());
    std::string kind = Name();
    if (kind == "fragment") return Error("fragments are not supported");
    if (kind != "query") return Error(absl::StrCat("expected a query, found \"", kind, "\""));
    Skip();
    if (std::isalpha(Cur()) || Cur() == '_') Name();  // operation name
    Skip();
    if (Peek('(')) {
      if (auto st = VariableDefinitions(); !st.ok()) return st;
    }
    return Rest(SelectionSet());
  }

 private:
  // The operation must be all of the document.
  absl::StatusOr<std::vector<Field>> Rest(absl::StatusOr<std::vector<Field>> fields) {
    Skip();
    if (fields.ok() && pos_ < s_.size()) return Error("only one operation per document");
    return fields;
  }

  char Cur() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  void Skip() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',' ||
                 c == '\xEF' || c == '\xBB' || c == '\xBF') {
        ++pos_;
      } else {
        break;
      }
    }
  }

  bool Peek(char c) {
    Skip();
    return Cur() == c;
  }

  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }

  absl::Status Error(const std::string& what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("Syntax Error: ", what, " (at character ", pos_ + 1, ")"));
  }

  std::string Name() {
    Skip();
    size_t start = pos_;
    if (std::isalpha(static_cast<unsigned char>(Cur())) || Cur() == '_') {
      while (std::isalnum(static_cast<unsigned char>(Cur())) || Cur() == '_') ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }

  absl::Status Expect(char c) {
    if (Eat(c)) return absl::OkStatus();
    return Error(absl::StrCat("expected \"", std::string(1, c), "\""));
  }

  // ($name: Type = default, ...): types are not checked; defaults apply
  // when the request's variables lack the name.
  absl::Status VariableDefinitions() {
    if (auto st = Expect('('); !st.ok()) return st;
    while (!Eat(')')) {
      if (auto st = Expect('$'); !st.ok()) return st;
      std::string name = Name();
      if (name.empty()) return Error("expected a variable name");
      if (auto st = Expect(':'); !st.ok()) return st;
      if (Eat('[')) {
        Name();
        Eat('!');
        if (auto st = Expect(']'); !st.ok()) return st;
      } else if (Name().empty()) {
        return Error("expected a type");
      }
      Eat('!');
      if (Eat('=')) {
        auto value = ParseValue(/*constant=*/true);
        if (!value.ok()) return value.status();
        if (defaults_.fields().count(name) == 0) (*defaults_.mutable_fields())[name] = *value;
      }
      if (pos_ >= s_.size()) return Error("unterminated variable definitions");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<Field>> SelectionSet() {
    if (auto st = Expect('{'); !st.ok()) return st;
    std::vector<Field> out;
    while (!Eat('}')) {
      if (Peek('.')) return Error("fragments are not supported");
      Field field;
      field.name = Name();
      if (field.name.empty()) return Error("expected a field name");
      field.alias = field.name;
      if (Eat(':')) {
        field.name = Name();
        if (field.name.empty()) return Error("expected a field name after the alias");
      }
      if (Peek('@')) return Error("directives are not supported");
      if (Eat('(')) {
        while (!Eat(')')) {
          std::string arg = Name();
          if (arg.empty()) return Error("expected an argument name");
          if (auto st = Expect(':'); !st.ok()) return st;
          auto value = ParseValue(/*constant=*/false);
          if (!value.ok()) return value.status();
          field.arguments[arg] = *std::move(value);
        }
      }
      if (Peek('{')) {
        auto sub = SelectionSet();
        if (!sub.ok()) return sub.status();
        field.selections = *std::move(sub);
      }
      out.push_back(std::move(field));
      if (pos_ >= s_.size()) return Error("expected \"}\"");
    }
    if (out.empty()) return Error("a selection set may not be empty");
    return out;
  }

  absl::StatusOr<Value> ParseValue(bool constant) {
    Skip();
    Value v;
    char c = Cur();
    if (c == '$') {
      if (constant) return Error("a variable in a constant value");
      ++pos_;
      std::string name = Name();
      auto given = vars_.fields().find(name);
      if (given != vars_.fields().end()) return given->second;
      auto fallback = defaults_.fields().find(name);
      if (fallback != defaults_.fields().end()) return fallback->second;
      v.set_null_value({});
      return v;
    }
    if (c == '"') return String();
    if (c == '[') {
      ++pos_;
      auto* list = v.mutable_list_value();
      while (!Eat(']')) {
        auto item = ParseValue(constant);
        if (!item.ok()) return item.status();
        *list->add_values() = *std::move(item);
        if (pos_ >= s_.size()) return Error("unterminated list");
      }
      return v;
    }
    if (c == '{') {
      ++pos_;
      auto* obj = v.mutable_struct_value();
      while (!Eat('}')) {
        std::string key = Name();
        if (key.empty()) return Error("expected an input field name");
        if (auto st = Expect(':'); !st.ok()) return st;
        auto item = ParseValue(constant);
        if (!item.ok()) return item.status();
        (*obj->mutable_fields())[key] = *std::move(item);
        if (pos_ >= s_.size()) return Error("unterminated object");
      }
      return v;
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = pos_++;
      while (std::isdigit(static_cast<unsigned char>(Cur())) || Cur() == '.' || Cur() == 'e' ||
             Cur() == 'E' || Cur() == '+' || Cur() == '-') {
        ++pos_;
      }
      double number;
      if (!absl::SimpleAtod(s_.substr(start, pos_ - start), &number)) return Error("bad number");
      v.set_number_value(number);
      return v;
    }
    std::string word = Name();
    if (word.empty()) return Error("expected a value");
    if (word == "true" || word == "false") {
      v.set_bool_value(word == "true");
    } else if (word == "null") {
      v.set_null_value({});
    } else {
      v.set_string_value(word);  // an enum value
    }
    return v;
  }

  absl::StatusOr<Value> String() {
    ++pos_;  // the opening quote
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c == '\n') return Error("unterminated string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      char e = Cur();
      ++pos_;
      switch (e) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'u': return Error("\\u escapes are not supported");
        default: out.push_back(e);  // \" \\ \/
      }
    }
    if (!Eat('"')) return Error("unterminated string");
    Value v;
    v.set_string_value(out);
    return v;
  }

  const std::string& s_;
  const Struct& vars_;
  Struct defaults_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<Field>> Parse(const std::string& query, const Struct& variables) {
  return Reader(query, variables).Document();
}

Value Project(const Value& value, const std::vector<Field>& selections) {
  if (selections.empty()) return value;
  if (value.has_list_value()) {
    Value out;
    auto* list = out.mutable_list_value();
    for (const Value& item : value.list_value().values()) {
      *list->add_values() = Project(item, selections);
    }
    return out;
  }
  if (!value.has_struct_value()) return value;  // null stays null
  Value out;
  auto& fields = *out.mutable_struct_value()->mutable_fields();
  for (const Field& field : selections) {
    auto it = value.struct_value().fields().find(field.name);
    if (it == value.struct_value().fields().end()) {
      fields[field.alias].set_null_value({});
    } else {
      fields[field.alias] = Project(it->second, field.selections);
    }
  }
  return out;
}

}  // namespace tracker::sim::graphql
