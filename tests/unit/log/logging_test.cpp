// Log lines in text and JSON, and secrets never printed: by value once registered, by shape always.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/log/logging.h"
#include "core/log/redactor.h"

namespace mysqlop::log {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class Logging : public ::testing::Test {
 protected:
  void use(Format f) {
    out_.str("");
    initWithSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_), f, spdlog::level::debug);
  }
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }
  std::ostringstream out_;
};

TEST_F(Logging, TextLinesHaveTimeLevelLoggerAndMessage) {
  use(Format::Text);
  makeLogger("plugin/cluster")->info("reconciled {}", "ns/c1");
  EXPECT_THAT(text(), MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{15}Z info "
                                   "\\[plugin/cluster\\] reconciled ns/c1\n"));
}

TEST_F(Logging, JsonLinesAreOneObjectEach) {
  use(Format::Json);
  spdlog::warn("quote \" and newline\n here");
  makeLogger("host")->error("x");
  std::istringstream lines(text());
  std::string first;
  std::string second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto a = nlohmann::json::parse(first);
  EXPECT_EQ(a["level"], "warning");
  EXPECT_EQ(a["msg"], "quote \" and newline\n here");
  EXPECT_FALSE(a.contains("logger"));
  auto b = nlohmann::json::parse(second);
  EXPECT_EQ(b["logger"], "host");
  EXPECT_EQ(b["level"], "error");
  EXPECT_THAT(b["ts"].get<std::string>(), MatchesRegex("[0-9T:.-]+Z"));
}

TEST_F(Logging, RegisteredSecretsAreMaskedEverywhere) {
  use(Format::Json);
  Redactor::global().addSecret("Tr0ub4dor&3");
  makeLogger("plugin/user")->info("connecting with Tr0ub4dor&3 to host");
  EXPECT_THAT(text(), Not(HasSubstr("Tr0ub4dor")));
  EXPECT_THAT(text(), HasSubstr("connecting with *** to host"));
}

TEST(Redactor, ShapesAreMaskedEvenWhenNeverRegistered) {
  Redactor r;
  EXPECT_EQ(r.redact("password=hunter22 user=root"), "password=*** user=root");
  EXPECT_EQ(r.redact(R"({"ROOT_PASSWORD":"abc","user":"x"})"),
            R"({"ROOT_PASSWORD":"***","user":"x"})");
  EXPECT_EQ(r.redact("AWS_SECRET_ACCESS_KEY: wJalrXUtn"), "AWS_SECRET_ACCESS_KEY: ***");
  EXPECT_EQ(r.redact("CREATE USER 'u'@'%' IDENTIFIED BY 'p@ss''word'"),
            "CREATE USER 'u'@'%' IDENTIFIED BY ***");
  EXPECT_EQ(r.redact("Authorization: Bearer eyJhbGciOi.abc"), "Authorization: Bearer ***");
  EXPECT_EQ(r.redact("token: abc123 and more"), "token: *** and more");
  EXPECT_EQ(r.redact("nothing secret here"), "nothing secret here");
  EXPECT_EQ(r.redact("clientSecret=abc123"), "clientSecret=***");
  EXPECT_EQ(r.redact("orchestratorTopologyPassword\":\"x1\""),
            "orchestratorTopologyPassword\":\"***\"");
}

TEST(Redactor, KeysThatOnlyMentionASecretAreLeftAlone) {
  Redactor r;
  EXPECT_EQ(r.redact("spec.secretName: Secret \"x\" not found"),
            "spec.secretName: Secret \"x\" not found");
  EXPECT_EQ(r.redact("tokenFile: /var/run/token"), "tokenFile: /var/run/token");
  EXPECT_EQ(r.redact("backupSecretName=creds"), "backupSecretName=creds");
}

TEST(Redactor, ShortValuesAreNotRedactedByValue) {
  Redactor r;
  r.addSecret("abc");  // would mask ordinary words
  r.addSecret("");
  EXPECT_EQ(r.redact("abcdef"), "abcdef");
  EXPECT_EQ(r.secretCount(), 0U);
}

TEST(Redactor, LongerSecretsAreMaskedBeforeTheirSubstrings) {
  Redactor r;
  r.addSecret("secretvalue");
  r.addSecret("secretvalue-extended");
  EXPECT_EQ(r.redact("a secretvalue-extended b secretvalue"), "a *** b ***");
}

TEST(Format, Parse) {
  Format f = Format::Text;
  EXPECT_TRUE(parseFormat("json", &f));
  EXPECT_EQ(f, Format::Json);
  EXPECT_FALSE(parseFormat("xml", &f));
}

}  // namespace
}  // namespace mysqlop::log
