#include "localcluster/apiserver/selectors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace mysqlop::local {

using nlohmann::json;

namespace {

constexpr const char* kNameRule =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// A label name or value: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?
bool validName(const std::string& s) {
  if (s.empty() || s.size() > 63) {
    return false;
  }
  if (!std::isalnum(static_cast<unsigned char>(s.front())) ||
      !std::isalnum(static_cast<unsigned char>(s.back()))) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), isNameChar);
}

bool validDnsSubdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) {
    return false;
  }
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.')) {
      return false;
    }
  }
  return std::isalnum(static_cast<unsigned char>(s.front())) &&
         std::isalnum(static_cast<unsigned char>(s.back()));
}

Result<void> validateKey(const std::string& key) {
  auto slash = key.find('/');
  std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
  if (slash != std::string::npos) {
    std::string prefix = key.substr(0, slash);
    if (!validDnsSubdomain(prefix)) {
      return fail(Errc::Invalid, "invalid label key \"" + key +
                                     "\": prefix part must be a lowercase RFC 1123 subdomain");
    }
  }
  if (name.size() > 63) {
    return fail(Errc::Invalid,
                "invalid label key \"" + key + "\": name part must be no more than 63 characters");
  }
  if (!validName(name)) {
    return fail(Errc::Invalid, "invalid label key \"" + key + "\": name part " + kNameRule);
  }
  return {};
}

Result<void> validateValue(const std::string& value) {
  if (value.empty()) {
    return {};
  }
  if (value.size() > 63) {
    return fail(Errc::Invalid,
                "invalid label value: \"" + value + "\": must be no more than 63 characters");
  }
  if (!validName(value)) {
    return fail(Errc::Invalid,
                "invalid label value: \"" + value + "\": a valid label " + std::string(kNameRule));
  }
  return {};
}

// The lexer of k8s.io/apimachinery/pkg/labels/selector.go, reduced to what Parse needs.
enum class Tok {
  End,
  Ident,
  Equals,
  DoubleEquals,
  NotEquals,
  In,
  NotIn,
  Open,
  Close,
  Comma,
  Bang,
  Greater,
  Less
};

struct Token {
  Tok kind;
  std::string text;
};

std::vector<Token> lex(const std::string& s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '=' && i + 1 < s.size() && s[i + 1] == '=') {
      out.push_back({Tok::DoubleEquals, "=="});
      i += 2;
    } else if (c == '!' && i + 1 < s.size() && s[i + 1] == '=') {
      out.push_back({Tok::NotEquals, "!="});
      i += 2;
    } else if (c == '=') {
      out.push_back({Tok::Equals, "="});
      ++i;
    } else if (c == '!') {
      out.push_back({Tok::Bang, "!"});
      ++i;
    } else if (c == '(') {
      out.push_back({Tok::Open, "("});
      ++i;
    } else if (c == ')') {
      out.push_back({Tok::Close, ")"});
      ++i;
    } else if (c == ',') {
      out.push_back({Tok::Comma, ","});
      ++i;
    } else if (c == '>') {
      out.push_back({Tok::Greater, ">"});
      ++i;
    } else if (c == '<') {
      out.push_back({Tok::Less, "<"});
      ++i;
    } else {
      std::size_t j = i;
      while (j < s.size() && std::string(" \t\n\r=!(),<>").find(s[j]) == std::string::npos) {
        ++j;
      }
      std::string word = s.substr(i, j - i);
      if (word == "in") {
        out.push_back({Tok::In, word});
      } else if (word == "notin") {
        out.push_back({Tok::NotIn, word});
      } else {
        out.push_back({Tok::Ident, word});
      }
      i = j;
    }
  }
  out.push_back({Tok::End, ""});
  return out;
}

class Parser {
 public:
  explicit Parser(const std::string& s) : toks_(lex(s)) {}

  Result<std::vector<LabelSelector::Requirement>> parse() {
    std::vector<LabelSelector::Requirement> reqs;
    if (peek().kind == Tok::End) {
      return reqs;
    }
    while (true) {
      auto r = requirement();
      if (!r.ok()) {
        return r.error();
      }
      reqs.push_back(std::move(r.value()));
      Token t = next();
      if (t.kind == Tok::End) {
        return reqs;
      }
      if (t.kind != Tok::Comma) {
        return unexpected(t, "',' or 'end of string'");
      }
    }
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  Token next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }

