#include "target-check/args.h"

#include <cctype>
#include <cstdlib>

namespace mysqlop::targetcheck {

std::optional<std::uint64_t> parseSize(const std::string& text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) {
    return std::nullopt;
  }
  std::size_t end = 0;
  std::uint64_t v = 0;
  try {
    v = std::stoull(text, &end);
  } catch (...) {
    return std::nullopt;
  }
  const std::string suffix = text.substr(end);
  int shift = 0;
  if (suffix == "K" || suffix == "KiB") {
    shift = 10;
  } else if (suffix == "M" || suffix == "MiB") {
    shift = 20;
  } else if (suffix == "G" || suffix == "GiB") {
    shift = 30;
  } else if (!suffix.empty()) {
    return std::nullopt;
  }
  if (shift && v > (~0ull >> shift)) {
    return std::nullopt;
  }
  return v << shift;
}

bool wantsHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      return true;
    }
  }
  return false;
}

std::optional<std::string> parseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) {
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    auto pair =
        [&](std::vector<std::pair<std::string, std::string>>* into) -> std::optional<std::string> {
      auto v = value();
      if (!v) {
        return a + " needs KEY=VALUE";
      }
      const auto eq = v->find('=');
      if (eq == std::string::npos || eq == 0) {
        // Never echo the argument: it may be a secret without its key.
        return a + " takes KEY=VALUE; an argument has no '=' or no key";
      }
      into->emplace_back(v->substr(0, eq), v->substr(eq + 1));
      return std::nullopt;
    };
    auto size = [&](std::uint64_t* into) -> std::optional<std::string> {
      auto v = value();
      if (!v) {
        return a + " needs a size in bytes";
      }
      auto n = parseSize(*v);
      if (!n || *n == 0) {
        return a + ": expected a size in bytes (K, M or G suffix allowed), got \"" + *v + "\"";
      }
      *into = *n;
      return std::nullopt;
    };
    std::optional<std::string> bad;
    if (a == "--url") {
      auto v = value();
      if (!v) {
        return "--url needs a URL";
      }
      o->url = *v;
    } else if (a == "--config") {
      auto v = value();
      if (!v) {
        return "--config needs a JSON object";
      }
      o->configJson = *v;
    } else if (a == "--credentials") {
      bad = pair(&o->credentials);
    } else if (a == "--credentials-env") {
      // The value comes from the environment, so that a secret need not be on the command line
      // (where ps shows it).
      auto v = value();
      if (!v || v->empty()) {
        return "--credentials-env needs the name of an environment variable";
      }
      const char* env = std::getenv(v->c_str());
      if (env == nullptr) {
        return "--credentials-env " + *v + ": the environment has no " + *v;
      }
      o->credentials.emplace_back(*v, env);
    } else if (a == "--bad-credentials") {
      bad = pair(&o->badCredentials);
    } else if (a == "--large-size") {
      bad = size(&o->largeSize);
    } else if (a == "--max-rss-growth") {
      bad = size(&o->maxRssGrowth);
    } else if (a == "--writers") {
      std::uint64_t n = 0;
      bad = size(&n);
      if (!bad && n > 64) {
        bad = "--writers: at most 64, got " + std::to_string(n);
      }
      o->writers = static_cast<int>(n);
    } else if (a.size() > 1 && a[0] == '-') {
      return "unknown option " + a;
    } else if (o->pluginPath.empty()) {
      o->pluginPath = a;
    } else {
      return "unexpected argument \"" + a + "\" (one plugin at a time)";
    }
    if (bad) {
      return bad;
    }
  }
  if (o->pluginPath.empty()) {
    return "no plugin given";
  }
  if (o->url.empty()) {
    return "--url is required";
  }
  const auto at = o->url.find("://");
  if (at == std::string::npos || at == 0) {
    return "--url " + o->url + " has no scheme (expected SCHEME://...)";
  }
  return std::nullopt;
}

}  // namespace mysqlop::targetcheck
