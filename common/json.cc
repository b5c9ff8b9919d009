#include "common/json.h"

#include <set>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tracker {

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Appends code point `cp` to `out` as UTF-8.
void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Rewrites JSON text so that no object holds a name twice: of a repeated
// name only the last member stays, which is how Jackson and Python read it
// (SONG 1.x writes "analysisType" twice in every analysis; see
// tools/sim/song_sim.cc), where protobuf's parser refuses the whole text.
// Names are compared decoded ("a" and "\u0061" are one name). Scalars and
// string literals are copied as written: protobuf's parser still judges
// every value of the result. Fails when the structure cannot be followed;
// the caller then reports protobuf's own error for the original text.
class RepeatedNameDropper {
 public:
  explicit RepeatedNameDropper(absl::string_view text) : text_(text) {}

  // The rewritten text; false when the text's structure cannot be followed.
  bool Rewrite(std::string* out) {
    if (!Value(out, 0)) return false;
    absl::StrAppend(out, text_.substr(pos_));  // trailing text: protobuf's to judge
    return true;
  }
  // Each member left out, as `name:value` text (its nested objects rewritten):
  // protobuf's parser must still judge what was dropped.
  const std::vector<std::string>& dropped() const { return dropped_; }

 private:
  // Deeper than protobuf's own nesting limit: never reached by text it takes.
  static constexpr int kMaxDepth = 200;

  void SkipSpace() {
    while (pos_ < text_.size() && IsJsonSpace(text_[pos_])) ++pos_;
  }

  bool Value(std::string* out, int depth) {
    SkipSpace();
    if (pos_ >= text_.size() || depth > kMaxDepth) return false;
    if (text_[pos_] == '{') return Object(out, depth + 1);
    if (text_[pos_] == '[') return Array(out, depth + 1);
    if (text_[pos_] == '"') {
      const size_t start = pos_;
      if (!String(nullptr)) return false;
      absl::StrAppend(out, text_.substr(start, pos_ - start));
      return true;
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && !IsJsonSpace(text_[pos_]) && text_[pos_] != ',' &&
           text_[pos_] != '}' && text_[pos_] != ']') {
      ++pos_;
    }
    absl::StrAppend(out, text_.substr(start, pos_ - start));
    return pos_ > start;
  }

  // The string literal at pos_, decoded into `decoded` when not null.
  bool String(std::string* decoded) {
    for (++pos_; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c != '\\') {
        if (decoded != nullptr) decoded->push_back(c);
        continue;
      }
      if (++pos_ >= text_.size()) return false;
      const char e = text_[pos_];
      if (e != 'u') {
        static constexpr absl::string_view kFrom = "\"\\/bfnrt", kTo = "\"\\/\b\f\n\r\t";
        const size_t i = kFrom.find(e);
        if (i == absl::string_view::npos) return false;
        if (decoded != nullptr) decoded->push_back(kTo[i]);
        continue;
      }
      uint32_t cp = 0;
      if (!Hex4(&cp)) return false;
      // A high surrogate followed by \uDC00..\uDFFF is one code point.
      uint32_t low = 0;
      if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_ + 1, 2) == "\\u") {
        const size_t save = pos_;
        pos_ += 2;
        if (Hex4(&low) && low >= 0xDC00 && low < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else {
          pos_ = save;
        }
      }
      if (decoded != nullptr) AppendUtf8(cp, decoded);
    }
    return false;
  }

  // The four hex digits after the 'u' at pos_; pos_ ends on the last one.
  bool Hex4(uint32_t* cp) {
    if (pos_ + 4 >= text_.size()) return false;
    for (int i = 1; i <= 4; ++i) {
      const char h = text_[pos_ + i];
      int v = absl::ascii_isdigit(h) ? h - '0'
              : (h >= 'a' && h <= 'f') ? h - 'a' + 10
              : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                       : -1;
      if (v < 0) return false;
      *cp = *cp * 16 + v;
    }
    pos_ += 4;
    return true;
  }

  bool Object(std::string* out, int depth) {
    struct Member {
      std::string name;        // decoded, to compare
      absl::string_view raw;   // as written
      std::string value;       // rewritten
    };
    std::vector<Member> members;
    ++pos_;  // '{'
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      out->append("{}");
      return true;
    }
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return false;
      Member m;
      const size_t start = pos_;
      if (!String(&m.name)) return false;
      m.raw = text_.substr(start, pos_ - start);
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return false;
      ++pos_;
      if (!Value(&m.value, depth)) return false;
      members.push_back(std::move(m));
      SkipSpace();
      if (pos_ >= text_.size()) return false;
      if (text_[pos_++] == '}') break;
      if (text_[pos_ - 1] != ',') return false;
    }
    std::set<absl::string_view> later;  // names met walking back from the end
    std::vector<const Member*> kept;
    for (auto it = members.rbegin(); it != members.rend(); ++it) {
      if (later.insert(it->name).second) {
        kept.push_back(&*it);
      } else {
        dropped_.push_back(absl::StrCat(it->raw, ":", it->value));
      }
    }
    out->push_back('{');
    for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
      if (it != kept.rbegin()) out->push_back(',');
      absl::StrAppend(out, (*it)->raw, ":", (*it)->value);
    }
    out->push_back('}');
    return true;
  }

  bool Array(std::string* out, int depth) {
    ++pos_;  // '['
    out->push_back('[');
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      out->push_back(']');
      return true;
    }
    for (;;) {
      if (!Value(out, depth)) return false;
      SkipSpace();
      if (pos_ >= text_.size()) return false;
      const char c = text_[pos_++];
      out->push_back(c);
      if (c == ']') return true;
      if (c != ',') return false;
    }
  }

  absl::string_view text_;
  size_t pos_ = 0;
  std::vector<std::string> dropped_;
};

