// The conformance checks. Each states one invariant of docs/backup-targets.md; a check fails with
// a message that says what the target did instead. Checks never sleep: a target is synchronous,
// so what commit returned is what a reader sees next.
#include "target-check/checks.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targetcheck {

namespace {

struct Failed {
  std::string why;
};

void require(bool ok, const std::string& why) {
  if (!ok) {
    throw Failed{why};
  }
}

std::string describe(const Outcome& o) {
  std::string s = mysqlop::statusName(o.status);
  if (!o.message.empty()) {
    s += " (\"" + o.message + "\")";
  }
  return s;
}

void requireOk(const Outcome& o, const std::string& what) {
  require(o.ok(), what + " failed: " + describe(o));
}

// A deterministic byte stream: the same seed gives the same bytes, on the writing and the reading
// side, without keeping the object in memory.
class Stream {
 public:
  explicit Stream(std::uint64_t seed) : x_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  void fill(char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) {
      x_ ^= x_ << 13;
      x_ ^= x_ >> 7;
      x_ ^= x_ << 17;
      std::memcpy(p + i, &x_, std::min<std::size_t>(8, n - i));
    }
  }
  std::string bytes(std::size_t n) {
    std::string s(n, '\0');
    fill(s.data(), n);
    return s;
  }

 private:
  std::uint64_t x_;
};

// FNV-1a, 64 bits: enough to tell a stream read back from the one written.
struct Digest {
  std::uint64_t h = 0xcbf29ce484222325ull;
  std::uint64_t n = 0;
  void add(const char* p, std::size_t len) {
    for (std::size_t i = 0; i < len; ++i) {
      h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ull;
    }
    n += len;
  }
  bool operator==(const Digest&) const = default;
};

std::uint64_t procStatus(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string k = std::string(key) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, k.size(), k) == 0) {
      return std::stoull(line.substr(k.size())) * 1024;  // kB
    }
  }
  return 0;
}

std::string mib(std::uint64_t bytes) {
  std::ostringstream o;
  o.precision(1);
  o << std::fixed << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
  return o.str();
}

std::vector<std::string> urlsOf(const std::vector<Listed>& l) {
  std::vector<std::string> out;
  for (const auto& e : l) {
    out.push_back(e.url);
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    s += (i ? ", " : "") + v[i];
  }
  return s + "]";
}

// Nothing at url: the reader answers NotFound and a list of url reports nothing but the objects
// in allowed (a temporary name would show up here).
void requireInvisible(TargetClient& c, const std::string& url,
                      const std::vector<std::string>& allowed = {}) {
  const Outcome o = c.probe(url);
  require(o.status == mysqlop_status_NotFound,
          "open_reader of " + url + " answered " + describe(o) + ", expected NotFound");
  std::vector<Listed> l;
  requireOk(c.list(url, &l), "list " + url);
  require(urlsOf(l) == allowed,
          "list " + url + " reported " + join(urlsOf(l)) + ", expected " + join(allowed));
}

std::string lastSegment(const std::string& url) {
  const auto at = url.find_last_of('/');
  return at == std::string::npos ? url : url.substr(at + 1);
}

std::string schemeOf(const std::string& url) {
  const auto at = url.find("://");
  return at == std::string::npos ? url : url.substr(0, at);
}

class Checks {
 public:
  Checks(TargetClient& c, const Options& o, std::string run) : c_(c), o_(o), run_(std::move(run)) {}

  void writeCommitRead() {
    const std::string data = Stream(1).bytes(300000);
    requireOk(c_.put(run_ + "basic/object", data, 7000), "writing " + run_ + "basic/object");
    std::string back;
    requireOk(c_.get(run_ + "basic/object", &back, 4096), "reading it back");
    require(back.size() == data.size(), "read back " + std::to_string(back.size()) +
                                            " bytes, wrote " + std::to_string(data.size()));
    require(back == data, "the bytes read back differ from the bytes written");
    // An empty object is an object too.
    requireOk(c_.put(run_ + "basic/empty", ""), "writing an empty object");
    requireOk(c_.get(run_ + "basic/empty", &back), "reading the empty object");
    require(back.empty(),
            "the empty object read back as " + std::to_string(back.size()) + " bytes");
  }