  static Failure unexpected(const Token& t, const std::string& expected) {
    std::string found = t.kind == Tok::End ? "end of string" : "'" + t.text + "'";
    return fail(Errc::Invalid,
                "unable to parse requirement: found " + found + ", expected: " + expected);
  }

  Result<LabelSelector::Requirement> requirement() {
    LabelSelector::Requirement req;
    bool negated = false;
    if (peek().kind == Tok::Bang) {
      next();
      negated = true;
    }
    Token key = next();
    if (key.kind != Tok::Ident) {
      return unexpected(key, "identifier");
    }
    if (auto v = validateKey(key.text); !v.ok()) {
      return v.error();
    }
    req.key = key.text;
    if (negated) {
      req.op = LabelSelector::Op::DoesNotExist;
      return req;
    }
    Tok k = peek().kind;
    if (k == Tok::End || k == Tok::Comma) {
      req.op = LabelSelector::Op::Exists;
      return req;
    }
    Token op = next();
    switch (op.kind) {
      case Tok::Equals:
      case Tok::DoubleEquals: req.op = LabelSelector::Op::Equals; break;
      case Tok::NotEquals: req.op = LabelSelector::Op::NotEquals; break;
      case Tok::In: req.op = LabelSelector::Op::In; break;
      case Tok::NotIn: req.op = LabelSelector::Op::NotIn; break;
      case Tok::Greater: req.op = LabelSelector::Op::Greater; break;
      case Tok::Less: req.op = LabelSelector::Op::Less; break;
      default: return unexpected(op, "'=', '!=', '==', 'in', 'notin'");
    }
    if (req.op == LabelSelector::Op::In || req.op == LabelSelector::Op::NotIn) {
      Token open = next();
      if (open.kind != Tok::Open) {
        return unexpected(open, "'('");
      }
      while (true) {
        if (peek().kind == Tok::Close) {
          next();
          break;
        }
        std::string value;
        if (peek().kind == Tok::Ident) {
          value = next().text;
        }
        if (auto v = validateValue(value); !v.ok()) {
          return v.error();
        }
        req.values.push_back(value);
        Token sep = next();
        if (sep.kind == Tok::Close) {
          break;
        }
        if (sep.kind != Tok::Comma) {
          return unexpected(sep, "',' or ')'");
        }
      }
      if (req.values.empty()) {
        return fail(Errc::Invalid,
                    "unable to parse requirement: for 'in', 'notin' operators, "
                    "values set can't be empty");
      }
      std::sort(req.values.begin(), req.values.end());
      req.values.erase(std::unique(req.values.begin(), req.values.end()), req.values.end());
      return req;
    }
    std::string value;
    if (peek().kind == Tok::Ident) {
      value = next().text;
    } else if (peek().kind != Tok::End && peek().kind != Tok::Comma) {
      return unexpected(peek(), "identifier");
    }
    if (req.op == LabelSelector::Op::Greater || req.op == LabelSelector::Op::Less) {
      char* end = nullptr;
      std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0') {
        return fail(Errc::Invalid,
                    "unable to parse requirement: for 'Gt', 'Lt' operators, the "
                    "value must be an integer");
      }
    } else if (auto v = validateValue(value); !v.ok()) {
      return v.error();
    }
    req.values.push_back(value);
    return req;
  }

  std::vector<Token> toks_;
  std::size_t pos_ = 0;
};

const char* opText(LabelSelector::Op op) {
  switch (op) {
    case LabelSelector::Op::Equals: return "=";
    case LabelSelector::Op::NotEquals: return "!=";
    case LabelSelector::Op::In: return " in ";
    case LabelSelector::Op::NotIn: return " notin ";
    case LabelSelector::Op::Greater: return ">";
    case LabelSelector::Op::Less: return "<";
    default: return "";
  }
}

}  // namespace

Result<LabelSelector> LabelSelector::parse(const std::string& text) {
  auto reqs = Parser(text).parse();
  if (!reqs.ok()) {
    return reqs.error();
  }
  LabelSelector s;
  s.reqs_ = std::move(reqs.value());
  return s;
}

