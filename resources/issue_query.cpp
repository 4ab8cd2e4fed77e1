#include "resources/issue_query.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <regex>

#include "resources/query_params.h"
#include "resources/user_time_zone.h"

namespace resources {

using issues_db::Cond;
using issues_db::placeholders;

namespace {

enum class Type {
    List,
    ListStatus,
    ListOptional,
    ListSubprojects,
    Date,
    DatePast,
    String,
    Text,
    Integer,
    Float,
    Relation,
    Tree
};

// Query.operators_by_filter_type
const std::vector<std::string>& operators_for(Type t) {
    static const std::map<Type, std::vector<std::string>> ops = {
        {Type::List, {"=", "!"}},
        {Type::ListStatus, {"o", "=", "!", "c", "*"}},
        {Type::ListOptional, {"=", "!", "!*", "*"}},
        {Type::ListSubprojects, {"*", "!*", "=", "!"}},
        {Type::Date, {"=",  ">=",  "<=", "><", "<t+", ">t+", "><t+", "t+",  "nd",   "t",  "ld", "nw", "w",
                      "lw", "l2w", "nm", "m",  "lm",  "y",   ">t-",  "<t-", "><t-", "t-", "!*", "*"}},
        {Type::DatePast,
         {"=", ">=", "<=", "><", ">t-", "<t-", "><t-", "t-", "t", "ld", "w", "lw", "l2w", "m", "lm", "y",
          "!*", "*"}},
        {Type::String, {"~", "=", "!~", "!", "^", "$", "!*", "*"}},
        {Type::Text, {"~", "!~", "^", "$", "!*", "*"}},
        {Type::Integer, {"=", ">=", "<=", "><", "!*", "*"}},
        {Type::Float, {"=", ">=", "<=", "><", "!*", "*"}},
        {Type::Relation, {"=", "!", "=p", "=!p", "!p", "*o", "!o", "!*", "*"}},
        {Type::Tree, {"=", "~", "!*", "*"}},
    };
    return ops.at(t);
}

struct FilterDef {
    Type type;
    std::string label;
    long long custom_field = 0;  // cf_N and ASSOC.cf_N
    bool cf_visible = true;      // CustomField#visible (else only for its roles)
    std::string assoc;           // project, author, assigned_to, fixed_version for ASSOC.cf_N
    std::string format;          // the custom field's field_format
    long long through = 0;       // cf_N.cf_M and cf_N.ATTRIBUTE: N, an issue field of users or versions
    std::string attribute;       // cf_N.due_date, cf_N.status: the version's column
};

// CustomFieldFormat#query_filter_options: the filter type of a custom field format.
Type custom_field_type(const std::string& format) {
    if (format == "text") return Type::Text;
    if (format == "int") return Type::Integer;
    if (format == "float") return Type::Float;
    if (format == "date") return Type::Date;
    static const std::set<std::string> kLists = {"list", "bool", "user", "version", "enumeration"};
    return kLists.count(format) ? Type::ListOptional : Type::String;
}

struct Filter {
    std::string field, op;
    std::vector<std::string> values;
};

const std::vector<std::string> kRelationTypes = {"relates", "duplicates", "duplicated",
                                                 "blocks",  "blocked",    "precedes",
                                                 "follows", "copied_to",  "copied_from"};
// IssueRelation::TYPES: the reverse of the one-way types, and the symmetric type.
const std::map<std::string, std::string> kRelationReverse = {{"duplicated", "duplicates"},
                                                             {"blocked", "blocks"},
                                                             {"follows", "precedes"},
                                                             {"copied_from", "copied_to"}};

class Builder {
public:
    Builder(Context& ctx, const ProjectRef* project) : ctx_(ctx), project_(project) {}

    IssueQuerySql build();

private:
    void define_filters();
    void read_params();
    bool read_saved_query();
    void validate();
    Cond statement();
    Cond project_statement();
    Cond sql_for(const Filter& f);
    Cond custom_field_visibility(const FilterDef& def);
    Cond notes_visible(const std::string& t);
    Cond versions_scope();
    Cond chained_sql(const std::string& field, const FilterDef& def, const std::string& op,
                     const std::vector<std::string>& v);
    const TimeZone& zone();
    std::chrono::sys_days today();
    std::string language();
    std::set<std::string> disabled_core_fields();
    unsigned first_day_of_week();
    std::vector<std::string> user_fields(const std::string& table);
    std::vector<Cond> custom_field_order(const std::string& key);
    Cond custom_field_sql(const FilterDef& def, const std::string& op, std::vector<std::string> v);
    Cond sql_for_field(const std::string& field, Type type, const std::string& op,
                       const std::vector<std::string>& v, const std::string& column, bool custom);
    Cond date_clause(const std::string& column, std::optional<std::string> from,
                     std::optional<std::string> to, bool custom);
    Cond relative(const std::string& column, std::optional<long long> from, std::optional<long long> to,
                  bool custom);
    Cond contains(const std::string& column, const std::string& value, bool match, int anchor);
    Cond relation_sql(const std::string& field, const std::string& op, const std::vector<std::string>& v,
                      bool reverse);
    Cond order();
    void set_filter(const std::string& field, const std::string& op, std::vector<std::string> values);

