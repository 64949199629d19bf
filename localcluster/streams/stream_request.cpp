#include "localcluster/streams/stream_request.h"

#include <algorithm>
#include <cctype>

namespace mysqlop::local::streams {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Go's %v of a []string: [a b c].
std::string goList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i ? " " : "") + items[i];
  }
  return out + "]";
}

// Which client needs which protocol, for the message when nothing matches.
std::string servedSummary(StreamKind kind) {
  if (kind == StreamKind::Exec) {
    return "this server serves exec over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io: "
           "kubectl 1.30 and newer) and over SPDY/3.1 (v4.channel.k8s.io: kubectl 1.5 and newer)";
  }
  return "this server serves port-forward over SPDY/3.1 (portforward.k8s.io) and over WebSocket "
         "tunnelling it (SPDY/3.1+portforward.k8s.io: kubectl 1.31 and newer)";
}

}  // namespace

const std::vector<std::string>& servedWebSocketProtocols(StreamKind kind) {
  static const std::vector<std::string> exec = {"v5.channel.k8s.io", "v4.channel.k8s.io"};
  static const std::vector<std::string> pf = {"SPDY/3.1+portforward.k8s.io"};
  return kind == StreamKind::Exec ? exec : pf;
}

const std::vector<std::string>& servedSpdyProtocols(StreamKind kind) {
  static const std::vector<std::string> exec = {"v4.channel.k8s.io"};
  static const std::vector<std::string> pf = {"portforward.k8s.io"};
  return kind == StreamKind::Exec ? exec : pf;
}

Result<ProtocolChoice> negotiateProtocol(StreamKind kind, const std::string& upgrade,
                                         const std::vector<std::string>& offered) {
  const std::string up = lower(upgrade);
  ProtocolChoice choice;
  if (up == "websocket") {
    choice.websocket = true;
    for (const auto& want : offered) {  // the client's order of preference
      for (const auto& served : servedWebSocketProtocols(kind)) {
        if (want == served) {
          choice.protocol = served;
          return choice;
        }
      }
    }
    return fail(Errc::Forbidden,
                "unable to upgrade: requested protocol(s) are not supported: " + goList(offered) +
                    "; supports " + goList(servedWebSocketProtocols(kind)) + "; " +
                    servedSummary(kind));
  }
  if (up == "spdy/3.1") {
    if (offered.empty()) {
      return fail(Errc::Invalid, "unable to upgrade: X-Stream-Protocol-Version is required");
    }
    for (const auto& served : servedSpdyProtocols(kind)) {  // the server's preference
      if (std::find(offered.begin(), offered.end(), served) != offered.end()) {
        choice.protocol = served;
        return choice;
      }
    }
    return fail(Errc::Forbidden,
                "unable to upgrade: unable to negotiate protocol: client supports " +
                    goList(offered) + ", server accepts " + goList(servedSpdyProtocols(kind)) +
                    "; " + servedSummary(kind));
  }
  return fail(Errc::Invalid,
              "unable to upgrade: unsupported Upgrade \"" + upgrade + "\"; " + servedSummary(kind));
}

Result<bool> parseGoBool(const std::string& text) {
  static const std::vector<std::string> yes = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::vector<std::string> no = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(yes.begin(), yes.end(), text) != yes.end()) {
    return true;
  }
  if (std::find(no.begin(), no.end(), text) != no.end()) {
    return false;
  }
  return fail(Errc::Invalid, "strconv.ParseBool: parsing \"" + text + "\": invalid syntax");
}

Result<PodExecOptions> parseExecQuery(const QueryValues& query) {
  PodExecOptions o;
  auto flag = [&query](const char* name, bool& out) -> Result<void> {
    auto it = query.find(name);
    if (it == query.end()) {
      out = false;
      return {};
    }
    auto v = parseGoBool(it->second);
    if (!v.ok()) {
      return v.error();
    }
    out = v.value();
    return {};
  };
  for (const char* name : {"stdin", "stdout", "stderr", "tty"}) {
    bool value = false;
    if (auto r = flag(name, value); !r.ok()) {
      return r.error();
    }
    std::string n = name;
    if (n == "stdin") {
      o.stdin = value;
    } else if (n == "stdout") {
      o.stdout = value;
    } else if (n == "stderr") {
      o.stderr = value;
    } else {
      o.tty = value;
    }
  }
  auto range = query.equal_range("command");
  for (auto it = range.first; it != range.second; ++it) {
    o.command.push_back(it->second);
  }
  auto c = query.find("container");
  if (c != query.end()) {
    o.container = c->second;
  }
  if (o.tty) {
    o.stderr = false;  // the terminal carries both (the kubelet drops stderr)
  }
  if (!o.stdin && !o.stdout && !o.stderr) {
    return fail(Errc::Invalid, "you must specify at least 1 of stdin, stdout, stderr");
  }
  if (o.command.empty()) {
    return fail(Errc::Invalid, "command is required");
  }
  return o;
}

}  // namespace mysqlop::local::streams
