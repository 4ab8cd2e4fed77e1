// POST /issues and /projects/:project_id/issues, PUT and DELETE /issues/:id: IssuesController#create,
// #update and #destroy with Issue's safe attributes, workflow, validations (messages as Redmine's
// English locale words them), journals, nesting under a parent and the parent's derived attributes.
#include "resources/issue_writes.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "db/issues.h"
#include "db/nested_set.h"
#include "resources/attachments.h"
#include "resources/custom_values.h"
#include "resources/issues.h"
#include "resources/time_entries.h"
#include "resources/text.h"

namespace resources::issue_writes {

namespace {

namespace ns = db::nested_set;
using issue_writes_db::Detail;
using issue_writes_db::Issue;
using nlohmann::json;

std::string text_of(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    return v.dump();
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

// ActiveModel's boolean cast.
bool cast_bool(const json& v) {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number()) return v.get<double>() != 0;
    const std::string s = text_of(v);
    return !(s.empty() || s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "off" ||
             s == "OFF");
}

// A float as Ruby's Float#to_s writes it (journal values).
std::string float_text(double d) {
    char buf[64];
    if (d == std::floor(d) && std::fabs(d) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.1f", d);
    } else {
        std::snprintf(buf, sizeof buf, "%.17g", d);
        for (int prec = 1; prec <= 17; ++prec) {
            std::snprintf(buf, sizeof buf, "%.*g", prec, d);
            if (std::strtod(buf, nullptr) == d) break;
        }
    }
    return buf;
}

const app::ProjectInfo* project_info(Context& ctx, long long id) { return ctx.perms().project(id); }

// The roles whose workflows apply: every role for an admin, else the user's roles on the project.
std::vector<long long> workflow_role_ids(Context& ctx, long long project_id) {
    std::vector<long long> out;
    if (ctx.user.admin) {
        for (const auto& [id, role] : ctx.perms().roles()) out.push_back(id);
    } else if (const auto* p = project_info(ctx, project_id)) {
        for (const auto* r : ctx.perms().roles_for_project(*p)) out.push_back(r->id);
    }
    return out;
}

struct Status {
    long long id = 0;
    int position = 0;
    bool closed = false;
};

std::map<long long, Status> statuses(Context& ctx) {
    std::map<long long, Status> out;
    for (const auto& r : ctx.db().query("SELECT id, position, is_closed FROM issue_statuses"))
        out[r.i(0)] = Status{r.i(0), static_cast<int>(r.i(1)), r.b(2)};
    return out;
}

std::optional<long long> tracker_default_status(Context& ctx, long long tracker_id) {
    auto r = ctx.db().one("SELECT default_status_id FROM trackers WHERE id = ?", {tracker_id});
    if (!r) return std::nullopt;
    return r->oi(0);
}

// Tracker#disabled_core_fields from fields_bits (Tracker::CORE_FIELDS order).
std::set<std::string> disabled_core_fields(Context& ctx, long long tracker_id) {
    static const char* kCore[] = {"assigned_to_id",  "category_id", "fixed_version_id",
                                  "parent_issue_id", "start_date",  "due_date",
                                  "estimated_hours", "done_ratio",  "description"};
    std::set<std::string> out;
    const long long bits = ctx.db().scalar("SELECT fields_bits FROM trackers WHERE id = ?", {tracker_id});
    for (int n = 0; n < 9; ++n)
        if (bits & (1LL << n)) out.insert(kCore[n]);
    return out;
}

// Issue#new_statuses_allowed_to, as status ids sorted by position.
std::vector<long long> allowed_statuses(Context& ctx, const Issue& i, const Issue& before, bool is_new,
                                        const std::map<long long, Status>& all) {
    std::optional<long long> initial;
    if (!is_new) {
        if (i.tracker_id != before.tracker_id) {
            auto old_default = tracker_default_status(ctx, before.tracker_id);
            initial = (old_default == before.status_id) ? tracker_default_status(ctx, i.tracker_id)
                                                        : std::optional<long long>(before.status_id);
        } else {
            initial = before.status_id;
        }
    }
    const std::optional<long long> initial_assignee = is_new ? i.assigned_to_id : before.assigned_to_id;
    bool assignee = false;
    if (initial_assignee && !ctx.user.anonymous) {
        assignee = *initial_assignee == ctx.user.id;
        for (long long g : issues_db::group_ids(ctx)) assignee = assignee || g == *initial_assignee;
    }
    const bool author = !ctx.user.anonymous && i.author_id == ctx.user.id;
    std::vector<long long> out;
    const auto roles = workflow_role_ids(ctx, i.project_id);
    if (!roles.empty()) {
        std::vector<db::Value> p{i.tracker_id, initial.value_or(0)};
        std::string sql =
            "SELECT DISTINCT new_status_id FROM workflows WHERE type = 'WorkflowTransition' AND tracker_id = "
            "? "
            "AND old_status_id = ? AND role_id IN (" +
            issues_db::placeholders(roles, p) + ")";
        if (!(author && assignee)) {
            if (author || assignee) {
                sql += " AND (author = ? OR assignee = ?)";
            } else {
                sql += " AND author = ? AND assignee = ?";
            }
            p.push_back(author ? 1LL : 0LL);
            p.push_back(assignee ? 1LL : 0LL);
        }
        for (const auto& r : ctx.db().query(sql, p)) out.push_back(r.i(0));
    }
    if (!out.empty() && initial) out.push_back(*initial);
    if (is_new && out.empty())
        if (auto d = tracker_default_status(ctx, i.tracker_id)) out.push_back(*d);
    std::erase_if(out, [&](long long id) { return !all.count(id); });
    std::sort(out.begin(), out.end(), [&](long long a, long long b) {
        return std::make_pair(all.at(a).position, a) < std::make_pair(all.at(b).position, b);
    });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (!is_new) {
        // closable?: not blocked by an open issue, no open subtask
        std::vector<db::Value> p{i.id, 0LL};
        const bool blocked =
            ctx.db().scalar(
                "SELECT COUNT(*) FROM issue_relations r JOIN issues f ON f.id = r.issue_from_id "
                "JOIN issue_statuses s ON s.id = f.status_id WHERE r.issue_to_id = ? AND r.relation_type = "
                "'blocks' "
                "AND s.is_closed = ?",
                p) > 0;
        const bool open_children = ctx.db().scalar(
                                       "SELECT COUNT(*) FROM issues c JOIN issue_statuses s ON s.id = "
                                       "c.status_id WHERE c.parent_id = ? "
                                       "AND s.is_closed = ?",
                                       {i.id, 0LL}) > 0;
        if (blocked || open_children) std::erase_if(out, [&](long long id) { return all.at(id).closed; });
        // reopenable?: a subtask of a closed parent stays closed
        if (i.parent_id) {
            auto parent_closed = ctx.db().scalar(
                "SELECT s.is_closed FROM issues p JOIN issue_statuses s ON s.id = p.status_id WHERE p.id = ?",
                {*i.parent_id});
            if (parent_closed) std::erase_if(out, [&](long long id) { return !all.at(id).closed; });
        }
    }
    return out;
}

// Issue#allowed_target_trackers: the project's trackers, for which the user may add issues.
std::vector<long long> allowed_trackers(Context& ctx, long long project_id,
                                        std::optional<long long> current) {
    std::vector<long long> out;
    if (!ctx.perms().allowed_to("add_issues", project_id) && !ctx.user.admin) {
        if (current) out.push_back(*current);
        return out;
    }
    for (const auto& r :
         ctx.db().query("SELECT t.id FROM trackers t JOIN projects_trackers pt ON pt.tracker_id = "
                        "t.id WHERE pt.project_id = ? ORDER BY t.position, t.id",
                        {project_id}))
        if (issue_permission(ctx, project_id, "add_issues", r.i(0))) out.push_back(r.i(0));
    if (current && std::find(out.begin(), out.end(), *current) == out.end()) out.push_back(*current);
    return out;
}

bool project_has_tracker(Context& ctx, long long project_id, long long tracker_id) {
    return ctx.db().scalar("SELECT COUNT(*) FROM projects_trackers WHERE project_id = ? AND tracker_id = ?",
                           {project_id, tracker_id}) > 0;
}

// Issue#assignable_users: the project's active members with an assignable role (groups when the setting
// allows), the author when active, and the current assignee.
bool assignable_user(Context& ctx, const Issue& i, const Issue& before, long long user_id) {
    if (before.assigned_to_id == user_id && before.id) return true;
    const bool groups = ctx.setting_enabled("issue_group_assignment");
    std::vector<db::Value> p{i.project_id, user_id, 1LL, 1LL};
    std::string types = groups ? "('User', 'Group')" : "('User')";
    if (ctx.db().scalar("SELECT COUNT(*) FROM members m JOIN member_roles mr ON mr.member_id = m.id "
                        "JOIN roles r ON r.id = mr.role_id JOIN users u ON u.id = m.user_id "
                        "WHERE m.project_id = ? AND m.user_id = ? AND u.status = ? AND r.assignable = ? "
                        "AND u.type IN " +
                            types,
                        p) > 0)
        return true;
    return user_id == i.author_id &&
           ctx.db().scalar("SELECT COUNT(*) FROM users WHERE id = ? AND status = ?", {user_id, 1LL}) > 0;
}

// Project#shared_versions.open (plus the current version) contains version_id.
bool assignable_version(Context& ctx, const Issue& i, const Issue& before,
                        std::optional<long long> version_id) {
    if (version_id && before.id && before.fixed_version_id == version_id) return true;
    auto p = ctx.db().one("SELECT lft, rgt FROM projects WHERE id = ?", {i.project_id});
    if (!p) return false;
    const long long l = p->i(0), r = p->i(1);
    std::vector<db::Value> params;
    if (version_id) params.push_back(*version_id);
    for (long long v : {static_cast<long long>(app::kProjectArchived), i.project_id, l, r, l, r, l, r})
        params.push_back(v);
    // nothing given: is any version assignable?
    return ctx.db().scalar(
               std::string("SELECT COUNT(*) FROM versions v JOIN projects vp ON vp.id = v.project_id "
                           "WHERE ") +
                   (version_id ? "v.id = ? AND " : "") +
                   "v.status = 'open' AND vp.status <> ? AND (v.project_id = ? OR v.sharing = 'system' "
                   "OR (v.sharing IN ('descendants', 'hierarchy') AND vp.lft <= ? AND vp.rgt >= ?) "
                   "OR (v.sharing = 'hierarchy' AND vp.lft >= ? AND vp.rgt <= ?) "
                   "OR (v.sharing = 'tree' AND EXISTS (SELECT 1 FROM projects rt WHERE rt.parent_id IS "
                   "NULL AND rt.lft <= vp.lft AND rt.rgt >= vp.rgt AND rt.lft <= ? AND rt.rgt >= ?)))",
               params) > 0;
}

// Setting.cross_project_subtasks: may an issue of `project_id` have a parent in `parent_project`?
bool valid_parent_project(Context& ctx, long long project_id, long long parent_project) {
    if (project_id == parent_project) return true;
    const std::string mode = ctx.setting("cross_project_subtasks");
    if (mode == "system") return true;
    auto a = ctx.db().one("SELECT lft, rgt FROM projects WHERE id = ?", {project_id});
    auto b = ctx.db().one("SELECT lft, rgt FROM projects WHERE id = ?", {parent_project});
    if (!a || !b) return false;
    const bool b_ancestor = b->i(0) < a->i(0) && b->i(1) > a->i(1);
    const bool b_descendant = b->i(0) > a->i(0) && b->i(1) < a->i(1);
    if (mode == "descendants") return b_ancestor;
    if (mode == "hierarchy") return b_ancestor || b_descendant;
    if (mode == "tree")
        return ctx.db().scalar(
                   "SELECT COUNT(*) FROM projects rt WHERE rt.parent_id IS NULL AND rt.lft <= ? AND "
                   "rt.rgt >= ? AND rt.lft <= ? AND rt.rgt >= ?",
                   {a->i(0), a->i(1), b->i(0), b->i(1)}) > 0;
    return false;
}

// Issue#workflow_rule_by_attribute: the field rules ("readonly", "required") of the workflows of the user's
// roles (those that consider workflows) for the issue's tracker and status. A rule counts only when every
// role has one; differing rules make the field required.
std::map<std::string, std::string> workflow_rules(Context& ctx, const Issue& i) {
    std::map<std::string, std::string> result;
    if (!i.project_id || !i.tracker_id) return result;
    std::vector<long long> roles;
    const auto& all_roles = ctx.perms().roles();
    for (long long id : workflow_role_ids(ctx, i.project_id))
        if (auto it = all_roles.find(id);
            it != all_roles.end() && (it->second.has("add_issues") || it->second.has("edit_issues")))
            roles.push_back(id);
    if (roles.empty()) return result;
    std::vector<db::Value> p{i.tracker_id, i.status_id};
    const std::string list = issues_db::placeholders(roles, p);
    std::map<std::string, std::map<long long, std::string>> rules;
    for (const auto& r :
         ctx.db().query("SELECT field_name, role_id, rule FROM workflows WHERE type = "
                        "'WorkflowPermission' AND tracker_id = ? AND old_status_id = ? AND role_id IN (" +
                            list + ")",
                        p))
        rules[r.s(0)][r.i(1)] = r.s(2);
    if (rules.empty()) return result;
    std::map<long long, std::set<long long>> hidden;  // fields visible to some roles only
    for (const auto& r :
         ctx.db().query("SELECT cf.id, cr.role_id FROM custom_fields cf JOIN custom_fields_roles cr "
                        "ON cr.custom_field_id = cf.id WHERE cf.type = 'IssueCustomField' AND "
                        "cf.visible = ?",
                        {0LL}))
        hidden[r.i(0)].insert(r.i(1));
    for (long long role : roles)
        for (const auto& [field, role_ids] : hidden)
            if (!role_ids.count(role)) rules[std::to_string(field)][role] = "readonly";
    for (const auto& [field, by_role] : rules) {
        if (by_role.size() < roles.size()) continue;
        std::set<std::string> uniq;
        for (const auto& [role, rule] : by_role) uniq.insert(rule);
        result[field] = uniq.size() == 1 ? *uniq.begin() : "required";
    }
    return result;
}

struct Field {
    CustomFieldDef def;
    bool required = false;
    std::vector<std::string> possible_values;
    std::optional<std::string> default_value;
    bool editable = false;
};

// The issue custom fields available on the issue's project and tracker, with whether the user may edit
// them (visible to the user's roles).
std::vector<Field> available_fields(Context& ctx, const Issue& i) {
    std::vector<Field> out;
    auto rows = ctx.db().query(
        "SELECT cf.id, cf.name, cf.field_format, cf.multiple, cf.visible, cf.is_for_all, cf.is_required, "
        "cf.possible_values, cf.default_value FROM custom_fields cf WHERE cf.type = 'IssueCustomField' "
        "AND EXISTS (SELECT 1 FROM custom_fields_trackers t WHERE t.custom_field_id = cf.id AND t.tracker_id "
        "= ?) "
        "AND (cf.is_for_all = ? OR EXISTS (SELECT 1 FROM custom_fields_projects p WHERE p.custom_field_id = "
        "cf.id "
        "AND p.project_id = ?)) ORDER BY cf.position, cf.id",
        {i.tracker_id, 1LL, i.project_id});
    std::set<long long> role_ids;
    for (long long r : workflow_role_ids(ctx, i.project_id)) role_ids.insert(r);
    std::map<long long, std::set<long long>> field_roles;
    for (const auto& r : ctx.db().query("SELECT custom_field_id, role_id FROM custom_fields_roles"))
        field_roles[r.i(0)].insert(r.i(1));
    for (const auto& r : rows) {
        Field f;
        f.def.id = r.i(0);
        f.def.name = r.s(1);
        f.def.field_format = r.s(2);
        f.def.multiple = r.b(3);
        f.def.visible = r.b(4);
        f.def.is_for_all = r.b(5);
        f.required = r.b(6);
        f.possible_values = yaml_list(r.s(7));
        f.default_value = r.os(8);
        if (f.default_value && f.default_value->empty()) f.default_value.reset();
        bool visible = ctx.user.admin || f.def.visible;
        if (!visible)
            for (long long role : field_roles[f.def.id]) visible = visible || role_ids.count(role);
        f.editable = visible;
        out.push_back(std::move(f));
    }
    // regexp, lengths and the record lists' ids for custom_value_error
    std::vector<CustomFieldDef*> defs;
    for (auto& f : out) defs.push_back(&f.def);
    load_validation_rules(ctx.db(), defs, i.project_id);
    return out;
}

std::vector<std::string> value_list(const json& v) {
    std::vector<std::string> out;
    if (v.is_array()) {
        for (const auto& item : v)
            if (!item.is_null()) out.push_back(text_of(item));
    } else if (!v.is_null()) {
        out.push_back(text_of(v));
    }
    return out;
}

struct Applied {
    std::optional<std::string> start_text, due_text;  // dates that did not parse
    bool hours_invalid = false, priority_missing = false, invalid_parent = false;
    bool parent_given = false;
    std::optional<long long> parent;  // the parent asked for (when parent_given)
    std::optional<std::string> notes;
    bool notes_given = false, private_notes = false;
    std::vector<long long> watchers;
    std::optional<long long> lock_version;
    std::set<long long> custom_changed;
};

// Applies a date attribute; remembers text that is not a date for the DateValidator.
void assign_date(std::optional<std::string>& field, std::optional<std::string>& bad, const json& v) {
    bad.reset();
    if (v.is_null() || (v.is_string() && blank(v.get<std::string>()))) {
        field.reset();
        return;
    }
    const std::string s = text_of(v);
    if (time_entries::parse_iso_date(s)) {
        field = s;
    } else {
        field.reset();
        bad = s;
    }
}

// Issue#safe_attributes= for `user`, over the attributes of the request.
Applied apply(Context& ctx, Issue& i, const Issue& before, bool is_new, const json& attrs,
              const std::map<long long, Status>& all_statuses) {
    Applied out;
    if (!attrs.is_object()) return out;
    auto has = [&](const char* k) { return attrs.contains(k); };
    const bool editable = is_new ||
                          issue_permission(ctx, before.project_id, "edit_issues", before.tracker_id) ||
                          (issue_permission(ctx, before.project_id, "edit_own_issues", before.tracker_id) &&
                           !ctx.user.anonymous && before.author_id == ctx.user.id);
    auto readonly = [&](const std::string& name) {
        auto rules = workflow_rules(ctx, i);
        auto it = rules.find(name);
        return it != rules.end() && it->second == "readonly";
    };
    if (has("project_id") && editable && (is_new || !readonly("project_id"))) {
        const json& p = attrs["project_id"];
        std::optional<long long> pid;
        if (p.is_string() && !std::regex_match(p.get<std::string>(), std::regex(R"(^\d*$)"))) {
            if (auto r = ctx.db().one("SELECT id FROM projects WHERE identifier = ?", {p.get<std::string>()}))
                pid = r->i(0);
        } else {
            pid = cast_int(p).value_or(0);
        }
        if (pid && ((!is_new && *pid == before.project_id) ||
                    (project_info(ctx, *pid) && ctx.perms().allowed_to("add_issues", *pid))))
            i.project_id = *pid;
    }
    if (has("tracker_id") && editable && i.project_id && !readonly("tracker_id")) {
        const long long t = cast_int(attrs["tracker_id"]).value_or(0);
        auto allowed =
            allowed_trackers(ctx, i.project_id, is_new ? std::nullopt : std::optional(before.tracker_id));
        if (std::find(allowed.begin(), allowed.end(), t) != allowed.end()) i.tracker_id = t;
    }
    if (i.project_id && !i.tracker_id) {
        auto allowed = allowed_trackers(ctx, i.project_id, std::nullopt);
        if (!allowed.empty()) i.tracker_id = allowed.front();
    }
    if (i.tracker_id) {
        const auto allowed = allowed_statuses(ctx, i, before, is_new, all_statuses);
        if (has("status_id") && editable && !readonly("status_id")) {
            const long long s = cast_int(attrs["status_id"]).value_or(0);
            if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) i.status_id = s;
        }
        if (is_new && std::find(allowed.begin(), allowed.end(), i.status_id) == allowed.end()) {
            if (!allowed.empty())
                i.status_id = allowed.front();
            else if (auto d = tracker_default_status(ctx, i.tracker_id))
                i.status_id = *d;
        }
    }
    const auto disabled = i.tracker_id ? disabled_core_fields(ctx, i.tracker_id) : std::set<std::string>{};
    const auto rules = workflow_rules(ctx, i);
    auto ro = [&](const std::string& name) {
        auto it = rules.find(name);
        return it != rules.end() && it->second == "readonly";
    };
    auto safe = [&](const std::string& name) { return editable && !disabled.count(name) && !ro(name); };
    if (has("assigned_to_id") && safe("assigned_to_id")) {
        const json& a = attrs["assigned_to_id"];
        if (a.is_string() && a.get<std::string>() == "me" && !ctx.user.anonymous)
            i.assigned_to_id = ctx.user.id;
        else
            i.assigned_to_id = cast_int(a);
    }
    const bool leaf = is_new || before.rgt - before.lft <= 1;
    const bool dates_derived = !leaf && ctx.setting("parent_issue_dates") != "independent";
    const bool priority_derived = !leaf && ctx.setting("parent_issue_priority") != "independent";
    const bool done_derived = !leaf && ctx.setting("parent_issue_done_ratio") != "independent";
    if (has("priority_id") && safe("priority_id") && !priority_derived) {
        i.priority_id = cast_int(attrs["priority_id"]);
        out.priority_missing = !i.priority_id || ctx.db().scalar(
                                                     "SELECT COUNT(*) FROM enumerations WHERE id = ? AND "
                                                     "type = 'IssuePriority'",
                                                     {*i.priority_id}) == 0;
    }
    if (has("category_id") && safe("category_id")) i.category_id = cast_int(attrs["category_id"]);
    if (has("fixed_version_id") && safe("fixed_version_id"))
        i.fixed_version_id = cast_int(attrs["fixed_version_id"]);
    if (has("subject") && safe("subject")) i.subject = text_of(attrs["subject"]);
    if (has("description") && safe("description"))
        i.description =
            attrs["description"].is_null() ? std::nullopt : std::optional(text_of(attrs["description"]));
    if (has("start_date") && safe("start_date") && !dates_derived)
        assign_date(i.start_date, out.start_text, attrs["start_date"]);
    if (has("due_date") && safe("due_date") && !dates_derived)
        assign_date(i.due_date, out.due_text, attrs["due_date"]);
    if (has("done_ratio") && safe("done_ratio") && !done_derived)
        i.done_ratio = cast_int(attrs["done_ratio"]).value_or(0);
    if (has("estimated_hours") && safe("estimated_hours")) {
        const json& h = attrs["estimated_hours"];
        if (h.is_null() || (h.is_string() && blank(h.get<std::string>()))) {
            i.estimated_hours.reset();
        } else if (h.is_number()) {
            i.estimated_hours = h.get<double>();
        } else if (auto v = time_entries::to_hours(text_of(h))) {
            i.estimated_hours = *v;
        } else {
            i.estimated_hours = std::strtod(text_of(h).c_str(), nullptr);
            out.hours_invalid = true;
        }
    }
    if (has("lock_version") && editable) out.lock_version = cast_int(attrs["lock_version"]).value_or(0);
    if (has("is_private") && i.project_id && !ro("is_private") && !disabled.count("is_private") &&
        (issue_permission(ctx, i.project_id, "set_issues_private") ||
         (i.author_id == ctx.user.id && !ctx.user.anonymous &&
          issue_permission(ctx, i.project_id, "set_own_issues_private"))))
        i.is_private = cast_bool(attrs["is_private"]);
    if (has("notes") && (is_new || issue_permission(ctx, i.project_id, "add_issue_notes", i.tracker_id))) {
        out.notes_given = true;
        out.notes = attrs["notes"].is_null() ? std::nullopt : std::optional(text_of(attrs["notes"]));
    }
    if (has("private_notes") && !is_new && issue_permission(ctx, i.project_id, "set_notes_private"))
        out.private_notes = cast_bool(attrs["private_notes"]);
    if (has("watcher_user_ids") && is_new && i.project_id &&
        ctx.perms().allowed_to("add_issue_watchers", i.project_id))
        for (const auto& w : value_list(attrs["watcher_user_ids"]))
            if (auto id = parse_id(w)) out.watchers.push_back(*id);
    if (has("parent_issue_id") && safe("parent_issue_id") && i.project_id &&
        ctx.perms().allowed_to("manage_subtasks", i.project_id)) {
        const std::string s = text_of(attrs["parent_issue_id"]);
        out.parent_given = true;
        if (blank(s)) {
            out.parent.reset();
        } else {
            std::smatch m;
            static const std::regex re(R"(^#?(\d+)$)");
            if (std::regex_match(s, m, re) && (std::to_string(before.parent_id.value_or(-1)) == m[1].str() ||
                                               issues_db::is_visible(ctx, std::stoll(m[1].str()))))
                out.parent = std::stoll(m[1].str());
            else
                out.invalid_parent = true;
        }
    }
    // custom values of the fields the user may edit
    if (i.project_id && i.tracker_id) {
        const auto fields = available_fields(ctx, i);
        auto editable_field = [&](long long id) {
            return editable && !ro(std::to_string(id)) &&
                   std::any_of(fields.begin(), fields.end(),
                               [&](const Field& f) { return f.def.id == id && f.editable; });
        };
        auto set = [&](long long id, std::vector<std::string> v) {
            out.custom_changed.insert(id);
            i.custom[id] = std::move(v);
        };
        if (auto it = attrs.find("custom_field_values"); it != attrs.end() && it->is_object())
            for (const auto& [key, value] : it->items())
                if (auto id = parse_id(key); id && editable_field(*id)) set(*id, value_list(value));
        if (auto it = attrs.find("custom_fields"); it != attrs.end() && it->is_array())
            for (const auto& cf : *it) {
                if (!cf.is_object() || !cf.contains("id")) continue;
                auto id = cast_int(cf["id"]);
                if (id && editable_field(*id)) set(*id, value_list(cf.value("value", json())));
            }
    }
    return out;
}

// Issue's validations in the order Rails runs them.
std::vector<std::string> validate(Context& ctx, const Issue& i, const Issue& before, bool is_new,
                                  const Applied& a, const std::vector<Field>& fields,
                                  const std::map<long long, Status>& all_statuses) {
    std::vector<std::string> errors;
    // acts_as_customizable comes first in the model
    for (const auto& f : fields) {
        if (!f.editable) continue;
        auto it = i.custom.find(f.def.id);
        if (it == i.custom.end() || (!is_new && !a.custom_changed.count(f.def.id))) continue;
        if (auto error = custom_value_error(f.def, f.required, f.possible_values, it->second))
            errors.push_back(*error);
    }
    if (blank(i.subject)) errors.push_back("Subject cannot be blank");
    if (!i.project_id) errors.push_back("Project cannot be blank");
    if (!i.tracker_id) errors.push_back("Tracker cannot be blank");
    if ((is_new || i.priority_id != before.priority_id) && (!i.priority_id || a.priority_missing))
        errors.push_back("Priority cannot be blank");
    if ((is_new || i.status_id != before.status_id) && !all_statuses.count(i.status_id))
        errors.push_back("Status cannot be blank");
    if (utf8_length(i.subject) > 255) errors.push_back("Subject is too long (maximum is 255 characters)");
    if (i.done_ratio < 0 || i.done_ratio > 100) errors.push_back("% Done is not included in the list");
    if (i.estimated_hours && (a.hours_invalid || *i.estimated_hours < 0))
        errors.push_back("Estimated time is invalid");
    if (a.start_text) errors.push_back("Start date is not a valid date");
    if (a.due_text) errors.push_back("Due date is not a valid date");
    // validate_issue
    if (i.start_date && i.due_date && (i.start_date != before.start_date || i.due_date != before.due_date) &&
        *i.due_date < *i.start_date)
        errors.push_back("Due date must be greater than start date");
    if (i.start_date && (is_new || i.start_date != before.start_date))
        if (auto soonest = soonest_start(ctx, i.id, i.parent_id);
            soonest && *time_entries::parse_iso_date(*i.start_date) < *soonest) {
            const std::string d = time_entries::civil_from_days(*soonest);  // format_date: %m/%d/%Y
            errors.push_back("Start date cannot be earlier than " + d.substr(5, 2) + "/" + d.substr(8, 2) +
                             "/" + d.substr(0, 4) + " because of preceding issues");
        }
    if (i.project_id && i.fixed_version_id && !assignable_version(ctx, i, before, *i.fixed_version_id))
        errors.push_back("Target version is not included in the list");
    if (i.project_id && i.category_id &&
        ctx.db().scalar("SELECT COUNT(*) FROM issue_categories WHERE id = ? AND project_id = ?",
                        {*i.category_id, i.project_id}) == 0)
        errors.push_back("Category is not included in the list");
    if (i.project_id && i.tracker_id &&
        (is_new || i.tracker_id != before.tracker_id || i.project_id != before.project_id) &&
        !project_has_tracker(ctx, i.project_id, i.tracker_id))
        errors.push_back("Tracker is not included in the list");
    if (i.project_id && i.assigned_to_id && (is_new || i.assigned_to_id != before.assigned_to_id) &&
        !assignable_user(ctx, i, before, *i.assigned_to_id))
        errors.push_back("Assignee is invalid");
    if (a.invalid_parent) {
        errors.push_back("Parent task is invalid");
    } else if (a.parent_given && a.parent && a.parent != before.parent_id) {
        auto parent = issue_writes_db::load(ctx.db(), *a.parent);
        const bool closed = all_statuses.count(i.status_id) && all_statuses.at(i.status_id).closed;
        if (!parent || !valid_parent_project(ctx, i.project_id, parent->project_id)) {
            errors.push_back("Parent task is invalid");
        } else if (!is_new &&
                   (parent->id == i.id || (parent->root_id == before.root_id && parent->lft > before.lft &&
                                           parent->rgt < before.rgt))) {
            errors.push_back("Parent task is invalid");
        } else if (!closed && all_statuses.count(parent->status_id) &&
                   all_statuses.at(parent->status_id).closed) {
            errors.push_back("An open issue cannot be attached to a closed parent task");
        }
    }
    // validate_required_fields (the workflow's required fields)
    static const std::map<std::string, std::string> kHuman = {{"project_id", "Project"},
                                                              {"tracker_id", "Tracker"},
                                                              {"subject", "Subject"},
                                                              {"description", "Description"},
                                                              {"due_date", "Due date"},
                                                              {"category_id", "Category"},
                                                              {"status_id", "Status"},
                                                              {"assigned_to_id", "Assignee"},
                                                              {"priority_id", "Priority"},
                                                              {"fixed_version_id", "Target version"},
                                                              {"start_date", "Start date"},
                                                              {"done_ratio", "% Done"},
                                                              {"estimated_hours", "Estimated time"},
                                                              {"parent_issue_id", "Parent task"},
                                                              {"is_private", "Private"}};
    const auto disabled = i.tracker_id ? disabled_core_fields(ctx, i.tracker_id) : std::set<std::string>{};
    for (const auto& [attr, rule] : workflow_rules(ctx, i)) {
        if (rule != "required") continue;
        if (auto cf = parse_id(attr)) {
            auto it = i.custom.find(*cf);
            auto f =
                std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.def.id == *cf; });
            if (it != i.custom.end() && f != fields.end() &&
                std::all_of(it->second.begin(), it->second.end(), [](const auto& v) { return blank(v); }))
                errors.push_back(f->def.name + " cannot be blank");
            continue;
        }
        auto human = kHuman.find(attr);
        if (human == kHuman.end() || disabled.count(attr)) continue;
        bool empty = false;
        if (attr == "subject")
            empty = blank(i.subject);
        else if (attr == "description")
            empty = blank(i.description.value_or(""));
        else if (attr == "due_date")
            empty = !i.due_date;
        else if (attr == "start_date")
            empty = !i.start_date;
        else if (attr == "assigned_to_id")
            empty = !i.assigned_to_id;
        else if (attr == "priority_id")
            empty = !i.priority_id;
        else if (attr == "estimated_hours")
            empty = !i.estimated_hours;
        else if (attr == "parent_issue_id")
            empty = !i.parent_id;
        else if (attr == "category_id") {
            empty = !i.category_id &&
                    ctx.db().scalar("SELECT COUNT(*) FROM issue_categories WHERE project_id = ?",
                                    {i.project_id}) > 0;
        } else if (attr == "fixed_version_id") {
            const bool any = assignable_version(ctx, i, before, std::nullopt);
            empty = !i.fixed_version_id && any;
        }
        if (empty) errors.push_back(human->second + " cannot be blank");
    }
    return errors;
}

