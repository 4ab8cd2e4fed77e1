// /queries: the issue queries the user may use (IssueQuery.visible), ordered by name.
#include "resources/common.h"

namespace resources {

namespace {
constexpr int kVisibilityPrivate = 0, kVisibilityRoles = 1, kVisibilityPublic = 2;

Response index(Context& ctx) {
    const app::Paging paging = app::parse_paging(ctx.params());
    auto& db = ctx.db();
    auto& perms = ctx.perms();
    // The projects where the user may view issues, and the roles the user holds where.
    const auto viewable = perms.allowed_project_ids("view_issues");
    std::set<long long> viewable_set(viewable.begin(), viewable.end());
    std::map<long long, std::set<long long>> roles_by_project;  // from the user's own memberships
    if (!ctx.user.anonymous)
        for (const auto& r : db.query("SELECT m.project_id, mr.role_id FROM members m "
                                      "JOIN member_roles mr ON mr.member_id = m.id "
                                      "JOIN projects p ON p.id = m.project_id WHERE m.user_id = ? AND p.status <> ?",
                                      {ctx.user.id, static_cast<long long>(app::kProjectArchived)}))
            roles_by_project[r.i(0)].insert(r.i(1));
    std::map<long long, std::set<long long>> query_roles;
    for (const auto& r : db.query("SELECT query_id, role_id FROM queries_roles")) query_roles[r.i(0)].insert(r.i(1));

    api::Node list = api::Node::array("query");
    long long total = 0;
    for (const auto& r : db.query("SELECT id, name, visibility, user_id, project_id FROM queries "
                                  "WHERE type = 'IssueQuery' ORDER BY name, id")) {
        const long long id = r.i(0);
        const int visibility = static_cast<int>(r.i(2));
        const bool own = !ctx.user.anonymous && r.i(3) == ctx.user.id;
        const auto project = r.oi(4);
        if (project && !viewable_set.count(*project)) continue;
        bool visible = false;
        if (ctx.user.admin) {
            visible = visibility != kVisibilityPrivate || own;
        } else if (visibility == kVisibilityPublic || own) {
            visible = true;
        } else if (visibility == kVisibilityRoles) {
            const auto& wanted = query_roles[id];
            for (const auto& [pid, roles] : roles_by_project) {
                if (project && *project != pid) continue;
                for (long long role : roles) visible = visible || wanted.count(role) > 0;
            }
        }
        if (!visible) continue;
        if (total++ < paging.offset || total > paging.offset + paging.limit) continue;
        api::Node q = api::Node::object();
        q.set("id", id).set("name", r.s(1)).set("is_public", visibility != kVisibilityPrivate).set("project_id", int_at(r, 4));
        list.push(std::move(q));
    }
    return ctx.render(app::list_document(ctx, "queries", std::move(list), total, paging));
}
}  // namespace

void register_queries(app::Router& r) { r.add("GET", "/queries", index); }

}  // namespace resources
