// /projects/:id/issue_categories and /issue_categories/:id (Redmine 5.0's IssueCategoriesController).
#include "resources/project_common.h"

namespace resources {

namespace {

std::vector<api::Node> category_nodes(Context& ctx, const db::Rows& rows) {
    // rows: id, project_id, project name, name, assigned_to_id
    std::vector<long long> assignees;
    for (const auto& r : rows)
        if (!r.null(4)) assignees.push_back(r.i(4));
    const auto principals = load_principals(ctx, assignees);
    std::vector<api::Node> out;
    for (const auto& r : rows) {
        api::Node n = api::Node::object();
        n.set("id", r.i(0)).set("project", ref(r.i(1), r.s(2))).set("name", r.s(3));
        if (!r.null(4))
            if (auto it = principals.find(r.i(4)); it != principals.end())
                n.set("assigned_to", ref(it->first, it->second.name));
        out.push_back(std::move(n));
    }
    return out;
}

constexpr const char* kColumns =
    "SELECT c.id, c.project_id, p.name, c.name, c.assigned_to_id FROM issue_categories c "
    "JOIN projects p ON p.id = c.project_id";

Response index(Context& ctx) {
    const auto project = find_project(ctx, ctx.route_param("project_id"));
    authorize(ctx, project, "manage_categories");
    const auto rows =
        ctx.db().query(std::string(kColumns) + " WHERE c.project_id = ? ORDER BY c.name, c.id", {project.id});
    api::Node list = api::Node::array("issue_category");
    for (auto& n : category_nodes(ctx, rows)) list.push(std::move(n));
    api::Document doc{"issue_categories", std::move(list), {}};
    if (!app::nometa(ctx)) doc.meta.emplace_back("total_count", static_cast<long long>(rows.size()));
    return ctx.render(doc);
}

Response render_category(Context& ctx, long long id, int status = 200) {
    const auto rows = ctx.db().query(std::string(kColumns) + " WHERE c.id = ?", {id});
    if (rows.empty()) throw app::HttpError{404};
    return ctx.render({"issue_category", std::move(category_nodes(ctx, rows).front()), {}}, status);
}

std::pair<long long, ProjectRef> find_category(Context& ctx) {
    const long long id = id_param(ctx.route_param("id"));
    auto r = ctx.db().one("SELECT project_id FROM issue_categories WHERE id = ?", {id});
    if (!r) throw app::HttpError{404};
    return {id, find_project(ctx, std::to_string(r->i(0)))};
}

Response show(Context& ctx) {
    const auto [id, project] = find_category(ctx);
    authorize(ctx, project, "manage_categories");
    return render_category(ctx, id);
}

const nlohmann::json& category_body(Context& ctx) {
    static const nlohmann::json empty = nlohmann::json::object();
    const auto& root = ctx.params();
    return root.contains("issue_category") && root["issue_category"].is_object() ? root["issue_category"]
                                                                                 : empty;
}

// IssueCategory#safe_attributes= and its validations.
std::vector<std::string> apply(Context& ctx, long long project_id, std::optional<long long> self_id,
                               std::string& name, std::optional<long long>& assigned_to) {
    const auto& body = category_body(ctx);
    if (auto v = body_string(body, "name")) name = *v;
    if (body.contains("assigned_to_id")) {
        const std::string v = body_string(body, "assigned_to_id").value_or("");
        const long long id = app::ruby_to_i(v);
        assigned_to = v.empty() || id == 0 ? std::nullopt : std::optional<long long>(id);
    }
    std::vector<std::string> errors;
    if (name.empty()) errors.push_back("Name cannot be blank");
    for (const auto& r : ctx.db().query(
             "SELECT id, name FROM issue_categories WHERE project_id = ? AND name = ?", {project_id, name}))
        if (r.s(1) == name && (!self_id || r.i(0) != *self_id)) {
            errors.push_back("Name has already been taken");
            break;
        }
    if (utf8_length(name) > 60) errors.push_back("Name is too long (maximum is 60 characters)");
    return errors;
}

db::Value opt(const std::optional<long long>& v) { return v ? db::Value(*v) : db::Value(); }

Response create(Context& ctx) {
    const auto project = find_project(ctx, ctx.route_param("project_id"));
    authorize(ctx, project, "manage_categories");
    std::string name;
    std::optional<long long> assigned_to;
    auto errors = apply(ctx, project.id, std::nullopt, name, assigned_to);
    if (!errors.empty()) throw app::ValidationError{errors};
    auto& db = ctx.db();
    db::Tx tx(db);
    const long long id =
        db.insert("INSERT INTO issue_categories (project_id, name, assigned_to_id) VALUES (?, ?, ?)",
                  {project.id, name, opt(assigned_to)}, "issue_categories");
    tx.commit();
    // issue_category_path: Redmine answers with a relative Location here.
    return render_category(ctx, id, 201).header("Location", "/issue_categories/" + std::to_string(id));
}

Response update(Context& ctx) {
    const auto [id, project] = find_category(ctx);
    authorize(ctx, project, "manage_categories");
    auto& db = ctx.db();
    auto r = db.one("SELECT name, assigned_to_id FROM issue_categories WHERE id = ?", {id});
    std::string name = r->s(0);
    std::optional<long long> assigned_to = r->oi(1);
    auto errors = apply(ctx, project.id, id, name, assigned_to);
    if (!errors.empty()) throw app::ValidationError{errors};
    db::Tx tx(db);
    db.exec("UPDATE issue_categories SET name = ?, assigned_to_id = ? WHERE id = ?",
            {name, opt(assigned_to), id});
    tx.commit();
    return no_content();
}

Response destroy(Context& ctx) {
    const auto [id, project] = find_category(ctx);
    authorize(ctx, project, "manage_categories");
    auto& db = ctx.db();
    // reassign_to_id (with todo empty or "reassign") moves the issues to another category of the project.
    std::optional<long long> reassign;
    auto target = ctx.param("reassign_to_id");
    auto todo = ctx.param("todo");
    if (target && (!todo || todo->empty() || *todo == "reassign")) {
        const long long tid = app::ruby_to_i(*target);
        if (tid != id && db.scalar("SELECT COUNT(*) FROM issue_categories WHERE id = ? AND project_id = ?",
                                   {tid, project.id}) > 0)
            reassign = tid;
    }
    db::Tx tx(db);
    db.exec("UPDATE issues SET category_id = ? WHERE category_id = ?", {opt(reassign), id});
    db.exec("DELETE FROM issue_categories WHERE id = ?", {id});
    tx.commit();
    return no_content();
}

}  // namespace

void register_issue_categories(app::Router& r) {
    r.add("GET", "/projects/:project_id/issue_categories", index);
    r.add("POST", "/projects/:project_id/issue_categories", create);
    r.add("GET", "/issue_categories/:id", show);
    r.add("PUT", "/issue_categories/:id", update);
    r.add("PATCH", "/issue_categories/:id", update);
    r.add("DELETE", "/issue_categories/:id", destroy);
}

}  // namespace resources
