#include "core/kube/selector.h"

#include <algorithm>
#include <charconv>

namespace mysqlop::kube {

namespace {

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? of at most 63 characters.
bool qualifiedName(std::string_view s) {
  if (s.empty() || s.size() > 63 || !alnum(s.front()) || !alnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// A DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters, each label
// starting and ending with an alphanumeric.
bool dnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) {
    return false;
  }
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t dot = std::min(s.find('.', start), s.size());
    const std::string_view label = s.substr(start, dot - start);
    if (label.empty() || label.size() > 63) {
      return false;
    }
    auto lowerAlnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!lowerAlnum(label.front()) || !lowerAlnum(label.back())) {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(),
                     [&](char c) { return lowerAlnum(c) || c == '-'; })) {
      return false;
    }
    start = dot + 1;
  }
  return true;
}

enum class Tok { Ident, Eq, DoubleEq, NotEq, Bang, Open, Close, Comma, Gt, Lt, End };

struct Token {
  Tok type;
  std::string text;
};

bool special(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '=' || c == '!' ||
         c == '(' || c == ')' || c == '<' || c == '>';
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token next() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
    if (pos_ >= s_.size()) {
      return {Tok::End, ""};
    }
    const char c = s_[pos_];
    auto two = [&](char second) { return pos_ + 1 < s_.size() && s_[pos_ + 1] == second; };
    switch (c) {
      case ',': ++pos_; return {Tok::Comma, ","};
      case '(': ++pos_; return {Tok::Open, "("};
      case ')': ++pos_; return {Tok::Close, ")"};
      case '>': ++pos_; return {Tok::Gt, ">"};
      case '<': ++pos_; return {Tok::Lt, "<"};
      case '=':
        if (two('=')) {
          pos_ += 2;
          return {Tok::DoubleEq, "=="};
        }
        ++pos_;
        return {Tok::Eq, "="};
      case '!':
        if (two('=')) {
          pos_ += 2;
          return {Tok::NotEq, "!="};
        }
        ++pos_;
        return {Tok::Bang, "!"};
      default: break;
    }
    const std::size_t start = pos_;
    while (pos_ < s_.size() && !special(s_[pos_])) {
      ++pos_;
    }
    return {Tok::Ident, std::string(s_.substr(start, pos_ - start))};
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : lexer_(s) { advance(); }

  Result<std::vector<LabelSelector::Requirement>> parse() {
    std::vector<LabelSelector::Requirement> out;
    if (cur_.type == Tok::End) {
      return out;
    }
    for (;;) {
      auto r = requirement();
      if (!r.ok()) {
        return r.error();
      }
      out.push_back(std::move(r).value());
      if (cur_.type == Tok::End) {
        return out;
      }
      if (cur_.type != Tok::Comma) {
        return error("expected ',' or the end, found '" + cur_.text + "'");
      }
      advance();
    }
  }

 private:
  using Req = LabelSelector::Requirement;
  using Op = LabelSelector::Op;

  void advance() { cur_ = lexer_.next(); }
  static Failure error(const std::string& what) { return fail(Errc::Invalid, what); }

  Result<std::string> key() {
    if (cur_.type != Tok::Ident) {
      return error(cur_.type == Tok::End ? "expected a label key, found the end"
                                         : "expected a label key, found '" + cur_.text + "'");
    }
    std::string why;
    if (!validLabelKey(cur_.text, &why)) {
      return error("invalid label key \"" + cur_.text + "\": " + why);
    }
    std::string k = cur_.text;
    advance();
    return k;
  }

  Result<std::string> value() {
    if (cur_.type != Tok::Ident) {
      return std::string();  // k= selects the empty value
    }
    std::string why;
    if (!validLabelValue(cur_.text, &why)) {
      return error("invalid label value \"" + cur_.text + "\": " + why);
    }
    std::string v = cur_.text;
    advance();
    return v;
  }

  Result<Req> requirement() {
    if (cur_.type == Tok::Bang) {
      advance();
      auto k = key();
      if (!k.ok()) {
        return k.error();
      }
      return Req{std::move(k).value(), Op::DoesNotExist, {}};
    }
    auto k = key();
    if (!k.ok()) {
      return k.error();
    }
    Req r{std::move(k).value(), Op::Exists, {}};
    switch (cur_.type) {
      case Tok::End:
      case Tok::Comma: return r;
      case Tok::Eq:
      case Tok::DoubleEq:
      case Tok::NotEq: {
        r.op = cur_.type == Tok::NotEq ? Op::NotEquals : Op::Equals;
        advance();
        auto v = value();
        if (!v.ok()) {
          return v.error();
        }
        r.values.push_back(std::move(v).value());
        return r;
      }
      case Tok::Gt:
      case Tok::Lt: {
        r.op = cur_.type == Tok::Gt ? Op::GreaterThan : Op::LessThan;
        advance();
        long long n = 0;
        const std::string& t = cur_.text;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (cur_.type != Tok::Ident || ec != std::errc() || p != t.data() + t.size()) {
          return error("the value of " + r.key + (r.op == Op::GreaterThan ? " >" : " <") +
                       " must be an integer");
        }
        r.values.push_back(t);
        advance();
        return r;
      }
      case Tok::Ident:
        if (cur_.text == "in" || cur_.text == "notin") {
          r.op = cur_.text == "in" ? Op::In : Op::NotIn;
          advance();
          return set(std::move(r));
        }
        return error("expected an operator after \"" + r.key + "\", found '" + cur_.text + "'");
      default:
        return error("expected an operator after \"" + r.key + "\", found '" + cur_.text + "'");
    }
  }

  Result<Req> set(Req r) {
    const std::string opName = r.op == Op::In ? "in" : "notin";
    if (cur_.type != Tok::Open) {
      return error("expected '(' after \"" + r.key + " " + opName + "\"");
    }
    advance();
    if (cur_.type == Tok::Close) {
      return error("the values of \"" + r.key + " " + opName + "\" must not be empty");
    }
    for (;;) {
      auto v = value();
      if (!v.ok()) {
        return v.error();
      }
      r.values.push_back(std::move(v).value());
      if (cur_.type == Tok::Close) {
        advance();
        break;
      }
      if (cur_.type != Tok::Comma) {
        return error("expected ',' or ')' in the values of \"" + r.key + " " + opName + "\"");
      }
      advance();
    }
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
    return r;
  }

  Lexer lexer_;
  Token cur_{Tok::End, ""};
};