    Context& ctx_;
    const ProjectRef* project_;
    std::map<std::string, FilterDef> defs_;
    std::vector<std::string> def_order_;  // IssueQuery#initialize_available_filters order
    std::vector<Filter> filters_;         // in the order they were added
    std::vector<std::pair<std::string, std::string>> sort_;
    std::vector<std::string> errors_;
    struct CustomField {
        long long id;
        std::string name, format;
        bool visible, multiple;
    };
    std::vector<CustomField> custom_fields_;  // the visible issue custom fields (query columns)
    std::shared_ptr<const TimeZone> zone_;    // loaded when a date filter needs it
    std::set<std::string> disabled_;          // the core fields disabled on all the query's trackers
};

void Builder::define_filters() {
    auto& perms = ctx_.perms();
    auto add = [&](const std::string& f, Type t, const std::string& label) {
        defs_[f] = {t, label, 0, true, "", "", 0, ""};
        def_order_.push_back(f);
    };
    add("status_id", Type::ListStatus, "Status");
    if (!project_) add("project_id", Type::List, "Project");
    add("tracker_id", Type::List, "Tracker");
    add("priority_id", Type::List, "Priority");
    add("author_id", Type::List, "Author");
    add("assigned_to_id", Type::ListOptional, "Assignee");
    add("member_of_group", Type::ListOptional, "Assignee's group");
    add("assigned_to_role", Type::ListOptional, "Assignee's role");
    add("fixed_version_id", Type::ListOptional, "Target version");
    add("fixed_version.due_date", Type::Date, "Target version's Due date");
    add("fixed_version.status", Type::List, "Target version's Status");
    if (project_) add("category_id", Type::ListOptional, "Category");
    add("subject", Type::Text, "Subject");
    add("description", Type::Text, "Description");
    add("notes", Type::Text, "Notes");
    add("created_on", Type::DatePast, "Created");
    add("updated_on", Type::DatePast, "Updated");
    add("closed_on", Type::DatePast, "Closed");
    add("start_date", Type::Date, "Start date");
    add("due_date", Type::Date, "Due date");
    add("estimated_hours", Type::Float, "Estimated time");
    if (project_ ? perms.allowed_to("view_time_entries", *project_->info)
                 : perms.allowed_globally("view_time_entries"))
        add("spent_time", Type::Float, "Spent time");
    add("done_ratio", Type::Integer, "% Done");
    if (perms.allowed_globally("set_issues_private") || perms.allowed_globally("set_own_issues_private"))
        add("is_private", Type::List, "Private");
    add("attachment", Type::Text, "File");
    add("attachment_description", Type::Text, "File description");
    if (!ctx_.user.anonymous) add("watcher_id", Type::List, "Watcher");
    add("updated_by", Type::List, "Updated by");
    add("last_updated_by", Type::List, "Last updated by");
    bool leaf = true;
    if (project_)
        leaf = ctx_.db().scalar("SELECT COUNT(*) FROM projects WHERE parent_id = ?", {project_->id}) == 0;
    if (project_ && !leaf) add("subproject_id", Type::ListSubprojects, "Subproject");
    if (!project_ || !leaf) add("project.status", Type::List, "Project's Status");
    // CustomField.visible: the issue custom fields of the query (its columns, and its filters when
    // is_filter), then those of the associations (add_associations_custom_fields_filters).
    std::string sql =
        "SELECT id, type, name, field_format, visible, multiple, is_filter FROM custom_fields WHERE type IN "
        "('IssueCustomField', 'ProjectCustomField', 'UserCustomField', 'GroupCustomField', "
        "'VersionCustomField')";
    std::vector<db::Value> params;
    if (!ctx_.user.admin) {
        sql += " AND (visible = ?";
        params.emplace_back(1LL);
        if (!ctx_.user.anonymous) {
            sql +=
                " OR id IN (SELECT cfr.custom_field_id FROM custom_fields_roles cfr INNER JOIN member_roles "
                "mr "
                "ON mr.role_id = cfr.role_id INNER JOIN members m ON m.id = mr.member_id WHERE m.user_id = "
                "?)";
            params.emplace_back(ctx_.user.id);
        }
        sql += ")";
    }
    if (project_ && leaf) {
        // Project#all_issue_custom_fields
        sql +=
            " AND (type <> 'IssueCustomField' OR is_for_all = ? OR id IN (SELECT cfp.custom_field_id FROM "
            "custom_fields_projects cfp WHERE cfp.project_id = ?))";
        params.emplace_back(1LL);
        params.emplace_back(project_->id);
    } else if (project_) {
        // Project#rolled_up_custom_fields: also those of its subprojects
        sql +=
            " AND (type <> 'IssueCustomField' OR is_for_all = ? OR id IN (SELECT cfp.custom_field_id FROM "
            "custom_fields_projects cfp INNER JOIN projects p ON p.id = cfp.project_id INNER JOIN projects "
            "q ON q.id = ? WHERE p.lft >= q.lft AND p.rgt <= q.rgt))";
        params.emplace_back(1LL);
        params.emplace_back(project_->id);
    }
    std::vector<db::Row> assoc_fields;
    std::vector<CustomField> record_fields;
    for (auto& r : ctx_.db().query_cached(sql + " ORDER BY position, id", params)) {
        if (r.s(1) != "IssueCustomField") {
            if (r.b(6)) assoc_fields.push_back(std::move(r));
            continue;
        }
        const long long id = r.i(0);
        custom_fields_.push_back({id, r.s(2), r.s(3), r.b(4), r.b(5)});
        if (!r.b(6)) continue;
        defs_["cf_" + std::to_string(id)] = {
            custom_field_type(r.s(3)), r.s(2), id, r.b(4), "", r.s(3), 0, ""};
        def_order_.push_back("cf_" + std::to_string(id));
        if (r.s(3) == "user" || r.s(3) == "version") record_fields.push_back(custom_fields_.back());
    }
    // add_chained_custom_field_filters: the filter custom fields of the users or versions an issue field
    // names (whether visible or not), and a version's due date and status
    if (!record_fields.empty()) {
        const auto chained = ctx_.db().query(
            "SELECT id, type, name, field_format FROM custom_fields WHERE is_filter = ? AND type IN "
            "('UserCustomField', 'VersionCustomField') ORDER BY id",
            {1LL});
        for (const auto& f : record_fields) {
            const std::string prefix = "cf_" + std::to_string(f.id);
            for (const auto& r : chained) {
                if (r.s(1) != (f.format == "user" ? "UserCustomField" : "VersionCustomField")) continue;
                const std::string field = prefix + ".cf_" + std::to_string(r.i(0));
                defs_[field] = {
                    custom_field_type(r.s(3)), f.name + "'s " + r.s(2), r.i(0), true, "", r.s(3), f.id, ""};
                def_order_.push_back(field);
            }
            if (f.format != "version") continue;
            defs_[prefix + ".due_date"] = {Type::Date, f.name + "'s Due date", 0, true, "", "",
                                           f.id,       "effective_date"};
            defs_[prefix + ".status"] = {Type::List, f.name + "'s Status", 0, true, "", "", f.id, "status"};
            def_order_.push_back(prefix + ".due_date");
            def_order_.push_back(prefix + ".status");
        }
    }
    static const std::vector<std::pair<std::string, std::string>> kAssocs = {
        {"project", "Project's "},
        {"author", "Author's "},
        {"assigned_to", "Assignee's "},
        {"fixed_version", "Target version's "}};
    for (const auto& [assoc, label] : kAssocs) {
        for (const auto& r : assoc_fields) {
            const std::string type = r.s(1);
            const bool fits = assoc == "project"  ? type == "ProjectCustomField"
                              : assoc == "author" ? type == "UserCustomField"
                              : assoc == "assigned_to"
                                  ? type == "UserCustomField" || type == "GroupCustomField"
                                  : type == "VersionCustomField";
            if (!fits) continue;
            const std::string field = assoc + ".cf_" + std::to_string(r.i(0));
            defs_[field] = {custom_field_type(r.s(3)), label + r.s(2), r.i(0), r.b(4), assoc, r.s(3), 0, ""};
            def_order_.push_back(field);
        }
    }
    static const std::vector<std::string> kRelationLabels = {"Related to", "Is duplicate of", "Has duplicate",
                                                             "Blocks",     "Blocked by",      "Precedes",
                                                             "Follows",    "Copied to",       "Copied from"};
    for (size_t i = 0; i < kRelationTypes.size(); ++i)
        add(kRelationTypes[i], Type::Relation, kRelationLabels[i]);
    add("parent_id", Type::Tree, "Parent task");
    add("child_id", Type::Tree, "Subtasks");
    add("issue_id", Type::Integer, "Issue");
    // Tracker.disabled_core_fields(trackers): parent_issue_id names no filter, so parent_id stays. A saved
    // query's filter on such a field still applies (Query#statement does not look at the available
    // filters), unchecked; not those on dates, which Redmine compares as numbers there.
    disabled_ = disabled_core_fields();
    for (const auto& field : disabled_) {
        if (field == "start_date" || field == "due_date") defs_.erase(field);
        def_order_.erase(std::remove(def_order_.begin(), def_order_.end(), field), def_order_.end());
    }
}

// Tracker.disabled_core_fields(trackers) for Query#trackers: the trackers of the project's tree (of
// projects not archived, with issue tracking), or all, that are Tracker.visible: in a project where the
// user may view issues of that tracker. The fields disabled on every one of them.
std::set<std::string> Builder::disabled_core_fields() {
    std::map<long long, long long> bits;  // tracker -> fields_bits
    for (const auto& r : ctx_.db().query_cached("SELECT id, fields_bits FROM trackers"))
        bits[r.i(0)] = r.null(1) ? 0 : r.i(1);
    if (std::all_of(bits.begin(), bits.end(), [](const auto& b) { return b.second == 0; })) return {};
    auto& perms = ctx_.perms();
    const auto projects = perms.allowed_project_ids("view_issues");
    if (projects.empty()) return {};
    Cond c("SELECT pt.project_id, pt.tracker_id FROM projects_trackers pt WHERE pt.project_id IN (");
    c.sql += placeholders(projects, c.params) + ")";
    if (project_) {
        // Project#rolled_up_trackers
        c.sql +=
            " AND pt.project_id IN (SELECT p.id FROM projects p INNER JOIN projects q ON q.id = ? INNER JOIN "
            "enabled_modules em ON em.project_id = p.id AND em.name = 'issue_tracking' WHERE p.lft >= q.lft "
            "AND p.rgt <= q.rgt AND p.status <> ?)";
        c.params.emplace_back(project_->id);
        c.params.emplace_back(static_cast<long long>(app::kProjectArchived));
    }
    std::map<long long, std::string> settings;
    if (!ctx_.user.admin)
        for (const auto& r : ctx_.db().query_cached("SELECT id, settings FROM roles"))
            settings[r.i(0)] = r.null(1) ? "" : r.s(1);
    std::set<long long> trackers;
    for (const auto& r : ctx_.db().query(c.sql, c.params)) {
        const long long tracker = r.i(1);
        if (trackers.count(tracker) || !bits.count(tracker)) continue;
        bool visible = ctx_.user.admin;
        if (!visible)
            if (const auto* p = perms.project(r.i(0)))
                for (const auto* role : perms.roles_for_project(*p))
                    if (role->has("view_issues") && (p->is_public || role->builtin == 0) &&
                        issues_db::role_allows_tracker(settings[role->id], "view_issues", tracker))
                        visible = true;
        if (visible) trackers.insert(tracker);
    }
    if (trackers.empty()) return {};
    // Tracker::CORE_FIELDS, in the order of their bits
    static const std::vector<std::string> kCoreFields = {"assigned_to_id",  "category_id", "fixed_version_id",
                                                         "parent_issue_id", "start_date",  "due_date",
                                                         "estimated_hours", "done_ratio",  "description"};
    std::set<std::string> out;
    for (size_t i = 0; i < kCoreFields.size(); ++i)
        if (std::all_of(trackers.begin(), trackers.end(), [&](long long t) { return bits[t] & (1LL << i); }))
            out.insert(kCoreFields[i]);
    return out;
}

void Builder::set_filter(const std::string& field, const std::string& op, std::vector<std::string> values) {
    if (!defs_.count(field) || disabled_.count(field)) return;
    for (auto& f : filters_)
        if (f.field == field) {
            f.op = op;
            f.values = std::move(values);
            return;
        }
    filters_.push_back({field, op, std::move(values)});
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        auto p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
        if (p == std::string::npos) break;
        start = p + 1;
    }
    // Ruby's String#split drops trailing empty strings.
    while (!out.empty() && out.back().empty()) out.pop_back();
    return out;
}

void Builder::read_params() {
    const nlohmann::json& params = ctx_.params();
    const FilterParams given = filter_params(params);
    if (given.replace) {
        filters_.clear();
        for (const auto& f : given.filters)
            if (defs_.count(f.field)) set_filter(f.field, f.op, f.values);
    } else {
        for (const auto& field : def_order_)
            if (auto f = short_filter(params, field, operators_for(defs_.at(field).type)))
                set_filter(f->field, f->op, f->values);
    }
    if (auto s = ctx_.param("sort"); s && !s->empty()) {
        sort_.clear();
        for (const auto& item : split(*s, ',')) {
            auto parts = split(item, ':');
            if (parts.empty() || parts[0].empty()) continue;
            if (std::any_of(sort_.begin(), sort_.end(), [&](const auto& p) { return p.first == parts[0]; }))
                continue;
            sort_.emplace_back(parts[0], parts.size() > 1 && parts[1] == "desc" ? "desc" : "asc");
        }
        if (sort_.size() > 3) sort_.resize(3);
    }
}

// A YAML scalar as Rails' Psych writes it.
std::string yaml_value(std::string v) {
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
    if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
        std::string out;
        for (size_t i = 1; i + 1 < v.size(); ++i) {
            out += v[i];
            if (v[i] == '\'' && v[i + 1] == '\'') ++i;
        }
        return out;
    }
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
    return v;
}

