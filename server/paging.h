// The one parser for what every list shares: offset/limit/page, include lists and nometa,
// exactly as Redmine's api_offset_and_limit and api_meta.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "serializers/tree.h"

namespace app {

class Context;

struct Paging {
    long long offset = 0;
    long long limit = 25;
};

// Ruby's String#to_i: leading blanks, a sign, digits; anything else stops (0 when none).
long long ruby_to_i(const std::string& s);

// From Rails' params (Context::params()).
Paging parse_paging(const nlohmann::json& params);
// `include=a,b` as a list (blanks trimmed).
std::vector<std::string> includes(const nlohmann::json& params);
bool has_include(const nlohmann::json& params, const std::string& name);
// nometa=1 or an X-Redmine-Nometa header drop total_count/offset/limit.
bool nometa(const Context& ctx);

// A list answer: the items plus total_count/offset/limit unless the client asked for no meta.
api::Document list_document(const Context& ctx, std::string root, api::Node items, long long total,
                            const Paging& paging);

}  // namespace app