// Journal detail text of an attribute value (JournalDetail#normalize).
std::optional<std::string> norm(const std::optional<long long>& v) {
    if (!v) return std::nullopt;
    return std::to_string(*v);
}

// Journal#journalize_changes for the attributes, in Issue.column_names order, then the custom fields.
std::vector<Detail> changes(const Issue& b, const Issue& a, const std::set<std::string>& disabled) {
    std::vector<Detail> out;
    auto add = [&](const std::string& name, std::optional<std::string> old_v,
                   std::optional<std::string> new_v) {
        if (old_v == new_v || (blank(old_v.value_or("")) && blank(new_v.value_or("")))) return;
        const std::string core = name == "parent_id" ? "parent_issue_id" : name;
        if (disabled.count(core)) return;
        out.push_back({"attr", name, old_v, new_v});
    };
    auto num = [](long long v) { return std::optional<std::string>(std::to_string(v)); };
    auto hours = [](const std::optional<double>& v) -> std::optional<std::string> {
        if (!v) return std::nullopt;
        return float_text(*v);
    };
    add("tracker_id", num(b.tracker_id), num(a.tracker_id));
    add("project_id", num(b.project_id), num(a.project_id));
    add("subject", b.subject, a.subject);
    add("description", b.description, a.description);
    add("due_date", b.due_date, a.due_date);
    add("category_id", norm(b.category_id), norm(a.category_id));
    add("status_id", num(b.status_id), num(a.status_id));
    add("assigned_to_id", norm(b.assigned_to_id), norm(a.assigned_to_id));
    add("priority_id", norm(b.priority_id), norm(a.priority_id));
    add("fixed_version_id", norm(b.fixed_version_id), norm(a.fixed_version_id));
    add("author_id", num(b.author_id), num(a.author_id));
    add("start_date", b.start_date, a.start_date);
    add("done_ratio", num(b.done_ratio), num(a.done_ratio));
    // a float column keeps its value when the text changes ("2" and "2.0" are both 2.0)
    if (b.estimated_hours != a.estimated_hours)
        add("estimated_hours", hours(b.estimated_hours), hours(a.estimated_hours));
    add("parent_id", norm(b.parent_id), norm(a.parent_id));
    if (b.is_private != a.is_private)
        out.push_back({"attr", "is_private", b.is_private ? "1" : "0", a.is_private ? "1" : "0"});
    for (const auto& [id, after] : a.custom) {
        auto it = b.custom.find(id);
        const std::vector<std::string> before =
            it == b.custom.end() ? std::vector<std::string>{} : it->second;
        if (before == after) continue;
        if (before.size() <= 1 && after.size() <= 1) {
            std::optional<std::string> o = before.empty() ? std::nullopt : std::optional(before[0]);
            std::optional<std::string> n = after.empty() ? std::nullopt : std::optional(after[0]);
            if (o == n || (blank(o.value_or("")) && blank(n.value_or("")))) continue;
            out.push_back({"cf", std::to_string(id), o, n});
            continue;
        }
        for (const auto& v : before)
            if (!v.empty() && std::find(after.begin(), after.end(), v) == after.end())
                out.push_back({"cf", std::to_string(id), v, std::nullopt});
        for (const auto& v : after)
            if (!v.empty() && std::find(before.begin(), before.end(), v) == before.end())
                out.push_back({"cf", std::to_string(id), std::nullopt, v});
    }
    return out;
}

}  // namespace

