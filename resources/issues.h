// Rendering of issues as Redmine's issues/index.api.rsb and issues/show.api.rsb, shared by the read
// side (GET) and the write side (POST answers the created issue as show does).
#pragma once

#include <vector>

#include "db/issues.h"
#include "resources/common.h"

namespace resources {

// The data one page of issues needs beyond its rows, loaded with a constant number of statements.
struct IssueExtras;

// `issue` as issues/show.api.rsb renders it, with the `include` of the request. Throws 404 for an
// unknown issue, 403 (logged in) or 401 (anonymous) for one the user may not see.
api::Document issue_show_document(Context& ctx, long long id);

// The `issue` items of a list as issues/index.api.rsb renders them.
api::Node issue_list_items(Context& ctx, const std::vector<issues_db::IssueRow>& rows);

}  // namespace resources