// The saved query named by query_id (Query.visible, global or of this project): its filters and sort.
bool Builder::read_saved_query() {
    auto qid = ctx_.param("query_id");
    if (!qid || qid->empty()) return false;
    auto id = parse_id(*qid);
    if (!id) throw app::HttpError{404};
    auto row = ctx_.db().one(
        "SELECT id, project_id, visibility, user_id, filters, sort_criteria FROM queries "
        "WHERE id = ? AND type = 'IssueQuery'",
        {*id});
    if (!row) throw app::HttpError{404};
    const auto project = row->oi(1);
    if (project && (!project_ || *project != project_->id)) throw app::HttpError{404};
    // Query#visible?
    const int visibility = static_cast<int>(row->i(2));
    const bool own = !ctx_.user.anonymous && row->i(3) == ctx_.user.id;
    bool visible = false;
    if (project && !ctx_.perms().allowed_to("view_issues", *project))
        visible = false;
    else if (ctx_.user.admin)
        visible = visibility != 0 || own;
    else if (visibility == 2 || own)
        visible = true;
    else if (visibility == 1) {
        visible = ctx_.db().scalar(
                      "SELECT COUNT(*) FROM queries_roles qr INNER JOIN member_roles mr ON mr.role_id = "
                      "qr.role_id INNER JOIN members m ON m.id = mr.member_id WHERE qr.query_id = ? AND "
                      "m.user_id = ?" +
                          std::string(project ? " AND m.project_id = ?" : ""),
                      project ? std::vector<db::Value>{*id, ctx_.user.id, *project}
                              : std::vector<db::Value>{*id, ctx_.user.id}) > 0;
    }
    if (!visible) ctx_.deny();
    filters_.clear();
    // filters: "field:\n  :operator: x\n  :values:\n  - v\n"
    std::string field;
    bool in_values = false;
    for (const auto& line : split(row->s(4), '\n')) {
        if (line.empty() || line.rfind("---", 0) == 0) continue;
        if (line[0] != ' ' && line[0] != '-') {
            field = yaml_value(line.substr(0, line.find(':')));
            in_values = false;
            if (defs_.count(field)) filters_.push_back({field, "", {}});
            continue;
        }
        if (filters_.empty() || filters_.back().field != field) continue;
        auto body = line.substr(line.find_first_not_of(' '));
        if (body.rfind(":operator:", 0) == 0) {
            filters_.back().op = yaml_value(body.substr(10).erase(0, body.substr(10).find_first_not_of(' ')));
            in_values = false;
        } else if (body.rfind(":values:", 0) == 0) {
            in_values = true;
        } else if (in_values && body.rfind("- ", 0) == 0) {
            filters_.back().values.push_back(yaml_value(body.substr(2)));
        } else if (in_values && body == "-") {
            filters_.back().values.emplace_back();
        }
    }
    // sort_criteria: "- - priority\n  - desc\n"
    sort_.clear();
    for (const auto& line : split(row->s(5), '\n')) {
        if (line.rfind("- - ", 0) == 0)
            sort_.emplace_back(yaml_value(line.substr(4)), "asc");
        else if (line.rfind("  - ", 0) == 0 && !sort_.empty())
            sort_.back().second = yaml_value(line.substr(4));
    }
    return true;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::optional<std::chrono::sys_days> parse_day(const std::string& s) {
    int y, m, d;
    char tail;
    if (s.size() < 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) < 3) return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                    std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days{ymd};
}

std::string day_text(std::chrono::sys_days d) {
    std::chrono::year_month_day ymd{d};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

// User#time_zone: the user's preference (a new preference takes Setting.default_users_time_zone), else
// the server's own zone, as Ruby's Time.local.
const TimeZone& Builder::zone() {
    if (zone_) return *zone_;
    std::optional<std::string> name;
    if (!ctx_.user.anonymous)
        if (auto r =
                ctx_.db().one("SELECT time_zone FROM user_preferences WHERE user_id = ?", {ctx_.user.id}))
            name = r->null(0) ? "" : r->s(0);
    if (!name) name = ctx_.setting("default_users_time_zone");
    zone_ = TimeZone::find(*name);
    if (!zone_) zone_ = TimeZone::local();
    return *zone_;
}

// ApplicationController#set_localization: the user's language (User#language), else the first of
// Accept-Language's (unless forced to the default), else Setting.default_language, as I18n locales.
std::string Builder::language() {
    static const std::set<std::string> kLocales = {
        "ar", "az",    "bg", "bs", "ca", "cs", "da", "de",    "el",    "en-gb", "en", "es-pa", "es",
        "et", "eu",    "fa", "fi", "fr", "gl", "he", "hr",    "hu",    "id",    "it", "ja",    "ko",
        "lt", "lv",    "mk", "mn", "nl", "no", "pl", "pt-br", "pt",    "ro",    "ru", "sk",    "sl",
        "sq", "sr-yu", "sr", "sv", "th", "tr", "uk", "vi",    "zh-tw", "zh"};
    auto find = [&](std::string l) -> std::optional<std::string> {
        std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return std::tolower(ch); });
        if (kLocales.count(l)) return l;
        return std::nullopt;
    };
    std::optional<std::string> lang;
    if (!ctx_.user.anonymous) {
        if (ctx_.setting_enabled("force_default_language_for_loggedin"))
            lang = find(ctx_.setting("default_language"));
        else if (auto r = ctx_.db().one("SELECT language FROM users WHERE id = ?", {ctx_.user.id}))
            lang = find(r->null(0) ? "" : r->s(0));
    }
    const auto accept = ctx_.req.header("accept-language");
    if (!lang && !ctx_.setting_enabled("force_default_language_for_anonymous") && accept) {
        // parse_qvalues: the value of the highest q
        static const std::regex kPart(R"(^([^\s,]+?)(?:;\s*q=(\d+(?:\.\d+)?))?$)");
        static const std::regex kSep(R"(,\s*)");
        std::string best;
        double best_q = -1;
        for (std::sregex_token_iterator it(accept->begin(), accept->end(), kSep, -1), end; it != end; ++it) {
            const std::string part = *it;
            std::smatch m;
            if (!std::regex_match(part, m, kPart)) continue;
            const double q = m[2].matched ? std::stod(m[2].str()) : 1.0;
            if (q > best_q) best = m[1].str(), best_q = q;
        }
        if (!best.empty()) {
            lang = find(best);
            if (!lang) lang = find(best.substr(0, best.find('-')));
        }
    }
    if (!lang) lang = find(ctx_.setting("default_language"));
    return lang.value_or("en");
}

// general_first_day_of_week of the language (config/locales/*.yml), as Date#cwday
unsigned Builder::first_day_of_week() {
    static const std::map<std::string, unsigned> kDays = {
        {"ar", 7}, {"bs", 7}, {"el", 7}, {"en", 7}, {"he", 7},    {"hr", 7}, {"id", 7}, {"ja", 7},
        {"ko", 7}, {"mn", 7}, {"nl", 7}, {"sq", 7}, {"zh-tw", 7}, {"zh", 7}, {"fa", 6}, {"ro", 2}};
    auto it = kDays.find(language());
    return it == kDays.end() ? 1 : it->second;
}

// User#today
std::chrono::sys_days Builder::today() {
    const long long now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return std::chrono::floor<std::chrono::days>(
        std::chrono::sys_seconds{std::chrono::seconds{now + zone().offset_at(now)}});
}

void Builder::validate() {
    static const std::regex kInt(R"(^[+-]?\d+(,[+-]?\d+)*$)");
    static const std::regex kFloat(R"(^[+-]?\d+(\.\d*)?$)");
    static const std::regex kDate(R"(^\d{4}-\d{2}-\d{2}(T\d{2}((:)?\d{2}){0,2}(Z|\d{2}:?\d{2})?)?$)");
    static const std::regex kDigits(R"(^\d+$)");
    static const std::set<std::string> kNoValue = {"o",  "c",   "!*", "*", "nd", "t", "ld", "nw", "w",
                                                   "lw", "l2w", "nm", "m", "lm", "y", "*o", "!o"};
    for (const auto& f : filters_) {
        const auto& def = defs_.at(f.field);
        auto bad = [&](const std::regex& re, bool date) {
            for (const auto& v : f.values)
                if (!blank(v) && (!std::regex_match(v, re) || (date && !parse_day(v)))) return true;
            return false;
        };
        bool invalid = false;
        if (def.type == Type::Integer)
            invalid = bad(kInt, false);
        else if (def.type == Type::Float)
            invalid = bad(kFloat, false);
        else if (def.type == Type::Date || def.type == Type::DatePast) {
            static const std::set<std::string> abs = {"=", ">=", "<=", "><"};
            static const std::set<std::string> rel = {">t-", "<t-", "t-", ">t+", "<t+", "t+", "><t+", "><t-"};
            if (abs.count(f.op))
                invalid = bad(kDate, true);
            else if (rel.count(f.op))
                invalid = bad(kDigits, false);
        }
        if (disabled_.count(f.field)) invalid = false;  // (no filter, no type: nothing to check)
        if (invalid) errors_.push_back(def.label + " is invalid");
        if (!((!f.values.empty() && !blank(f.values.front())) || kNoValue.count(f.op)))
            errors_.push_back(def.label + " cannot be blank");
    }
    if (!errors_.empty()) throw app::ValidationError{errors_};
}

