// /roles, /roles/:id
#include <algorithm>

#include "resources/common.h"

namespace resources {

namespace {
Response index(Context& ctx) {
    std::vector<const app::Role*> givable;  // Role.givable.sorted
    for (const auto& [id, role] : ctx.perms().roles())
        if (role.builtin == 0) givable.push_back(&role);
    std::stable_sort(givable.begin(), givable.end(),
                     [](const app::Role* a, const app::Role* b) { return a->position < b->position; });
    api::Node list = api::Node::array("role");
    for (const app::Role* role : givable) {
        api::Node n = api::Node::object();
        n.set("id", role->id).set("name", role->name);
        list.push(std::move(n));
    }
    return ctx.render({"roles", std::move(list), {}});
}

Response show(Context& ctx) {
    const long long id = id_param(ctx.route_param("id"));
    const auto& roles = ctx.perms().roles();
    auto it = roles.find(id);
    if (it == roles.end()) throw app::HttpError{404};
    const app::Role& role = it->second;
    api::Node perms = api::Node::array("permission");
    for (const auto& p : role.permissions) perms.push(p);
    api::Node n = api::Node::object();
    n.set("id", role.id)
        .set("name", role.name)
        .set("assignable", role.assignable)
        .set("issues_visibility", role.issues_visibility)
        .set("time_entries_visibility", role.time_entries_visibility)
        .set("users_visibility", role.users_visibility)
        .set("permissions", std::move(perms));
    return ctx.render({"role", std::move(n), {}});
}
}  // namespace

void register_roles(app::Router& r) {
    r.add("GET", "/roles", index);
    r.add("GET", "/roles/:id", show);
}

}  // namespace resources
