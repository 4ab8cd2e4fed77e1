// How Redmine's Query#build_from_params reads filters out of Rails' params (Context::params()), for
// the issue, time-entry and project queries: either the explicit form (f[]=status_id,
// op[status_id]==, v[status_id][]=1, or fields/operators/values), which replaces the query's
// default filters, or the short form (status_id=1|2, created_on=>=2026-01-01).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace resources {

// One filter as Query#add_filter receives it. A missing operator is "" (Redmine's nil, which
// validation reports as blank); missing values are {""}.
struct FilterParam {
    std::string field, op;
    std::vector<std::string> values;
};

struct FilterParams {
    bool replace = false;              // params[:fields] || params[:f] was given: defaults are dropped
    std::vector<FilterParam> filters;  // Query#add_filters, in order; the caller keeps the available ones
};

// Query#build_from_params / #add_filters. Shapes Redmine answers 500 to (f=status_id as a string,
// v[] as a list) give no filter.
FilterParams filter_params(const nlohmann::json& params);

// Query#add_short_filter for params[field], nothing when absent or null: the first of `operators`
// (sorted, reversed, as Redmine tries them) that begins a line of the text, with the rest of that line
// split at `|`; else "=" with the whole text split. An array or hash is read as Ruby's to_s of it.
std::optional<FilterParam> short_filter(const nlohmann::json& params, const std::string& field,
                                        std::vector<std::string> operators);

// Ruby's String#split('|'): trailing empty strings dropped.
std::vector<std::string> split_values(const std::string& text);

}  // namespace resources
