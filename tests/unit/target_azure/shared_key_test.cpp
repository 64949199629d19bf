// SharedKey signing: the string to sign against Microsoft's documented example, and signatures
// against a fixed vector computed independently with Python's hmac and base64 modules:
//   base64.b64encode(hmac.new(base64.b64decode(KEY), STS.encode(), hashlib.sha256).digest())
// KEY is azurite's public development key.
#include "plugins/target_azure/src/shared_key.h"

#include <gtest/gtest.h>

namespace mysqlop::targetazure {
namespace {

constexpr const char* kKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

// learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key, "Blob service example"
// for the emulator (the account name twice): GET of a container's metadata.
TEST(SharedKey, StringToSignMatchesMicrosoftsExample) {
  SignedRequest r;
  r.method = "GET";
  r.account = "myaccount";
  r.path = "/myaccount/mycontainer";
  r.query = {{"restype", "container"}, {"comp", "metadata"}, {"timeout", "20"}};
  r.headers = {{"x-ms-date", "Sun, 11 Oct 2009 21:49:13 GMT"}, {"x-ms-version", "2009-09-19"}};
  const std::string expected =
      "GET\n\n\n\n\n\n\n\n\n\n\n\n"
      "x-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n"
      "/myaccount/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20";
  EXPECT_EQ(stringToSign(r), expected);
  EXPECT_EQ(signature(*base64Decode(kKey), expected),
            "Su5rvibNeMxB7A4I87rOtEgCDtdICsL8v5H+yJs0W+M=");
}

TEST(SharedKey, PutBlockSignsItsLengthAndEncodedPath) {
  SignedRequest r;
  r.method = "PUT";
  r.account = "myaccount";
  r.path = "/mycontainer/" + uriEncode("my blob", true);
  r.query = {{"comp", "block"}, {"blockid", "AAAA"}};
  r.headers = {{"content-length", "11"},
               {"x-ms-date", "Fri, 26 Jun 2015 23:39:12 GMT"},
               {"x-ms-version", "2015-02-21"}};
  const std::string sts = stringToSign(r);
  EXPECT_EQ(sts,
            "PUT\n\n\n11\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\n"
            "x-ms-version:2015-02-21\n/myaccount/mycontainer/my%20blob\nblockid:AAAA\ncomp:block");
  EXPECT_EQ(signature(*base64Decode(kKey), sts), "M3V7Kk8Svzj+mCSCE+CWvkkH5q83WaVayHy8sSHjn7s=");
}

TEST(SharedKey, AZeroLengthIsAnEmptyLine) {
  SignedRequest r;
  r.method = "PUT";
  r.account = "a";
  r.path = "/c/b";
  r.headers = {{"content-length", "0"}};
  EXPECT_EQ(stringToSign(r), "PUT\n\n\n\n\n\n\n\n\n\n\n\n/a/c/b");
}

TEST(SharedKey, Base64RoundTripsAndRefusesNonCanonicalText) {
  EXPECT_EQ(base64Encode("ab"), "YWI=");
  EXPECT_EQ(*base64Decode("YWI="), "ab");
  EXPECT_EQ(base64Decode(kKey)->size(), 64u);
  EXPECT_FALSE(base64Decode("not base64!"));
  EXPECT_FALSE(base64Decode("YWI"));
  EXPECT_FALSE(base64Decode(""));
}

}  // namespace
}  // namespace mysqlop::targetazure
