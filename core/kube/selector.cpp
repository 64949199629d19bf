#include "core/kube/selector.h"

#include "core/common/go_quote.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <optional>

// The grammar, the error texts and their order follow apimachinery 1.30: pkg/labels/selector.go
// (Parser, NewRequirement), pkg/util/validation (IsQualifiedName, IsValidLabelValue,
// IsDNS1123Subdomain) and pkg/util/validation/field (Error, ErrorList aggregate).

namespace mysqlop::kube {

namespace {

using Op = LabelSelector::Op;
using Req = LabelSelector::Requirement;

// ---- validation (apimachinery pkg/util/validation) ----

constexpr const char* kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr const char* kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr const char* kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr const char* kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr const char* kSubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr const char* kSubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::size_t kNameMax = 63;
constexpr std::size_t kSubdomainMax = 253;

// validation.RegexError, double spaces included ("'MyName',  or 'my.name', ...").
std::string regexError(const std::string& msg, const char* fmt,
                       std::initializer_list<const char*> examples) {
  std::string out = msg + " (e.g. ";
  bool first = true;
  for (const char* e : examples) {
    if (!first) {
      out += " or ";
    }
    first = false;
    out += "'";
    out += e;
    out += "', ";
  }
  out += "regex used for validation is '";
  out += fmt;
  out += "')";
  return out;
}

std::string maxLenError(std::size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$ (no length bound: that is a separate check).
bool qualifiedNameShape(std::string_view s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
bool subdomainShape(std::string_view s) {
  auto lowerAlnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = std::min(s.find('.', start), s.size());
    const std::string_view label = s.substr(start, dot - start);
    if (label.empty() || !lowerAlnum(label.front()) || !lowerAlnum(label.back()) ||
        !std::all_of(label.begin(), label.end(),
                     [&](char c) { return lowerAlnum(c) || c == '-'; })) {
      return false;
    }
    if (dot == s.size()) {
      return true;
    }
    start = dot + 1;
  }
}

void join(std::string* out, const std::string& part) {
  if (!out->empty()) {
    *out += "; ";
  }
  *out += part;
}

// field.Invalid(path, value, detail).Error().
std::string invalid(const std::string& path, std::string_view value, const std::string& detail) {
  return path + ": Invalid value: " + goQuote(value) + ": " + detail;
}

// strconv.ParseInt(s, 10, 64).
std::optional<long long> parseInt64(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') {
      return std::nullopt;
    }
  }
  long long n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return std::nullopt;
  }
  return n;
}

// ---- lexer and parser (apimachinery pkg/labels/selector.go) ----

enum class Tok { End, Ident, Eq, DoubleEq, NotEq, Bang, Open, Close, Comma, Gt, Lt };

struct Token {
  Tok type;
  std::string_view text;  // into the parsed string: lexing allocates nothing
};

