// /users/current, /users/:id
#include "resources/users.h"

#include "resources/custom_values.h"
#include "server/password.h"

namespace resources {

std::optional<UserRecord> find_user(Context& ctx, long long id) {
    auto& db = ctx.db();
    auto r = db.one(
        "SELECT u.id, u.login, u.firstname, u.lastname, u.admin, u.status, u.created_on, u.updated_on, "
        "u.last_login_on, u.passwd_changed_on, u.twofa_scheme, u.type, u.mail_notification, u.language, "
        "(SELECT e.address FROM email_addresses e WHERE e.user_id = u.id AND e.is_default = ? ORDER BY e.id LIMIT 1), "
        "(SELECT p.hide_mail FROM user_preferences p WHERE p.user_id = u.id ORDER BY p.id LIMIT 1) "
        "FROM users u WHERE u.id = ? AND u.type = 'User'",
        {1LL, id});
    if (!r) return std::nullopt;
    UserRecord u;
    u.id = r->i(0);
    u.login = r->s(1);
    u.firstname = r->s(2);
    u.lastname = r->s(3);
    u.admin = r->b(4);
    u.status = static_cast<int>(r->i(5));
    u.created_on = time_at(*r, 6);
    u.updated_on = time_at(*r, 7);
    u.last_login_on = time_at(*r, 8);
    u.passwd_changed_on = time_at(*r, 9);
    u.twofa_scheme = str_at(*r, 10);
    u.type = r->s(11);
    u.mail_notification = r->s(12);
    u.language = r->s(13);
    u.mail = r->os(14);
    u.hide_mail = r->null(15) ? ctx.setting_enabled("default_users_hide_mail") : r->b(15);
    return u;
}

std::string api_key_of(Context& ctx, long long user_id) {
    auto& db = ctx.db();
    if (auto row = db.one("SELECT value FROM tokens WHERE user_id = ? AND action = 'api' ORDER BY id LIMIT 1", {user_id}))
        return row->s(0);
    const std::string key = auth::random_hex(20), now = db.now();
    db.exec("INSERT INTO tokens (user_id, action, value, created_on, updated_on) VALUES (?, 'api', ?, ?, ?)",
            {user_id, key, now, now});
    return key;
}

std::optional<api::Node> user_custom_fields(Context& ctx, long long user_id) {
    auto fields = custom_fields_of(ctx.db(), "UserCustomField");
    if (!ctx.user.admin) std::erase_if(fields, [](const CustomFieldDef& f) { return !f.visible; });
    return custom_fields_node(fields, load_custom_values(ctx.db(), "Principal", {user_id}), user_id);
}

namespace {

// Principal.visible: admins see everyone; others see active users if one of their roles (or the
// built-in role, without memberships) shows all users, else themselves and members of visible projects.
bool user_visible(Context& ctx, const UserRecord& u) {
    if (ctx.user.admin) return true;
    if (u.status != 1) return false;
    if (u.id == ctx.user.id) return true;
    auto& perms = ctx.perms();
    bool view_all = false;
    bool any_membership = false;
    for (const auto& r : ctx.db().query("SELECT mr.role_id FROM members m JOIN member_roles mr ON mr.member_id = m.id "
                                        "JOIN projects p ON p.id = m.project_id WHERE m.user_id = ? AND p.status <> ?",
                                        {ctx.user.id, static_cast<long long>(app::kProjectArchived)})) {
        any_membership = true;
        auto it = perms.roles().find(r.i(0));
        if (it != perms.roles().end() && it->second.users_visibility == "all") view_all = true;
    }
    if (!any_membership)
        if (const auto* b = perms.builtin_role()) view_all = b->users_visibility == "all";
    if (view_all) return true;
    for (const auto& r : ctx.db().query("SELECT project_id FROM members WHERE user_id = ?", {u.id}))
        if (perms.project_visible(r.i(0))) return true;
    return false;
}

api::Node memberships_node(Context& ctx, long long user_id) {
    auto& db = ctx.db();
    api::Node list = api::Node::array("membership");
    std::map<long long, api::Node> roles;
    for (const auto& r : db.query("SELECT mr.member_id, ro.id, ro.name, mr.inherited_from FROM member_roles mr "
                                  "JOIN members m ON m.id = mr.member_id JOIN roles ro ON ro.id = mr.role_id "
                                  "WHERE m.user_id = ? ORDER BY mr.id",
                                  {user_id})) {
        auto [it, _] = roles.try_emplace(r.i(0), api::Node::array("role"));
        api::Node role = ref(r.i(1), r.s(2));
        if (!r.null(3)) role.attr("inherited", true);
        it->second.push(std::move(role));
    }
    for (const auto& r : db.query("SELECT m.id, p.id, p.name FROM members m JOIN projects p ON p.id = m.project_id "
                                  "WHERE m.user_id = ? AND p.status <> ? ORDER BY m.id",
                                  {user_id, static_cast<long long>(app::kProjectArchived)})) {
        if (!ctx.perms().project_visible(r.i(1))) continue;
        api::Node m = api::Node::object();
        m.set("id", r.i(0)).set("project", ref(r.i(1), r.s(2)));
        auto it = roles.find(r.i(0));
        m.set("roles", it == roles.end() ? api::Node::array("role") : it->second);
        list.push(std::move(m));
    }
    return list;
}

Response show(Context& ctx) {
    const std::string& id_text = ctx.route_param("id");
    long long id = 0;
    if (id_text == "current") {
        ctx.require_login();
        id = ctx.user.id;
    } else {
        id = id_param(id_text);
    }
    auto u = find_user(ctx, id);
    if (!u || !user_visible(ctx, *u)) throw app::HttpError{404};
    const bool self = u->id == ctx.user.id;
    const bool admin = ctx.user.admin;
    api::Node n = api::Node::object();
    n.set("id", u->id).set("login", u->login);
    if (admin || self) n.set("admin", u->admin);
    n.set("firstname", u->firstname).set("lastname", u->lastname);
    if (u->mail && (admin || !u->hide_mail)) n.set("mail", *u->mail);
    n.set("created_on", u->created_on)
        .set("updated_on", u->updated_on)
        .set("last_login_on", u->last_login_on)
        .set("passwd_changed_on", u->passwd_changed_on);
    if (admin || self) n.set("twofa_scheme", u->twofa_scheme).set("api_key", api_key_of(ctx, u->id));
    if (admin) n.set("status", u->status);
    if (auto cf = user_custom_fields(ctx, u->id)) n.set("custom_fields", std::move(*cf));
    if (admin && app::has_include(ctx.req, "groups")) {
        api::Node groups = api::Node::array("group");
        for (const auto& r : ctx.db().query("SELECT g.id, g.lastname FROM groups_users gu JOIN users g ON g.id = gu.group_id "
                                            "WHERE gu.user_id = ? AND g.type = 'Group' ORDER BY g.lastname, g.id",
                                            {u->id}))
            groups.push(ref(r.i(0), r.s(1)));
        n.set("groups", std::move(groups));
    }
    if (app::has_include(ctx.req, "memberships")) n.set("memberships", memberships_node(ctx, u->id));
    return ctx.render({"user", std::move(n), {}});
}

}  // namespace

void register_users(app::Router& r) { r.add("GET", "/users/:id", show); }

}  // namespace resources
