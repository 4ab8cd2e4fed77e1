// Our own request and response values: the only HTTP types the rest of the code sees.
// server/http_adapter.cpp translates them from and to Pistache.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http {

struct Request {
    std::string method;  // GET, POST, PUT, DELETE, ...
    std::string target;  // the raw request target: path and query, as received
    std::string path;    // percent-decoded path, format suffix included
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in order, repeats kept
    std::map<std::string, std::string> headers;              // names lower-cased
    std::string body;
    std::string remote;  // the peer's address

    // The value of a query parameter; the last one when it is repeated, as Rack reads `a=1&a=2`.
    std::optional<std::string> param(std::string_view name) const;
    std::vector<std::string> params(std::string_view name) const;
    std::optional<std::string> header(const std::string& lower_name) const;
};

struct Response {
    int status = 200;
    std::string content_type;  // empty: none
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

std::string percent_decode(std::string_view s, bool plus_as_space);
// Fills path and query from target.
void parse_target(Request& r);
const char* reason_phrase(int status);

}  // namespace http
