#pragma once
// Query parameters parsed as kube-apiserver parses them (apimachinery's query-parameter
// conversions, runtime/conversion.go and meta/v1/conversion.go), so that every client that works
// against kube-apiserver works here:
// - booleans (watch, allowWatchBookmarks, sendInitialEvents, orphanDependents, force): absent is
//   false; "0" and "false" in any case are false; ANY other value, the empty string included, is
//   true (`watch=True`, `watch=1`, `watch=yes`, `watch=` all watch). Never an error.
// - integers (limit, timeoutSeconds, gracePeriodSeconds, tailLines, sinceSeconds, limitBytes):
//   Go's strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, int64 range. Anything
//   else is 400 BadRequest with Go's error text, `strconv.ParseInt: parsing "abc": invalid syntax`
//   or `strconv.ParseInt: parsing "9223372036854775808": value out of range`.
// - `pretty` is the exception: kube-apiserver reads it with strconv.ParseBool and takes an error
//   as false (queryPretty).
// A repeated parameter counts by its first value (ApiRequest::query keeps only that one).

#include <cstdint>
#include <optional>
#include <string>

#include "core/common/go_quote.h"
#include "core/common/result.h"
#include "localcluster/apiserver/http_types.h"

namespace mysqlop::local {

// apimachinery's Convert_Slice_string_To_bool on one present value.
bool parseQueryBool(const std::string& value);
// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False; nullopt otherwise.
std::optional<bool> parseGoBool(const std::string& value);
// Go's strconv.ParseInt(value, 10, 64); the failure (Errc::Invalid) carries Go's message.
Result<int64_t> parseGoInt64(const std::string& value);

// The parameter of req: absent -> nullopt.
std::optional<bool> queryBool(const ApiRequest& req, const std::string& key);
// false when absent.
bool queryFlag(const ApiRequest& req, const std::string& key);
// absent -> nullopt; a bad value raises 400 BadRequest with Go's message (for handlers).
std::optional<int64_t> queryInt64(const ApiRequest& req, const std::string& key);
// `pretty`: strconv.ParseBool, an unparsable value is false.
bool queryPretty(const ApiRequest& req);

}  // namespace mysqlop::local