bool whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool special(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>';
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token next() {
    while (pos_ < s_.size() && whitespace(s_[pos_])) {
      ++pos_;
    }
    // Upstream's reader returns byte 0 at the end, so a NUL ends the selector too.
    if (pos_ >= s_.size() || s_[pos_] == '\0') {
      return {Tok::End, {}};
    }
    const std::size_t start = pos_;
    if (special(s_[pos_])) {
      const bool pairs = pos_ + 1 < s_.size() && s_[pos_ + 1] == '=';
      const char c = s_[pos_];
      if (pairs && (c == '=' || c == '!')) {
        pos_ += 2;
        return {c == '=' ? Tok::DoubleEq : Tok::NotEq, s_.substr(start, 2)};
      }
      ++pos_;
      static constexpr std::pair<char, Tok> kSingle[] = {
          {'=', Tok::Eq},    {'!', Tok::Bang}, {'(', Tok::Open}, {')', Tok::Close},
          {',', Tok::Comma}, {'>', Tok::Gt},   {'<', Tok::Lt}};
      Tok t = Tok::End;
      for (const auto& [ch, tok] : kSingle) {
        if (ch == c) {
          t = tok;
        }
      }
      return {t, s_.substr(start, 1)};
    }
    while (pos_ < s_.size() && !special(s_[pos_]) && !whitespace(s_[pos_]) && s_[pos_] != '\0') {
      ++pos_;
    }
    return {Tok::Ident, s_.substr(start, pos_ - start)};
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// Recursive descent over one token of lookahead, in upstream's order of checks so that the first
// error found is the one kube-apiserver reports.
class Parser {
 public:
  explicit Parser(std::string_view s) : lexer_(s) { cur_ = lexer_.next(); }

  // Errors are returned as text; parse() adds the requirement prefix where upstream does.
  bool parse(std::vector<Req>* out, std::string* error) {
    for (;;) {
      switch (cur_.type) {
        case Tok::Ident:
        case Tok::Bang: {
          Req r;
          if (!requirement(&r, error)) {
            *error = "unable to parse requirement: " + *error;
            return false;
          }
          out->push_back(std::move(r));
          const Token t = consume();
          if (t.type == Tok::End) {
            return true;
          }
          if (t.type != Tok::Comma) {
            *error = found(t) + ", expected: ',' or 'end of string'";
            return false;
          }
          if (cur_.type != Tok::Ident && cur_.type != Tok::Bang) {
            *error = found(cur_) + ", expected: identifier after ','";
            return false;
          }
          break;
        }
        case Tok::End: return true;
        default:
          *error = found(cur_) + ", expected: !, identifier, or 'end of string'";
          return false;
      }
    }
  }

 private:
  static std::string found(const Token& t) { return "found '" + std::string(t.text) + "'"; }

  Token consume() {
    const Token t = cur_;
    cur_ = lexer_.next();
    return t;
  }

  bool requirement(Req* r, std::string* error) {
    Token t = consume();
    const bool negated = t.type == Tok::Bang;
    if (negated) {
      t = consume();
    }
    if (t.type != Tok::Ident) {
      *error = found(t) + ", expected: identifier";
      return false;
    }
    if (std::string why = labelKeyProblems(t.text); !why.empty()) {
      *error = invalid("<nil>", t.text, why);
      return false;
    }
    r->key = std::string(t.text);
    // "!k" ends the requirement whatever follows; "k" alone (before ',' or the end) is Exists.
    if (negated || cur_.type == Tok::End || cur_.type == Tok::Comma) {
      r->op = negated ? Op::DoesNotExist : Op::Exists;
      return true;
    }
    if (!op(r, error)) {
      return false;
    }
    const bool ok =
        (r->op == Op::In || r->op == Op::NotIn) ? values(r, error) : exactValue(r, error);
    if (!ok) {
      return false;
    }
    std::sort(r->values.begin(), r->values.end());
    r->values.erase(std::unique(r->values.begin(), r->values.end()), r->values.end());
    return validateValues(*r, error);
  }

  bool op(Req* r, std::string* error) {
    const Token t = consume();
    switch (t.type) {
      case Tok::Eq:
      case Tok::DoubleEq: r->op = Op::Equals; return true;
      case Tok::NotEq: r->op = Op::NotEquals; return true;
      case Tok::Gt: r->op = Op::GreaterThan; return true;
      case Tok::Lt: r->op = Op::LessThan; return true;
      case Tok::Ident:
        // "in" and "notin" are keywords only where an operator is expected.
        if (t.text == "in" || t.text == "notin") {
          r->op = t.text == "in" ? Op::In : Op::NotIn;
          return true;
        }
        break;
      default: break;
    }
    *error = found(t) + ", expected: in, notin, =, ==, !=, gt, lt";
    return false;
  }

  // "(" values ")"; "()" is the set holding the empty value.
  bool values(Req* r, std::string* error) {
    const Token open = consume();
    if (open.type != Tok::Open) {
      *error = found(open) + " expected: '('";  // sic: upstream has no comma here
      return false;
    }
    switch (cur_.type) {
      case Tok::Ident:
      case Tok::Comma: return identifiers(r, error) && consume().type == Tok::Close;
      case Tok::Close:
        consume();
        r->values.emplace_back();
        return true;
      default: *error = found(cur_) + ", expected: ',', ')' or identifier"; return false;
    }
  }

  // A comma-separated list, possibly with empty members ("a,,b", "(,a)"); stops before ')'.
  bool identifiers(Req* r, std::string* error) {
    for (;;) {
      const Token t = consume();
      if (t.type == Tok::Ident) {
        r->values.emplace_back(t.text);
        if (cur_.type == Tok::Comma) {
          continue;
        }
        if (cur_.type == Tok::Close) {
          return true;
        }
        *error = found(cur_) + ", expected: ',' or ')'";
        return false;
      }
      if (t.type != Tok::Comma) {
        *error = found(t) + ", expected: ',', or identifier";
        return false;
      }
      if (r->values.empty() || cur_.type == Tok::Close || cur_.type == Tok::Comma) {
        r->values.emplace_back();  // "(,", ",)" and ",,": an empty member
      }
      if (cur_.type == Tok::Close) {
        return true;
      }
    }
  }

  // The one value after =, ==, !=, > or <; nothing before ',' or the end is the empty value.
  bool exactValue(Req* r, std::string* error) {
    if (cur_.type == Tok::End || cur_.type == Tok::Comma) {
      r->values.emplace_back();
      return true;
    }
    const Token t = consume();
    if (t.type != Tok::Ident) {
      *error = found(t) + ", expected: identifier";
      return false;
    }
    r->values.emplace_back(t.text);
    return true;
  }

  // NewRequirement's checks of the values, as one aggregated error.
  static bool validateValues(const Req& r, std::string* error) {
    std::vector<std::string> errs;
    for (std::size_t i = 0; i < r.values.size(); ++i) {
      const std::string path = "values[" + std::to_string(i) + "]";
      if ((r.op == Op::GreaterThan || r.op == Op::LessThan) && !parseInt64(r.values[i])) {
        errs.push_back(
            invalid(path, r.values[i], "for 'Gt', 'Lt' operators, the value must be an integer"));
      }
    }
    for (std::size_t i = 0; i < r.values.size(); ++i) {
      if (std::string why = labelValueProblems(r.values[i]); !why.empty()) {
        errs.push_back(
            invalid("values[" + std::to_string(i) + "][" + r.key + "]", r.values[i], why));
      }
    }
    if (errs.empty()) {
      return true;
    }
    // utilerrors.Aggregate: one error as is, several de-duplicated in brackets.
    std::vector<std::string> seen;
    for (const std::string& e : errs) {
      if (std::find(seen.begin(), seen.end(), e) == seen.end()) {
        seen.push_back(e);
      }
    }
    if (seen.size() == 1) {
      *error = seen.front();
      return false;
    }
    *error = "[";
    for (std::size_t i = 0; i < seen.size(); ++i) {
      *error += (i > 0 ? ", " : "") + seen[i];
    }
    *error += "]";
    return false;
  }

  Lexer lexer_;
  Token cur_{Tok::End, {}};
};

const std::string* lookup(const Labels& labels, const std::string& key) {
  auto it = std::lower_bound(labels.begin(), labels.end(), key,
                             [](const auto& kv, const std::string& k) { return kv.first < k; });
  if (it == labels.end() || it->first != key) {
    return nullptr;
  }
  return &it->second;
}

bool integerCompare(const std::string& have, const std::string& want, bool greater) {
  const auto h = parseInt64(have);
  const auto w = parseInt64(want);
  if (!h || !w) {
    return false;
  }
  return greater ? *h > *w : *h < *w;
}

}  // namespace

std::string labelKeyProblems(std::string_view key) {
  std::string why;
  std::string_view name = key;
  const std::size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    if (key.find('/', slash + 1) != std::string_view::npos) {
      return "a qualified name " +
             regexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
             " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
    }
    const std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) {
      join(&why, "prefix part must be non-empty");
    } else {
      if (prefix.size() > kSubdomainMax) {
        join(&why, "prefix part " + maxLenError(kSubdomainMax));
      }
      if (!subdomainShape(prefix)) {
        join(&why, "prefix part " + regexError(kSubdomainErrMsg, kSubdomainFmt, {"example.com"}));
      }
    }
  }
  if (name.empty()) {
    join(&why, "name part must be non-empty");
  } else if (name.size() > kNameMax) {
    join(&why, "name part " + maxLenError(kNameMax));
  }
  if (!qualifiedNameShape(name)) {
    join(&why, "name part " + regexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                         {"MyName", "my.name", "123-abc"}));
  }
  return why;
}

