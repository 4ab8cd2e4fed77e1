// Redmine's IssueQuery for the API: filters from the URL (`status_id=o`, `created_on=>=2026-01-01`,
// `f[]=..&op[..]=..&v[..][]=..`) or from a saved query (query_id), validated as Query#validate_query_filters,
// turned into SQL as Query#sql_for_field and IssueQuery's sql_for_*_field, plus the sort order.
#pragma once

#include <optional>
#include <string>

#include "db/issues.h"
#include "resources/common.h"

namespace resources {

struct IssueQuerySql {
    issues_db::Cond where;  // the filters and the project statement (visibility is added by db/issues)
    issues_db::Cond order;  // ORDER BY clause built from the sortable columns, with its parameters
};

// Throws ValidationError (422) for invalid filters, HttpError 404/403/401 for an unknown or
// unusable saved query.
IssueQuerySql build_issue_query(Context& ctx, const ProjectRef* project);

}  // namespace resources
