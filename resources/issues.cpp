// /issues, /projects/:project_id/issues (IssuesController#index) and /issues/:id (#show).
#include "resources/issues.h"

#include "resources/issue_query.h"

namespace resources {

namespace {

// IssuesController#index for the API: the user needs view_issues on the project, or somewhere when
// there is none (find_optional_project + authorize global).
Response list(Context& ctx, const std::optional<std::string>& project_param) {
    std::optional<ProjectRef> project;
    if (project_param && !project_param->empty()) project = find_project(ctx, *project_param);
    if (project) {
        if (!ctx.perms().allowed_to("view_issues", *project->info)) ctx.deny();
    } else if (!ctx.perms().allowed_globally("view_issues")) {
        ctx.deny();
    }
    const app::Paging paging = app::parse_paging(ctx.params());
    const IssueQuerySql q = build_issue_query(ctx, project ? &*project : nullptr);
    const auto page = issues_db::page_issues(ctx, q.where, q.order, paging.limit, paging.offset);
    return ctx.render(app::list_document(ctx, "issues", issue_list_items(ctx, page.rows), page.total, paging));
}

Response index(Context& ctx) { return list(ctx, ctx.param("project_id")); }

Response project_index(Context& ctx) { return list(ctx, ctx.route_param("project_id")); }

Response show(Context& ctx) { return ctx.render(issue_show_document(ctx, id_param(ctx.route_param("id")))); }

}  // namespace

void register_issues(app::Router& r) {
    r.add("GET", "/issues", index);
    r.add("GET", "/projects/:project_id/issues", project_index);
    r.add("GET", "/issues/:id", show);
}

}  // namespace resources