  void overwriteReplaces() {
    const std::string url = run_ + "basic/replaced";
    requireOk(c_.put(url, "first version, longer than the second"), "writing " + url);
    requireOk(c_.put(url, "second"), "writing it again");
    std::string back;
    requireOk(c_.get(url, &back), "reading it back");
    require(back == "second", "after the second commit the object reads \"" + back + "\"");
  }

  void nothingVisibleBeforeCommit() {
    const std::string url = run_ + "pending/object";
    std::unique_ptr<TargetClient::Writer> w;
    requireOk(c_.openWriter(url, &w), "open_writer " + url);
    requireOk(w->write("some bytes", 10), "write");
    requireInvisible(c_, url);
    std::vector<Listed> l;
    requireOk(c_.list(run_ + "pending/", &l), "list " + run_ + "pending/");
    require(l.empty(),
            "while a writer is open, list " + run_ + "pending/ reported " + join(urlsOf(l)));
    requireOk(w->commit(), "commit");
    std::string back;
    requireOk(c_.get(url, &back), "reading it after commit");
    require(back == "some bytes", "after commit the object reads \"" + back + "\"");
  }

  void abortLeavesNothing() {
    const std::string url = run_ + "aborted/object";
    std::unique_ptr<TargetClient::Writer> w;
    requireOk(c_.openWriter(url, &w), "open_writer " + url);
    requireOk(w->write("doomed", 6), "write");
    w->abort();
    requireInvisible(c_, url);
    std::vector<Listed> l;
    requireOk(c_.list(run_ + "aborted/", &l), "list");
    require(l.empty(), "after abort, list " + run_ + "aborted/ reported " + join(urlsOf(l)));
    // An aborted replacement keeps the old object.
    const std::string kept = run_ + "aborted/kept";
    requireOk(c_.put(kept, "old"), "writing " + kept);
    requireOk(c_.openWriter(kept, &w), "open_writer " + kept);
    requireOk(w->write("new", 3), "write");
    w->abort();
    std::string back;
    requireOk(c_.get(kept, &back), "reading " + kept);
    require(back == "old", "an aborted replacement changed the object to \"" + back + "\"");
  }

  // A commit that cannot succeed on a file system: the object's name is a directory holding
  // another object. Stores with flat names accept it; the check then says so.
  std::string failedCommitLeavesNothing() {
    const std::string inner = run_ + "clash/inner";
    const std::string url = run_ + "clash";
    requireOk(c_.put(inner, "inner"), "writing " + inner);
    std::unique_ptr<TargetClient::Writer> w;
    requireOk(c_.openWriter(url, &w), "open_writer " + url);
    requireOk(w->write("clash", 5), "write");
    const Outcome o = w->commit();
    if (o.ok()) {
      requireOk(c_.remove(url), "removing " + url);
      throw Skipped{
          "the store accepts an object beside a prefix of the same name, so this "
          "commit cannot be made to fail"};
    }
    require(!o.message.empty(), "the failed commit gave no message");
    // Listing the name still shows the object below it, and nothing else.
    requireInvisible(c_, url, {inner});
    return "commit answered " + describe(o);
  }

