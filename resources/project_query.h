// Redmine 5.0's ProjectQuery for GET /projects: the filters (short form `name=~shop`, or
// f[]/op[]/v[]), by default status=1, and the sort order (`sort=name:desc,created_on`).
#pragma once

#include <string>
#include <vector>

#include "resources/common.h"

namespace resources {

struct ProjectQuerySql {
    std::string where;  // conditions on `projects`, "" when none
    std::vector<db::Value> params;
    std::string order;  // ORDER BY terms, ending with projects.lft
};

// As Query#statement: an invalid filter (a missing value, a bad date or number) drops every filter.
ProjectQuerySql build_project_query(Context& ctx);

}  // namespace resources
