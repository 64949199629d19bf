#pragma once
// Go's strconv.Quote of a string, as Kubernetes' error messages print values (field errors,
// strconv.NumError, downward API files): printable text as is, '"' and '\\' escaped, control
// bytes as \n, \t, ... or \xNN, invalid UTF-8 bytes as \xNN.

#include <string>
#include <string_view>

namespace mysqlop {

std::string goQuote(std::string_view value);

}  // namespace mysqlop