// Query#date_clause: (from - 1 day) end of day < column <= to end of day, as Rails quotes times.
Cond Builder::date_clause(const std::string& column, std::optional<std::string> from,
                          std::optional<std::string> to, bool custom) {
    std::string sql;
    std::vector<db::Value> params;
    // a UTC instant as Rails quotes it: a custom value as text without fractions
    auto text = [&](long long utc, bool end_of_day) {
        const auto t = std::chrono::sys_seconds{std::chrono::seconds{utc}};
        const auto day = std::chrono::floor<std::chrono::days>(t);
        const long long secs = (t - day).count();
        char buf[32];
        std::snprintf(buf, sizeof buf, " %02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60, secs % 60);
        return day_text(day) + buf + (end_of_day && !custom ? ".999999" : "");
    };
    auto bound = [&](const std::string& v, bool lower) -> std::optional<std::string> {
        auto day = parse_day(v);
        if (!day) return std::nullopt;
        const long long midnight = std::chrono::sys_seconds{*day}.time_since_epoch().count();
        if (v.size() > 10 && v[10] == 'T') {
            // Time.parse: the server's zone unless the value says Z; the lower bound is one second earlier
            int h = 0, mi = 0, s = 0;
            if (std::sscanf(v.c_str() + 11, "%2d:%2d:%2d", &h, &mi, &s) < 1) return std::nullopt;
            const long long local = midnight + h * 3600LL + mi * 60LL + s;
            const long long utc = v.back() == 'Z' ? local : TimeZone::local()->to_utc(local);
            return text(utc - (lower ? 1 : 0), false);
        }
        // a date: from the end of the day before, to the end of the day, in the user's zone
        const long long end = midnight - (lower ? 86400 : 0) + 86399;
        return text(zone().to_utc(end), true);
    };
    if (from) {
        if (auto b = bound(*from, true)) {
            sql = column + " > ?";
            params.emplace_back(*b);
        }
    }
    if (to) {
        if (auto b = bound(*to, false)) {
            sql += (sql.empty() ? "" : " AND ") + column + " <= ?";
            params.emplace_back(*b);
        }
    }
    return Cond(sql, params);
}

Cond Builder::relative(const std::string& column, std::optional<long long> from, std::optional<long long> to,
                       bool custom) {
    const auto t = today();
    std::optional<std::string> f, e;
    if (from) f = day_text(t + std::chrono::days{*from});
    if (to) e = day_text(t + std::chrono::days{*to});
    return date_clause(column, f, e, custom);
}

// Query#sql_contains: every token (or the whole value) LIKE %token%, or a prefix/suffix match.
Cond Builder::contains(const std::string& column, const std::string& value, bool match, int anchor) {
    auto escape = [](const std::string& s) {
        std::string out;
        for (char c : s) {
            if (c == '\\' || c == '%' || c == '_') out += '\\';
            out += c;
        }
        return out;
    };
    const bool sqlite = ctx_.db().backend() == db::Backend::Sqlite;
    const std::string like = column + (match ? " LIKE ?" : " NOT LIKE ?") + (sqlite ? " ESCAPE '\\'" : "");
    if (anchor != 0) return Cond(like, {anchor > 0 ? escape(value) + "%" : "%" + escape(value)});
    // Redmine::Search::Tokenizer: quoted phrases and words, at least 2 characters, at most 5.
    std::vector<std::string> tokens;
    static const std::regex kToken(R"dlm(((\s|^)"[^"]+"(\s|$)|\S+))dlm");
    for (auto it = std::sregex_iterator(value.begin(), value.end(), kToken); it != std::sregex_iterator();
         ++it) {
        std::string t = (*it)[1].str();
        t = std::regex_replace(t, std::regex(R"((^\s*"\s*|\s*"\s*$))"), "");
        bool multibyte =
            std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
        if ((t.size() > 1 || multibyte) && std::find(tokens.begin(), tokens.end(), t) == tokens.end())
            tokens.push_back(t);
    }
    if (tokens.size() > 5) tokens.resize(5);
    if (tokens.empty()) tokens.push_back(value);
    Cond c;
    for (const auto& t : tokens) {
        c.sql += (c.sql.empty() ? "" : " AND ") + like;
        c.params.emplace_back("%" + escape(t) + "%");
    }
    return c;
}

std::vector<long long> ints_in(const std::string& s, bool signed_ints) {
    std::vector<long long> out;
    static const std::regex kSigned(R"([+-]?\d+)"), kUnsigned(R"(\d+)");
    const auto& re = signed_ints ? kSigned : kUnsigned;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it) {
        const std::string m = it->str();
        if (m.size() < 18) out.push_back(std::stoll(m));
    }
    return out;
}