const std::string* lookup(const Labels& labels, const std::string& key) {
  auto it = std::lower_bound(labels.begin(), labels.end(), key,
                             [](const auto& kv, const std::string& k) { return kv.first < k; });
  if (it == labels.end() || it->first != key) {
    return nullptr;
  }
  return &it->second;
}

bool contains(const std::vector<std::string>& values, const std::string& v) {
  return std::binary_search(values.begin(), values.end(), v);
}

}  // namespace

bool validLabelKey(std::string_view key, std::string* why) {
  auto no = [&](const std::string& w) {
    if (why) {
      *why = w;
    }
    return false;
  };
  std::string_view name = key;
  if (const auto slash = key.find('/'); slash != std::string_view::npos) {
    const std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (!dnsSubdomain(prefix)) {
      return no("the prefix must be a DNS subdomain (lowercase alphanumerics, '-' and '.')");
    }
  }
  if (!qualifiedName(name)) {
    return no(
        "the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an "
        "alphanumeric");
  }
  return true;
}

bool validLabelValue(std::string_view value, std::string* why) {
  if (value.empty() || qualifiedName(value)) {
    return true;
  }
  if (why) {
    *why =
        "a value must be at most 63 alphanumerics, '-', '_' or '.', starting and ending with an "
        "alphanumeric";
  }
  return false;
}

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  auto reqs = Parser(text).parse();
  if (!reqs.ok()) {
    return fail(Errc::Invalid,
                "label selector \"" + std::string(text) + "\": " + reqs.error().message);
  }
  LabelSelector s;
  s.reqs_ = std::move(reqs).value();
  return s;
}

LabelSelector LabelSelector::fromMap(const std::map<std::string, std::string>& labels) {
  LabelSelector s;
  for (const auto& [k, v] : labels) {
    s.reqs_.push_back({k, Op::Equals, {v}});
  }
  return s;
}

namespace {

bool integerCompare(const std::string* have, const std::string& want, bool greater) {
  long long h = 0;
  long long w = 0;
  auto [p1, e1] = std::from_chars(have->data(), have->data() + have->size(), h);
  auto [p2, e2] = std::from_chars(want.data(), want.data() + want.size(), w);
  if (e1 != std::errc() || p1 != have->data() + have->size() || e2 != std::errc() ||
      p2 != want.data() + want.size()) {
    return false;
  }
  return greater ? h > w : h < w;
}

bool requirementMatches(const LabelSelector::Requirement& r, const std::string* v) {
  using Op = LabelSelector::Op;
  switch (r.op) {
    case Op::Exists: return v != nullptr;
    case Op::DoesNotExist: return v == nullptr;
    case Op::Equals:
    case Op::In: return v != nullptr && contains(r.values, *v);
    case Op::NotEquals:
    case Op::NotIn: return v == nullptr || !contains(r.values, *v);
    case Op::GreaterThan:
    case Op::LessThan:
      return v != nullptr && integerCompare(v, r.values.front(), r.op == Op::GreaterThan);
  }
  return false;
}

}  // namespace

bool LabelSelector::matches(const Labels& labels) const {
  for (const Requirement& r : reqs_) {
    if (!requirementMatches(r, lookup(labels, r.key))) {
      return false;
    }
  }
  return true;
}

std::string LabelSelector::toString() const {
  std::string out;
  for (const Requirement& r : reqs_) {
    if (!out.empty()) {
      out += ",";
    }
    auto joined = [&] {
      std::string s;
      for (const auto& v : r.values) {
        s += (s.empty() ? "" : ",") + v;
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