std::string labelValueProblems(std::string_view value) {
  std::string why;
  if (value.size() > kNameMax) {
    join(&why, maxLenError(kNameMax));
  }
  if (!value.empty() && !qualifiedNameShape(value)) {
    join(&why, regexError(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return why;
}

bool LabelSelector::Requirement::matches(const std::string* v) const {
  switch (op) {
    case Op::Exists: return v != nullptr;
    case Op::DoesNotExist: return v == nullptr;
    case Op::Equals:
    case Op::In: return v != nullptr && std::binary_search(values.begin(), values.end(), *v);
    case Op::NotEquals:
    case Op::NotIn: return v == nullptr || !std::binary_search(values.begin(), values.end(), *v);
    case Op::GreaterThan:
    case Op::LessThan:
      return v != nullptr && values.size() == 1 &&
             integerCompare(*v, values.front(), op == Op::GreaterThan);
  }
  return false;
}

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  LabelSelector s;
  std::string error;
  if (!Parser(text).parse(&s.reqs_, &error)) {
    return fail(Errc::Invalid, error);
  }
  std::stable_sort(s.reqs_.begin(), s.reqs_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return s;
}

LabelSelector LabelSelector::fromMap(const std::map<std::string, std::string>& labels) {
  LabelSelector s;
  for (const auto& [k, v] : labels) {
    s.reqs_.push_back({k, Op::Equals, {v}});
  }
  return s;
}

Result<LabelSelector> LabelSelector::fromJson(const nlohmann::json& selector) {
  LabelSelector s;
  if (selector.is_null()) {
    return s;
  }
  if (!selector.is_object()) {
    return fail(Errc::Invalid, "selector must be an object");
  }
  if (auto ml = selector.find("matchLabels"); ml != selector.end() && ml->is_object()) {
    for (auto it = ml->begin(); it != ml->end(); ++it) {
      if (!it.value().is_string()) {
        return fail(Errc::Invalid, "matchLabels values must be strings");
      }
      s.reqs_.push_back({it.key(), Op::Equals, {it.value().get<std::string>()}});
    }
  }
  if (auto me = selector.find("matchExpressions"); me != selector.end() && me->is_array()) {
    static constexpr std::pair<const char*, Op> kOps[] = {{"In", Op::In},
                                                          {"NotIn", Op::NotIn},
                                                          {"Exists", Op::Exists},
                                                          {"DoesNotExist", Op::DoesNotExist}};
    for (const auto& e : *me) {
      Requirement r{e.value("key", ""), Op::Exists, {}};
      const std::string op = e.value("operator", "");
      const auto known = std::find_if(std::begin(kOps), std::end(kOps),
                                      [&](const auto& k) { return op == k.first; });
      if (known == std::end(kOps)) {
        return fail(Errc::Invalid, "\"" + op + "\" is not a valid label selector operator");
      }
      r.op = known->second;
      if (auto vs = e.find("values"); vs != e.end() && vs->is_array()) {
        for (const auto& v : *vs) {
          r.values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
      std::sort(r.values.begin(), r.values.end());
      r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
      s.reqs_.push_back(std::move(r));
    }
  }
  std::stable_sort(s.reqs_.begin(), s.reqs_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return s;
}

bool LabelSelector::matches(const Labels& labels) const {
  return matchesWith([&](const std::string& key) { return lookup(labels, key); });
}

std::string LabelSelector::toString() const {
  std::string out;
  for (const Requirement& r : reqs_) {
    if (!out.empty()) {
      out += ",";
    }
    auto joined = [&] {
      std::string s;
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        s += (i > 0 ? "," : "") + r.values[i];  // the empty value too: "a in (,b)"
      }
      return s;
    };
    switch (r.op) {
      case Op::Equals: out += r.key + "=" + r.values.front(); break;
      case Op::NotEquals: out += r.key + "!=" + r.values.front(); break;
      case Op::In: out += r.key + " in (" + joined() + ")"; break;
      case Op::NotIn: out += r.key + " notin (" + joined() + ")"; break;
      case Op::Exists: out += r.key; break;
      case Op::DoesNotExist: out += "!" + r.key; break;
      case Op::GreaterThan: out += r.key + ">" + r.values.front(); break;
      case Op::LessThan: out += r.key + "<" + r.values.front(); break;
    }
  }
  return out;
}

}  // namespace mysqlop::kube
