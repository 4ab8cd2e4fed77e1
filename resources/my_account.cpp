// /my/account: the current user's own account (GET, PUT)
#include "resources/users.h"

namespace resources {

namespace {

Response show(Context& ctx) {
    ctx.require_login();
    auto u = find_user(ctx, ctx.user.id);
    if (!u) throw app::HttpError{404};
    api::Node n = api::Node::object();
    n.set("id", u->id)
        .set("login", u->login)
        .set("admin", u->admin)
        .set("firstname", u->firstname)
        .set("lastname", u->lastname)
        .set("mail", u->mail ? api::Node(*u->mail) : api::Node())
        .set("created_on", u->created_on)
        .set("last_login_on", u->last_login_on)
        .set("api_key", api_key_of(ctx, u->id));
    if (auto cf = user_custom_fields(ctx, u->id)) n.set("custom_fields", std::move(*cf));
    return ctx.render({"user", std::move(n), {}});
}

Response update(Context& ctx) {
    ctx.require_login();
    return update_user(ctx, ctx.user.id, true);
}

}  // namespace

void register_my_account(app::Router& r) {
    r.add("GET", "/my/account", show);
    r.add("PUT", "/my/account", update);
}

}  // namespace resources