Result<LabelSelector> LabelSelector::fromJson(const json& selector) {
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
    for (const auto& e : *me) {
      Requirement r;
      r.key = e.value("key", "");
      std::string op = e.value("operator", "");
      if (op == "In") {
        r.op = Op::In;
      } else if (op == "NotIn") {
        r.op = Op::NotIn;
      } else if (op == "Exists") {
        r.op = Op::Exists;
      } else if (op == "DoesNotExist") {
        r.op = Op::DoesNotExist;
      } else {
        return fail(Errc::Invalid, "\"" + op + "\" is not a valid label selector operator");
      }
      if (auto vs = e.find("values"); vs != e.end() && vs->is_array()) {
        for (const auto& v : *vs) {
          r.values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
      std::sort(r.values.begin(), r.values.end());
      s.reqs_.push_back(std::move(r));
    }
  }
  std::stable_sort(s.reqs_.begin(), s.reqs_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return s;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  for (const auto& r : reqs_) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    switch (r.op) {
      case Op::Exists:
        if (!has) {
          return false;
        }
        break;
      case Op::DoesNotExist:
        if (has) {
          return false;
        }
        break;
      case Op::Equals:
      case Op::In:
        if (!has || std::find(r.values.begin(), r.values.end(), it->second) == r.values.end()) {
          return false;
        }
        break;
      case Op::NotEquals:
      case Op::NotIn:
        if (has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end()) {
          return false;
        }
        break;
      case Op::Greater:
      case Op::Less: {
        if (!has) {
          return false;
        }
        char* end = nullptr;
        long long v = std::strtoll(it->second.c_str(), &end, 10);
        if (it->second.empty() || *end != '\0') {
          return false;
        }
        long long bound = std::strtoll(r.values[0].c_str(), nullptr, 10);
        if (r.op == Op::Greater ? !(v > bound) : !(v < bound)) {
          return false;
        }
        break;
      }
    }
  }
  return true;
}

bool LabelSelector::matches(const json& labels) const {
  if (reqs_.empty()) {
    return true;
  }
  std::map<std::string, std::string> m;
  if (labels.is_object()) {
    for (auto it = labels.begin(); it != labels.end(); ++it) {
      if (it.value().is_string()) {
        m[it.key()] = it.value().get<std::string>();
      }
    }
  }
  return matches(m);
}

std::string LabelSelector::str() const {
  std::string out;
  for (const auto& r : reqs_) {
    if (!out.empty()) {
      out += ",";
    }
    switch (r.op) {
      case Op::Exists: out += r.key; break;
      case Op::DoesNotExist: out += "!" + r.key; break;
      case Op::In:
      case Op::NotIn: {
        out += r.key + opText(r.op) + "(";
        for (std::size_t i = 0; i < r.values.size(); ++i) {
          out += (i ? "," : "") + r.values[i];
        }
        out += ")";
        break;
      }
      default: out += r.key + opText(r.op) + (r.values.empty() ? "" : r.values[0]); break;
    }
  }
  return out;
}

Result<FieldSelector> FieldSelector::parse(const std::string& text) {
  FieldSelector s;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) {
      Requirement r;
      std::size_t p;
      if ((p = part.find("!=")) != std::string::npos) {
        r.field = part.substr(0, p);
        r.equals = false;
        r.value = part.substr(p + 2);
      } else if ((p = part.find("==")) != std::string::npos) {
        r.field = part.substr(0, p);
        r.equals = true;
        r.value = part.substr(p + 2);
      } else if ((p = part.find('=')) != std::string::npos) {
        r.field = part.substr(0, p);
        r.equals = true;
        r.value = part.substr(p + 1);
      } else {
        return fail(Errc::Invalid,
                    "invalid selector: '" + text + "'; can't understand '" + part + "'");
      }
      s.reqs_.push_back(std::move(r));
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return s;
}

Result<void> FieldSelector::check(const std::vector<std::string>& supported) const {
  for (const auto& r : reqs_) {
    if (std::find(supported.begin(), supported.end(), r.field) == supported.end()) {
      return fail(Errc::Invalid, "field label not supported: " + r.field);
    }
  }
  return {};
}

std::string fieldValue(const json& object, const std::string& path) {
  const json* cur = &object;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object()) {
      return "";
    }
    auto it = cur->find(part);
    if (it == cur->end()) {
      return "";
    }
    cur = &*it;
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  if (cur->is_string()) {
    return cur->get<std::string>();
  }
  if (cur->is_null()) {
    return "";
  }
  return cur->dump();
}

bool FieldSelector::matches(const json& object) const {
  for (const auto& r : reqs_) {
    bool eq = fieldValue(object, r.field) == r.value;
    if (eq != r.equals) {
      return false;
    }
  }
  return true;
}

}  // namespace mysqlop::local
