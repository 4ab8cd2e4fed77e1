// /projects/:id/versions and /versions/:id (Redmine 5.0's VersionsController with its api views).
#include <algorithm>
#include <regex>

#include "resources/custom_values.h"
#include "resources/project_common.h"

namespace resources {

namespace {

constexpr const char* kVersionColumns =
    "SELECT v.id, v.project_id, p.name, v.name, v.description, v.status, v.effective_date, v.sharing, "
    "v.wiki_page_title, v.created_on, v.updated_on FROM versions v JOIN projects p ON p.id = v.project_id";

// VersionCustomField#visible_by?: visible fields, or all of them for an admin.
std::vector<CustomFieldDef> visible_fields(Context& ctx) {
    auto fields = custom_fields_of(ctx.db(), "VersionCustomField");
    if (!ctx.user.admin) std::erase_if(fields, [](const CustomFieldDef& f) { return !f.visible; });
    return fields;
}

api::Node version_node(const db::Row& r, const std::vector<CustomFieldDef>& fields,
                       const CustomValues& values, std::optional<std::pair<double, double>> hours) {
    api::Node n = api::Node::object();
    n.set("id", r.i(0)).set("project", ref(r.i(1), r.s(2)));
    n.set("name", r.s(3))
        .set("description", str_at(r, 4))
        .set("status", str_at(r, 5))
        .set("due_date", date_at(r, 6));
    n.set("sharing", r.s(7)).set("wiki_page_title", str_at(r, 8));
    if (hours) n.set("estimated_hours", hours->first).set("spent_hours", hours->second);
    if (auto cf = custom_fields_node(fields, values, r.i(0))) n.set("custom_fields", std::move(*cf));
    n.set("created_on", time_at(r, 9)).set("updated_on", time_at(r, 10));
    return n;
}

Response index(Context& ctx) {
    const auto project = find_project(ctx, ctx.route_param("project_id"));
    authorize(ctx, project, "view_issues");
    auto& db = ctx.db();
    auto self = db.one("SELECT lft, rgt FROM projects WHERE id = ?", {project.id});
    auto root = db.one("SELECT lft, rgt FROM projects WHERE lft <= ? AND rgt >= ? AND parent_id IS NULL",
                       {self->i(0), self->i(1)});
    const long long lft = self->i(0), rgt = self->i(1);
    const long long rlft = root ? root->i(0) : lft, rrgt = root ? root->i(1) : rgt;
    // Project#shared_versions
    const auto rows =
        db.query(std::string(kVersionColumns) +
                     " WHERE p.id = ? OR (p.status <> ? AND (v.sharing = 'system'"
                     " OR (p.lft >= ? AND p.rgt <= ? AND v.sharing = 'tree')"
                     " OR (p.lft < ? AND p.rgt > ? AND v.sharing IN ('hierarchy', 'descendants'))"
                     " OR (p.lft > ? AND p.rgt < ? AND v.sharing = 'hierarchy'))) ORDER BY v.id",
                 {project.id, static_cast<long long>(app::kProjectArchived), rlft, rrgt, lft, rgt, lft, rgt});
    std::vector<long long> ids;
    for (const auto& r : rows) ids.push_back(r.i(0));
    const auto fields = visible_fields(ctx);
    const auto values = load_custom_values(db, "Version", ids);
    api::Node list = api::Node::array("version");
    for (const auto& r : rows) list.push(version_node(r, fields, values, std::nullopt));
    api::Document doc{"versions", std::move(list), {}};
    if (!app::nometa(ctx)) doc.meta.emplace_back("total_count", static_cast<long long>(rows.size()));
    return ctx.render(doc);
}

// Issue.visible for the issues of one version, role by role (issues_visibility all/default/own).
double visible_estimated_hours(Context& ctx, long long version_id) {
    auto& db = ctx.db();
    auto& perms = ctx.perms();
    std::vector<long long> principal_ids{ctx.user.id};
    if (!ctx.user.anonymous)
        for (const auto& r : db.query("SELECT group_id FROM groups_users WHERE user_id = ?", {ctx.user.id}))
            principal_ids.push_back(r.i(0));
    auto mine = [&](const db::Row& r, size_t col) {
        return !r.null(col) &&
               std::find(principal_ids.begin(), principal_ids.end(), r.i(col)) != principal_ids.end();
    };
    double sum = 0;
    for (const auto& r :
         db.query("SELECT estimated_hours, project_id, is_private, author_id, assigned_to_id FROM issues "
                  "WHERE fixed_version_id = ?",
                  {version_id})) {
        const auto* p = perms.project(r.i(1));
        if (!p || !p->allows("view_issues")) continue;
        bool visible = ctx.user.admin;
        for (const app::Role* role :
             visible ? std::vector<const app::Role*>{} : perms.roles_for_project(*p)) {
            if (!(p->is_public || role->builtin == 0) || !role->has("view_issues")) continue;
            const bool own = !ctx.user.anonymous && (r.i(3) == ctx.user.id || mine(r, 4));
            if (role->issues_visibility == "all")
                visible = true;
            else if (role->issues_visibility == "own")
                visible = visible || own;
            else
                visible = visible || !r.b(2) || own;
        }
        if (visible && !r.null(0)) sum += r.f(0);
    }
    return sum;
}

Response render_version(Context& ctx, long long id, int status = 200) {
    auto& db = ctx.db();
    auto r = db.one(std::string(kVersionColumns) + " WHERE v.id = ?", {id});
    if (!r) throw app::HttpError{404};
    std::optional<std::pair<double, double>> hours;
    if (ctx.perms().allowed_to("view_time_entries", r->i(1))) {
        auto spent = db.one(
            "SELECT SUM(te.hours) FROM time_entries te JOIN issues i ON i.id = te.issue_id "
            "WHERE i.fixed_version_id = ?",
            {id});
        hours = std::make_pair(visible_estimated_hours(ctx, id), spent ? spent->f(0) : 0.0);
    }
    const auto values = load_custom_values(db, "Version", {id});
    return ctx.render({"version", version_node(*r, visible_fields(ctx), values, hours), {}}, status);
}

// Version.find + find_project_from_association.
std::pair<long long, ProjectRef> find_version(Context& ctx) {
    const long long id = id_param(ctx.route_param("id"));
    auto r = ctx.db().one("SELECT project_id FROM versions WHERE id = ?", {id});
    if (!r) throw app::HttpError{404};
    return {id, find_project(ctx, std::to_string(r->i(0)))};
}

Response show(Context& ctx) {
    const auto [id, project] = find_version(ctx);
    authorize(ctx, project, "view_issues");
    return render_version(ctx, id);
}

struct VersionAttrs {
    std::string name, status = "open", sharing = "none";
    std::optional<std::string> description = std::string(), effective_date, wiki_page_title;
    bool default_project_version = false;
    std::map<long long, std::string> custom_values;
};

bool valid_date(const std::string& s) {
    static const std::regex format(R"(^\d{4}-\d{2}-\d{2}( 00:00:00)?$)");
    if (!std::regex_match(s, format)) return false;
    const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

const nlohmann::json& version_body(Context& ctx) {
    static const nlohmann::json empty = nlohmann::json::object();
    const auto& root = ctx.params();
    return root.contains("version") && root["version"].is_object() ? root["version"] : empty;
}

// Version#allowed_sharings for the current user.
bool sharing_allowed(Context& ctx, long long project_id, const std::string& current,
                     const std::string& wanted) {
    if (wanted == current) return true;
    if (wanted == "system") return ctx.user.admin;
    if (wanted == "hierarchy" || wanted == "tree") {
        auto self = ctx.db().one("SELECT lft, rgt FROM projects WHERE id = ?", {project_id});
        auto root = ctx.db().one("SELECT id FROM projects WHERE lft <= ? AND rgt >= ? AND parent_id IS NULL",
                                 {self->i(0), self->i(1)});
        return ctx.perms().allowed_to("manage_versions", root ? root->i(0) : project_id);
    }
    return wanted == "none" || wanted == "descendants";
}

// Version#safe_attributes= plus the controller's sharing check; returns the validation errors.
std::vector<std::string> apply(Context& ctx, long long project_id, std::optional<long long> self_id,
                               VersionAttrs& a) {
    const auto& body = version_body(ctx);
    const auto fields = visible_fields(ctx);
    if (auto v = body_string(body, "name")) a.name = *v;
    if (auto v = body_string(body, "description"))
        a.description = *v;
    else if (body.contains("description"))
        a.description.reset();
    std::optional<std::string> date_text;
    for (const char* key : {"effective_date", "due_date"})
        if (body.contains(key)) {
            date_text = body_string(body, key).value_or("");
            a.effective_date = date_text->empty() ? std::nullopt : date_text;
        }
    if (auto v = body_string(body, "wiki_page_title"))
        a.wiki_page_title = *v;
    else if (body.contains("wiki_page_title"))
        a.wiki_page_title.reset();
    if (auto v = body_string(body, "status")) a.status = *v;
    if (auto v = body_string(body, "sharing"))
        if (sharing_allowed(ctx, project_id, a.sharing, *v)) a.sharing = *v;
    if (auto v = body_string(body, "default_project_version"))
        a.default_project_version = *v == "1" || *v == "true";
    if (body.contains("custom_fields") && body["custom_fields"].is_array())
        for (const auto& cf : body["custom_fields"]) {
            long long id = app::ruby_to_i(body_string(cf, "id").value_or(""));
            if (std::any_of(fields.begin(), fields.end(),
                            [&](const CustomFieldDef& f) { return f.id == id; }))
                a.custom_values[id] = body_string(cf, "value").value_or("");
        }

    std::vector<std::string> errors;
    auto& db = ctx.db();
    for (const auto& f : fields) {
        auto row = db.one("SELECT is_required FROM custom_fields WHERE id = ?", {f.id});
        auto it = a.custom_values.find(f.id);
        if (row && row->b(0) &&
            ((it != a.custom_values.end() && it->second.empty()) ||
             (!self_id && it == a.custom_values.end())))
            errors.push_back(f.name + " cannot be blank");
    }
    if (a.name.empty()) errors.push_back("Name cannot be blank");
    for (const auto& r :
         db.query("SELECT id, name FROM versions WHERE project_id = ? AND name = ?", {project_id, a.name}))
        if (r.s(1) == a.name && (!self_id || r.i(0) != *self_id)) {
            errors.push_back("Name has already been taken");
            break;
        }
    if (utf8_length(a.name) > 60) errors.push_back("Name is too long (maximum is 60 characters)");
    if (a.description && utf8_length(*a.description) > 255)
        errors.push_back("Description is too long (maximum is 255 characters)");
    if (a.wiki_page_title && utf8_length(*a.wiki_page_title) > 255)
        errors.push_back("Wiki page title is too long (maximum is 255 characters)");
    if (date_text && !date_text->empty() && !valid_date(*date_text))
        errors.push_back("Due date is not a valid date");
    if (a.status != "open" && a.status != "locked" && a.status != "closed")
        errors.push_back("Status is not included in the list");
    static const std::vector<std::string> sharings = {"none", "descendants", "hierarchy", "tree", "system"};
    if (std::find(sharings.begin(), sharings.end(), a.sharing) == sharings.end())
        errors.push_back("Sharing is not included in the list");
    if (a.effective_date) a.effective_date = a.effective_date->substr(0, 10);
    return errors;
}

db::Value opt(const std::optional<std::string>& v) { return v ? db::Value(*v) : db::Value(); }

void save_custom_values(db::Conn& c, long long id, const VersionAttrs& a) {
    for (const auto& [field, value] : a.custom_values) {
        c.exec(
            "DELETE FROM custom_values WHERE customized_type = 'Version' AND customized_id = ? AND "
            "custom_field_id = ?",
            {id, field});
        c.insert(
            "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) VALUES (?, "
            "?, ?, ?)",
            {std::string("Version"), id, field, value}, "custom_values");
    }
}

Response create(Context& ctx) {
    const auto project = find_project(ctx, ctx.route_param("project_id"));
    authorize(ctx, project, "manage_versions");
    VersionAttrs a;
    auto errors = apply(ctx, project.id, std::nullopt, a);
    if (!errors.empty()) throw app::ValidationError{errors};
    auto& db = ctx.db();
    db::Tx tx(db);
    const std::string now = db.now();
    const long long id = db.insert(
        "INSERT INTO versions (project_id, name, description, effective_date, created_on, updated_on, "
        "wiki_page_title, "
        "status, sharing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {project.id, a.name, opt(a.description), opt(a.effective_date), now, now, opt(a.wiki_page_title),
         a.status, a.sharing},
        "versions");
    // Redmine saves a value for every version custom field of a new version.
    for (const auto& f : custom_fields_of(db, "VersionCustomField"))
        if (!a.custom_values.count(f.id)) {
            auto d = db.one("SELECT default_value FROM custom_fields WHERE id = ?", {f.id});
            db.insert(
                "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) VALUES "
                "(?, ?, ?, ?)",
                {std::string("Version"), id, f.id, d && !d->null(0) ? db::Value(d->s(0)) : db::Value()},
                "custom_values");
        }
    save_custom_values(db, id, a);
    if (a.default_project_version)
        db.exec("UPDATE projects SET default_version_id = ? WHERE id = ?", {id, project.id});
    tx.commit();
    return render_version(ctx, id, 201).header("Location", ctx.url_for("/versions/" + std::to_string(id)));
}

Response update(Context& ctx) {
    const auto [id, project] = find_version(ctx);
    authorize(ctx, project, "manage_versions");
    if (!ctx.params().contains("version")) return no_content();
    auto& db = ctx.db();
    auto r = db.one(
        "SELECT name, description, effective_date, wiki_page_title, status, sharing FROM versions WHERE id = "
        "?",
        {id});
    VersionAttrs a;
    a.name = r->s(0);
    a.description = r->os(1);
    if (!r->null(2)) a.effective_date = r->s(2).substr(0, 10);
    a.wiki_page_title = r->os(3);
    a.status = r->s(4);
    a.sharing = r->s(5);
    const std::string old_sharing = a.sharing;
    auto errors = apply(ctx, project.id, id, a);
    if (!errors.empty()) throw app::ValidationError{errors};
    db::Tx tx(db);
    db.exec(
        "UPDATE versions SET name = ?, description = ?, effective_date = ?, wiki_page_title = ?, status = ?, "
        "sharing = ?, updated_on = ? WHERE id = ?",
        {a.name, opt(a.description), opt(a.effective_date), opt(a.wiki_page_title), a.status, a.sharing,
         db.now(), id});
    save_custom_values(db, id, a);
    if (a.default_project_version)
        db.exec("UPDATE projects SET default_version_id = ? WHERE id = ?", {id, project.id});
    // Version#update_issues_from_sharing_change: a narrower sharing may leave issues of other
    // projects with a version they can no longer use.
    if (a.sharing != old_sharing) {
        static const std::vector<std::string> order = {"none", "descendants", "hierarchy", "tree", "system"};
        const auto before = std::find(order.begin(), order.end(), old_sharing);
        const auto after = std::find(order.begin(), order.end(), a.sharing);
        if (before == order.end() || after == order.end() || before > after)
            unassign_unshared_versions(ctx, id, {});
    }
    tx.commit();
    return no_content();
}

Response destroy(Context& ctx) {
    const auto [id, project] = find_version(ctx);
    authorize(ctx, project, "manage_versions");
    auto& db = ctx.db();
    // Version#deletable?: no fixed issues, no version custom value pointing at it, no attachments.
    const bool used =
        db.scalar("SELECT COUNT(*) FROM issues WHERE fixed_version_id = ?", {id}) > 0 ||
        db.scalar(
            "SELECT COUNT(*) FROM custom_values cv JOIN custom_fields cf ON cf.id = cv.custom_field_id "
            "WHERE cf.field_format = 'version' AND cv.value = ?",
            {std::to_string(id)}) > 0 ||
        db.scalar("SELECT COUNT(*) FROM attachments WHERE container_type = 'Version' AND container_id = ?",
                  {id}) > 0;
    if (used) throw app::HttpError{422};
    db::Tx tx(db);
    db.exec("UPDATE projects SET default_version_id = NULL WHERE default_version_id = ?", {id});
    db.exec("DELETE FROM custom_values WHERE customized_type = 'Version' AND customized_id = ?", {id});
    db.exec("DELETE FROM versions WHERE id = ?", {id});
    tx.commit();
    return no_content();
}

}  // namespace

void register_versions(app::Router& r) {
    r.add("GET", "/projects/:project_id/versions", index);
    r.add("POST", "/projects/:project_id/versions", create);
    r.add("GET", "/versions/:id", show);
    r.add("PUT", "/versions/:id", update);
    r.add("PATCH", "/versions/:id", update);
    r.add("DELETE", "/versions/:id", destroy);
}

}  // namespace resources