// Issue#recalculate_attributes_for under the default settings ("derived"), up the ancestors.
void recalculate_ancestors(Context& ctx, std::optional<long long> parent_id, const std::string& now) {
    auto& db = ctx.db();
    std::set<long long> seen;
    while (parent_id && !seen.count(*parent_id)) {
        seen.insert(*parent_id);
        auto p = issue_writes_db::load(db, *parent_id);
        if (!p) return;
        Issue after = *p;
        auto kids = db.query(
            "SELECT c.id, c.start_date, c.due_date, c.done_ratio, s.is_closed, e.position, c.root_id, c.lft, "
            "c.rgt, "
            "c.estimated_hours FROM issues c JOIN issue_statuses s ON s.id = c.status_id "
            "LEFT JOIN enumerations e ON e.id = c.priority_id WHERE c.parent_id = ?",
            {*parent_id});
        if (kids.empty()) {
            parent_id = p->parent_id;
            continue;
        }
        if (ctx.setting("parent_issue_priority") != "independent") {
            std::optional<long long> pos;
            for (const auto& k : kids)
                if (!k.b(4) && !k.null(5)) pos = std::max(pos.value_or(k.i(5)), k.i(5));
            std::optional<db::Row> pr;
            if (pos)
                pr = db.one(
                    "SELECT id FROM enumerations WHERE type = 'IssuePriority' AND position = ? "
                    "ORDER BY id LIMIT 1",
                    {*pos});
            else
                pr = db.one(
                    "SELECT id FROM enumerations WHERE type = 'IssuePriority' AND is_default = ? "
                    "ORDER BY id LIMIT 1",
                    {1LL});
            if (pr) after.priority_id = pr->i(0);
        }
        if (ctx.setting("parent_issue_dates") != "independent") {
            std::optional<std::string> lo, hi;
            for (const auto& k : kids) {
                if (auto s = k.os(1)) lo = lo ? std::min(*lo, s->substr(0, 10)) : s->substr(0, 10);
                if (auto d = k.os(2)) hi = hi ? std::max(*hi, d->substr(0, 10)) : d->substr(0, 10);
            }
            if (lo && hi && *hi < *lo) std::swap(lo, hi);
            after.start_date = lo;
            after.due_date = hi;
        }
        const std::string done_mode = ctx.setting("parent_issue_done_ratio");
        const bool status_ratio =
            ctx.setting("issue_done_ratio") == "issue_status" &&
            !db.one("SELECT default_done_ratio FROM issue_statuses WHERE id = ?", {p->status_id})->null(0);
        if (done_mode != "independent" && !status_ratio) {
            // total_estimated_hours of each child: the sum over its subtree
            std::vector<double> totals;
            for (const auto& k : kids) {
                auto r = db.one(
                    "SELECT SUM(estimated_hours) FROM issues WHERE root_id = ? AND lft >= ? AND rgt <= ?",
                    {k.i(6), k.i(7), k.i(8)});
                totals.push_back(r && !r->null(0) ? r->f(0) : 0.0);
            }
            double sum = 0;
            int n = 0;
            for (double t : totals)
                if (t > 0) {
                    sum += t;
                    ++n;
                }
            const double average = n ? sum / n : 1.0;
            double done = 0;
            for (size_t k = 0; k < kids.size(); ++k) {
                const double est = totals[k] > 0 ? totals[k] : average;
                done += est * (kids[k].b(4) ? 100 : kids[k].i(3));
            }
            after.done_ratio = static_cast<long long>(std::floor(done / (average * kids.size()) + 1e-9));
        }
        if (after.priority_id != p->priority_id || after.start_date != p->start_date ||
            after.due_date != p->due_date || after.done_ratio != p->done_ratio)
            issue_writes_db::update(db, after, now);
        // the parent's after_save: its followers move with its derived dates (no journal)
        if (after.start_date != p->start_date || after.due_date != p->due_date)
            reschedule_following(ctx, p->id, false, now);
        parent_id = p->parent_id;
    }
}

