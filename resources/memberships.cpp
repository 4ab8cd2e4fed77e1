// /projects/:id/memberships and /memberships/:id (Redmine 5.0's MembersController).
#include "resources/project_common.h"

namespace resources {

namespace {

// Redmine's authorize for an action that several permissions map (members#index: view_members or
// manage_members).
void authorize_any(Context& ctx, const ProjectRef& p, std::initializer_list<const char*> permissions) {
    for (const char* perm : permissions)
        if (ctx.perms().allowed_to(perm, *p.info)) return;
    authorize(ctx, p, *permissions.begin());
}

// principal.class.name.underscore
std::string principal_element(const std::string& type) {
    if (type == "Group") return "group";
    if (type == "GroupAnonymous") return "group_anonymous";
    if (type == "GroupNonMember") return "group_non_member";
    if (type == "AnonymousUser") return "anonymous_user";
    return "user";
}

struct MemberRow {
    long long id = 0, project_id = 0, principal_id = 0;
};

std::vector<api::Node> membership_nodes(Context& ctx, const std::vector<MemberRow>& rows,
                                        const std::string& project_name) {
    std::vector<api::Node> out;
    if (rows.empty()) return out;
    auto& db = ctx.db();
    std::vector<long long> member_ids, principal_ids;
    for (const auto& m : rows) {
        member_ids.push_back(m.id);
        principal_ids.push_back(m.principal_id);
    }
    const auto principals = load_principals(ctx, principal_ids);
    std::map<long long, api::Node> roles;
    std::vector<db::Value> params;
    const std::string sql =
        "SELECT mr.member_id, r.id, r.name, mr.inherited_from FROM member_roles mr "
        "JOIN roles r ON r.id = mr.role_id WHERE mr.member_id IN (" +
        in_list(member_ids, params) + ") ORDER BY mr.id";
    for (const auto& r : db.query(sql, params)) {
        auto [it, _] = roles.try_emplace(r.i(0), api::Node::array("role"));
        api::Node role = ref(r.i(1), r.s(2));
        if (!r.null(3)) role.attr("inherited", true);
        it->second.push(std::move(role));
    }
    for (const auto& m : rows) {
        api::Node n = api::Node::object();
        n.set("id", m.id).set("project", ref(m.project_id, project_name));
        auto p = principals.find(m.principal_id);
        if (p != principals.end()) n.set(principal_element(p->second.type), ref(p->first, p->second.name));
        auto it = roles.find(m.id);
        n.set("roles", it == roles.end() ? api::Node::array("role") : it->second);
        out.push_back(std::move(n));
    }
    return out;
}

Response index(Context& ctx) {
    const auto project = find_project(ctx, ctx.route_param("project_id"));
    authorize_any(ctx, project, {"view_members", "manage_members"});
    const app::Paging paging = app::parse_paging(ctx.params());
    auto& db = ctx.db();
    const long long total = db.scalar("SELECT COUNT(*) FROM members WHERE project_id = ?", {project.id});
    std::vector<MemberRow> rows;
    for (const auto& r :
         db.query("SELECT id, user_id FROM members WHERE project_id = ? ORDER BY id LIMIT ? OFFSET ?",
                  {project.id, paging.limit, paging.offset}))
        rows.push_back({r.i(0), project.id, r.i(1)});
    api::Node list = api::Node::array("membership");
    for (auto& n : membership_nodes(ctx, rows, project.name)) list.push(std::move(n));
    return ctx.render(app::list_document(ctx, "memberships", std::move(list), total, paging));
}

Response render_member(Context& ctx, long long member_id, int status = 200) {
    auto r = ctx.db().one(
        "SELECT m.id, m.project_id, m.user_id, p.name FROM members m "
        "JOIN projects p ON p.id = m.project_id WHERE m.id = ?",
        {member_id});
    if (!r) throw app::HttpError{404};
    auto nodes = membership_nodes(ctx, {{r->i(0), r->i(1), r->i(2)}}, r->s(3));
    return ctx.render({"membership", std::move(nodes.front()), {}}, status);
}

// Member.find + find_project_from_association.
std::pair<MemberRow, ProjectRef> find_member(Context& ctx) {
    const long long id = id_param(ctx.route_param("id"));
    auto r = ctx.db().one("SELECT id, project_id, user_id FROM members WHERE id = ?", {id});
    if (!r) throw app::HttpError{404};
    return {{r->i(0), r->i(1), r->i(2)}, find_project(ctx, std::to_string(r->i(1)))};
}

Response show(Context& ctx) {
    const auto [member, project] = find_member(ctx);
    authorize_any(ctx, project, {"view_members", "manage_members"});
    return render_member(ctx, member.id);
}

// User#managed_roles(project): what the current user may give or take in the project.
std::vector<long long> managed_roles(Context& ctx, long long project_id) {
    auto& db = ctx.db();
    std::vector<long long> givable;
    for (const auto& r : db.query("SELECT id FROM roles WHERE builtin = 0 ORDER BY position, id"))
        givable.push_back(r.i(0));
    if (ctx.user.admin) return givable;
    auto m = db.one("SELECT id FROM members WHERE project_id = ? AND user_id = ?", {project_id, ctx.user.id});
    if (!m) return {};
    const auto& roles = ctx.perms().roles();
    std::vector<long long> managing;
    bool all = false;
    for (const auto& r :
         db.query("SELECT DISTINCT role_id FROM member_roles WHERE member_id = ?", {m->i(0)})) {
        auto it = roles.find(r.i(0));
        if (it == roles.end() || !it->second.has("manage_members")) continue;
        managing.push_back(r.i(0));
        all = all || it->second.all_roles_managed;
    }
    if (managing.empty()) return {};
    if (all) return givable;
    std::vector<db::Value> params;
    const std::string sql = "SELECT DISTINCT managed_role_id FROM roles_managed_roles WHERE role_id IN (" +
                            in_list(managing, params) + ")";
    std::vector<long long> out;
    for (const auto& r : db.query(sql, params)) out.push_back(r.i(0));
    return out;
}

std::vector<long long> role_ids_param(const nlohmann::json& membership) {
    std::vector<long long> ids;
    if (!membership.contains("role_ids")) return ids;
    for (const auto& s : string_list(membership["role_ids"])) {
        long long id = app::ruby_to_i(s);
        if (id != 0 && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    return ids;
}

bool contains(const std::vector<long long>& v, long long x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

const nlohmann::json& membership_body(Context& ctx) {
    static const nlohmann::json empty = nlohmann::json::object();
    const auto& root = ctx.params();
    if (root.contains("membership") && root["membership"].is_object()) return root["membership"];
    return empty;
}

Response create(Context& ctx) {
    const auto project = find_project(ctx, ctx.route_param("project_id"));
    authorize(ctx, project, "manage_members");
    auto& db = ctx.db();
    const auto& body = membership_body(ctx);
    std::vector<std::string> user_ids;
    if (body.contains("user_id") && !body["user_id"].is_null())
        user_ids = string_list(body["user_id"]);
    else if (body.contains("user_ids"))
        user_ids = string_list(body["user_ids"]);
    if (user_ids.empty()) user_ids.emplace_back();
    const auto editable = managed_roles(ctx, project.id);
    std::vector<long long> role_ids;
    for (long long id : role_ids_param(body))
        if (contains(editable, id)) role_ids.push_back(id);

    // Member validations for each principal; valid ones are saved, the first one answers.
    std::optional<long long> first_id;
    std::vector<std::string> first_errors;
    db::Tx tx(db);
    for (size_t i = 0; i < user_ids.size(); ++i) {
        std::vector<std::string> errors;
        const long long principal = user_ids[i].empty() ? 0 : app::ruby_to_i(user_ids[i]);
        const bool exists =
            principal > 0 && db.scalar("SELECT COUNT(*) FROM users WHERE id = ?", {principal}) > 0;
        if (!exists) errors.push_back("Principal cannot be blank");
        if (exists && db.scalar("SELECT COUNT(*) FROM members WHERE project_id = ? AND user_id = ?",
                                {project.id, principal}) > 0)
            errors.push_back("User has already been taken");
        if (role_ids.empty()) errors.push_back("Role cannot be empty");
        if (errors.empty()) {
            const long long member = members::find_or_create(db, project.id, principal);
            for (long long role : role_ids) members::add_role(db, member, role, std::nullopt);
            if (i == 0) first_id = member;
        } else if (i == 0) {
            first_errors = errors;
        }
    }
    tx.commit();
    if (!first_id) throw app::ValidationError{first_errors};
    return render_member(ctx, *first_id, 201)
        .header("Location", ctx.url_for("/memberships/" + std::to_string(*first_id)));
}

Response update(Context& ctx) {
    const auto [member, project] = find_member(ctx);
    authorize(ctx, project, "manage_members");
    auto& db = ctx.db();
    const auto& body = membership_body(ctx);
    if (!ctx.params().contains("membership")) return no_content();  // nothing to change; the save succeeds
    db::Tx tx(db);
    // Member#set_editable_role_ids then #role_ids=: roles the user may not manage stay as they are,
    // inherited roles are kept.
    const auto editable = managed_roles(ctx, project.id);
    struct MR {
        long long id, role_id;
        bool inherited;
    };
    std::vector<MR> current;
    for (const auto& r :
         db.query("SELECT id, role_id, inherited_from FROM member_roles WHERE member_id = ? ORDER BY id",
                  {member.id}))
        current.push_back({r.i(0), r.i(1), !r.null(2)});
    std::vector<long long> ids;
    for (const auto& mr : current)
        if (!contains(editable, mr.role_id) && !contains(ids, mr.role_id)) ids.push_back(mr.role_id);
    for (long long id : role_ids_param(body))
        if (contains(editable, id) && !contains(ids, id)) ids.push_back(id);
    for (const auto& mr : current)
        if (mr.inherited && !contains(ids, mr.role_id)) ids.push_back(mr.role_id);
    for (long long id : ids) {
        bool has =
            std::any_of(current.begin(), current.end(), [&](const MR& mr) { return mr.role_id == id; });
        if (!has) members::add_role(db, member.id, id, std::nullopt);
    }
    // Member#role_ids= destroys each MemberRole, whose remove_member_if_empty sees the member's roles as
    // cached before the change: the member stays, even without roles, and the answer is a validation
    // error (Redmine 5.0.4 leaves such a membership, shown with "roles":[]).
    for (const auto& mr : current)
        if (!contains(ids, mr.role_id)) members::remove_role(db, mr.id, true);
    const bool left = db.scalar("SELECT COUNT(*) FROM member_roles WHERE member_id = ?", {member.id}) > 0;
    tx.commit();
    if (!left) throw app::ValidationError{{"Role cannot be empty"}};
    return no_content();
}

Response destroy(Context& ctx) {
    const auto [member, project] = find_member(ctx);
    authorize(ctx, project, "manage_members");
    auto& db = ctx.db();
    // Member#deletable?: no inherited role, and every role manageable by the user.
    const auto editable = managed_roles(ctx, project.id);
    bool deletable = true;
    for (const auto& r :
         db.query("SELECT role_id, inherited_from FROM member_roles WHERE member_id = ?", {member.id}))
        if (!r.null(1) || !contains(editable, r.i(0))) deletable = false;
    if (!deletable) throw app::HttpError{422};
    db::Tx tx(db);
    members::destroy(db, member.id);
    tx.commit();
    return no_content();
}

}  // namespace

void register_memberships(app::Router& r) {
    r.add("GET", "/projects/:project_id/memberships", index);
    r.add("POST", "/projects/:project_id/memberships", create);
    r.add("GET", "/memberships/:id", show);
    r.add("PUT", "/memberships/:id", update);
    r.add("PATCH", "/memberships/:id", update);
    r.add("DELETE", "/memberships/:id", destroy);
}

}  // namespace resources