  void listOrderAndPrefixes() {
    const std::string p = run_ + "list/";
    const std::vector<std::string> names = {"b", "a", "c/2", "ab", "c/1", "a-1"};
    for (std::size_t i = 0; i < names.size(); ++i) {
      requireOk(c_.put(p + names[i], std::string(i + 1, 'x')), "writing " + p + names[i]);
    }
    auto expect = [&](const std::string& prefix, std::vector<std::string> want) {
      for (auto& w : want) {
        w = p + w;
      }
      std::vector<Listed> l;
      requireOk(c_.list(prefix, &l), "list " + prefix);
      require(urlsOf(l) == want,
              "list " + prefix + " reported " + join(urlsOf(l)) + ", expected " + join(want));
      return l;
    };
    const auto all = expect(p, {"a", "a-1", "ab", "b", "c/1", "c/2"});
    for (const auto& e : all) {
      const auto i = std::find(names.begin(), names.end(), e.url.substr(p.size())) - names.begin();
      require(e.size == static_cast<std::uint64_t>(i + 1),
              "list reported " + std::to_string(e.size) + " bytes for " + e.url + ", wrote " +
                  std::to_string(i + 1));
    }
    expect(p + "a", {"a", "a-1", "ab"});
    expect(p + "c/", {"c/1", "c/2"});
    expect(p + "zz", {});
  }

  void readMissing() {
    const std::string url = run_ + "missing/nothing-here";
    std::string back;
    const Outcome o = c_.get(url, &back);
    require(o.status == mysqlop_status_NotFound,
            "reading " + url + " answered " + describe(o) + ", expected NotFound");
    require(o.message.find(lastSegment(url)) != std::string::npos,
            "the NotFound message \"" + o.message + "\" does not name the object");
  }

  void removeAndNotFound() {
    const std::string url = run_ + "removed/object";
    requireOk(c_.put(url, "x"), "writing " + url);
    requireOk(c_.remove(url), "remove " + url);
    requireInvisible(c_, url);
    const Outcome o = c_.remove(url);
    require(o.status == mysqlop_status_NotFound,
            "removing it again answered " + describe(o) + ", expected NotFound");
    require(o.message.find(lastSegment(url)) != std::string::npos,
            "the NotFound message \"" + o.message + "\" does not name the object");
  }