absl::Status ParseInto(absl::string_view text, google::protobuf::Struct* out) {
  out->Clear();
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), out);
  return status.ok() ? absl::OkStatus() : absl::InvalidArgumentError(status.message().ToString());
}

}  // namespace

absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view text,
                                                         absl::string_view what) {
  google::protobuf::Struct out;
  absl::Status status = ParseInto(text, &out);
  if (!status.ok()) {
    // Protobuf refuses a repeated name; JSON readers keep the last value.
    // Only text protobuf refused is rewritten, so all other answers and
    // error messages stay protobuf's own.
    RepeatedNameDropper dropper(text);
    std::string rewritten;
    if (dropper.Rewrite(&rewritten) && !dropper.dropped().empty()) {
      status = ParseInto(rewritten, &out);
      google::protobuf::Struct member;
      for (const std::string& d : dropper.dropped()) {
        if (!status.ok()) break;
        status = ParseInto(absl::StrCat("{", d, "}"), &member);
      }
    }
  }
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not a JSON object: ", status.message()));
  }
  return out;
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string JsonQuote(absl::string_view s) {
  google::protobuf::Value value;
  value.set_string_value(std::string(s));
  return ToJson(value);
}

namespace {

// The end of the value starting at `pos`: the first ',' or '}' outside
// strings and brackets. Only boundaries are found here; protobuf's parser
// judges whether the text between them is JSON.
size_t ValueEnd(absl::string_view text, size_t pos) {
  int depth = 0;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '"') {
      for (++pos; pos < text.size() && text[pos] != '"'; ++pos) {
        if (text[pos] == '\\') ++pos;
      }
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return pos;
      --depth;
    } else if (c == ',' && depth == 0) {
      return pos;
    }
  }
  return pos;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> JsonObjectMembers(
    absl::string_view text, absl::string_view what) {
  // The whole text must be one object: protobuf's parser says so first.
  if (absl::Status whole = ParseJsonObject(text, what).status(); !whole.ok()) return whole;
  std::vector<std::pair<std::string, std::string>> members;
  size_t pos = text.find('{') + 1;
  auto skip_space = [&] {
    while (pos < text.size() && IsJsonSpace(text[pos])) ++pos;
  };
  for (bool first = true;; first = false) {
    skip_space();
    // protobuf's parser lets a trailing comma through; JSON does not.
    if (pos >= text.size() || text[pos] == '}') {
      if (!first) {
        return absl::InvalidArgumentError(absl::StrCat(what, " is not a JSON object: a , before }"));
      }
      break;
    }
    // The name: a string literal, decoded by the same parser.
    size_t close = pos + 1;
    while (close < text.size() && text[close] != '"') close += text[close] == '\\' ? 2 : 1;
    auto name = ParseJsonObject(absl::StrCat("{", text.substr(pos, close + 1 - pos), ": 0}"), what);
    if (!name.ok() || name->fields().size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(what, " has a member name it cannot read"));
    }
    std::string key = name->fields().begin()->first;
    pos = text.find(':', close + 1) + 1;
    skip_space();
    const size_t end = ValueEnd(text, pos);
    absl::string_view raw = absl::StripTrailingAsciiWhitespace(text.substr(pos, end - pos));
    for (const auto& m : members) {
      if (m.first == key) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, " is not a JSON object: \"", key, "\" appears twice"));
      }
    }
    members.emplace_back(std::move(key), std::string(raw));
    pos = end;
    if (pos >= text.size() || text[pos] == '}') break;
    ++pos;  // the ',' between members
  }
  return members;
}

std::string StringField(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end() || it->second.kind_case() != google::protobuf::Value::kStringValue) {
    return "";
  }
  return it->second.string_value();
}

int IntField(const google::protobuf::Struct& s, const std::string& key, int fallback) {
  auto it = s.fields().find(key);
  return it != s.fields().end() && it->second.has_number_value()
             ? static_cast<int>(it->second.number_value())
             : fallback;
}

const google::protobuf::Struct* ObjectField(const google::protobuf::Struct* s,
                                            const std::string& key) {
  if (s == nullptr) return nullptr;
  auto it = s->fields().find(key);
  return it != s->fields().end() && it->second.has_struct_value() ? &it->second.struct_value()
                                                                  : nullptr;
}

std::string ScalarField(const google::protobuf::Struct* s, const std::string& key) {
  if (s == nullptr) return "";
  auto it = s->fields().find(key);
  if (it == s->fields().end()) return "";
  const google::protobuf::Value& v = it->second;
  if (v.kind_case() == google::protobuf::Value::kStringValue) return v.string_value();
  if (v.kind_case() == google::protobuf::Value::kNumberValue) {
    return absl::StrCat(static_cast<int64_t>(v.number_value()));
  }
  return "";
}

}  // namespace tracker
