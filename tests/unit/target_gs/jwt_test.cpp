// The service-account JWT: a known answer computed independently with the openssl and basenc
// commands (RS256 is deterministic: RSASSA-PKCS1-v1_5):
//   H=$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | basenc --base64url | tr -d '=\n')
//   C=$(printf '%s' '{"iss":...,"exp":1700003600}' | basenc --base64url -w0 | tr -d '=')
//   S=$(printf '%s' "$H.$C" | openssl dgst -sha256 -sign key.pem -binary | basenc --base64url -w0 |
//   tr -d '=')
#include "plugins/target_gs/src/jwt.h"

#include <gtest/gtest.h>

#include "mysqlop/plugin.hpp"

#include "tests/unit/target_gs/test_key.h"

namespace mysqlop::targetgs {
namespace {

TEST(Jwt, TheAssertionMatchesAnIndependentlySignedOne) {
  EXPECT_EQ(assertion("svc@proj.iam.gserviceaccount.com",
                      "https://www.googleapis.com/auth/devstorage.read_write",
                      "https://oauth2.googleapis.com/token", 1700000000, testkey::kPem),
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJpc3MiOiJzdmNAcHJvai5pYW0uZ3NlcnZpY2VhY2NvdW50LmNvbSIsInNjb3BlIjoiaHR0cHM6Ly93d3cuZ2"
            "9vZ2xlYXBpcy5jb20vYXV0aC9kZXZzdG9yYWdlLnJlYWRfd3JpdGUiLCJhdWQiOiJodHRwczovL29hdXRoMi5n"
            "b29nbGVhcGlzLmNvbS90b2tlbiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ."
            "FKFMeCdfZWuIfhAlmUa2MSN73dGqA7IonDcwFetRti_"
            "q10SSEgRM3Nw2L7cI2J8LH9flYGLnw5yeJ9a1qF5xK0hGbYMPc0xf5try49jz4ge9dkeVbdaCm_"
            "9MOFwyR1GRDKl2_MREGLBqeCTgruf9TyCoC_Q5fYIeLNJ5Y0TstJQ");
}

TEST(Jwt, Base64UrlHasNoPaddingAndUrlLetters) {
  EXPECT_EQ(base64Url("\xfb\xff"), "-_8");
  EXPECT_EQ(base64Url("ab"), "YWI");
}

TEST(Jwt, AKeyThatIsNotPemIsInvalidConfigWithoutItsText) {
  try {
    signRs256("-----BEGIN PRIVATE KEY-----\nnot a key SECRETTEXT\n-----END PRIVATE KEY-----\n",
              "x");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), mysqlop_status_InvalidConfig);
    EXPECT_STREQ(e.what(),
                 "credentials: GCS_SERVICE_ACCOUNT_JSON_KEY: private_key is not a PEM RSA private "
                 "key");
  }
}

}  // namespace
}  // namespace mysqlop::targetgs