  std::string largeObject() {
    const std::string url = run_ + "large/object";
    std::vector<char> chunk(o_.chunkSize);
    const bool reset = resetPeakRss();
    const std::uint64_t before = reset ? procStatus("VmRSS") : peakRss();
    const auto start = std::chrono::steady_clock::now();
    Digest wrote;
    {
      std::unique_ptr<TargetClient::Writer> w;
      requireOk(c_.openWriter(url, &w), "open_writer " + url);
      Stream s(42);
      for (std::uint64_t at = 0; at < o_.largeSize; at += chunk.size()) {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), o_.largeSize - at));
        s.fill(chunk.data(), n);
        wrote.add(chunk.data(), n);
        requireOk(w->write(chunk.data(), n), "write at offset " + std::to_string(at));
      }
      requireOk(w->commit(), "commit");
    }
    const double writeSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::uint64_t peakWrite = peakRss();
    Digest read;
    requireOk(c_.read(url, o_.chunkSize, [&](const char* p, std::size_t n) { read.add(p, n); }),
              "reading it back");
    require(read.n == wrote.n,
            "read back " + std::to_string(read.n) + " bytes, wrote " + std::to_string(wrote.n));
    require(read == wrote, "the bytes read back differ from the bytes written");
    std::vector<Listed> l;
    requireOk(c_.list(url, &l), "list " + url);
    require(
        l.size() == 1 && l[0].size == o_.largeSize,
        "list " + url + " did not report one object of " + std::to_string(o_.largeSize) + " bytes");
    const std::uint64_t growth = peakWrite > before ? peakWrite - before : 0;
    require(growth <= o_.maxRssGrowth, "peak RSS grew by " + mib(growth) + " while writing " +
                                           mib(o_.largeSize) + " (limit " + mib(o_.maxRssGrowth) +
                                           ")");
    requireOk(c_.remove(url), "removing it");
    std::ostringstream d;
    d.precision(1);
    d << std::fixed << mib(o_.largeSize) << " written at "
      << static_cast<double>(o_.largeSize) / (1024.0 * 1024.0) / std::max(writeSeconds, 1e-6)
      << " MiB/s; peak RSS growth while writing " << mib(growth) << " (peak RSS " << mib(peakWrite)
      << (reset ? "" : ", peak not reset: includes earlier checks") << ")";
    return d.str();
  }

  std::string concurrentWriters() {
    const std::string p = run_ + "concurrent/";
    const std::size_t size = 4u << 20;
    std::vector<std::thread> threads;
    std::vector<Outcome> outcomes(static_cast<std::size_t>(o_.writers));
    std::vector<Digest> digests(outcomes.size());
    std::atomic<int> open{0};
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      threads.emplace_back([&, i] {
        std::unique_ptr<TargetClient::Writer> w;
        Outcome o = c_.openWriter(p + "w" + std::to_string(i), &w);
        ++open;
        Stream s(100 + i);
        std::vector<char> buf(64 * 1024);
        for (std::size_t at = 0; o.ok() && at < size; at += buf.size()) {
          s.fill(buf.data(), buf.size());
          digests[i].add(buf.data(), buf.size());
          o = w->write(buf.data(), buf.size());
        }
        outcomes[i] = o.ok() ? w->commit() : o;
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    std::vector<std::string> want;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      requireOk(outcomes[i], "writer " + std::to_string(i));
      want.push_back(p + "w" + std::to_string(i));
    }
    std::sort(want.begin(), want.end());
    std::vector<Listed> l;
    requireOk(c_.list(p, &l), "list " + p);
    require(urlsOf(l) == want, "list " + p + " reported " + join(urlsOf(l)));
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      Digest d;
      requireOk(c_.read(p + "w" + std::to_string(i), 1u << 16,
                        [&](const char* b, std::size_t n) { d.add(b, n); }),
                "reading writer " + std::to_string(i) + "'s object");
      require(d == digests[i], "writer " + std::to_string(i) + "'s object reads back different");
    }
    return std::to_string(o_.writers) + " writers of " + mib(size) + " each";
  }

  void badUrlOtherScheme() {
    const std::string url = "kit-no-such-scheme://bucket/object";
    std::unique_ptr<TargetClient::Writer> w;
    Outcome o = c_.openWriter(url, &w);
    require(o.status == mysqlop_status_InvalidConfig,
            "open_writer " + url + " answered " + describe(o) + ", expected InvalidConfig");
    require(o.message.find(url) != std::string::npos,
            "the message \"" + o.message + "\" does not name the URL " + url);
    o = c_.probe(url);
    require(o.status == mysqlop_status_InvalidConfig,
            "open_reader " + url + " answered " + describe(o) + ", expected InvalidConfig");
    std::vector<Listed> l;
    o = c_.list(url, &l);
    require(o.status == mysqlop_status_InvalidConfig,
            "list " + url + " answered " + describe(o) + ", expected InvalidConfig");
  }

  void badUrlMalformed() {
    // The target's own scheme without "//": no store accepts it.
    const std::string url = schemeOf(o_.url) + ":kit-relative/object";
    std::unique_ptr<TargetClient::Writer> w;
    const Outcome o = c_.openWriter(url, &w);
    require(o.status == mysqlop_status_InvalidConfig,
            "open_writer " + url + " answered " + describe(o) + ", expected InvalidConfig");
    require(o.message.find(url) != std::string::npos,
            "the message \"" + o.message + "\" does not name the URL " + url);
  }

  std::string badCredentials() {
    if (o_.badCredentials.empty()) {
      throw Skipped{"no --bad-credentials given (a target without credentials)"};
    }
    const std::string url = run_ + "denied/object";
    // The good credentials with the bad ones put over them (the endpoint, the region stay).
    auto merged = o_.credentials;
    for (const auto& [k, v] : o_.badCredentials) {
      std::erase_if(merged, [&](const auto& kv) { return kv.first == k; });
      merged.emplace_back(k, v);
    }
    std::unique_ptr<TargetClient::Writer> w;
    Outcome o = c_.openWriter(url, &w, merged);
    if (o.ok()) {
      o = w->write("x", 1);
      o = o.ok() ? w->commit() : o;
      w.reset();
    }
    require(o.status == mysqlop_status_Forbidden,
            "writing with the bad credentials answered " + describe(o) + ", expected Forbidden");
    bool named = false;
    for (const auto& [k, v] : o_.badCredentials) {
      named = named || o.message.find(k) != std::string::npos;
    }
    require(named, "the message \"" + o.message + "\" names none of the credential keys");
    return "answered " + describe(o);
  }

  void noSecretInMessages() {
    std::vector<std::string> secrets;
    for (const auto* list : {&o_.credentials, &o_.badCredentials}) {
      for (const auto& [k, v] : *list) {
        if (v.size() >= 4) {
          secrets.push_back(v);
        }
      }
    }
    for (const auto& m : c_.messages()) {
      for (const auto& s : secrets) {
        require(m.find(s) == std::string::npos,
                "an error message reveals the value of a credential: \"" + m + "\"");
      }
    }
  }

  struct Skipped {
    std::string why;
  };

 private:
  TargetClient& c_;
  const Options& o_;
  std::string run_;
};

}  // namespace