namespace {

// Moves the subtree of `i` under `parent` (or makes it a root) as Redmine's IssueNestedSet does: the
// subtree first becomes a tree of its own, then joins the parent's tree among its siblings in id order.
void renest(db::Conn& db, const Issue& i, std::optional<long long> parent) {
    auto cur = issue_writes_db::load(db, i.id);
    if (!cur) return;
    long long l = cur->lft, r = cur->rgt;
    const long long width = r - l + 1;
    if (cur->root_id != i.id) {  // remove_from_nested_set
        db.exec(
            "UPDATE issues SET root_id = ?, lft = lft - ?, rgt = rgt - ? WHERE root_id = ? AND lft >= ? AND "
            "rgt <= ?",
            {i.id, l - 1, l - 1, cur->root_id, l, r});
        db.exec(
            "UPDATE issues SET lft = CASE WHEN lft >= ? THEN lft - ? ELSE lft END, "
            "rgt = CASE WHEN rgt >= ? THEN rgt - ? ELSE rgt END WHERE root_id = ?",
            {l, width, l, width, cur->root_id});
        l = 1;
    }
    if (!parent) return;
    auto p = issue_writes_db::load(db, *parent);  // move_to_nested_set
    if (!p) return;
    auto max_rgt = db.one("SELECT MAX(rgt) FROM issues WHERE root_id = ? AND parent_id = ? AND id < ?",
                          {p->root_id, p->id, i.id});
    const long long target = max_rgt && !max_rgt->null(0) ? max_rgt->i(0) + 1 : p->lft + 1;
    db.exec(
        "UPDATE issues SET lft = CASE WHEN lft >= ? THEN lft + ? ELSE lft END, "
        "rgt = CASE WHEN rgt >= ? THEN rgt + ? ELSE rgt END WHERE root_id = ?",
        {target, width, target, width, p->root_id});
    db.exec("UPDATE issues SET root_id = ?, lft = lft + ?, rgt = rgt + ? WHERE root_id = ?",
            {p->root_id, target - l, target - l, i.id});
}

// acts_as_customizable#save_custom_field_values: the issue keeps only the values of the fields its
// project and tracker offer (the others are deleted when it is saved).
void prune_custom_values(Context& ctx, const Issue& i) {
    std::vector<long long> ids;
    for (const auto& f : available_fields(ctx, i)) ids.push_back(f.def.id);
    std::vector<db::Value> p{i.id};
    std::string sql = "DELETE FROM custom_values WHERE customized_type = 'Issue' AND customized_id = ?";
    if (!ids.empty()) sql += " AND custom_field_id NOT IN (" + issues_db::placeholders(ids, p) + ")";
    ctx.db().exec(sql, p);
}

// Issue#project= for an issue that moves to i.project_id: the category with the same name, the version
// when the new project shares it.
void project_changed(Context& ctx, Issue& i) {
    if (i.category_id) {
        auto c = ctx.db().one(
            "SELECT n.id FROM issue_categories o JOIN issue_categories n ON n.name = o.name AND n.project_id "
            "= ? "
            "WHERE o.id = ? ORDER BY n.id LIMIT 1",
            {i.project_id, *i.category_id});
        i.category_id = c ? std::optional(c->i(0)) : std::nullopt;
    }
    Issue probe = i;
    probe.id = 0;
    if (i.fixed_version_id && !assignable_version(ctx, probe, probe, *i.fixed_version_id))
        i.fixed_version_id.reset();
    // the parent task goes when it may no longer be one (cross_project_subtasks)
    if (i.parent_id) {
        const long long parent_project =
            ctx.db().scalar("SELECT project_id FROM issues WHERE id = ?", {*i.parent_id});
        if (!valid_parent_project(ctx, i.project_id, parent_project)) i.parent_id.reset();
    }
}

// Issue#after_project_change: time entries follow, relations go unless cross-project relations are
// allowed, and the subtasks that were in the old project move too (each saved, recursively).
void after_project_change(Context& ctx, const Issue& i, long long old_project, const std::string& now) {
    auto& db = ctx.db();
    db.exec("UPDATE time_entries SET project_id = ? WHERE issue_id = ?", {i.project_id, i.id});
    if (!ctx.setting_enabled("cross_project_issue_relations"))
        db.exec("DELETE FROM issue_relations WHERE issue_from_id = ? OR issue_to_id = ?", {i.id, i.id});
    for (const auto& r : db.query("SELECT id FROM issues WHERE parent_id = ? ORDER BY lft", {i.id})) {
        auto child = issue_writes_db::load(db, r.i(0));
        if (!child || child->project_id != old_project) continue;
        child->project_id = i.project_id;
        project_changed(ctx, *child);
        issue_writes_db::update(db, *child, now);
        prune_custom_values(ctx, *child);
        after_project_change(ctx, *child, old_project, now);
    }
}

// Issue#update_done_ratio_from_issue_status (before_save) when % Done follows the status.
void done_ratio_from_status(Context& ctx, Issue& i) {
    if (ctx.setting("issue_done_ratio") != "issue_status") return;
    auto r = ctx.db().one("SELECT default_done_ratio FROM issue_statuses WHERE id = ?", {i.status_id});
    if (r && !r->null(0)) i.done_ratio = r->i(0);
}

json attributes(Context& ctx) {
    const auto& body = ctx.params();
    if (body.is_object())
        if (auto it = body.find("issue"); it != body.end() && it->is_object()) return *it;
    return json::object();
}

// IssuesController: params[:attachments] || params[:issue][:uploads].
json uploads_of(Context& ctx, const json& attrs) {
    const auto& body = ctx.params();
    if (body.is_object())
        if (auto it = body.find("attachments"); it != body.end() && !it->is_null()) return *it;
    if (auto it = attrs.find("uploads"); it != attrs.end()) return *it;
    return json();
}

std::optional<long long> default_priority(Context& ctx) {
    auto r = ctx.db().one(
        "SELECT id FROM enumerations WHERE type = 'IssuePriority' AND is_default = ? ORDER BY id "
        "LIMIT 1",
        {1LL});
    if (r) return r->i(0);
    return std::nullopt;
}

// Issue#create_parent_issue_journal: a child_id detail on the parent the user can see.
void parent_journal(Context& ctx, long long parent_id, long long child_id, bool added,
                    const std::string& now) {
    if (!issues_db::is_visible(ctx, parent_id)) return;
    const std::string child = std::to_string(child_id);
    Detail d{"attr", "child_id", added ? std::nullopt : std::optional(child),
             added ? std::optional(child) : std::nullopt};
    // the parent is saved with its journal (force_updated_on_change)
    ctx.db().exec("UPDATE issues SET updated_on = ?, lock_version = lock_version + 1 WHERE id = ?",
                  {now, parent_id});
    write_journal(ctx, parent_id, std::string(), false, {d}, now);
}

// show.api.rsb after create: spent hours are shown only when the route named a project (@project),
// since allowed_to?(:view_time_entries, nil) is false.
api::Document created_document(Context& ctx, long long id, bool has_project) {
    api::Document doc = issue_show_document(ctx, id);
    if (has_project &&
        ctx.perms().allowed_to("view_time_entries", find_project(ctx, ctx.route_param("project_id")).id))
        return doc;
    api::Node n = api::Node::object();
    for (const auto& [k, v] : doc.node.attrs()) n.attr(k, v);
    for (const auto& [k, v] : doc.node.members())
        if (k != "spent_hours" && k != "total_spent_hours") n.set(k, v);
    doc.node = std::move(n);
    return doc;
}

Response create(Context& ctx) {
    const auto all_statuses = statuses(ctx);
    Issue i;
    Issue before;  // a new record: every attribute changes from nil
    if (auto it = ctx.route.find("project_id"); it != ctx.route.end()) {
        const ProjectRef project = find_project(ctx, it->second);
        i.project_id = project.id;
    }
    i.author_id = ctx.user.id;
    i.priority_id = default_priority(ctx);
    if (ctx.setting_enabled("default_issue_start_date_to_creation_date"))
        i.start_date = time_entries::civil_from_days(time_entries::today_days());
    const json attrs = attributes(ctx);
    Applied a = apply(ctx, i, before, true, attrs, all_statuses);
    if (i.project_id) {
        if (!ctx.perms().allowed_to("add_issues", i.project_id)) ctx.deny();
    } else if (!ctx.perms().allowed_globally("add_issues")) {
        ctx.deny();
    }
    std::vector<Field> fields;
    if (i.project_id && i.tracker_id) {
        fields = available_fields(ctx, i);
        for (const auto& f : fields)  // a new record starts from the fields' defaults
            if (!i.custom.count(f.def.id))
                i.custom[f.def.id] =
                    f.default_value ? std::vector<std::string>{*f.default_value} : std::vector<std::string>{};
    }
    if (a.parent_given) i.parent_id = a.parent;
    if (i.project_id) {
        auto p = ctx.db().one("SELECT default_version_id, default_assigned_to_id FROM projects WHERE id = ?",
                              {i.project_id});
        // Issue#project=: the project's default version when it is shared and open
        if (p && !p->null(0) && !i.fixed_version_id && !attrs.contains("fixed_version_id") &&
            assignable_version(ctx, i, before, p->i(0)))
            i.fixed_version_id = p->i(0);
        // default_assign (before_validation on create): the category's assignee, else the project's
        if (!i.assigned_to_id && i.category_id)
            if (auto c = ctx.db().one("SELECT assigned_to_id FROM issue_categories WHERE id = ?",
                                      {*i.category_id});
                c && !c->null(0))
                i.assigned_to_id = c->i(0);
        if (p && !i.assigned_to_id && !p->null(1)) i.assigned_to_id = p->i(1);
    }
    auto errors = validate(ctx, i, before, true, a, fields, all_statuses);
    const json uploads = uploads_of(ctx, attrs);
    for (auto& e : upload_errors(ctx, ctx.db(), uploads)) errors.push_back(std::move(e));
    if (!errors.empty()) throw app::ValidationError{errors};

    auto& db = ctx.db();
    read_committed(db);
    db::Tx tx(db);
    const std::string now = db.now();
    if (all_statuses.at(i.status_id).closed) i.closed_on = now;
    done_ratio_from_status(ctx, i);
    if (i.parent_id) lock_trees(db, {*i.parent_id});
    i.id = issue_writes_db::insert(db, i, now);
    if (i.parent_id) {
        auto parent = issue_writes_db::load(db, *i.parent_id);
        if (!parent) throw app::ValidationError{{"Parent task is invalid"}};
        db.exec("UPDATE issues SET root_id = ? WHERE id = ?", {parent->root_id, i.id});
        ns::insert_at(db, ns::Table::Issues, i.id, parent->rgt, {parent->root_id});
    } else {
        // a new root is saved a second time in Redmine (add_as_root after_create), so it starts at
        // lock_version 1
        db.exec("UPDATE issues SET root_id = ?, lft = 1, rgt = 2, lock_version = 1 WHERE id = ?",
                {i.id, i.id});
    }
    issue_writes_db::save_custom_values(db, i.id, i.custom, true);
    attach_uploads(ctx, db, "Issue", i.id, uploads);
    add_watchers(ctx, i.id, a.watchers);
    if (i.parent_id) {
        recalculate_ancestors(ctx, i.parent_id, now);
        parent_journal(ctx, *i.parent_id, i.id, true, now);
    }
    tx.commit();
    Response r = ctx.render(created_document(ctx, i.id, ctx.route.count("project_id") > 0), 201);
    r.header("Location", ctx.url_for("/issues/" + std::to_string(i.id)));
    return r;
}

// Another write saved the issue between our read and our lock, and the client sent no lock_version.
struct ConcurrentUpdate {};

Response update_once(Context& ctx) {
    const auto all_statuses = statuses(ctx);
    const Issue before = find_visible(ctx, ctx.route_param("id"));
    // authorize: edit_issues, edit_own_issues or add_issue_notes on the project
    const app::ProjectInfo* project = project_info(ctx, before.project_id);
    if (!project || project->archived()) throw app::HttpError{403, false};
    if (!(ctx.perms().allowed_to("edit_issues", *project) ||
          ctx.perms().allowed_to("edit_own_issues", *project) ||
          ctx.perms().allowed_to("add_issue_notes", *project)))
        ctx.deny();
    Issue i = before;
    const json attrs = attributes(ctx);
    Applied a = apply(ctx, i, before, false, attrs, all_statuses);
    if (i.project_id != before.project_id) project_changed(ctx, i);  // before the parent is assigned
    if (a.parent_given) i.parent_id = a.parent;
    const auto fields = available_fields(ctx, i);
    if (i.project_id != before.project_id || i.tracker_id != before.tracker_id)
        for (const auto& f :
             available_fields(ctx, before))  // a field that goes away is journalized as cleared
            if (std::none_of(fields.begin(), fields.end(),
                             [&](const Field& x) { return x.def.id == f.def.id; }))
                i.custom[f.def.id] = {};
    auto errors = validate(ctx, i, before, false, a, fields, all_statuses);
    const json uploads = uploads_of(ctx, attrs);
    for (auto& e : upload_errors(ctx, ctx.db(), uploads)) errors.push_back(std::move(e));
    if (!errors.empty()) throw app::ValidationError{errors};
    auto& db = ctx.db();
    read_committed(db);
    db::Tx tx(db);
    lock_trees(db, {before.id, i.parent_id.value_or(before.id)});
    // optimistic locking (StaleObjectError, rendered as a 422 without messages): the row must still have
    // the lock_version given, or the one read at the start of the request
    auto current = issue_writes_db::load(db, before.id);
    if (!current) throw app::HttpError{404};
    if (!a.lock_version && current->lock_version != before.lock_version) throw ConcurrentUpdate{};
    if (a.lock_version && current->lock_version != *a.lock_version) throw app::ValidationError{{}};
    const std::string now = db.now();
    const bool was_closed = all_statuses.count(before.status_id) && all_statuses.at(before.status_id).closed;
    if (!was_closed && all_statuses.at(i.status_id).closed) i.closed_on = now;
    done_ratio_from_status(ctx, i);
    auto details = changes(before, i, disabled_core_fields(ctx, i.tracker_id));
    // force_updated_on_change: the API always starts a journal, so the row is always saved (updated_on,
    // lock_version) even when nothing else changed
    issue_writes_db::update(db, i, now);
    for (const auto& [id, values] : i.custom)
        if (a.custom_changed.count(id)) issue_writes_db::save_custom_values(db, i.id, {{id, values}}, false);
    prune_custom_values(ctx, i);
    // after_save, in Redmine's order
    if (i.project_id != before.project_id) after_project_change(ctx, i, before.project_id, now);
    if (i.start_date != before.start_date || i.due_date != before.due_date)
        reschedule_following(ctx, i.id, true, now);
    if (i.parent_id != before.parent_id) {
        renest(db, i, i.parent_id);
        recalculate_ancestors(ctx, before.parent_id, now);
    }
    recalculate_ancestors(ctx, i.parent_id, now);
    // attachment_added: each attached upload is a detail of the update's journal
    for (const auto& u : attach_uploads(ctx, db, "Issue", i.id, uploads))
        details.push_back(Detail{"attachment", std::to_string(u.id), std::nullopt, u.filename});
    write_journal(ctx, i.id, a.notes_given ? a.notes : std::optional<std::string>(""), a.private_notes,
                  details, now);
    if (i.parent_id != before.parent_id) {
        if (before.parent_id) parent_journal(ctx, *before.parent_id, i.id, false, now);
        if (i.parent_id) parent_journal(ctx, *i.parent_id, i.id, true, now);
    }
    tx.commit();
    return no_content();
}

// Redmine answers a race between two writes of one issue with StaleObjectError's 422 even when the
// client never asked for optimistic locking (no lock_version): we redo such a write on fresh data,
// after a short random pause so that two writers of one issue (or tree) fall out of step.
Response update(Context& ctx) {
    constexpr int kAttempts = 10;
    thread_local std::minstd_rand jitter{std::random_device{}()};
    for (int attempt = 1;; ++attempt) {
        try {
            return update_once(ctx);
        } catch (const ConcurrentUpdate&) {
            if (attempt == kAttempts) throw app::ValidationError{{}};
            std::this_thread::sleep_for(std::chrono::microseconds(500 + jitter() % (1000u * attempt)));
        }
    }
}

Response destroy(Context& ctx) {
    const Issue found = find_visible(ctx, ctx.route_param("id"));
    const app::ProjectInfo* project = project_info(ctx, found.project_id);
    if (!project || project->archived()) throw app::HttpError{403, false};
    if (!ctx.perms().allowed_to("delete_issues", *project)) ctx.deny();
    if (!issue_permission(ctx, found.project_id, "delete_issues", found.tracker_id))
        ctx.deny();  // deletable?
    auto& db = ctx.db();
    read_committed(db);
    db::Tx tx(db);
    lock_trees(db, {found.id});
    const auto reloaded = issue_writes_db::load(db, found.id);  // its place in the tree, under the lock
    if (!reloaded) throw app::HttpError{404};
    const Issue& issue = *reloaded;
    const auto ids = issue_writes_db::subtree_ids(db, issue);
    // time entries: an API request deletes them unless told otherwise
    const auto todo = ctx.param("todo");
    if (todo && (*todo == "nullify" || *todo == "reassign")) {
        std::vector<db::Value> p;
        const std::string list = issues_db::placeholders(ids, p);
        const double hours =
            db.one("SELECT SUM(hours) FROM time_entries WHERE issue_id IN (" + list + ")", p)->f(0);
        if (hours > 0 && *todo == "nullify") {
            if (yaml_list(ctx.setting("timelog_required_fields")).size() &&
                std::ranges::count(yaml_list(ctx.setting("timelog_required_fields")),
                                   std::string("issue_id")))
                throw app::ValidationError{{"Issue cannot be blank"}};
            db.exec("UPDATE time_entries SET issue_id = NULL WHERE issue_id IN (" + list + ")", p);
        } else if (hours > 0) {
            auto target = parse_id(ctx.param("reassign_to_id").value_or(""));
            auto to = target ? issue_writes_db::load(db, *target) : std::nullopt;
            if (!to || to->project_id != issue.project_id || std::ranges::count(ids, to->id))
                throw app::HttpError{404};
            std::vector<db::Value> p2{to->id, to->project_id};
            p2.insert(p2.end(), p.begin(), p.end());
            db.exec("UPDATE time_entries SET issue_id = ?, project_id = ? WHERE issue_id IN (" + list + ")",
                    p2);
        }
    }
    ns::lock(db, ns::Table::Issues, {issue.root_id});
    std::vector<db::Value> id_params;
    const std::string id_list = issues_db::placeholders(ids, id_params);
    const auto files = collect_attachment_files(
        db, "container_type = 'Issue' AND container_id IN (" + id_list + ")", id_params);
    issue_writes_db::delete_issues(db, ids);
    ns::close_gap(db, ns::Table::Issues, issue.lft, issue.rgt, {issue.root_id});
    if (issue.parent_id) {
        const std::string now = db.now();
        recalculate_ancestors(ctx, issue.parent_id, now);
        parent_journal(ctx, *issue.parent_id, issue.id, false, now);
    }
    tx.commit();
    remove_attachment_files(ctx, db, files);
    return no_content();
}

}  // namespace

