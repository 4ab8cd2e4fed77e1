// /projects, /projects/:id and the archive/unarchive/close/reopen actions (Redmine 5.0's
// ProjectsController with its api views). The project tree is a nested set (db/nested_set.h).
#include <algorithm>
#include <cctype>
#include <regex>

#include "db/nested_set.h"
#include "resources/attachments.h"
#include "resources/custom_values.h"
#include "resources/project_common.h"
#include "resources/project_query.h"

namespace resources {

namespace {

namespace ns = db::nested_set;

struct ProjectRow {
    long long id = 0;
    std::string name, identifier;
    api::Node description, homepage, created_on, updated_on;
    std::optional<long long> parent_id, default_version_id, default_assigned_to_id;
    int status = 1;
    bool is_public = true, inherit_members = false;
    long long lft = 0, rgt = 0;
};

constexpr const char* kProjectColumns =
    "SELECT id, name, identifier, description, homepage, parent_id, status, is_public, inherit_members, "
    "default_version_id, default_assigned_to_id, created_on, updated_on, lft, rgt FROM projects";

ProjectRow project_row(const db::Row& r) {
    ProjectRow p;
    p.id = r.i(0);
    p.name = r.s(1);
    p.identifier = r.s(2);
    p.description = str_at(r, 3);
    p.homepage = str_at(r, 4);
    p.parent_id = r.oi(5);
    p.status = static_cast<int>(r.i(6));
    p.is_public = r.b(7);
    p.inherit_members = r.b(8);
    p.default_version_id = r.oi(9);
    p.default_assigned_to_id = r.oi(10);
    p.created_on = time_at(r, 11);
    p.updated_on = time_at(r, 12);
    p.lft = r.i(13);
    p.rgt = r.i(14);
    return p;
}

// 404 when another server deleted the project after it was found.
std::optional<ProjectRow> load_project(db::Conn& c, long long id) {
    auto r = c.one(std::string(kProjectColumns) + " WHERE id = ?", {id});
    if (!r) throw app::HttpError{404};
    return project_row(*r);
}

// Role#permissions_all_trackers? / permissions_tracker_ids for view_issues, from the role's settings YAML.
struct TrackerRule {
    bool all = true;
    std::set<long long> ids;
};
TrackerRule view_issues_trackers(const std::string& yaml) {
    TrackerRule rule;
    std::string section;
    bool in_ids = false;
    size_t pos = 0;
    while (pos < yaml.size()) {
        auto eol = yaml.find('\n', pos);
        std::string line = yaml.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        pos = eol == std::string::npos ? yaml.size() : eol + 1;
        if (!line.empty() && line[0] != ' ' && line[0] != '-') {
            section = line.substr(0, line.find(':'));
            in_ids = false;
            continue;
        }
        auto trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
        if (section == "permissions_all_trackers" && trimmed.rfind("view_issues:", 0) == 0) {
            std::string v = trimmed.substr(12);
            v.erase(std::remove_if(v.begin(), v.end(),
                                   [](char ch) { return ch == ' ' || ch == '\'' || ch == '"'; }),
                    v.end());
            rule.all = v != "0";
        } else if (section == "permissions_tracker_ids") {
            if (trimmed.rfind("view_issues:", 0) == 0) {
                in_ids = true;
            } else if (in_ids && trimmed.rfind("- ", 0) == 0) {
                std::string v = trimmed.substr(2);
                v.erase(std::remove_if(v.begin(), v.end(), [](char ch) { return ch == '\'' || ch == '"'; }),
                        v.end());
                rule.ids.insert(app::ruby_to_i(v));
            } else if (trimmed.find(':') != std::string::npos) {
                in_ids = false;
            }
        }
    }
    return rule;
}

// What render_api_includes shows, loaded for a page of projects at once.
struct Includes {
    bool trackers = false, categories = false, activities = false, modules = false, issue_fields = false;
    std::map<long long, api::Node> tracker_nodes, category_nodes, activity_nodes, module_nodes, field_nodes;
};

Includes load_includes(Context& ctx, const std::vector<long long>& ids) {
    Includes inc;
    inc.trackers = app::has_include(ctx.params(), "trackers");
    inc.categories = app::has_include(ctx.params(), "issue_categories");
    inc.activities = app::has_include(ctx.params(), "time_entry_activities");
    inc.modules = app::has_include(ctx.params(), "enabled_modules");
    inc.issue_fields = app::has_include(ctx.params(), "issue_custom_fields");
    if (ids.empty()) return inc;
    auto& db = ctx.db();
    auto& perms = ctx.perms();
    auto arrays = [&](std::map<long long, api::Node>& m, const char* item) {
        for (long long id : ids) m.emplace(id, api::Node::array(item));
    };
    if (inc.trackers) {
        arrays(inc.tracker_nodes, "tracker");
        std::map<long long, TrackerRule> rules;
        for (const auto& r : db.query("SELECT id, settings FROM roles"))
            rules[r.i(0)] = view_issues_trackers(r.s(1));
        std::vector<db::Value> params;
        const std::string sql =
            "SELECT pt.project_id, t.id, t.name FROM projects_trackers pt "
            "JOIN trackers t ON t.id = pt.tracker_id WHERE pt.project_id IN (" +
            in_list(ids, params) + ") ORDER BY t.position, t.id";
        for (const auto& r : db.query(sql, params)) {
            const auto* p = perms.project(r.i(0));
            if (!p || !p->modules.count("issue_tracking")) continue;
            bool visible = ctx.user.admin;
            if (!visible)
                for (const app::Role* role : perms.roles_for_project(*p)) {
                    if (!(p->is_public || role->builtin == 0) || !role->has("view_issues")) continue;
                    const auto& rule = rules[role->id];
                    if (rule.all || rule.ids.count(r.i(1))) visible = true;
                }
            if (visible) inc.tracker_nodes[r.i(0)].push(ref(r.i(1), r.s(2)));
        }
    }
    if (inc.categories) {
        arrays(inc.category_nodes, "issue_category");
        std::vector<db::Value> params;
        const std::string sql = "SELECT project_id, id, name FROM issue_categories WHERE project_id IN (" +
                                in_list(ids, params) + ") ORDER BY name, id";
        for (const auto& r : db.query(sql, params)) inc.category_nodes[r.i(0)].push(ref(r.i(1), r.s(2)));
    }
    if (inc.activities) {
        arrays(inc.activity_nodes, "time_entry_activity");
        std::vector<db::Value> params;
        const std::string sql =
            "SELECT id, name, project_id, parent_id, active FROM enumerations "
            "WHERE type = 'TimeEntryActivity' AND (project_id IS NULL OR project_id IN (" +
            in_list(ids, params) + ")) ORDER BY position, id";
        const auto rows = db.query(sql, params);
        std::map<long long, std::set<long long>> overridden;  // project -> system activities it overrides
        for (const auto& r : rows)
            if (!r.null(2) && !r.null(3)) overridden[r.i(2)].insert(r.i(3));
        for (long long pid : ids)
            for (const auto& r : rows) {
                if (!r.b(4) || (!r.null(2) && r.i(2) != pid) || overridden[pid].count(r.i(0))) continue;
                inc.activity_nodes[pid].push(ref(r.i(0), r.s(1)));
            }
    }
    if (inc.modules) {
        arrays(inc.module_nodes, "enabled_module");
        std::vector<db::Value> params;
        const std::string sql = "SELECT project_id, id, name FROM enabled_modules WHERE project_id IN (" +
                                in_list(ids, params) + ") ORDER BY id";
        for (const auto& r : db.query(sql, params)) inc.module_nodes[r.i(0)].push(ref(r.i(1), r.s(2)));
    }
    if (inc.issue_fields) {
        arrays(inc.field_nodes, "custom_field");
        std::vector<db::Value> params;
        const std::string sql =
            "SELECT cfp.project_id, cf.id, cf.name FROM custom_fields_projects cfp "
            "JOIN custom_fields cf ON cf.id = cfp.custom_field_id WHERE cf.type = 'IssueCustomField' "
            "AND cfp.project_id IN (" +
            in_list(ids, params) + ") ORDER BY cf.position, cf.id";
        for (const auto& r : db.query(sql, params)) inc.field_nodes[r.i(0)].push(ref(r.i(1), r.s(2)));
    }
    return inc;
}

// render_api_includes, with the later Redmine fix that hides issue data without view_issues and
// activities without view_time_entries.
void add_includes(Context& ctx, api::Node& n, const Includes& inc, long long id) {
    auto& perms = ctx.perms();
    const bool issues = perms.allowed_to("view_issues", id);
    if (inc.trackers && issues) n.set("trackers", inc.tracker_nodes.at(id));
    if (inc.categories && issues) n.set("issue_categories", inc.category_nodes.at(id));
    if (inc.activities && perms.allowed_to("view_time_entries", id))
        n.set("time_entry_activities", inc.activity_nodes.at(id));
    if (inc.modules) n.set("enabled_modules", inc.module_nodes.at(id));
    if (inc.issue_fields && issues) n.set("issue_custom_fields", inc.field_nodes.at(id));
}

// The project custom fields the user may see (CustomField#visible_by?: visible, or an admin).
std::vector<CustomFieldDef> visible_project_fields(Context& ctx) {
    auto fields = custom_fields_of(ctx.db(), "ProjectCustomField");
    if (!ctx.user.admin) std::erase_if(fields, [](const CustomFieldDef& f) { return !f.visible; });
    return fields;
}

api::Node project_node(Context& ctx, const ProjectRow& p, bool show,
                       const std::map<long long, std::string>& names,
                       const std::vector<CustomFieldDef>& fields, const CustomValues& values,
                       const Includes& inc) {
    api::Node n = api::Node::object();
    n.set("id", p.id).set("name", p.name).set("identifier", p.identifier).set("description", p.description);
    if (show) n.set("homepage", p.homepage);
    if (p.parent_id && ctx.perms().project_visible(*p.parent_id))
        if (auto it = names.find(*p.parent_id); it != names.end())
            n.set("parent", ref(*p.parent_id, it->second));
    n.set("status", p.status).set("is_public", p.is_public).set("inherit_members", p.inherit_members);
    if (show && p.default_version_id)
        if (auto v = ctx.db().one("SELECT name FROM versions WHERE id = ?", {*p.default_version_id}))
            n.set("default_version", ref(*p.default_version_id, v->s(0)));
    if (show && p.default_assigned_to_id) {
        auto principals = load_principals(ctx, {*p.default_assigned_to_id});
        if (auto it = principals.find(*p.default_assigned_to_id); it != principals.end())
            n.set("default_assignee", ref(it->first, it->second.name));
    }
    if (auto cf = custom_fields_node(fields, values, p.id)) n.set("custom_fields", std::move(*cf));
    add_includes(ctx, n, inc, p.id);
    n.set("created_on", p.created_on).set("updated_on", p.updated_on);
    return n;
}

Response render_show(Context& ctx, const ProjectRow& p, int status = 200) {
    std::map<long long, std::string> names;
    if (p.parent_id)
        if (auto r = ctx.db().one("SELECT name FROM projects WHERE id = ?", {*p.parent_id}))
            names[*p.parent_id] = r->s(0);
    const auto fields = visible_project_fields(ctx);
    const auto values = load_custom_values(ctx.db(), "Project", {p.id});
    const auto inc = load_includes(ctx, {p.id});
    return ctx.render({"project", project_node(ctx, p, true, names, fields, values, inc), {}}, status);
}

Response index(Context& ctx) {
    const app::Paging paging = app::parse_paging(ctx.params());
    auto& db = ctx.db();
    auto& perms = ctx.perms();
    const auto query = build_project_query(ctx);
    std::vector<ProjectRow> all;
    for (const auto& r :
         db.query(std::string(kProjectColumns) + (query.where.empty() ? "" : " WHERE " + query.where) +
                      " ORDER BY " + query.order,
                  query.params))
        all.push_back(project_row(r));
    std::map<long long, std::string> names;  // parents may be filtered out
    for (const auto& r : db.query("SELECT id, name FROM projects")) names[r.i(0)] = r.s(1);
    std::vector<const ProjectRow*> visible;
    for (const auto& p : all)
        if (perms.project_visible(p.id)) visible.push_back(&p);
    std::vector<const ProjectRow*> page;
    for (size_t i = static_cast<size_t>(paging.offset);
         i < visible.size() && page.size() < static_cast<size_t>(paging.limit); ++i)
        page.push_back(visible[i]);
    std::vector<long long> ids;
    for (const auto* p : page) ids.push_back(p->id);
    const auto fields = visible_project_fields(ctx);
    const auto values = load_custom_values(db, "Project", ids);
    const auto inc = load_includes(ctx, ids);
    api::Node list = api::Node::array("project");
    for (const auto* p : page) list.push(project_node(ctx, *p, false, names, fields, values, inc));
    return ctx.render(app::list_document(ctx, "projects", std::move(list),
                                         static_cast<long long>(visible.size()), paging));
}

Response show(Context& ctx) {
    const auto ref = find_project(ctx, ctx.route_param("id"));
    authorize(ctx, ref, "view_project");
    return render_show(ctx, *load_project(ctx.db(), ref.id));
}

// ---- writes -----------------------------------------------------------------------------------

// Project#target_lft: after the last sibling whose name sorts before this one.
long long target_lft(db::Conn& c, std::optional<long long> parent_id, const std::string& name) {
    std::optional<db::Row> r;
    if (parent_id)
        r = c.one("SELECT MAX(rgt) FROM projects WHERE parent_id = ? AND name < ?", {*parent_id, name});
    else
        r = c.one("SELECT MAX(rgt) FROM projects WHERE parent_id IS NULL AND name < ?", {name});
    if (r && !r->null(0)) return r->i(0) + 1;
    if (parent_id) return c.scalar("SELECT lft FROM projects WHERE id = ?", {*parent_id}) + 1;
    return 1;
}

// Under the nested-set lock: the parent still exists, is active and (for a move) lies outside the
// project's own subtree, which another server may have changed since validation.
bool usable_parent(db::Conn& c, long long parent_id, std::optional<std::pair<long long, long long>> self) {
    auto r = c.one("SELECT status, lft, rgt FROM projects WHERE id = ?", {parent_id});
    if (!r || r->i(0) != app::kProjectActive) return false;
    return !self || r->i(1) < self->first || r->i(2) > self->second;
}

// Ruby's String#succ on ASCII text: the rightmost letter or digit goes up, carrying leftwards over
// other characters (but not from a digit over punctuation to a letter, or the reverse); a carry
// out of the leftmost one inserts a new "1", "a" or "A".
std::string ruby_succ(std::string s) {
    auto alnum = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; };
    if (std::none_of(s.begin(), s.end(), alnum)) {
        for (size_t i = s.size(); i-- > 0;)
            if (++s[i] != 0) return s;  // a byte that overflows carries on
        return "\x01" + s;
    }
    std::optional<size_t> carry_pos, last_wrapped;
    bool after_other = false;
    for (size_t i = s.size(); i-- > 0;) {
        char& ch = s[i];
        if (!alnum(ch)) {
            after_other = true;
            continue;
        }
        if (after_other && last_wrapped) {
            const bool digit = std::isdigit(static_cast<unsigned char>(s[*last_wrapped])) != 0;
            if (digit != (std::isdigit(static_cast<unsigned char>(ch)) != 0)) break;
        }
        after_other = false;
        if (ch == 'z' || ch == 'Z' || ch == '9') {
            ch = ch == 'z' ? 'a' : ch == 'Z' ? 'A' : '0';
            last_wrapped = carry_pos = i;
            continue;
        }
        ++ch;
        return s;
    }
    const char first = s[*carry_pos];
    s.insert(*carry_pos, 1, first == '0' ? '1' : first);
    return s;
}

// Project.next_identifier: the successor of the newest project's identifier.
std::string next_identifier(db::Conn& c) {
    auto r = c.one("SELECT identifier FROM projects ORDER BY id DESC LIMIT 1");
    return r ? ruby_succ(r->s(0)) : "";
}

// The attribute values a create or update ends with.
struct ProjectAttrs {
    std::string name, identifier, homepage;
    std::optional<std::string> description;
    bool is_public = true, inherit_members = false;
    std::optional<long long> parent_id, default_version_id, default_assigned_to_id;
    std::optional<std::vector<long long>> tracker_ids, issue_custom_field_ids;
    std::optional<std::vector<std::string>> modules;
    std::map<long long, CustomValueInput> custom_values;  // only the ones given
    bool custom_assigned = false;                         // custom_field_values= was called
};

// CustomFieldValue#value= for a value from the body: a list keeps its non-empty values, unique (one
// "" when none); anything else is one string.
CustomValueInput custom_input(const nlohmann::json& v) {
    CustomValueInput in;
    in.array = v.is_array() || v.is_object();
    const auto list = string_list(v);
    if (!in.array) {
        in.values = list.empty() ? std::vector<std::string>{""} : list;
        return in;
    }
    for (const auto& s : list)
        if (!s.empty() && std::find(in.values.begin(), in.values.end(), s) == in.values.end())
            in.values.push_back(s);
    if (in.values.empty()) in.values.emplace_back();
    return in;
}

std::optional<long long> optional_id(const nlohmann::json& obj, const std::string& key) {
    auto v = body_string(obj, key);
    if (!v || v->empty()) return std::nullopt;
    long long id = app::ruby_to_i(*v);
    if (id <= 0) return std::nullopt;
    return id;
}

// habtm ids=: every id must exist, otherwise Rails raises RecordNotFound (404).
std::vector<long long> existing_ids(db::Conn& c, const std::vector<std::string>& given,
                                    const std::string& sql_prefix) {
    std::vector<long long> ids;
    for (const auto& s : given)
        if (!s.empty()) {
            long long id = app::ruby_to_i(s);
            if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
        }
    if (ids.empty()) return ids;
    std::vector<db::Value> params;
    const std::string sql = sql_prefix + " IN (" + in_list(ids, params) + ")";
    if (c.scalar(sql, params) != static_cast<long long>(ids.size())) throw app::HttpError{404};
    return ids;
}

// Project.allowed_to(user, :add_subprojects) ids.
std::vector<long long> allowed_parents(Context& ctx, const std::optional<ProjectRow>& self,
                                       std::optional<long long> current_parent, bool& nil_allowed) {
    auto ids = ctx.perms().allowed_project_ids("add_subprojects");
    if (self)  // not under itself or one of its descendants
        for (const auto& r :
             ctx.db().query("SELECT id FROM projects WHERE lft >= ? AND rgt <= ?", {self->lft, self->rgt}))
            std::erase(ids, r.i(0));
    nil_allowed = ctx.perms().allowed_globally("add_project") || (self && !self->parent_id);
    if (current_parent && !ids.empty() && std::find(ids.begin(), ids.end(), *current_parent) == ids.end())
        ids.push_back(*current_parent);
    return ids;
}

std::vector<std::string> validate(Context& ctx, const ProjectAttrs& a, const std::optional<ProjectRow>& self,
                                  bool unallowed_parent, const std::vector<CustomFieldDef>& editable) {
    std::vector<std::string> errors;
    auto& db = ctx.db();
    // acts_as_customizable's validations come first (declared before the others): every editable
    // value of a new project, or of one whose custom values were assigned
    // (Project#validate_custom_field_values).
    if (!self || a.custom_assigned) {
        std::vector<CustomFieldDef> defs = editable;
        std::vector<CustomFieldDef*> record_lists;
        for (auto& d : defs)
            if (d.field_format == "enumeration" || d.field_format == "user" || d.field_format == "version")
                record_lists.push_back(&d);
        // Project#project is the project itself; a new one has none yet.
        load_validation_rules(db, record_lists, self ? std::optional<long long>(self->id) : std::nullopt);
        const auto stored = self ? load_custom_values(db, "Project", {self->id}) : CustomValues{};
        std::map<long long, std::string> defaults;
        for (const auto& r :
             db.query("SELECT id, default_value FROM custom_fields WHERE type = 'ProjectCustomField'"))
            defaults[r.i(0)] = r.s(1);
        for (const auto& d : defs) {
            // A value not stored yet starts from the field's default, as CustomValue.new does.
            std::vector<std::string> was{defaults[d.id]};
            if (auto it = stored.find(self ? self->id : 0); it != stored.end())
                if (auto jt = it->second.find(d.id); jt != it->second.end()) was = jt->second;
            CustomValueInput value{was, d.multiple};
            if (auto it = a.custom_values.find(d.id); it != a.custom_values.end()) value = it->second;
            for (auto& m : custom_value_errors(d, value, was)) errors.push_back(std::move(m));
        }
    }
    const bool identifier_changed = !self || self->identifier != a.identifier;
    if (a.name.empty()) errors.push_back("Name cannot be blank");
    if (a.identifier.empty()) errors.push_back("Identifier cannot be blank");
    if (identifier_changed && !a.identifier.empty()) {
        for (const auto& r : db.query("SELECT identifier FROM projects WHERE identifier = ?", {a.identifier}))
            if (r.s(0) == a.identifier) {  // case-sensitive, whatever the collation
                errors.push_back("Identifier has already been taken");
                break;
            }
    }
    if (utf8_length(a.name) > 255) errors.push_back("Name is too long (maximum is 255 characters)");
    if (utf8_length(a.homepage) > 255) errors.push_back("Homepage is too long (maximum is 255 characters)");
    if (utf8_length(a.identifier) > 100)
        errors.push_back("Identifier is too long (maximum is 100 characters)");
    static const std::regex format("^[a-z0-9_-]*$"), digits("^[0-9]+$");
    if (identifier_changed &&
        (!std::regex_match(a.identifier, format) || std::regex_match(a.identifier, digits)))
        errors.push_back("Identifier is invalid");
    if (a.identifier == "new") errors.push_back("Identifier is reserved");
    if (unallowed_parent) {
        errors.push_back("Subproject of is invalid");
    } else if (a.parent_id && (!self || self->parent_id != a.parent_id)) {
        const auto* parent = ctx.perms().project(*a.parent_id);
        bool ok = parent && parent->status == app::kProjectActive;
        if (ok && self) {
            auto b = db.one("SELECT lft, rgt FROM projects WHERE id = ?", {*a.parent_id});
            ok = b && !(b->i(0) >= self->lft && b->i(1) <= self->rgt);
        }
        if (!ok) errors.push_back("Subproject of is invalid");
    }
    return errors;
}

// Project.default_member_role: the givable role of the new_project_user_role_id setting, else the first one.
std::optional<long long> default_member_role(Context& ctx) {
    const long long wanted = app::ruby_to_i(ctx.setting("new_project_user_role_id"));
    std::optional<long long> first;
    for (const auto& r : ctx.db().query("SELECT id FROM roles WHERE builtin = 0 ORDER BY position, id")) {
        if (r.i(0) == wanted) return wanted;
        if (!first) first = r.i(0);
    }
    return first;
}

// Reads the project's safe attributes from the body over `a` (Project#safe_attributes=).
bool read_attrs(Context& ctx, const nlohmann::json& body, ProjectAttrs& a,
                const std::optional<ProjectRow>& self, const std::vector<CustomFieldDef>& editable) {
    auto& db = ctx.db();
    bool unallowed_parent = false;
    if (!self || body.contains("parent_id")) {
        const std::string given = body_string(body, "parent_id").value_or("");
        const std::string current = self && self->parent_id ? std::to_string(*self->parent_id) : "";
        if (!self || given != current) {
            std::optional<long long> p;
            if (!given.empty()) {
                long long id = app::ruby_to_i(given);
                if (id > 0 && ctx.perms().project(id)) p = id;
            }
            bool nil_allowed = false;
            auto allowed = allowed_parents(ctx, self, self ? self->parent_id : std::nullopt, nil_allowed);
            bool ok = p ? std::find(allowed.begin(), allowed.end(), *p) != allowed.end() : nil_allowed;
            if (ok)
                a.parent_id = p;
            else
                unallowed_parent = true;
        }
    }
    if (auto v = body_string(body, "name")) a.name = *v;
    if (auto v = body_string(body, "description"))
        a.description = *v;
    else if (body.contains("description"))
        a.description.reset();
    if (auto v = body_string(body, "homepage")) a.homepage = *v;
    if (auto v = body_string(body, "is_public")) a.is_public = rails_bool(*v).value_or(false);
    if (!self) {
        if (auto v = body_string(body, "identifier")) a.identifier = *v;
    }
    if (body.contains("default_version_id")) a.default_version_id = optional_id(body, "default_version_id");
    if (body.contains("default_assigned_to_id"))
        a.default_assigned_to_id = optional_id(body, "default_assigned_to_id");
    if (body.contains("tracker_ids"))
        a.tracker_ids =
            existing_ids(db, string_list(body["tracker_ids"]), "SELECT COUNT(*) FROM trackers WHERE id");
    if (body.contains("issue_custom_field_ids"))
        a.issue_custom_field_ids =
            existing_ids(db, string_list(body["issue_custom_field_ids"]),
                         "SELECT COUNT(*) FROM custom_fields WHERE type = 'IssueCustomField' AND id");
    if (body.contains("enabled_module_names")) {
        bool allowed = false;
        if (!self) {
            // admins, or when Project.default_member_role may select modules
            const auto role = default_member_role(ctx);
            allowed = ctx.user.admin || (role && ctx.perms().roles().at(*role).has("select_project_modules"));
        } else {
            allowed = ctx.perms().allowed_to("select_project_modules", self->id);
        }
        if (allowed) {
            std::vector<std::string> names;
            for (auto& n : string_list(body["enabled_module_names"]))
                if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
            a.modules = names;
        }
    }
    if (body.contains("inherit_members")) {
        const auto parent = a.parent_id;
        if (!parent || ctx.perms().project_visible(*parent))
            if (auto v = body_string(body, "inherit_members"))
                a.inherit_members = rails_bool(*v).value_or(false);
    }
    auto editable_field = [&](long long id) {
        return std::any_of(editable.begin(), editable.end(),
                           [&](const CustomFieldDef& f) { return f.id == id; });
    };
    if (body.contains("custom_fields") && body["custom_fields"].is_array()) {
        a.custom_assigned = true;
        for (const auto& cf : body["custom_fields"]) {
            auto id = body_string(cf, "id");
            if (!id || !editable_field(app::ruby_to_i(*id)) || !cf.contains("value")) continue;
            a.custom_values[app::ruby_to_i(*id)] = custom_input(cf["value"]);
        }
    }
    if (body.contains("custom_field_values") && body["custom_field_values"].is_object()) {
        a.custom_assigned = true;
        for (const auto& [k, v] : body["custom_field_values"].items())
            if (editable_field(app::ruby_to_i(k))) a.custom_values[app::ruby_to_i(k)] = custom_input(v);
    }
    return unallowed_parent;
}

db::Value opt_value(const std::optional<long long>& v) { return v ? db::Value(*v) : db::Value(); }
db::Value opt_value(const std::optional<std::string>& v) { return v ? db::Value(*v) : db::Value(); }

void save_associations(db::Conn& c, long long id, const ProjectAttrs& a,
                       const std::vector<CustomFieldDef>& fields, bool create) {
    if (a.tracker_ids) {
        c.exec("DELETE FROM projects_trackers WHERE project_id = ?", {id});
        for (long long t : *a.tracker_ids)
            c.exec("INSERT INTO projects_trackers (project_id, tracker_id) VALUES (?, ?)", {id, t});
    }
    if (a.issue_custom_field_ids) {
        c.exec("DELETE FROM custom_fields_projects WHERE project_id = ?", {id});
        for (long long f : *a.issue_custom_field_ids)
            c.exec("INSERT INTO custom_fields_projects (custom_field_id, project_id) VALUES (?, ?)", {f, id});
    }
    if (a.modules) {
        std::vector<std::string> keep = *a.modules;
        for (const auto& r :
             c.query("SELECT id, name FROM enabled_modules WHERE project_id = ? ORDER BY id", {id})) {
            auto it = std::find(keep.begin(), keep.end(), r.s(1));
            if (it == keep.end())
                c.exec("DELETE FROM enabled_modules WHERE id = ?", {r.i(0)});
            else
                keep.erase(it);
        }
        for (const auto& m : keep)
            c.insert("INSERT INTO enabled_modules (project_id, name) VALUES (?, ?)", {id, m},
                     "enabled_modules");
    }
    for (const auto& f : fields) {
        auto given = a.custom_values.find(f.id);
        if (given == a.custom_values.end() && !create) continue;
        std::vector<std::string> values;
        if (given != a.custom_values.end()) {
            values = given->second.values;
        } else if (auto d = c.one("SELECT default_value FROM custom_fields WHERE id = ?", {f.id});
                   d && !d->null(0)) {
            values.push_back(d->s(0));
        }
        if (!f.multiple && values.size() > 1) values.resize(1);
        c.exec(
            "DELETE FROM custom_values WHERE customized_type = 'Project' AND customized_id = ? AND "
            "custom_field_id = ?",
            {id, f.id});
        if (values.empty()) {
            c.insert(
                "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) VALUES "
                "(?, ?, ?, ?)",
                {std::string("Project"), id, f.id,
                 create && given == a.custom_values.end() ? db::Value() : db::Value(std::string())},
                "custom_values");
        }
        for (const auto& v : values)
            c.insert(
                "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) VALUES "
                "(?, ?, ?, ?)",
                {std::string("Project"), id, f.id, v}, "custom_values");
    }
}

Response create(Context& ctx) {
    auto& perms = ctx.perms();
    if (!perms.allowed_globally("add_project") && !perms.allowed_globally("add_subprojects")) ctx.deny();
    const nlohmann::json empty = nlohmann::json::object();
    const auto& root = ctx.params();
    const nlohmann::json& body =
        root.contains("project") && root["project"].is_object() ? root["project"] : empty;
    auto& db = ctx.db();
    // Project#initialize's defaults.
    ProjectAttrs a;
    if (ctx.setting_enabled("sequential_project_identifiers")) a.identifier = next_identifier(db);
    a.is_public = ctx.setting_enabled("default_projects_public");
    {
        const std::string modules = ctx.setting("default_projects_modules");
        a.modules =
            modules.empty()
                ? std::vector<std::string>{"issue_tracking", "time_tracking", "news",   "documents", "files",
                                           "wiki",           "repository",    "boards", "calendar",  "gantt"}
                : yaml_list(modules);
        const std::string trackers = ctx.setting("default_projects_tracker_ids");
        std::vector<long long> ids;
        if (trackers.empty() || trackers.find('-') == std::string::npos) {
            if (trackers.find("[]") == std::string::npos)
                for (const auto& r : db.query("SELECT id FROM trackers ORDER BY position, id"))
                    ids.push_back(r.i(0));
        } else {
            std::vector<long long> wanted;
            for (const auto& s : yaml_list(trackers)) wanted.push_back(app::ruby_to_i(s));
            for (const auto& r : db.query("SELECT id FROM trackers ORDER BY position, id"))
                if (std::find(wanted.begin(), wanted.end(), r.i(0)) != wanted.end()) ids.push_back(r.i(0));
        }
        a.tracker_ids = ids;
    }
    const auto editable = visible_project_fields(ctx);
    const bool unallowed_parent = read_attrs(ctx, body, a, std::nullopt, editable);
    auto errors = validate(ctx, a, std::nullopt, unallowed_parent, editable);
    if (!errors.empty()) throw app::ValidationError{errors};

    db::Tx tx(db);
    ns::lock(db, ns::Table::Projects);
    // Another server may have deleted or archived the parent since it was validated.
    if (a.parent_id && !usable_parent(db, *a.parent_id, std::nullopt))
        throw app::ValidationError{{"Subproject of is invalid"}};
    const std::string now = db.now();
    const long long id = db.insert(
        "INSERT INTO projects (name, description, homepage, is_public, parent_id, created_on, updated_on, "
        "identifier, "
        "status, inherit_members, default_version_id, default_assigned_to_id) VALUES (?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?)",
        {a.name, opt_value(a.description), a.homepage, a.is_public ? 1LL : 0LL, opt_value(a.parent_id), now,
         now, a.identifier, static_cast<long long>(app::kProjectActive), a.inherit_members ? 1LL : 0LL,
         opt_value(a.default_version_id), opt_value(a.default_assigned_to_id)},
        "projects");
    ns::insert_at(db, ns::Table::Projects, id, target_lft(db, a.parent_id, a.name));
    save_associations(db, id, a, custom_fields_of(db, "ProjectCustomField"), true);
    if (a.parent_id && a.inherit_members) members::add_inherited_from_parent(db, id);
    if (!ctx.user.admin) {
        // Project#add_default_member
        if (const auto role = default_member_role(ctx))
            members::add_role(db, members::find_or_create(db, id, ctx.user.id), *role, std::nullopt);
    }
    // Rendered before the commit: another server may delete the project at once.
    auto created = render_show(ctx, *load_project(db, id), 201);
    tx.commit();
    return created.header("Location", ctx.url_for("/projects/" + std::to_string(id)));
}

Response update(Context& ctx) {
    const auto pref = find_project(ctx, ctx.route_param("id"));
    authorize(ctx, pref, "edit_project");
    auto& db = ctx.db();
    const auto self = load_project(db, pref.id);
    const nlohmann::json empty = nlohmann::json::object();
    const auto& root = ctx.params();
    const nlohmann::json& body =
        root.contains("project") && root["project"].is_object() ? root["project"] : empty;
    ProjectAttrs a;
    a.name = self->name;
    a.identifier = self->identifier;
    a.homepage = self->homepage.kind() == api::Node::Kind::String ? self->homepage.string() : "";
    if (self->description.kind() == api::Node::Kind::String) a.description = self->description.string();
    a.is_public = self->is_public;
    a.inherit_members = self->inherit_members;
    a.parent_id = self->parent_id;
    a.default_version_id = self->default_version_id;
    a.default_assigned_to_id = self->default_assigned_to_id;
    const auto editable = visible_project_fields(ctx);
    const bool unallowed_parent = read_attrs(ctx, body, a, self, editable);
    auto errors = validate(ctx, a, self, unallowed_parent, editable);
    if (!errors.empty()) throw app::ValidationError{errors};

    db::Tx tx(db);
    const bool parent_changed = a.parent_id != self->parent_id;
    const bool name_changed = a.name != self->name;
    if (parent_changed || name_changed) {
        ns::lock(db, ns::Table::Projects);
        // Another server may have deleted the project, or changed the tree, since it was read.
        const auto now_at = ns::bounds(db, ns::Table::Projects, self->id);
        if (!now_at) throw app::HttpError{404};
        if (parent_changed && a.parent_id && !usable_parent(db, *a.parent_id, now_at))
            throw app::ValidationError{{"Subproject of is invalid"}};
    }
    // As Rails' partial writes, name and parent_id are written only when they change: writing back a
    // stale value would undo another server's move or rename without renumbering the tree.
    std::vector<db::Value> params;
    std::string sets;
    if (name_changed) {
        sets += "name = ?, ";
        params.emplace_back(a.name);
    }
    if (parent_changed) {
        sets += "parent_id = ?, ";
        params.push_back(opt_value(a.parent_id));
    }
    for (db::Value v :
         {opt_value(a.description), db::Value(a.homepage), db::Value(a.is_public ? 1LL : 0LL),
          db::Value(db.now()), db::Value(a.inherit_members ? 1LL : 0LL), opt_value(a.default_version_id),
          opt_value(a.default_assigned_to_id), db::Value(self->id)})
        params.push_back(std::move(v));
    db.exec("UPDATE projects SET " + sets +
                "description = ?, homepage = ?, is_public = ?, updated_on = ?, inherit_members = ?, "
                "default_version_id = ?, default_assigned_to_id = ? WHERE id = ?",
            params);
    if (parent_changed || name_changed) {
        // target_lft sees the row's new parent and name, as Redmine's before_update does
        ns::move_to(db, ns::Table::Projects, self->id, target_lft(db, a.parent_id, a.name));
    }
    save_associations(db, self->id, a, custom_fields_of(db, "ProjectCustomField"), false);
    if (a.inherit_members != self->inherit_members && a.parent_id && !parent_changed) {
        members::remove_inherited(db, self->id);
        if (a.inherit_members) members::add_inherited_from_parent(db, self->id);
    }
    if (parent_changed) {
        members::remove_inherited(db, self->id);
        members::add_inherited_from_parent(db, self->id);
        // Issue.update_versions_from_hierarchy_change, over the moved subtree
        std::vector<long long> moved;
        if (const auto b = ns::bounds(db, ns::Table::Projects, self->id))
            for (const auto& r : db.query("SELECT id FROM projects WHERE lft >= ? AND rgt <= ? ORDER BY lft",
                                          {b->first, b->second}))
                moved.push_back(r.i(0));
        unassign_unshared_versions(ctx, std::nullopt, moved);
    }
    tx.commit();
    return no_content();
}

// Project#destroy: the subtree and everything that belongs to it.
void destroy_projects(db::Conn& c, const std::vector<long long>& ids) {
    std::vector<db::Value> p;
    const std::string in = in_list(ids, p);
    auto run = [&](const std::string& sql) {
        std::vector<db::Value> params;
        // every statement below uses the project id list exactly once
        params = p;
        c.exec(sql, params);
    };
    const std::string issues = "(SELECT id FROM issues WHERE project_id IN (" + in + "))";
    const std::string journals =
        "(SELECT id FROM journals WHERE journalized_type = 'Issue' AND journalized_id IN " + issues + ")";
    run("DELETE FROM journal_details WHERE journal_id IN " + journals);
    run("DELETE FROM journals WHERE journalized_type = 'Issue' AND journalized_id IN " + issues);
    run("DELETE FROM issue_relations WHERE issue_from_id IN " + issues);
    run("DELETE FROM issue_relations WHERE issue_to_id IN " + issues);
    run("DELETE FROM watchers WHERE watchable_type = 'Issue' AND watchable_id IN " + issues);
    run("DELETE FROM attachments WHERE container_type = 'Issue' AND container_id IN " + issues);
    run("DELETE FROM custom_values WHERE customized_type = 'Issue' AND customized_id IN " + issues);
    run("DELETE FROM changesets_issues WHERE issue_id IN " + issues);
    run("DELETE FROM custom_values WHERE customized_type = 'TimeEntry' AND customized_id IN "
        "(SELECT id FROM time_entries WHERE project_id IN (" +
        in + "))");
    run("DELETE FROM time_entries WHERE project_id IN (" + in + ")");
    const std::string versions = "(SELECT id FROM versions WHERE project_id IN (" + in + "))";
    run("UPDATE issues SET fixed_version_id = NULL WHERE fixed_version_id IN " + versions);
    run("UPDATE projects SET default_version_id = NULL WHERE default_version_id IN " + versions);
    run("DELETE FROM custom_values WHERE customized_type = 'Version' AND customized_id IN " + versions);
    run("DELETE FROM attachments WHERE container_type = 'Version' AND container_id IN " + versions);
    run("DELETE FROM versions WHERE project_id IN (" + in + ")");
    // MySQL refuses a subquery on the table being deleted from, so issues go by a fetched id list.
    std::vector<long long> issue_ids;
    {
        std::vector<db::Value> params = p;
        for (const auto& r : c.query("SELECT id FROM issues WHERE project_id IN (" + in + ")", params))
            issue_ids.push_back(r.i(0));
    }
    if (!issue_ids.empty()) {
        std::vector<db::Value> params;
        const std::string iin = in_list(issue_ids, params);
        c.exec("UPDATE issues SET parent_id = NULL WHERE parent_id IN (" + iin + ")", params);
        c.exec("DELETE FROM issues WHERE id IN (" + iin + ")", params);
    }
    const std::string news = "(SELECT id FROM news WHERE project_id IN (" + in + "))";
    run("DELETE FROM comments WHERE commented_type = 'News' AND commented_id IN " + news);
    run("DELETE FROM watchers WHERE watchable_type = 'News' AND watchable_id IN " + news);
    run("DELETE FROM attachments WHERE container_type = 'News' AND container_id IN " + news);
    run("DELETE FROM news WHERE project_id IN (" + in + ")");
    run("DELETE FROM attachments WHERE container_type = 'Document' AND container_id IN "
        "(SELECT id FROM documents WHERE project_id IN (" +
        in + "))");
    run("DELETE FROM documents WHERE project_id IN (" + in + ")");
    const std::string boards = "(SELECT id FROM boards WHERE project_id IN (" + in + "))";
    const std::string messages = "(SELECT id FROM messages WHERE board_id IN " + boards + ")";
    run("DELETE FROM attachments WHERE container_type = 'Message' AND container_id IN " + messages);
    run("DELETE FROM watchers WHERE watchable_type = 'Message' AND watchable_id IN " + messages);
    run("DELETE FROM watchers WHERE watchable_type = 'Board' AND watchable_id IN " + boards);
    run("DELETE FROM messages WHERE board_id IN " + boards);
    run("DELETE FROM boards WHERE project_id IN (" + in + ")");
    const std::string wikis = "(SELECT id FROM wikis WHERE project_id IN (" + in + "))";
    const std::string pages = "(SELECT id FROM wiki_pages WHERE wiki_id IN " + wikis + ")";
    run("DELETE FROM wiki_content_versions WHERE page_id IN " + pages);
    run("DELETE FROM wiki_contents WHERE page_id IN " + pages);
    run("DELETE FROM attachments WHERE container_type = 'WikiPage' AND container_id IN " + pages);
    run("DELETE FROM watchers WHERE watchable_type = 'WikiPage' AND watchable_id IN " + pages);
    run("DELETE FROM watchers WHERE watchable_type = 'Wiki' AND watchable_id IN " + wikis);
    run("DELETE FROM wiki_redirects WHERE wiki_id IN " + wikis);
    run("DELETE FROM wiki_pages WHERE wiki_id IN " + wikis);
    run("DELETE FROM wikis WHERE project_id IN (" + in + ")");
    const std::string repos = "(SELECT id FROM repositories WHERE project_id IN (" + in + "))";
    const std::string changesets = "(SELECT id FROM changesets WHERE repository_id IN " + repos + ")";
    run("DELETE FROM changes WHERE changeset_id IN " + changesets);
    run("DELETE FROM changesets_issues WHERE changeset_id IN " + changesets);
    run("DELETE FROM changeset_parents WHERE changeset_id IN " + changesets);
    run("DELETE FROM changesets WHERE repository_id IN " + repos);
    run("DELETE FROM repositories WHERE project_id IN (" + in + ")");
    run("DELETE FROM queries_roles WHERE query_id IN (SELECT id FROM queries WHERE project_id IN (" + in +
        "))");
    run("DELETE FROM queries WHERE project_id IN (" + in + ")");
    run("DELETE FROM issue_categories WHERE project_id IN (" + in + ")");
    run("DELETE FROM member_roles WHERE member_id IN (SELECT id FROM members WHERE project_id IN (" + in +
        "))");
    run("DELETE FROM members WHERE project_id IN (" + in + ")");
    run("DELETE FROM enabled_modules WHERE project_id IN (" + in + ")");
    run("DELETE FROM projects_trackers WHERE project_id IN (" + in + ")");
    run("DELETE FROM custom_fields_projects WHERE project_id IN (" + in + ")");
    run("DELETE FROM custom_values WHERE customized_type = 'Project' AND customized_id IN (" + in + ")");
    run("DELETE FROM attachments WHERE container_type = 'Project' AND container_id IN (" + in + ")");
    run("DELETE FROM enumerations WHERE project_id IN (" + in + ")");
    run("DELETE FROM projects WHERE id IN (" + in + ")");
}

Response destroy(Context& ctx) {
    const auto pref = find_project(ctx, ctx.route_param("id"));
    auto& db = ctx.db();
    const auto self = load_project(db, pref.id);
    // Project#deletable?: admins, or delete_project on a project without subprojects
    if (!ctx.user.admin &&
        !(ctx.perms().allowed_to("delete_project", *pref.info) && self->rgt - self->lft == 1))
        ctx.deny();
    db::Tx tx(db);
    ns::lock(db, ns::Table::Projects);
    const auto b = ns::bounds(db, ns::Table::Projects, self->id);
    if (!b) throw app::HttpError{404};                             // another server deleted it meanwhile
    if (!ctx.user.admin && b->second - b->first != 1) ctx.deny();  // it got a subproject meanwhile
    std::vector<long long> ids;
    for (const auto& r :
         db.query("SELECT id FROM projects WHERE lft >= ? AND rgt <= ? ORDER BY lft", {b->first, b->second}))
        ids.push_back(r.i(0));
    if (std::find(ids.begin(), ids.end(), self->id) == ids.end()) ids.push_back(self->id);
    const auto files = project_attachment_files(db, ids);
    destroy_projects(db, ids);
    ns::close_gap(db, ns::Table::Projects, b->first, b->second);
    tx.commit();
    remove_attachment_files(ctx, db, files);  // Attachment's after_commit :delete_from_disk
    return no_content();
}

// The project and its descendants, by the nested set.
std::vector<long long> self_and_descendants(db::Conn& c, const ProjectRow& p) {
    std::vector<long long> ids;
    for (const auto& r :
         c.query("SELECT id FROM projects WHERE lft >= ? AND rgt <= ? ORDER BY lft", {p.lft, p.rgt}))
        ids.push_back(r.i(0));
    if (ids.empty()) ids.push_back(p.id);
    return ids;
}

Response archive(Context& ctx) {
    const auto pref = find_project(ctx, ctx.route_param("id"));
    ctx.require_admin();
    auto& db = ctx.db();
    const auto self = load_project(db, pref.id);
    const auto ids = self_and_descendants(db, *self);
    std::vector<db::Value> params;
    const std::string in = in_list(ids, params);
    params.emplace_back(self->lft);
    params.emplace_back(self->rgt);
    // Project#archive refuses when an issue outside the subtree uses one of its versions.
    if (db.scalar("SELECT COUNT(*) FROM issues i JOIN projects p ON p.id = i.project_id WHERE "
                  "i.fixed_version_id IN "
                  "(SELECT id FROM versions WHERE project_id IN (" +
                      in + ")) AND (p.lft < ? OR p.rgt > ?)",
                  params) > 0)
        throw app::ValidationError{{"This project cannot be archived"}};
    db::Tx tx(db);
    std::vector<db::Value> upd{static_cast<long long>(app::kProjectArchived), db.now()};
    const std::string in2 = in_list(ids, upd);
    db.exec("UPDATE projects SET status = ?, updated_on = ? WHERE id IN (" + in2 + ")", upd);
    tx.commit();
    return no_content();
}

Response unarchive(Context& ctx) {
    const auto pref = find_project(ctx, ctx.route_param("id"));
    ctx.require_admin();
    auto& db = ctx.db();
    const auto self = load_project(db, pref.id);
    if (self->status == app::kProjectActive) return no_content();
    // Project#unarchive: the project and its archived ancestors, closed if an ancestor is closed.
    const bool closed_ancestor =
        db.scalar("SELECT COUNT(*) FROM projects WHERE lft < ? AND rgt > ? AND status = ?",
                  {self->lft, self->rgt, static_cast<long long>(app::kProjectClosed)}) > 0;
    db::Tx tx(db);
    db.exec("UPDATE projects SET status = ? WHERE lft <= ? AND rgt >= ? AND status = ?",
            {static_cast<long long>(closed_ancestor ? app::kProjectClosed : app::kProjectActive), self->lft,
             self->rgt, static_cast<long long>(app::kProjectArchived)});
    tx.commit();
    return no_content();
}

Response set_closed(Context& ctx, bool close) {
    const auto pref = find_project(ctx, ctx.route_param("id"));
    authorize(ctx, pref, "close_project");
    auto& db = ctx.db();
    const auto self = load_project(db, pref.id);
    db::Tx tx(db);
    db.exec("UPDATE projects SET status = ? WHERE lft >= ? AND rgt <= ? AND status = ?",
            {static_cast<long long>(close ? app::kProjectClosed : app::kProjectActive), self->lft, self->rgt,
             static_cast<long long>(close ? app::kProjectActive : app::kProjectClosed)});
    tx.commit();
    return no_content();
}

}  // namespace

void register_projects(app::Router& r) {
    r.add("GET", "/projects", index);
    r.add("POST", "/projects", create);
    r.add("GET", "/projects/:id", show);
    r.add("PUT", "/projects/:id", update);
    r.add("PATCH", "/projects/:id", update);
    r.add("DELETE", "/projects/:id", destroy);
    for (const char* m : {"POST", "PUT"}) {
        r.add(m, "/projects/:id/archive", archive);
        r.add(m, "/projects/:id/unarchive", unarchive);
        r.add(m, "/projects/:id/close", [](Context& ctx) { return set_closed(ctx, true); });
        r.add(m, "/projects/:id/reopen", [](Context& ctx) { return set_closed(ctx, false); });
    }
}

}  // namespace resources
