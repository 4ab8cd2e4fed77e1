#include "resources/project_common.h"

#include "resources/issue_writes.h"

namespace resources {

std::string in_list(const std::vector<long long>& ids, std::vector<db::Value>& params) {
    std::string out;
    for (size_t i = 0; i < ids.size(); ++i) {
        out += i ? ", ?" : "?";
        params.emplace_back(ids[i]);
    }
    return out;
}

std::map<long long, PrincipalRef> load_principals(Context& ctx, const std::vector<long long>& ids) {
    std::map<long long, PrincipalRef> out;
    if (ids.empty()) return out;
    std::vector<db::Value> params;
    const std::string sql = "SELECT id, type, firstname, lastname, login, status FROM users WHERE id IN (" +
                            in_list(ids, params) + ")";
    for (const auto& r : ctx.db().query(sql, params)) {
        PrincipalRef p{r.i(0), r.s(1), "", static_cast<int>(r.i(5))};
        p.name =
            p.type == "User" || p.type == "AnonymousUser" ? user_name(ctx, r.s(2), r.s(3), r.s(4)) : r.s(3);
        out[p.id] = std::move(p);
    }
    return out;
}

std::vector<std::string> string_list(const nlohmann::json& v) {
    std::vector<std::string> out;
    auto one = [&](const nlohmann::json& x) {
        if (x.is_null()) return;
        if (x.is_string())
            out.push_back(x.get<std::string>());
        else if (x.is_number_integer())
            out.push_back(std::to_string(x.get<long long>()));
        else if (x.is_boolean())
            out.push_back(x.get<bool>() ? "true" : "false");
        else
            out.push_back(x.dump());
    };
    if (v.is_array()) {
        for (const auto& x : v) one(x);
    } else if (v.is_object()) {
        // XML <tracker_ids><tracker_id>1</tracker_id></tracker_ids> without type="array"
        for (const auto& [k, x] : v.items()) {
            if (x.is_array()) {
                for (const auto& y : x) one(y);
            } else {
                one(x);
            }
        }
    } else {
        one(v);
    }
    return out;
}

namespace members {

long long find_or_create(db::Conn& c, long long project_id, long long principal_id) {
    if (auto r =
            c.one("SELECT id FROM members WHERE project_id = ? AND user_id = ?", {project_id, principal_id}))
        return r->i(0);
    return c.insert(
        "INSERT INTO members (user_id, project_id, created_on, mail_notification) VALUES (?, ?, ?, ?)",
        {principal_id, project_id, c.now(), 0LL}, "members");
}

void add_role(db::Conn& c, long long member_id, long long role_id, std::optional<long long> inherited_from) {
    auto m = c.one(
        "SELECT m.project_id, m.user_id, u.type, p.lft, p.rgt FROM members m "
        "JOIN users u ON u.id = m.user_id JOIN projects p ON p.id = m.project_id WHERE m.id = ?",
        {member_id});
    if (!m) return;
    db::Value inherited = inherited_from ? db::Value(*inherited_from) : db::Value();
    const long long id =
        c.insert("INSERT INTO member_roles (member_id, role_id, inherited_from) VALUES (?, ?, ?)",
                 {member_id, role_id, inherited}, "member_roles");
    const long long project_id = m->i(0), principal_id = m->i(1);
    // MemberRole#add_role_to_group_users
    if (!inherited_from && m->s(2) == "Group")
        for (const auto& u :
             c.query("SELECT user_id FROM groups_users WHERE group_id = ? ORDER BY user_id", {principal_id}))
            add_role(c, find_or_create(c, project_id, u.i(0)), role_id, id);
    // MemberRole#add_role_to_subprojects
    if (m->i(4) - m->i(3) > 1)
        for (const auto& child :
             c.query("SELECT id FROM projects WHERE parent_id = ? AND inherit_members = ? ORDER BY lft",
                     {project_id, 1LL}))
            add_role(c, find_or_create(c, child.i(0), principal_id), role_id, id);
}

void remove_role(db::Conn& c, long long member_role_id, bool keep_member) {
    auto mr = c.one("SELECT member_id FROM member_roles WHERE id = ?", {member_role_id});
    if (!mr) return;
    const long long member_id = mr->i(0);
    c.exec("DELETE FROM member_roles WHERE id = ?", {member_role_id});
    if (!keep_member && c.scalar("SELECT COUNT(*) FROM member_roles WHERE member_id = ?", {member_id}) == 0)
        destroy(c, member_id);
    // MemberRole#remove_inherited_roles
    for (const auto& r :
         c.query("SELECT id FROM member_roles WHERE inherited_from = ? ORDER BY id", {member_role_id}))
        remove_role(c, r.i(0), false);
}

void destroy(db::Conn& c, long long member_id) {
    auto m = c.one("SELECT project_id, user_id FROM members WHERE id = ?", {member_id});
    if (!m) return;
    for (const auto& r : c.query("SELECT id FROM member_roles WHERE member_id = ? ORDER BY id", {member_id}))
        remove_role(c, r.i(0), true);
    // Member#set_issue_category_nil and #remove_from_project_default_assigned_to
    c.exec("UPDATE issue_categories SET assigned_to_id = NULL WHERE project_id = ? AND assigned_to_id = ?",
           {m->i(0), m->i(1)});
    c.exec("UPDATE projects SET default_assigned_to_id = NULL WHERE id = ? AND default_assigned_to_id = ?",
           {m->i(0), m->i(1)});
    c.exec("DELETE FROM members WHERE id = ?", {member_id});
}

void add_inherited_from_parent(db::Conn& c, long long project_id) {
    auto p = c.one("SELECT parent_id, inherit_members FROM projects WHERE id = ?", {project_id});
    if (!p || p->null(0) || !p->b(1)) return;
    for (const auto& pm :
         c.query("SELECT id, user_id FROM members WHERE project_id = ? ORDER BY id", {p->i(0)})) {
        const long long member = find_or_create(c, project_id, pm.i(1));
        for (const auto& pmr :
             c.query("SELECT id, role_id FROM member_roles WHERE member_id = ? ORDER BY id", {pm.i(0)}))
            add_role(c, member, pmr.i(1), pmr.i(0));
    }
}

void remove_inherited(db::Conn& c, long long project_id) {
    const auto rows = c.query(
        "SELECT mr.id, mr.inherited_from FROM member_roles mr "
        "JOIN members m ON m.id = mr.member_id WHERE m.project_id = ? ORDER BY mr.id",
        {project_id});
    std::set<long long> own;
    for (const auto& r : rows) own.insert(r.i(0));
    for (const auto& r : rows)
        if (!r.null(1) && !own.count(r.i(1))) remove_role(c, r.i(0), false);
}

}  // namespace members

void unassign_unshared_versions(Context& ctx, std::optional<long long> version_id,
                                const std::vector<long long>& project_ids) {
    auto& db = ctx.db();
    std::vector<db::Value> params{static_cast<long long>(app::kProjectArchived)};
    std::string scope;
    if (version_id) {
        scope = "i.fixed_version_id = ?";
        params.emplace_back(*version_id);
    } else {
        if (project_ids.empty()) return;
        scope = "v.project_id IN (" + in_list(project_ids, params) + ") OR i.project_id IN (" +
                in_list(project_ids, params) + ")";
    }
    // Project#shared_versions, negated: the version's project is archived, or the sharing does not
    // reach the issue's project (its tree for 'tree', its ancestors or descendants otherwise).
    const auto rows = db.query(
        "SELECT i.id, i.fixed_version_id FROM issues i JOIN projects p ON p.id = i.project_id "
        "JOIN versions v ON v.id = i.fixed_version_id JOIN projects vp ON vp.id = v.project_id "
        "WHERE i.project_id <> v.project_id AND v.sharing <> 'system' AND NOT (vp.status <> ? AND ("
        "(v.sharing = 'tree' AND EXISTS (SELECT 1 FROM projects rt WHERE rt.parent_id IS NULL "
        "AND rt.lft <= p.lft AND rt.rgt >= p.rgt AND rt.lft <= vp.lft AND rt.rgt >= vp.rgt)) "
        "OR (v.sharing IN ('hierarchy', 'descendants') AND vp.lft < p.lft AND vp.rgt > p.rgt) "
        "OR (v.sharing = 'hierarchy' AND vp.lft > p.lft AND vp.rgt < p.rgt))) AND (" +
            scope + ") ORDER BY i.id",
        params);
    const std::string now = db.now();
    for (const auto& r : rows) {
        // issue.fixed_version = nil; issue.save, with the journal init_journal(User.current) started
        db.exec(
            "UPDATE issues SET fixed_version_id = NULL, updated_on = ?, lock_version = lock_version + 1 "
            "WHERE id = ?",
            {now, r.i(0)});
        // Journal#save: the user may start watching the issue (Journal#add_watcher).
        issue_writes::write_journal(ctx, r.i(0), std::string(), false,
                                    {{"attr", "fixed_version_id", std::to_string(r.i(1)), std::nullopt}},
                                    now);
    }
}

}  // namespace resources
