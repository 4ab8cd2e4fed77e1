// /groups, /groups/:id, /groups/:id/users: groups of users (admin only, except a visible group's page),
// with the member roles that a group gives its users kept in step as Redmine's callbacks keep them.
#include "resources/groups.h"

#include "resources/custom_values.h"
#include "resources/users.h"

namespace resources {

// --- Member roles ------------------------------------------------------------------------------

namespace {

long long find_or_create_member(db::Conn& db, long long project_id, long long user_id) {
    if (auto r = db.one("SELECT id FROM members WHERE project_id = ? AND user_id = ?", {project_id, user_id}))
        return r->i(0);
    return db.insert(
        "INSERT INTO members (user_id, project_id, created_on, mail_notification) VALUES (?, ?, ?, ?)",
        {user_id, project_id, db.now(), 0LL}, "members");
}

// MemberRole.create with its after_create callbacks: a group's own role reaches the group's users,
// and every role reaches the subprojects that inherit members.
void add_member_role(db::Conn& db, long long member_id, long long role_id,
                     std::optional<long long> inherited_from) {
    auto member = db.one(
        "SELECT m.user_id, m.project_id, u.type, p.lft, p.rgt FROM members m "
        "JOIN users u ON u.id = m.user_id JOIN projects p ON p.id = m.project_id WHERE m.id = ?",
        {member_id});
    const long long id = db.insert(
        "INSERT INTO member_roles (member_id, role_id, inherited_from) VALUES (?, ?, ?)",
        {member_id, role_id, inherited_from ? db::Value(*inherited_from) : db::Value()}, "member_roles");
    if (!member) return;
    const long long principal = member->i(0), project = member->i(1);
    if (!inherited_from && member->s(2) == "Group")
        for (const auto& u :
             db.query("SELECT user_id FROM groups_users WHERE group_id = ? ORDER BY user_id", {principal}))
            add_member_role(db, find_or_create_member(db, project, u.i(0)), role_id, id);
    if (member->i(4) - member->i(3) == 1) return;  // a leaf project
    for (const auto& child :
         db.query("SELECT id FROM projects WHERE parent_id = ? AND inherit_members = ? ORDER BY lft",
                  {project, 1LL}))
        add_member_role(db, find_or_create_member(db, child.i(0), principal), role_id, id);
}

// MemberRole#destroy: the member goes when it has no role left (unless told otherwise), and the
// roles inherited from this one go too.
void destroy_member_role(db::Conn& db, long long member_role_id, bool member_removal) {
    auto row = db.one("SELECT member_id FROM member_roles WHERE id = ?", {member_role_id});
    if (!row) return;
    const long long member_id = row->i(0);
    db.exec("DELETE FROM member_roles WHERE id = ?", {member_role_id});
    if (member_removal &&
        db.scalar("SELECT COUNT(*) FROM member_roles WHERE member_id = ?", {member_id}) == 0)
        destroy_member(db, member_id);
    for (const auto& r :
         db.query("SELECT id FROM member_roles WHERE inherited_from = ? ORDER BY id", {member_role_id}))
        destroy_member_role(db, r.i(0), true);
}

}  // namespace

void destroy_member(db::Conn& db, long long member_id) {
    auto member = db.one("SELECT user_id, project_id FROM members WHERE id = ?", {member_id});
    if (!member) return;
    for (const auto& r : db.query("SELECT id FROM member_roles WHERE member_id = ? ORDER BY id", {member_id}))
        destroy_member_role(db, r.i(0), false);
    // set_issue_category_nil, remove_from_project_default_assigned_to
    db.exec("UPDATE issue_categories SET assigned_to_id = NULL WHERE project_id = ? AND assigned_to_id = ?",
            {member->i(1), member->i(0)});
    db.exec("UPDATE projects SET default_assigned_to_id = NULL WHERE id = ? AND default_assigned_to_id = ?",
            {member->i(1), member->i(0)});
    db.exec("DELETE FROM members WHERE id = ?", {member_id});
}

void group_user_added(db::Conn& db, long long group_id, long long user_id) {
    for (const auto& m :
         db.query("SELECT id, project_id FROM members WHERE user_id = ? AND project_id IS NOT NULL "
                  "ORDER BY id",
                  {group_id})) {
        const auto roles =
            db.query("SELECT id, role_id FROM member_roles WHERE member_id = ? ORDER BY id", {m.i(0)});
        const long long user_member = find_or_create_member(db, m.i(1), user_id);
        for (const auto& r : roles) add_member_role(db, user_member, r.i(1), r.i(0));
    }
}

void group_user_removed(db::Conn& db, long long group_id, long long user_id) {
    for (const auto& r :
         db.query("SELECT mr.id FROM member_roles mr JOIN members m ON m.id = mr.member_id "
                  "WHERE m.user_id = ? AND mr.inherited_from IN (SELECT gmr.id FROM member_roles gmr "
                  "JOIN members gm ON gm.id = gmr.member_id WHERE gm.user_id = ?) ORDER BY mr.id",
                  {user_id, group_id}))
        destroy_member_role(db, r.i(0), true);
}

// --- /groups -----------------------------------------------------------------------------------

namespace {

// Group.find: the givable groups and the built-in ones (Anonymous, Non member).
constexpr const char* kGroupTypes = "('Group', 'GroupBuiltin', 'GroupAnonymous', 'GroupNonMember')";

struct GroupRow {
    long long id = 0;
    std::string name, type;
    int status = 1;
    bool twofa_required = false;
    bool builtin() const { return type != "Group"; }
};

GroupRow find_group(Context& ctx) {
    const long long id = id_param(ctx.route_param("id"));
    auto r =
        ctx.db().one(std::string("SELECT id, lastname, type, status, twofa_required FROM users WHERE id = ? "
                                 "AND type IN ") +
                         kGroupTypes,
                     {id});
    if (!r) throw app::HttpError{404};
    return {r->i(0), r->s(1), r->s(2), static_cast<int>(r->i(3)), r->b(4)};
}

api::Node builtin_type(const GroupRow& g) {
    if (g.type == "GroupAnonymous") return "anonymous";
    if (g.type == "GroupNonMember") return "non_member";
    return nullptr;
}

std::vector<CustomFieldDef> group_fields(Context& ctx) {
    auto fields = custom_fields_of(ctx.db(), "GroupCustomField");
    if (!ctx.user.admin) std::erase_if(fields, [](const CustomFieldDef& f) { return !f.visible; });
    return fields;
}

Response index(Context& ctx) {
    ctx.require_admin();
    auto& db = ctx.db();
    const bool builtin = ctx.param("builtin").value_or("") == "1";
    const auto rows = db.query(std::string("SELECT id, lastname, type FROM users WHERE type IN ") +
                               (builtin ? kGroupTypes : "('Group')") + " ORDER BY type, lastname, id");
    std::vector<long long> ids;
    for (const auto& r : rows) ids.push_back(r.i(0));
    const auto fields = group_fields(ctx);
    const auto values = load_custom_values(db, "Principal", ids);
    api::Node list = api::Node::array("group");
    for (const auto& r : rows) {
        GroupRow g{r.i(0), r.s(1), r.s(2)};
        api::Node n = api::Node::object();
        n.set("id", g.id).set("name", g.name);
        if (g.builtin()) n.set("builtin", builtin_type(g));
        if (auto cf = custom_fields_node(fields, values, g.id)) n.set("custom_fields", std::move(*cf));
        list.push(std::move(n));
    }
    return ctx.render({"groups", std::move(list), {}});
}

api::Node group_node(Context& ctx, const GroupRow& g) {
    auto& db = ctx.db();
    api::Node n = api::Node::object();
    n.set("id", g.id).set("name", g.name);
    if (g.builtin()) n.set("builtin", builtin_type(g));
    if (auto cf = custom_fields_node(group_fields(ctx), load_custom_values(db, "Principal", {g.id}), g.id))
        n.set("custom_fields", std::move(*cf));
    if (app::has_include(ctx.params(), "users") && !g.builtin()) {
        api::Node users = api::Node::array("user");
        for (const auto& r : db.query("SELECT u.id, u.firstname, u.lastname, u.login FROM groups_users gu "
                                      "JOIN users u ON u.id = gu.user_id WHERE gu.group_id = ? "
                                      "AND u.type IN ('User', 'AnonymousUser') ORDER BY u.id",
                                      {g.id}))
            users.push(ref(r.i(0), user_name(ctx, r.s(1), r.s(2), r.s(3))));
        n.set("users", std::move(users));
    }
    if (app::has_include(ctx.params(), "memberships")) n.set("memberships", memberships_node(ctx, g.id, false));
    return n;
}

Response show(Context& ctx) {
    GroupRow g = find_group(ctx);
    if (!principal_visible(ctx, g.id, g.status)) throw app::HttpError{404};
    return ctx.render({"group", group_node(ctx, g), {}});
}

const nlohmann::json& group_attrs(Context& ctx) {
    static const nlohmann::json empty = nlohmann::json::object();
    const auto& body = ctx.params();
    auto it = body.find("group");
    return it != body.end() && it->is_object() ? *it : empty;
}

// Rails' ids writer: every id must name a user (404 otherwise); blanks are dropped.
std::vector<long long> user_ids_of(db::Conn& db, const nlohmann::json& value) {
    std::vector<long long> ids;
    auto add = [&](const nlohmann::json& v) {
        std::optional<std::string> s = v.is_string()           ? v.get<std::string>()
                                       : v.is_number_integer() ? std::to_string(v.get<long long>())
                                                               : std::optional<std::string>();
        if (!s || s->find_first_not_of(" \t") == std::string::npos) return;
        ids.push_back(app::ruby_to_i(*s));
    };
    if (value.is_array())
        for (const auto& v : value) add(v);
    else
        add(value);
    for (long long id : ids)
        if (db.scalar("SELECT COUNT(*) FROM users WHERE id = ? AND type IN ('User', 'AnonymousUser')",
                      {id}) == 0)
            throw app::HttpError{404};
    return ids;
}

// Group#user_ids=: the users that leave lose what they inherited, the new ones gain it.
void replace_users(db::Conn& db, long long group_id, const std::vector<long long>& wanted) {
    std::vector<long long> current;
    for (const auto& r :
         db.query("SELECT user_id FROM groups_users WHERE group_id = ? ORDER BY user_id", {group_id}))
        current.push_back(r.i(0));
    for (long long uid : current)
        if (std::find(wanted.begin(), wanted.end(), uid) == wanted.end()) {
            db.exec("DELETE FROM groups_users WHERE group_id = ? AND user_id = ?", {group_id, uid});
            group_user_removed(db, group_id, uid);
        }
    for (long long uid : wanted)
        if (std::find(current.begin(), current.end(), uid) == current.end()) {
            current.push_back(uid);
            db.exec("INSERT INTO groups_users (group_id, user_id) VALUES (?, ?)", {group_id, uid});
            group_user_added(db, group_id, uid);
        }
}

// Group's validations, in the model's order.
std::vector<std::string> validate_group(db::Conn& db, const std::string& name, long long id,
                                        std::vector<std::string> errors) {
    if (name.find_first_not_of(" \t\r\n\f\v") == std::string::npos) errors.push_back("Name cannot be blank");
    if (db.scalar(
            std::string(
                "SELECT COUNT(*) FROM users WHERE LOWER(lastname) = LOWER(?) AND id <> ? AND type IN ") +
                kGroupTypes,
            {name, id}) > 0)
        errors.push_back("Name has already been taken");
    if (utf8_length(name) > 255) errors.push_back("Name is too long (maximum is 255 characters)");
    return errors;
}

Response create(Context& ctx) {
    ctx.require_admin();
    auto& db = ctx.db();
    const auto& attrs = group_attrs(ctx);
    const std::string name = body_string(attrs, "name").value_or("");
    const bool twofa = rails_bool(body_string(attrs, "twofa_required")).value_or(false);
    std::vector<long long> user_ids;
    if (attrs.contains("user_ids")) user_ids = user_ids_of(db, attrs["user_ids"]);
    CustomValuesEdit cf(db, "GroupCustomField", 0, true);
    cf.assign(attrs);
    auto errors = validate_group(db, name, 0, cf.validate());
    if (!errors.empty()) throw app::ValidationError{errors};

    db::Tx tx(db);
    const std::string now = db.now();
    const long long id = db.insert(
        "INSERT INTO users (login, hashed_password, firstname, lastname, admin, status, language, "
        "created_on, "
        "updated_on, type, mail_notification, must_change_passwd, twofa_required) "
        "VALUES ('', '', '', ?, ?, ?, '', ?, ?, 'Group', '', ?, ?)",
        {name, 0LL, 1LL, now, now, 0LL, twofa ? 1LL : 0LL}, "users");
    cf.save(id);
    replace_users(db, id, user_ids);
    tx.commit();
    GroupRow g{id, name, "Group"};
    Response r = ctx.render({"group", group_node(ctx, g), {}}, 201);
    r.header("Location", ctx.url_for("/groups/" + std::to_string(id)));
    return r;
}


Response update(Context& ctx) {
    ctx.require_admin();
    GroupRow g = find_group(ctx);
    if (g.builtin()) return no_content();  // nothing of a built-in group is safe to change
    auto& db = ctx.db();
    const auto& attrs = group_attrs(ctx);
    // Like Rails' collection ids writer on a saved record, the users change at once, even when the
    // rest fails validation.
    if (attrs.contains("user_ids")) {
        const auto ids = user_ids_of(db, attrs["user_ids"]);
        db::Tx tx(db);
        replace_users(db, g.id, ids);
        tx.commit();
    }
    const std::string name = attrs.contains("name") ? body_string(attrs, "name").value_or("") : g.name;
    const bool twofa = attrs.contains("twofa_required")
                           ? rails_bool(body_string(attrs, "twofa_required")).value_or(false)
                           : g.twofa_required;
    CustomValuesEdit cf(db, "GroupCustomField", g.id, false);
    cf.assign(attrs);
    auto errors = validate_group(db, name, g.id, cf.validate());
    if (!errors.empty()) throw app::ValidationError{errors};
    db::Tx tx(db);
    if (name != g.name || twofa != g.twofa_required)
        db.exec("UPDATE users SET lastname = ?, twofa_required = ?, updated_on = ? WHERE id = ?",
                {name, twofa ? 1LL : 0LL, db.now(), g.id});
    cf.save(g.id);
    tx.commit();
    return no_content();
}

Response destroy(Context& ctx) {
    ctx.require_admin();
    GroupRow g = find_group(ctx);
    if (g.builtin()) return no_content();  // GroupBuiltin#destroy refuses quietly
    auto& db = ctx.db();
    db::Tx tx(db);
    // Group#remove_references_before_destroy
    db.exec("UPDATE issues SET assigned_to_id = NULL WHERE assigned_to_id = ?", {g.id});
    db.exec("DELETE FROM watchers WHERE user_id = ?", {g.id});
    // Principal: members (dependent destroy), issue categories (nullify), projects' default assignee
    for (const auto& m : db.query("SELECT id FROM members WHERE user_id = ? ORDER BY id", {g.id}))
        destroy_member(db, m.i(0));
    db.exec("UPDATE issue_categories SET assigned_to_id = NULL WHERE assigned_to_id = ?", {g.id});
    db.exec("UPDATE projects SET default_assigned_to_id = NULL WHERE default_assigned_to_id = ?", {g.id});
    db.exec("DELETE FROM groups_users WHERE group_id = ?", {g.id});
    db.exec("DELETE FROM custom_values WHERE customized_type = 'Principal' AND customized_id = ?", {g.id});
    db.exec("DELETE FROM users WHERE id = ?", {g.id});
    tx.commit();
    return no_content();
}

// POST /groups/:id/users: user_id (or user_ids), one or several; those already in the group are skipped.
Response add_users(Context& ctx) {
    ctx.require_admin();
    GroupRow g = find_group(ctx);
    auto& db = ctx.db();
    const auto& body = ctx.params();
    const nlohmann::json* given = nullptr;
    if (auto it = body.find("user_id"); it != body.end() && !it->is_null())
        given = &*it;
    else if (auto it2 = body.find("user_ids"); it2 != body.end())
        given = &*it2;
    std::vector<db::Value> params{g.id};
    std::string in;
    auto add = [&](const nlohmann::json& v) {
        std::optional<std::string> s = v.is_string()           ? v.get<std::string>()
                                       : v.is_number_integer() ? std::to_string(v.get<long long>())
                                                               : std::optional<std::string>();
        if (!s) return;
        auto id = parse_id(*s);
        if (!id) return;
        in += in.empty() ? "?" : ", ?";
        params.emplace_back(*id);
    };
    if (given && given->is_array())
        for (const auto& v : *given) add(v);
    else if (given)
        add(*given);
    std::vector<long long> users;
    if (!in.empty() && !g.builtin())
        for (const auto& r :
             db.query("SELECT id FROM users WHERE type IN ('User', 'AnonymousUser') AND id NOT IN "
                      "(SELECT user_id FROM groups_users WHERE group_id = ?) AND id IN (" +
                          in + ") ORDER BY id",
                      params))
            users.push_back(r.i(0));
    if (users.empty()) throw app::ValidationError{{"User is invalid"}};
    db::Tx tx(db);
    for (long long uid : users) {
        db.exec("INSERT INTO groups_users (group_id, user_id) VALUES (?, ?)", {g.id, uid});
        group_user_added(db, g.id, uid);
    }
    tx.commit();
    return no_content();
}

Response remove_user(Context& ctx) {
    ctx.require_admin();
    GroupRow g = find_group(ctx);
    auto& db = ctx.db();
    const long long uid = id_param(ctx.route_param("user_id"));
    if (db.scalar("SELECT COUNT(*) FROM users WHERE id = ? AND type IN ('User', 'AnonymousUser')", {uid}) ==
        0)
        throw app::HttpError{404};
    db::Tx tx(db);
    if (db.scalar("SELECT COUNT(*) FROM groups_users WHERE group_id = ? AND user_id = ?", {g.id, uid}) > 0) {
        db.exec("DELETE FROM groups_users WHERE group_id = ? AND user_id = ?", {g.id, uid});
        group_user_removed(db, g.id, uid);
    }
    tx.commit();
    return no_content();
}

}  // namespace

void register_groups(app::Router& r) {
    r.add("GET", "/groups", index);
    r.add("POST", "/groups", create);
    r.add("GET", "/groups/:id", show);
    r.add("PUT", "/groups/:id", update);
    r.add("DELETE", "/groups/:id", destroy);
    r.add("POST", "/groups/:id/users", add_users);
    r.add("DELETE", "/groups/:id/users/:user_id", remove_user);
}

}  // namespace resources