std::uint64_t peakRss() { return procStatus("VmHWM"); }

bool resetPeakRss() {
  const int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  const bool ok = ::write(fd, "5", 1) == 1;
  ::close(fd);
  return ok;
}

std::size_t cleanUp(TargetClient& client, const std::string& prefix) {
  std::vector<Listed> l;
  if (!client.list(prefix, &l).ok()) {
    return 1;
  }
  for (const auto& e : l) {
    client.remove(e.url);
  }
  client.list(prefix, &l);
  return l.size();
}

std::vector<CheckResult> runChecks(TargetClient& client, const Options& options,
                                   const std::string& run,
                                   const std::function<void(const CheckResult&)>& report) {
  Checks k(client, options, run);
  std::vector<std::pair<std::string, std::function<std::string()>>> checks = {
      {"write_commit_read",
       [&] {
         k.writeCommitRead();
         return std::string();
       }},
      {"overwrite_replaces",
       [&] {
         k.overwriteReplaces();
         return std::string();
       }},
      {"nothing_visible_before_commit",
       [&] {
         k.nothingVisibleBeforeCommit();
         return std::string();
       }},
      {"abort_leaves_nothing",
       [&] {
         k.abortLeavesNothing();
         return std::string();
       }},
      {"failed_commit_leaves_nothing", [&] { return k.failedCommitLeavesNothing(); }},
      {"list_order_and_prefixes",
       [&] {
         k.listOrderAndPrefixes();
         return std::string();
       }},
      {"read_missing_is_not_found",
       [&] {
         k.readMissing();
         return std::string();
       }},
      {"remove_then_not_found",
       [&] {
         k.removeAndNotFound();
         return std::string();
       }},
      {"large_object_bounded_memory", [&] { return k.largeObject(); }},
      {"concurrent_writers", [&] { return k.concurrentWriters(); }},
      {"bad_url_other_scheme",
       [&] {
         k.badUrlOtherScheme();
         return std::string();
       }},
      {"bad_url_malformed",
       [&] {
         k.badUrlMalformed();
         return std::string();
       }},
      {"bad_credentials_forbidden", [&] { return k.badCredentials(); }},
      {"no_credential_in_messages",
       [&] {
         k.noSecretInMessages();
         return std::string();
       }},
      {"clean_up_leaves_nothing",
       [&] {
         const std::size_t left = cleanUp(client, run);
         require(left == 0, std::to_string(left) + " object(s) under " + run +
                                " are still listed after removing every one");
         return std::string();
       }},
  };
  std::vector<CheckResult> results;
  for (auto& [name, f] : checks) {
    CheckResult r{name, Verdict::Pass, ""};
    try {
      r.detail = f();
    } catch (const Failed& e) {
      r.verdict = Verdict::Fail;
      r.detail = e.why;
    } catch (const Checks::Skipped& e) {
      r.verdict = Verdict::Skip;
      r.detail = e.why;
    } catch (const std::exception& e) {
      r.verdict = Verdict::Fail;
      r.detail = std::string("the kit caught an exception: ") + e.what();
    }
    report(r);
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace mysqlop::targetcheck