void read_committed(db::Conn& db) {
    if (db.backend() == db::Backend::Mysql && !db.in_transaction())
        db.ddl("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
}

void lock_trees(db::Conn& db, const std::vector<long long>& issue_ids) {
    if (db.backend() != db::Backend::Mysql || issue_ids.empty()) return;
    // rows are locked by primary key in id order: a scan by root_id would lock (and wait for) every row it
    // passes, other trees included
    std::set<long long> locked;
    for (int round = 0; round < 5; ++round) {  // again when a tree gained rows while we waited
        std::vector<db::Value> p;
        const std::string list = issues_db::placeholders(issue_ids, p);
        std::vector<long long> ids;
        for (const auto& r :
             db.query("SELECT id FROM issues WHERE root_id IN (SELECT root_id FROM issues WHERE id IN (" +
                          list + ")) ORDER BY id",
                      p))
            if (!locked.count(r.i(0))) ids.push_back(r.i(0));
        if (ids.empty()) return;
        std::vector<db::Value> q;
        db.query("SELECT id FROM issues FORCE INDEX (PRIMARY) WHERE id IN (" +
                     issues_db::placeholders(ids, q) + ") ORDER BY id FOR UPDATE",
                 q);
        locked.insert(ids.begin(), ids.end());
    }
}

bool issue_permission(Context& ctx, long long project_id, const std::string& permission,
                      std::optional<long long> tracker_id) {
    const app::ProjectInfo* p = ctx.perms().project(project_id);
    if (!p) return false;
    if (p->status != app::kProjectActive) {
        const app::PermissionInfo* perm = app::find_permission(permission);
        if (!perm || !perm->read) return false;
    }
    if (!ctx.perms().allowed_to(permission, *p)) return false;
    if (!tracker_id || ctx.user.admin) return true;
    const auto roles = ctx.perms().roles_for_project(*p);
    std::vector<long long> ids;
    for (const auto* r : roles)
        if (r->has(permission)) ids.push_back(r->id);
    if (ids.empty()) return false;
    std::vector<db::Value> params;
    const std::string list = issues_db::placeholders(ids, params);
    for (const auto& r : ctx.db().query("SELECT settings FROM roles WHERE id IN (" + list + ")", params))
        if (issues_db::role_allows_tracker(r.s(0), permission, *tracker_id)) return true;
    return false;
}

Issue find_visible(Context& ctx, const std::string& id_text) {
    const long long id = id_param(id_text);
    auto issue = issue_writes_db::load(ctx.db(), id);
    if (!issue) throw app::HttpError{404};
    if (!issues_db::is_visible(ctx, id)) ctx.deny();
    return *issue;
}

void add_watchers(Context& ctx, long long issue_id, const std::vector<long long>& ids) {
    auto& db = ctx.db();
    for (long long u : std::set<long long>(ids.begin(), ids.end())) {
        if (db.scalar("SELECT COUNT(*) FROM users WHERE id = ? AND type IN ('User', 'Group') AND status = ?",
                      {u, 1LL}) == 0)
            continue;
        if (db.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_type = 'Issue' AND watchable_id = ? AND "
                      "user_id = ?",
                      {issue_id, u}) > 0)
            continue;
        db.insert("INSERT INTO watchers (watchable_type, watchable_id, user_id) VALUES ('Issue', ?, ?)",
                  {issue_id, u}, "watchers");
    }
}

}  // namespace resources::issue_writes

namespace resources {

bool blank_text(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

void register_issue_writes(app::Router& r) {
    using namespace issue_writes;
    r.add("POST", "/issues", create);
    r.add("POST", "/projects/:project_id/issues", create);
    r.add("PUT", "/issues/:id", update);
    r.add("PATCH", "/issues/:id", update);
    r.add("DELETE", "/issues/:id", destroy);
}

void register_relations(app::Router& r);
void register_watchers(app::Router& r);
void register_journals(app::Router& r);

// The issue write side's routes, registered together (relations, watchers and journals included).
void register_issue_write_routes(app::Router& r) {
    register_issue_writes(r);
    register_relations(r);
    register_watchers(r);
    register_journals(r);
}

}  // namespace resources
