// The one parser for what every list shares: offset/limit/page, include lists and nometa,
// exactly as Redmine's api_offset_and_limit and api_meta.
#pragma once

#include <string>
#include <vector>

#include "serializers/tree.h"
#include "server/request.h"

namespace app {

struct Paging {
    long long offset = 0;
    long long limit = 25;
};

// Ruby's String#to_i: leading blanks, a sign, digits; anything else stops (0 when none).
long long ruby_to_i(const std::string& s);

Paging parse_paging(const http::Request& req);
// `include=a,b` as a list (blanks trimmed).
std::vector<std::string> includes(const http::Request& req);
bool has_include(const http::Request& req, const std::string& name);
// nometa=1 or an X-Redmine-Nometa header drop total_count/offset/limit.
bool nometa(const http::Request& req);

// A list answer: the items plus total_count/offset/limit unless the client asked for no meta.
api::Document list_document(const http::Request& req, std::string root, api::Node items, long long total,
                            const Paging& paging);

}  // namespace app
