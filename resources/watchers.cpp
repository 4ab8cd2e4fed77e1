// POST /issues/:issue_id/watchers and DELETE /issues/:issue_id/watchers/:user_id (WatchersController for
// issues over the API).
#include "resources/issue_writes.h"

namespace resources::watchers {

namespace {

// require_login, find_watchables (404 unknown, deny_access when not visible), then authorize.
issue_writes_db::Issue watched(Context& ctx, const std::string& permission) {
    ctx.require_login();
    const auto issue = issue_writes::find_visible(ctx, ctx.route_param("issue_id"));
    authorize(ctx, find_project(ctx, std::to_string(issue.project_id)), permission);
    return issue;
}

Response create(Context& ctx) {
    const auto issue = watched(ctx, "add_issue_watchers");
    const auto& body = ctx.params();
    std::vector<long long> ids;
    auto collect = [&](const nlohmann::json& v) {
        if (v.is_array()) {
            for (const auto& item : v)
                if (auto id = parse_id(item.is_string() ? item.get<std::string>() : item.dump()))
                    ids.push_back(*id);
        } else if (!v.is_null()) {
            if (auto id = parse_id(v.is_string() ? v.get<std::string>() : v.dump())) ids.push_back(*id);
        }
    };
    if (body.is_object()) {
        if (auto w = body.find("watcher"); w != body.end() && w->is_object()) {
            if (w->contains("user_ids"))
                collect((*w)["user_ids"]);
            else if (w->contains("user_id"))
                collect((*w)["user_id"]);
        } else if (auto u = body.find("user_id"); u != body.end()) {
            collect(*u);
        }
    }
    auto& db = ctx.db();
    db::Tx tx(db);
    issue_writes::add_watchers(ctx, issue.id, ids);
    tx.commit();
    return no_content();
}

Response destroy(Context& ctx) {
    const auto issue = watched(ctx, "delete_issue_watchers");
    const long long user_id = id_param(ctx.route_param("user_id"));
    auto& db = ctx.db();
    if (db.scalar("SELECT COUNT(*) FROM users WHERE id = ?", {user_id}) == 0) throw app::HttpError{404};
    db::Tx tx(db);
    db.exec("DELETE FROM watchers WHERE watchable_type = 'Issue' AND watchable_id = ? AND user_id = ?",
            {issue.id, user_id});
    tx.commit();
    return no_content();
}

}  // namespace

}  // namespace resources::watchers

namespace resources {

void register_watchers(app::Router& r) {
    r.add("POST", "/issues/:issue_id/watchers", watchers::create);
    r.add("DELETE", "/issues/:issue_id/watchers/:user_id", watchers::destroy);
}

}  // namespace resources
