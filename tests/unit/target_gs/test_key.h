#pragma once
// A throw-away 1024-bit RSA key made for these tests only (openssl genpkey, PKCS#8 PEM as in
// Google's service-account files). It protects nothing.
namespace mysqlop::targetgs::testkey {
inline constexpr const char* kPem =
    "-----BEGIN PRIVATE "
    "KEY-----\nMIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAPbQGTlOVxVJ3AfT\nYg/"
    "aXDdWo6p+7xKWqbBSULVPafEySH/"
    "v0+iY3+q0RQfeGDNuTzsk+4WqwfIvYGrT\nDjKoW54pTBrM3Ijzzzs9fZ1tZD0oEUNXWeV+aitPPSNChxARi9zd3vnak+"
    "w3W3u+\nTVWNHMq5s3R0CqrRsZS6NH1U4VBjAgMBAAECgYEA8r7fYB5txdFb6BJ+Cwt/0SmU\nVRb8+fJWuMVs/"
    "bY6g3AqIDJ33/ejm0pr7n4AnWzr3kbUXrYAhLsWAFrORwKQ/"
    "4I4\n2NDJtIdIIzxiIMzfLzRqfBbOq6zVg8kL6saMwwDTJ0WI0Nv2IyB5GQ/"
    "tGLb5Nsep\nt7f4YL83mPTWJRWfShECQQD7ZW5P9ENwSfu8ol2w733BwinN7n+"
    "wWUly4mnGGcgX\nnKly4ls3WuTmekZRG53nzNJlr/"
    "CLfT43vdx+4fU6h2MrAkEA+"
    "1UuOBGba53UmL2N\nYrycNmZ7lmVUwLBPM6XzvHmywmwRntkendtqqwXspGU5F9fE8pNUr9VDreBabolJ\n+"
    "boLqQJADYp3GKNlhoTVpGFyfndH5MnaipcQFaWZiTCc1ejJmEv97Iw4sZCZx7hK\nVVARf0zPAF8rq7fBRCtb1xHArbhhJ"
    "QJASVYSlXO1yRIVvbfZsIzefBUtTLYmo88O\nXUC4PS+5lHeaMKKkB2XF2z9wTIvou+dO5YVN+"
    "byd8fd8C7Ltrfu2eQJAYVMX2/"
    "EZ\nCFo49Lgae7pDuBgXI5FGMbyHLb05vH3cO3+3c3h7KWOAg1vChaYU9kURpltBLjtY\nW/"
    "JLF4y1A7Y6uQ==\n-----END PRIVATE KEY-----\n";
}  // namespace mysqlop::targetgs::testkey
