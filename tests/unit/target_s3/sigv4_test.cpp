// SigV4 against AWS's documented examples for S3 ("Signature Calculations for the Authorization
// Header: Transferring Payload in a Single Chunk"): access key AKIAIOSFODNN7EXAMPLE, the example
// secret, 20130524T000000Z, us-east-1, bucket examplebucket (virtual-hosted).
#include "plugins/target_s3/src/sigv4.h"

#include <gtest/gtest.h>

namespace mysqlop::testing {
namespace {

using namespace targets3;

constexpr const char* kDate = "20130524T000000Z";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SigningKey exampleKey() {
  return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"};
}

TEST(SigV4, GetObjectWithRangeMatchesTheDocumentedExample) {
  SigningRequest r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"},
               {"range", "bytes=0-9"},
               {"x-amz-content-sha256", kEmpty},
               {"x-amz-date", kDate}};
  r.payloadHash = kEmpty;
  EXPECT_EQ(canonicalRequest(r),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                std::string(kEmpty) +
                "\nx-amz-date:20130524T000000Z\n\n"
                "host;range;x-amz-content-sha256;x-amz-date\n" +
                kEmpty);
  EXPECT_EQ(stringToSign(r, exampleKey(), kDate),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(authorization(r, exampleKey(), kDate),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, PutObjectMatchesTheDocumentedExample) {
  const std::string body = "Welcome to Amazon S3.";
  EXPECT_EQ(sha256Hex(body), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigningRequest r;
  r.method = "PUT";
  r.path = "/" + uriEncode("test$file.text", true);
  EXPECT_EQ(r.path, "/test%24file.text");
  r.headers = {{"date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", sha256Hex(body)},
               {"x-amz-date", kDate},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  r.payloadHash = sha256Hex(body);
  EXPECT_EQ(signature(r, exampleKey(), kDate),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, ListObjectsWithAQueryMatchesTheDocumentedExample) {
  SigningRequest r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"max-keys", "2"}, {"prefix", "J"}};
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", kEmpty},
               {"x-amz-date", kDate}};
  r.payloadHash = kEmpty;
  EXPECT_EQ(canonicalQuery(r.query), "max-keys=2&prefix=J");
  EXPECT_EQ(signature(r, exampleKey(), kDate),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, GetBucketLifecycleWithAnEmptyQueryValueMatchesTheDocumentedExample) {
  SigningRequest r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"lifecycle", ""}};
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", kEmpty},
               {"x-amz-date", kDate}};
  r.payloadHash = kEmpty;
  EXPECT_EQ(canonicalQuery(r.query), "lifecycle=");
  EXPECT_EQ(signature(r, exampleKey(), kDate),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, UriEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(uriEncode("a b/c+d~e_f.g-h", true), "a%20b/c%2Bd~e_f.g-h");
  EXPECT_EQ(uriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(uriEncode("\xC3\xA9", true), "%C3%A9");
}

}  // namespace
}  // namespace mysqlop::testing