std::string number_text(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

// Ruby's String#to_f for the leading number.
double to_f(const std::string& s) {
    try {
        return std::stod(s);
    } catch (...) {
        return 0.0;
    }
}

Cond Builder::sql_for_field(const std::string& field, Type type, const std::string& op,
                            const std::vector<std::string>& v, const std::string& column, bool custom) {
    const bool date = type == Type::Date || type == Type::DatePast;
    // custom values are strings: compare them as numbers, never the empty string
    const std::string num =
        custom ? "CAST(CASE " + column + " WHEN '' THEN '0' ELSE " + column + " END AS decimal(30,3))"
               : column;
    const std::string guard = custom ? column + " <> '' AND " : "";
    const std::string first = v.empty() ? "" : v.front();
    if (op == "=") {
        if (v.empty()) return Cond("1=0");
        if (date) return date_clause(column, first, first, custom);
        if (type == Type::Integer) {
            auto ints = ints_in(first, true);
            if (ints.empty()) return Cond("1=0");
            Cond c;
            c.sql = "(" + guard + num + " IN (" + placeholders(ints, c.params) + "))";
            return c;
        }
        if (type == Type::Float) {
            const double f = to_f(first);
            return Cond("(" + guard + num + " BETWEEN ? AND ?)",
                        {number_text(f - 1e-5), number_text(f + 1e-5)});
        }
        Cond c;
        c.sql = column + " IN (" + placeholders(v, c.params) + ")";
        return c;
    }
    if (op == "!") {
        if (v.empty()) return Cond("1=1");
        Cond c;
        c.sql = "(" + column + " IS NULL OR " + column + " NOT IN (" + placeholders(v, c.params) + "))";
        return c;
    }
    if (op == "!*") {
        if (custom || type == Type::Text || type == Type::String)
            return Cond(column + " IS NULL OR " + column + " = ''");
        return Cond(column + " IS NULL");
    }
    if (op == "*")
        return Cond(column + " IS NOT NULL" + (custom ? " AND " + column + " <> ''" : std::string()));
    if (op == ">=" || op == "<=") {
        if (date)
            return op == ">=" ? date_clause(column, first, std::nullopt, custom)
                              : date_clause(column, std::nullopt, first, custom);
        return Cond("(" + guard + num + " " + op + " ?)", {number_text(to_f(first))});
    }
    if (op == "><") {
        const std::string second = v.size() > 1 ? v[1] : "";
        if (date) return date_clause(column, first, second, custom);
        return Cond("(" + guard + num + " BETWEEN ? AND ?)",
                    {number_text(to_f(first)), number_text(to_f(second))});
    }
    if (op == "o" || op == "c") {
        if (field != "status_id") return Cond();
        return Cond("issues.status_id IN (SELECT id FROM issue_statuses WHERE is_closed = ?)",
                    {op == "c" ? 1LL : 0LL});
    }
    const long long n = app::ruby_to_i(first);
    if (op == "><t-") return relative(column, -n, 0, custom);
    if (op == ">t-") return relative(column, -n, std::nullopt, custom);
    if (op == "<t-") return relative(column, std::nullopt, -n, custom);
    if (op == "t-") return relative(column, -n, -n, custom);
    if (op == "><t+") return relative(column, 0, n, custom);
    if (op == ">t+") return relative(column, n, std::nullopt, custom);
    if (op == "<t+") return relative(column, std::nullopt, n, custom);
    if (op == "t+") return relative(column, n, n, custom);
    if (op == "t") return relative(column, 0, 0, custom);
    if (op == "ld") return relative(column, -1, -1, custom);
    if (op == "nd") return relative(column, 1, 1, custom);
    // the days since the week began (general_first_day_of_week of the request's language)
    const auto t = today();
    const long long days_ago = (std::chrono::weekday{t}.iso_encoding() + 7 - first_day_of_week()) % 7;
    if (op == "w") return relative(column, -days_ago, -days_ago + 6, custom);
    if (op == "lw") return relative(column, -days_ago - 7, -days_ago - 1, custom);
    if (op == "l2w") return relative(column, -days_ago - 14, -days_ago - 1, custom);
    if (op == "nw") return relative(column, -days_ago + 7, -days_ago + 13, custom);
    if (op == "m" || op == "lm" || op == "nm" || op == "y") {
        std::chrono::year_month_day ymd{t};
        auto ym = std::chrono::year_month{ymd.year(), ymd.month()};
        if (op == "lm") ym -= std::chrono::months{1};
        if (op == "nm") ym += std::chrono::months{1};
        std::chrono::sys_days from{ym / 1}, to{ym / std::chrono::last};
        if (op == "y")
            from = std::chrono::sys_days{ymd.year() / 1 / 1},
            to = std::chrono::sys_days{ymd.year() / 12 / 31};
        return date_clause(column, day_text(from), day_text(to), custom);
    }
    if (op == "~") return contains(column, first, true, 0);
    if (op == "!~") return contains(column, first, false, 0);
    if (op == "^") return contains(column, first, true, 1);
    if (op == "$") return contains(column, first, true, -1);
    errors_.push_back("Unknown query operator " + op);
    return Cond("1=0");
}

Cond Builder::relation_sql(const std::string& field, const std::string& op, const std::vector<std::string>& v,
                           bool reverse) {
    std::string type = field, join = "issue_from_id", target = "issue_to_id";
    auto rev = kRelationReverse.find(field);
    if (rev != kRelationReverse.end() || reverse) {
        if (rev != kRelationReverse.end()) type = rev->second;
        std::swap(join, target);
    }
    const long long value = app::ruby_to_i(v.empty() ? "" : v.front());
    Cond c;
    const std::string base =
        "issues.id %s (SELECT DISTINCT issue_relations." + join + " FROM issue_relations";
    auto in = [&](bool negate) { return std::string("issues.id ") + (negate ? "NOT IN" : "IN"); };
    if (op == "*" || op == "!*") {
        c = Cond(in(op == "!*") + " (SELECT DISTINCT issue_relations." + join +
                     " FROM issue_relations WHERE issue_relations.relation_type = ?)",
                 {type});
    } else if (op == "=" || op == "!") {
        c = Cond(in(op == "!") + " (SELECT DISTINCT issue_relations." + join +
                     " FROM issue_relations WHERE issue_relations.relation_type = ? AND issue_relations." +
                     target + " = ?)",
                 {type, value});
    } else if (op == "=p" || op == "=!p" || op == "!p") {
        c = Cond(in(op == "!p") + " (SELECT DISTINCT issue_relations." + join +
                     " FROM issue_relations, issues relissues WHERE issue_relations.relation_type = ? AND "
                     "issue_relations." +
                     target + " = relissues.id AND relissues.project_id " + (op == "=!p" ? "<>" : "=") +
                     " ?)",
                 {type, value});
    } else if (op == "*o" || op == "!o") {
        c = Cond(in(op == "!o") + " (SELECT DISTINCT issue_relations." + join +
                     " FROM issue_relations, issues relissues WHERE issue_relations.relation_type = ? AND "
                     "issue_relations." +
                     target +
                     " = relissues.id AND relissues.status_id IN "
                     "(SELECT id FROM issue_statuses WHERE is_closed = ?))",
                 {type, 0LL});
    }
    (void)base;
    // relates is symmetric: also the other direction
    if (field == "relates" && !reverse) {
        Cond other = relation_sql(field, op, v, true);
        const bool negative = op == "!" || op == "!*" || op == "!p" || op == "!o";
        c.sql = c.sql + (negative ? " AND " : " OR ") + other.sql;
        c.params.insert(c.params.end(), other.params.begin(), other.params.end());
    }
    if (!reverse) c.sql = "(" + c.sql + ")";
    return c;
}

// CustomField#visibility_by_project_condition for a field of `def` (IssueCustomField's adds its trackers
// and projects; the issue's own visibility is already in the outer WHERE).
Cond Builder::custom_field_visibility(const FilterDef& def) {
    Cond c("1=1");
    if (!def.cf_visible && !ctx_.user.admin) {
        if (ctx_.user.anonymous || (!def.assoc.empty() && def.assoc != "project")) {
            c = Cond("1=0");
        } else {
            c = Cond(
                (def.assoc == "project" ? "projects.id" : "issues.project_id") +
                    std::string(" IN (SELECT DISTINCT m.project_id FROM members m INNER JOIN member_roles mr "
                                "ON mr.member_id = m.id INNER JOIN custom_fields_roles cfr ON cfr.role_id = "
                                "mr.role_id WHERE m.user_id = ? AND cfr.custom_field_id = ?)"),
                {ctx_.user.id, def.custom_field});
        }
    }
    if (!def.assoc.empty()) return c;
    c.sql = "(" + c.sql +
            ") AND issues.tracker_id IN (SELECT tracker_id FROM custom_fields_trackers WHERE "
            "custom_field_id = ?) AND (EXISTS (SELECT 1 FROM custom_fields ifa WHERE ifa.is_for_all = ? AND "
            "ifa.id = ?) OR "
            "issues.project_id IN (SELECT project_id FROM custom_fields_projects WHERE custom_field_id = ?))";
    c.params.emplace_back(def.custom_field);
    c.params.emplace_back(1LL);
    c.params.emplace_back(def.custom_field);
    c.params.emplace_back(def.custom_field);
    return c;
}

// Query#sql_for_custom_field, also for the custom fields of the associations (project.cf_N, ...).
Cond Builder::custom_field_sql(const FilterDef& def, const std::string& op, std::vector<std::string> v) {
    if (def.format == "user") {
        auto me = std::find(v.begin(), v.end(), "me");
        if (me != v.end()) {
            v.erase(me);
            v.push_back(std::to_string(ctx_.user.id));
        }
    }
    std::string op2 = op;
    const bool negate = op == "!";
    if (negate) op2 = "=";
    Cond where = sql_for_field("cf", def.type, op2, v, "custom_values.value", true);
    if (op2.find_first_of("<>") != std::string::npos)
        where.sql = "(" + where.sql + ") AND custom_values.value <> ''";
    // the customized class: its table, the base class stored in customized_type, the issue's key
    std::string table = "issues", type = "Issue", key = "id";
    if (def.assoc == "project") table = "projects", type = "Project", key = "project_id";
    if (def.assoc == "author") table = "users", type = "Principal", key = "author_id";
    if (def.assoc == "assigned_to") table = "users", type = "Principal", key = "assigned_to_id";
    if (def.assoc == "fixed_version") table = "versions", type = "Version", key = "fixed_version_id";
    Cond visibility = custom_field_visibility(def);
    Cond c(std::string(negate ? "NOT " : "") + "EXISTS (SELECT ct.id FROM " + table +
               " ct LEFT OUTER JOIN custom_values ON custom_values.customized_type = ? AND "
               "custom_values.customized_id = ct.id AND custom_values.custom_field_id = ? WHERE issues." +
               key + " = ct.id AND (" + where.sql + ") AND (" + visibility.sql + "))",
           {type, def.custom_field});
    c.params.insert(c.params.end(), where.params.begin(), where.params.end());
    c.params.insert(c.params.end(), visibility.params.begin(), visibility.params.end());
    return c;
}

// Journal.visible_notes_condition(User.current, :skip_pre_condition => true) on the journals named `t`,
// inside a statement that joins the issue's project as `projects`.
Cond Builder::notes_visible(const std::string& t) {
    Cond c("(" + t + ".private_notes = ? OR " + t + ".user_id = ? OR ", {0LL, ctx_.user.id});
    if (ctx_.user.admin) {
        c.sql += "projects.status <> ?)";
        c.params.emplace_back(static_cast<long long>(app::kProjectArchived));
        return c;
    }
    const auto ids = ctx_.perms().allowed_project_ids("view_private_notes");
    c.sql += ids.empty() ? std::string("1=0)") : "projects.id IN (" + placeholders(ids, c.params) + "))";
    return c;
}

// The versions a fixed_version.* filter looks in (`v`, its project `vp`): the project's shared versions,
// else Version.visible.
Cond Builder::versions_scope() {
    if (project_)
        return Cond(
            "vp.id = ? OR (vp.status <> ? AND (v.sharing = 'system' OR (v.sharing = 'tree' AND EXISTS "
            "(SELECT 1 "
            "FROM projects cur INNER JOIN projects root ON root.parent_id IS NULL AND root.lft <= cur.lft "
            "AND "
            "root.rgt >= cur.rgt WHERE cur.id = ? AND vp.lft >= root.lft AND vp.rgt <= root.rgt)) OR EXISTS "
            "(SELECT 1 FROM projects cur WHERE cur.id = ? AND ((vp.lft < cur.lft AND vp.rgt > cur.rgt AND "
            "v.sharing IN ('hierarchy', 'descendants')) OR (vp.lft > cur.lft AND vp.rgt < cur.rgt AND "
            "v.sharing = 'hierarchy')))))",
            {project_->id, static_cast<long long>(app::kProjectArchived), project_->id, project_->id});
    const auto ids = ctx_.perms().allowed_project_ids("view_issues");
    if (ids.empty()) return Cond("1=0");
    Cond c;
    c.sql = "v.project_id IN (" + placeholders(ids, c.params) + ")";
    return c;
}

// Query#sql_for_chained_custom_field (cf_N.cf_M) and #sql_for_custom_field_attribute (cf_N.due_date,
// cf_N.status): the issues whose field N names a user or version matching the condition.
Cond Builder::chained_sql(const std::string& field, const FilterDef& def, const std::string& op,
                          const std::vector<std::string>& v) {
    const bool negate = op == "!";
    const std::string op2 = negate ? "=" : op;
    Cond target;
    if (def.attribute.empty()) {
        const auto through = std::find_if(custom_fields_.begin(), custom_fields_.end(),
                                          [&](const auto& f) { return f.id == def.through; });
        const bool users = through != custom_fields_.end() && through->format == "user";
        Cond w = sql_for_field(field, def.type, op2, v, "custom_values.value", true);
        // unparenthesised as in Redmine: an `OR` in the condition (!*) binds loosely there too
        target = Cond(
            "SELECT customized_id FROM custom_values WHERE customized_type = ? AND custom_field_id = ? "
            "AND " +
                w.sql,
            {std::string(users ? "Principal" : "Version"), def.custom_field});
        target.params.insert(target.params.end(), w.params.begin(), w.params.end());
    } else {
        Cond w = sql_for_field(field, def.type, op2, v, "versions." + def.attribute, false);
        target = Cond("SELECT id FROM versions WHERE " + w.sql, w.params);
    }
    Cond c(std::string("issues.id ") + (negate ? "NOT " : "") +
               "IN (SELECT customized_id FROM custom_values WHERE customized_type = 'Issue' AND "
               "custom_field_id = "
               "? AND CAST(CASE value WHEN '' THEN '0' ELSE value END AS decimal(30,0)) IN (" +
               target.sql + "))",
           {def.through});
    c.params.insert(c.params.end(), target.params.begin(), target.params.end());
    return c;
}

Cond Builder::sql_for(const Filter& f) {
    const auto& def = defs_.at(f.field);
    std::vector<std::string> v = f.values;
    const std::string& field = f.field;
    static const std::set<std::string> kMe = {"assigned_to_id", "author_id", "watcher_id", "updated_by",
                                              "last_updated_by"};
    if (kMe.count(field)) {
        auto it = std::find(v.begin(), v.end(), "me");
        if (it != v.end()) {
            v.erase(it);
            if (!ctx_.user.anonymous) {
                v.push_back(std::to_string(ctx_.user.id));
                if (field == "assigned_to_id" || field == "watcher_id")
                    for (long long g : issues_db::group_ids(ctx_)) v.push_back(std::to_string(g));
            } else {
                v.push_back("0");
            }
        }
    }
    if (field == "project_id") {
        auto it = std::find(v.begin(), v.end(), "mine");
        if (it != v.end()) {
            v.erase(it);
            if (!ctx_.user.anonymous)
                for (const auto& r : ctx_.db().query(
                         "SELECT project_id FROM members WHERE user_id = ? ORDER BY id", {ctx_.user.id}))
                    v.push_back(std::to_string(r.i(0)));
        }
        // an identifier names the project as well (Redmine's API clients send them)
        for (auto& value : v)
            if (!value.empty() && value.find_first_not_of("0123456789") != std::string::npos)
                if (auto r = ctx_.db().one("SELECT id FROM projects WHERE identifier = ?", {value}))
                    value = std::to_string(r->i(0));
    }
    const std::string& op = f.op;
    if (def.through) return chained_sql(field, def, op, v);
    if (def.custom_field) return custom_field_sql(def, op, v);
    if (std::find(kRelationTypes.begin(), kRelationTypes.end(), field) != kRelationTypes.end())
        return relation_sql(field, op, v, false);
    if (field == "issue_id") {
        if (op == "=") {
            auto ids = ints_in(v.empty() ? "" : v.front(), false);
            if (ids.empty()) return Cond("1=0");
            Cond c;
            c.sql = "issues.id IN (" + placeholders(ids, c.params) + ")";
            return c;
        }
        return sql_for_field(field, def.type, op, v, "issues.id", false);
    }
    if (field == "parent_id" || field == "child_id") {
        const bool parent = field == "parent_id";
        if (op == "=") {
            auto ids = ints_in(v.empty() ? "" : v.front(), false);
            if (!parent && !ids.empty()) {
                std::vector<db::Value> params;
                std::string sql =
                    "SELECT DISTINCT parent_id FROM issues WHERE parent_id IS NOT NULL AND id IN (" +
                    placeholders(ids, params) + ")";
                ids.clear();
                for (const auto& r : ctx_.db().query(sql, params)) ids.push_back(r.i(0));
            }
            if (ids.empty()) return Cond("1=0");
            Cond c;
            c.sql = std::string(parent ? "issues.parent_id" : "issues.id") + " IN (" +
                    placeholders(ids, c.params) + ")";
            return c;
        }
        if (op == "~") {
            auto r = ctx_.db().one("SELECT root_id, lft, rgt FROM issues WHERE id = ?",
                                   {app::ruby_to_i(v.empty() ? "" : v.front())});
            if (!r || r->null(0) || r->null(1) || r->null(2)) return Cond("1=0");
            return Cond(parent ? "issues.root_id = ? AND issues.lft > ? AND issues.rgt < ?"
                               : "issues.root_id = ? AND issues.lft < ? AND issues.rgt > ?",
                        {r->i(0), r->i(1), r->i(2)});
        }
        if (op == "!*") return Cond(parent ? "issues.parent_id IS NULL" : "issues.rgt - issues.lft = 1");
        if (op == "*") return Cond(parent ? "issues.parent_id IS NOT NULL" : "issues.rgt - issues.lft > 1");
        return Cond();
    }
    if (field == "is_private") {
        std::vector<long long> flags;
        for (const auto& value : v) {
            long long b = value == "0" ? 0 : 1;
            if (std::find(flags.begin(), flags.end(), b) == flags.end()) flags.push_back(b);
        }
        Cond c;
        c.sql = std::string("issues.is_private ") + (op == "=" ? "IN" : "NOT IN") + " (" +
                placeholders(flags, c.params) + ")";
        return c;
    }
    if (field == "watcher_id") {
        std::vector<std::string> me, others;
        for (const auto& value : v)
            (value == "0" || value == std::to_string(ctx_.user.id) ? me : others).push_back(value);
        Cond c;
        const std::string in = op == "=" ? "IN" : "NOT IN";
        if (!others.empty()) {
            auto allowed = ctx_.perms().allowed_project_ids("view_issue_watchers");
            Cond mine = sql_for_field(field, Type::List, "=", me, "watchers.user_id", false);
            Cond rest = sql_for_field(field, Type::List, "=", others, "watchers.user_id", false);
            std::string allowed_sql = "1=0";
            std::vector<db::Value> allowed_params;
            if (!allowed.empty())
                allowed_sql = "projects.id IN (" + placeholders(allowed, allowed_params) + ")";
            c.sql = "issues.id " + in +
                    " (SELECT issues.id FROM issues INNER JOIN watchers ON issues.id = "
                    "watchers.watchable_id AND watchers.watchable_type = 'Issue' LEFT OUTER JOIN projects ON "
                    "projects.id = "
                    "issues.project_id WHERE (" +
                    mine.sql + ") OR (" + allowed_sql + " AND " + rest.sql + "))";
            c.params = mine.params;
            c.params.insert(c.params.end(), allowed_params.begin(), allowed_params.end());
            c.params.insert(c.params.end(), rest.params.begin(), rest.params.end());
        } else {
            Cond mine = sql_for_field(field, Type::List, "=", me, "watchers.user_id", false);
            c.sql = "issues.id " + in +
                    " (SELECT watchers.watchable_id FROM watchers WHERE watchers.watchable_type = "
                    "'Issue' AND " +
                    mine.sql + ")";
            c.params = mine.params;
        }
        return c;
    }
    if (field == "updated_on" && (op == "!*" || op == "*"))
        return Cond(op == "!*" ? "issues.updated_on = issues.created_on"
                               : "issues.updated_on > issues.created_on");
    if (field == "notes") {
        const bool negate = !op.empty() && op[0] == '!';
        Cond inner = sql_for_field(field, def.type, negate ? op.substr(1) : op, v, "journals.notes", false);
        Cond visible = notes_visible("journals");
        Cond c(std::string(negate ? "NOT EXISTS" : "EXISTS") +
                   " (SELECT 1 FROM journals WHERE journals.journalized_type = 'Issue' AND "
                   "journals.journalized_id = issues.id AND (" +
                   inner.sql + ") AND " + visible.sql + ")",
               inner.params);
        c.params.insert(c.params.end(), visible.params.begin(), visible.params.end());
        return c;
    }
    // IssueQuery#sql_for_updated_by_field and #sql_for_last_updated_by_field
    if (field == "updated_by" || field == "last_updated_by") {
        const bool last = field == "last_updated_by";
        const std::string t = last ? "sj" : "journals";
        Cond inner = sql_for_field(field, Type::List, "=", v, t + ".user_id", false);
        Cond c(std::string(op == "!" ? "NOT " : "") + "EXISTS (SELECT 1 FROM journals" + (last ? " sj" : "") +
                   " WHERE " + t + ".journalized_type = 'Issue' AND " + t +
                   ".journalized_id = issues.id AND (" + inner.sql + ")",
               inner.params);
        Cond visible = notes_visible("journals");
        if (last)
            c.sql +=
                " AND sj.id IN (SELECT MAX(journals.id) FROM journals WHERE journals.journalized_type = "
                "'Issue' AND journals.journalized_id = issues.id AND " +
                visible.sql + "))";
        else
            c.sql += " AND " + visible.sql + ")";
        c.params.insert(c.params.end(), visible.params.begin(), visible.params.end());
        return c;
    }
    if (field == "fixed_version.due_date" || field == "fixed_version.status") {
        const bool due = field == "fixed_version.due_date";
        Cond where = sql_for_field(field, def.type, op, v, due ? "v.effective_date" : "v.status", false);
        Cond scope = versions_scope();
        const bool nl = due ? op == "!*" : op == "!";
        Cond c(
            std::string("(") + (nl ? "issues.fixed_version_id IS NULL OR " : "") +
                "issues.fixed_version_id IN (SELECT v.id FROM versions v INNER JOIN projects vp ON vp.id = "
                "v.project_id WHERE (" +
                scope.sql + ") AND (" + where.sql + ")))",
            scope.params);
        c.params.insert(c.params.end(), where.params.begin(), where.params.end());
        return c;
    }
    if (field == "spent_time") {
        std::string sql_op;
        std::vector<db::Value> params;
        const double a = to_f(v.empty() ? "" : v[0]), b = to_f(v.size() > 1 ? v[1] : "");
        if (op == "=" || op == ">=" || op == "<=")
            sql_op = op + " ?", params = {a};  // numbers: the sum has no column affinity in SQLite
        else if (op == "><")
            sql_op = "BETWEEN ? AND ?", params = {a, b};
        else if (op == "*")
            sql_op = "> 0";
        else if (op == "!*")
            sql_op = "= 0";
        else
            return Cond();
        return Cond(
            "COALESCE((SELECT ROUND(CAST(SUM(hours) AS DECIMAL(30,3)), 2) FROM time_entries WHERE issue_id = "
            "issues.id), 0) " +
                sql_op,
            params);
    }
    if (field == "attachment") {
        const std::string exists =
            "EXISTS (SELECT 1 FROM attachments a WHERE a.container_type = 'Issue' AND "
            "a.container_id = issues.id";
        if (op == "*") return Cond(exists + ")");
        if (op == "!*") return Cond("NOT " + exists + ")");
        Cond inner = contains("a.filename", v.empty() ? "" : v.front(), true,
                              op == "^"   ? 1
                              : op == "$" ? -1
                                          : 0);
        return Cond(std::string(op == "!~" ? "NOT " : "") + exists + " AND " + inner.sql + ")", inner.params);
    }
    if (field == "attachment_description") {
        const std::string described = "a.description IS NOT NULL AND a.description <> ''";
        const std::string first = v.empty() ? "" : v.front();
        Cond c("1=0");
        if (op == "*" || op == "!*") {
            c = Cond(op == "*" ? described : "NOT (" + described + ")");
        } else if (op == "~" || op == "!~") {
            c = contains("a.description", first, op == "~", 0);
            if (op == "!~") c.sql = described + " AND " + c.sql;
        } else if (op == "^" || op == "$") {
            c = contains("a.description", first, true, op == "^" ? 1 : -1);
        }
        return Cond(
            "EXISTS (SELECT 1 FROM attachments a WHERE a.container_type = 'Issue' AND a.container_id = "
            "issues.id AND " +
                c.sql + ")",
            c.params);
    }
    if (field == "member_of_group") {
        std::string op2 = op;
        std::vector<std::string> members;
        std::string sql =
            "SELECT g.id, gu.user_id FROM users g LEFT OUTER JOIN groups_users gu ON gu.group_id = g.id "
            "WHERE g.type = 'Group'";  // Group.givable
        std::vector<db::Value> params;
        if (op == "*" || op == "!*") {
            op2 = op == "*" ? "=" : "!";
        } else {
            std::vector<long long> ids;
            for (const auto& value : v)
                if (auto id = parse_id(value)) ids.push_back(*id);
            if (ids.empty()) ids.push_back(0);
            // Group.where(:id => value) takes the built-in groups too
            sql =
                "SELECT g.id, gu.user_id FROM users g LEFT OUTER JOIN groups_users gu ON gu.group_id = g.id "
                "WHERE g.type IN ('Group', 'GroupAnonymous', 'GroupNonMember') AND g.id IN (" +
                placeholders(ids, params) + ")";
        }
        std::set<long long> ids;
        for (const auto& r : ctx_.db().query(sql, params)) {
            ids.insert(r.i(0));
            if (!r.null(1)) ids.insert(r.i(1));
        }
        for (long long id : ids) members.push_back(std::to_string(id));
        Cond c =
            sql_for_field("assigned_to_id", Type::ListOptional, op2, members, "issues.assigned_to_id", false);
        c.sql = "(" + c.sql + ")";
        return c;
    }
    if (field == "assigned_to_role") {
        if (op == "*" || op == "!*") {
            return Cond(std::string("(") + (op == "!*" ? "issues.assigned_to_id IS NULL OR " : "") +
                        "issues.assigned_to_id " + (op == "!*" ? "NOT " : "") +
                        "IN (SELECT DISTINCT members.user_id FROM members WHERE members.project_id = "
                        "issues.project_id))");
        }
        Cond c;
        std::string role_cond = "1=0";
        std::vector<db::Value> role_params;
        if (!v.empty()) role_cond = "member_roles.role_id IN (" + placeholders(v, role_params) + ")";
        c.sql = std::string("(") + (op == "!" ? "issues.assigned_to_id IS NULL OR " : "") +
                "issues.assigned_to_id " + (op == "!" ? "NOT " : "") +
                "IN (SELECT DISTINCT members.user_id FROM members, member_roles WHERE members.project_id = "
                "issues.project_id AND members.id = member_roles.member_id AND " +
                role_cond + "))";
        c.params = role_params;
        return c;
    }
    const std::string column = field == "project.status" ? "projects.status" : "issues." + field;
    Cond c = sql_for_field(field, def.type, op, v, column, false);
    if (!c.sql.empty()) c.sql = "(" + c.sql + ")";
    return c;
}

// Query#project_statement
Cond Builder::project_statement() {
    if (!project_) return Cond();
    std::vector<long long> subprojects;
    long long lft = 0, rgt = 0;
    if (auto r = ctx_.db().one("SELECT lft, rgt FROM projects WHERE id = ?", {project_->id}))
        lft = r->i(0), rgt = r->i(1);
    for (const auto& r :
         ctx_.db().query("SELECT id FROM projects WHERE lft > ? AND rgt < ? AND status <> ? ORDER BY lft",
                         {lft, rgt, static_cast<long long>(app::kProjectArchived)}))
        subprojects.push_back(r.i(0));
    if (subprojects.empty()) return Cond("projects.id = ?", {project_->id});
    const Filter* sub = nullptr;
    for (const auto& f : filters_)
        if (f.field == "subproject_id") sub = &f;
    Cond tree("projects.lft >= ? AND projects.rgt <= ?", {lft, rgt});
    if (sub) {
        if (sub->op == "=" || sub->op == "!") {
            std::vector<long long> ids{project_->id};
            std::vector<long long> given;
            for (const auto& v : sub->values) given.push_back(app::ruby_to_i(v));
            if (sub->op == "=") {
                ids.insert(ids.end(), given.begin(), given.end());
            } else {
                for (long long id : subprojects)
                    if (std::find(given.begin(), given.end(), id) == given.end()) ids.push_back(id);
            }
            Cond c;
            c.sql = "projects.id IN (" + placeholders(ids, c.params) + ")";
            return c;
        }
        if (sub->op == "!*") return Cond("projects.id = ?", {project_->id});
        return tree;
    }
    if (ctx_.setting_enabled("display_subprojects_issues")) return tree;
    return Cond("projects.id = ?", {project_->id});
}

Cond Builder::statement() {
    Cond where;
    for (const auto& f : filters_) {
        if (f.field == "subproject_id") continue;
        if (f.values.empty()) continue;
        where.and_(sql_for(f));
    }
    where.and_(project_statement());
    if (!errors_.empty()) throw app::ValidationError{errors_};
    return where;
}

// Query#sort_clause over IssueQuery's sortable columns; issues.id DESC closes the order unless the id is
// sorted.
// User.fields_for_order_statement(table): the columns of the user name format, on `table`.
std::vector<std::string> Builder::user_fields(const std::string& table) {
    const std::string fmt = ctx_.setting("user_format");
    std::vector<std::string> f;
    if (fmt.find("lastname_firstname") != std::string::npos ||
        fmt.find("lastnamefirstname") != std::string::npos ||
        fmt.find("lastname_comma_firstname") != std::string::npos)
        f = {"lastname", "firstname", "id"};
    else if (fmt.find("username") != std::string::npos)
        f = {"login", "id"};
    else if (fmt == "firstname" || fmt == ":firstname")
        f = {"firstname", "id"};
    else if (fmt == "lastname" || fmt == ":lastname")
        f = {"lastname", "id"};
    else
        f = {"firstname", "lastname", "id"};
    std::vector<std::string> out;
    for (const auto& x : f) out.push_back(table + "." + x);
    return out;
}

// QueryCustomFieldColumn#sortable: the custom field's order_statement over the value that
// join_for_order_statement joins (the issue's last non-blank value where the field is visible), written as
// correlated subqueries. An empty list when the column is not sortable (multiple values).
std::vector<Cond> Builder::custom_field_order(const std::string& key) {
    const long long id = app::ruby_to_i(key.substr(3));
    auto cf =
        std::find_if(custom_fields_.begin(), custom_fields_.end(), [&](const auto& f) { return f.id == id; });
    if (cf == custom_fields_.end() || std::to_string(id) != key.substr(3) || cf->multiple) return {};
    const Cond visibility =
        custom_field_visibility({Type::String, cf->name, id, cf->visible, "", cf->format, 0, ""});
    // the value: SELECT <select> FROM custom_values cfv <join> WHERE ...
    auto value = [&](const std::string& select, const std::string& join) {
        Cond c("(SELECT " + select + " FROM custom_values cfv " + join +
                   "WHERE cfv.customized_type = 'Issue' AND cfv.customized_id = issues.id AND "
                   "cfv.custom_field_id "
                   "= ? AND (" +
                   visibility.sql +
                   ") AND cfv.value <> '' AND cfv.id = (SELECT MAX(cfv2.id) FROM custom_values cfv2 WHERE "
                   "cfv2.customized_type = 'Issue' AND cfv2.customized_id = issues.id AND "
                   "cfv2.custom_field_id = "
                   "?))",
               {id});
        c.params.insert(c.params.end(), visibility.params.begin(), visibility.params.end());
        c.params.emplace_back(id);
        return c;
    };
    if (cf->format == "int" || cf->format == "float") {
        Cond c = value("cfv.value", "");
        c.sql = "CAST(" + c.sql + " AS decimal(30,3))";
        return {c};
    }
    std::string table;
    std::vector<std::string> fields;
    if (cf->format == "user") table = "users", fields = user_fields("cft");
    if (cf->format == "version")
        table = "versions", fields = {"cft.effective_date", "cft.effective_date", "cft.name", "cft.id"};
    if (cf->format == "enumeration") table = "custom_field_enumerations", fields = {"cft.position"};
    if (table.empty()) {
        Cond c = value("cfv.value", "");
        c.sql = "COALESCE(" + c.sql + ", '')";
        return {c};
    }
    // RecordList: the fields of the record the value names
    std::vector<Cond> out;
    for (size_t i = 0; i < fields.size(); ++i) {
        Cond c =
            value(fields[i], "INNER JOIN " + table + " cft ON cft.id = CAST(cfv.value AS decimal(30,0)) ");
        // Version.fields_for_order_statement puts versions without a date last
        if (table == "versions" && i == 0) c.sql = "(CASE WHEN " + c.sql + " IS NULL THEN 1 ELSE 0 END)";
        out.push_back(c);
    }
    return out;
}

Cond Builder::order() {
    std::map<std::string, std::vector<std::string>> columns = {
        {"id", {"issues.id"}},
        {"project", {"projects.name"}},
        {"tracker", {"trackers.position"}},
        {"parent", {"issues.root_id", "issues.lft ASC"}},
        {"status", {"issue_statuses.position"}},
        {"priority", {"enumerations.position"}},
        {"subject", {"issues.subject"}},
        {"author", user_fields("authors")},
        {"assigned_to", user_fields("users")},
        {"updated_on", {"issues.updated_on"}},
        {"category", {"issue_categories.name"}},
        {"fixed_version",
         {"(CASE WHEN versions.effective_date IS NULL THEN 1 ELSE 0 END)", "versions.effective_date",
          "versions.name", "versions.id"}},
        {"start_date", {"issues.start_date"}},
        {"due_date", {"issues.due_date"}},
        {"estimated_hours", {"issues.estimated_hours"}},
        {"done_ratio", {"issues.done_ratio"}},
        {"created_on", {"issues.created_on"}},
        {"closed_on", {"issues.closed_on"}},
    };
    // is_private is a column only for those who may set it
    auto& perms = ctx_.perms();
    if (perms.allowed_globally("set_issues_private") || perms.allowed_globally("set_own_issues_private"))
        columns["is_private"] = {"issues.is_private"};
    // IssueQuery#available_columns drops the columns of disabled core fields ("parent_issue" is none)
    for (auto field : disabled_) {
        if (field.ends_with("_id")) field.resize(field.size() - 3);
        columns.erase(field);
    }
    // columns whose SQL carries parameters (visibility conditions), one or more ORDER BY expressions
    auto computed = [&](const std::string& key) -> std::optional<std::vector<Cond>> {
        if (key == "total_estimated_hours") {
            if (disabled_.count("estimated_hours")) return std::vector<Cond>{};
            Cond v = issues_db::visible_condition(ctx_, "subtasks");
            return std::vector<Cond>{
                Cond("COALESCE((SELECT SUM(estimated_hours) FROM issues subtasks WHERE " + v.sql +
                         " AND subtasks.root_id = issues.root_id AND subtasks.lft >= "
                         "issues.lft AND subtasks.rgt <= issues.rgt), 0)",
                     v.params)};
        }
        if (key == "spent_hours" || key == "total_spent_hours") {
            // IssueQuery#available_columns: User#allowed_to?(:view_time_entries, project, :global => true)
            if (project_ ? !ctx_.perms().allowed_to("view_time_entries", *project_->info)
                         : !ctx_.perms().allowed_globally("view_time_entries"))
                return std::vector<Cond>{};
            Cond v = issues_db::time_entry_visible_condition(ctx_, "time_entries");
            const std::string which =
                key == "spent_hours" ? "time_entries.issue_id = issues.id"
                                     : "time_entries.issue_id IN (SELECT id FROM issues subtasks WHERE "
                                       "subtasks.root_id = issues.root_id AND subtasks.lft >= issues.lft AND "
                                       "subtasks.rgt <= issues.rgt)";
            return std::vector<Cond>{Cond(
                "COALESCE((SELECT SUM(hours) FROM time_entries WHERE (" + v.sql + ") AND " + which + "), 0)",
                v.params)};
        }
        if (key == "last_updated_by") {
            // the user of the last journal whose notes the user may see (joins_for_order_statement)
            Cond visible = notes_visible("journals");
            std::vector<Cond> out;
            for (const auto& column : user_fields("lj_user")) {
                Cond c(
                    "(SELECT " + column +
                        " FROM journals lj INNER JOIN users lj_user ON lj_user.id = lj.user_id WHERE lj.id = "
                        "(SELECT MAX(journals.id) FROM journals WHERE journals.journalized_type = 'Issue' "
                        "AND "
                        "journals.journalized_id = issues.id AND " +
                        visible.sql + "))",
                    visible.params);
                out.push_back(c);
            }
            return out;
        }
        if (key.rfind("cf_", 0) == 0) return custom_field_order(key);
        return std::nullopt;
    };
    auto sort = sort_;
    if (sort.empty()) sort = {{"id", "desc"}};
    std::vector<std::string> clauses;
    Cond out;
    for (const auto& [key, dir] : sort) {
        if (auto conds = computed(key)) {
            for (const auto& c : *conds) {
                clauses.push_back(c.sql + (dir == "desc" ? " DESC" : " ASC"));
                out.params.insert(out.params.end(), c.params.begin(), c.params.end());
            }
            continue;
        }
        auto it = columns.find(key);
        if (it == columns.end()) continue;
        for (const auto& c : it->second) {
            const bool fixed = c.size() > 4 && (c.ends_with(" ASC") || c.ends_with(" DESC"));
            clauses.push_back(fixed ? c : c + (dir == "desc" ? " DESC" : " ASC"));
        }
    }
    if (std::find(clauses.begin(), clauses.end(), "issues.id ASC") == clauses.end() &&
        std::find(clauses.begin(), clauses.end(), "issues.id DESC") == clauses.end())
        clauses.push_back("issues.id DESC");
    for (const auto& c : clauses) out.sql += (out.sql.empty() ? "" : ", ") + c;
    return out;
}

IssueQuerySql Builder::build() {
    define_filters();
    filters_.push_back({"status_id", "o", {""}});  // IssueQuery's default filter
    if (!read_saved_query())
        read_params();
    else if (auto s = ctx_.param("sort"); s && !s->empty()) {
        // params[:sort] overrides a saved query's order
        auto saved = filters_;
        read_params();
        filters_ = saved;
    }
    validate();
    IssueQuerySql out;
    out.where = statement();
    out.order = order();
    return out;
}

}  // namespace

IssueQuerySql build_issue_query(Context& ctx, const ProjectRef* project) {
    return Builder(ctx, project).build();
}

}  // namespace resources
