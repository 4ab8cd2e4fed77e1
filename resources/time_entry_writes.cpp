// POST /time_entries (also under /projects/:project_id and /issues/:issue_id), PUT and DELETE
// /time_entries/:id: TimelogController#create/update/destroy with TimeEntry's safe attributes and
// validations, messages as Redmine's English locale words them.
#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "resources/time_entries.h"
#include "resources/text.h"

namespace resources::time_entries {

namespace {

// The attributes TimeEntry validates, as Rails would hold them after casting.
struct Entry {
    long long id = 0;
    std::optional<long long> project_id, issue_id, user_id, author_id, activity_id;
    std::optional<double> hours;
    bool hours_not_numeric = false;  // validates_numericality_of sees the text the client sent
    std::optional<std::string> comments;
    std::optional<long long> spent_on;                     // days
    std::optional<std::string> spent_on_text;              // the text sent, for DateValidator
    std::map<long long, CustomValueInput> custom;          // the custom values to store
    bool custom_assigned = false;                          // custom_field_values_changed?
    std::map<long long, std::vector<std::string>> stored;  // the custom values before
};

struct FieldInfo {
    CustomFieldDef def;  // with its validation rules
    std::optional<std::string> default_value;
};

std::string format_hours(Context& ctx, double hours) {
    char buf[64];
    if (ctx.setting("timespan_format") == "minutes") {
        double h = std::floor(hours);
        std::snprintf(buf, sizeof buf, "%d:%02d", static_cast<int>(h),
                      static_cast<int>(std::round((hours - h) * 60)));
    } else {
        std::snprintf(buf, sizeof buf, "%.2f", hours);
    }
    return buf;
}

std::string text_of(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    return v.dump();
}

// TimeEntry#hours= then the float cast.
void assign_hours(Entry& e, const nlohmann::json& v) {
    e.hours_not_numeric = false;
    if (v.is_null()) {
        e.hours.reset();
    } else if (v.is_number()) {
        e.hours = v.get<double>();
    } else if (v.is_boolean()) {
        e.hours = v.get<bool>() ? 1.0 : 0.0;
    } else {
        const std::string s = text_of(v);
        if (auto h = to_hours(s)) {
            e.hours = *h;
        } else if (s.find_first_not_of(" \t\r\n") == std::string::npos) {
            e.hours.reset();
        } else {
            e.hours = std::strtod(s.c_str(), nullptr);  // String#to_f; the record is invalid anyway
            e.hours_not_numeric = true;
        }
    }
}

// ActiveModel's date cast: ISO dates strictly, a few other spellings as Date._parse reads them.
void assign_spent_on(Entry& e, const nlohmann::json& v) {
    e.spent_on.reset();
    e.spent_on_text.reset();
    if (v.is_null()) return;
    const std::string s = text_of(v);
    if (v.is_string()) e.spent_on_text = s;
    static const std::regex iso(R"(^\d{4}-\d{2}-\d{2}$)");
    static const std::regex loose(R"(^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})([ T].*)?$)");
    std::smatch m;
    if (std::regex_match(s, iso)) {
        e.spent_on = parse_iso_date(s);
    } else if (std::regex_match(s, m, loose)) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]));
        e.spent_on = parse_iso_date(buf);
    }
}

// Every TimeEntryCustomField (custom_fields_of loaded their rules) with its default value.
std::vector<FieldInfo> field_infos(Context& ctx, const EntryFields& fields) {
    std::vector<FieldInfo> out;
    if (fields.all.empty()) return out;
    std::map<long long, std::optional<std::string>> defaults;
    for (auto& r : ctx.db().query("SELECT id, default_value FROM custom_fields WHERE type = 'TimeEntryCustomField'"))
        defaults[r.i(0)] = r.os(1);
    for (const auto& f : fields.all) out.push_back({f, defaults[f.id]});
    return out;
}

// The fields the user may edit on the entry's (final) project; values of the others are dropped.
std::vector<FieldInfo> editable_fields(Context& ctx, const EntryFields& all,
                                       const std::vector<FieldInfo>& infos,
                                       std::optional<long long> project_id) {
    std::vector<FieldInfo> out;
    for (const auto& f : visible_fields(ctx, all, project_id.value_or(0)))
        for (const auto& info : infos)
            if (info.def.id == f.id) out.push_back(info);
    return out;
}

void keep_editable(Entry& e, const std::vector<FieldInfo>& editable) {
    std::erase_if(e.custom, [&](const auto& kv) {
        return std::none_of(editable.begin(), editable.end(),
                            [&](const FieldInfo& f) { return f.def.id == kv.first; });
    });
}

// CustomFieldValue#value= (Redmine::FieldFormat::Base#set_custom_field_value)
CustomValueInput custom_value_input(const nlohmann::json& v) {
    CustomValueInput out;
    if (v.is_array()) {
        out.array = true;
        for (const auto& item : v) {
            std::string s = text_of(item);
            if (!s.empty() && std::find(out.values.begin(), out.values.end(), s) == out.values.end())
                out.values.push_back(std::move(s));
        }
        if (out.values.empty()) out.values.emplace_back();
    } else {
        out.values.push_back(text_of(v));
    }
    return out;
}

// custom_fields: [{id, value}] (the API form) and custom_field_values: {id: value}, for the fields the
// user may edit (others are dropped silently, as safe_attributes= does).
void assign_custom_fields(Entry& e, const nlohmann::json& attrs, const std::vector<FieldInfo>& fields) {
    auto editable = [&](long long id) {
        return std::any_of(fields.begin(), fields.end(), [&](const FieldInfo& f) { return f.def.id == id; });
    };
    if (auto it = attrs.find("custom_field_values"); it != attrs.end() && it->is_object()) {
        e.custom_assigned = true;
        for (const auto& [key, value] : it->items())
            if (auto id = parse_id(key); id && editable(*id)) e.custom[*id] = custom_value_input(value);
    }
    if (auto it = attrs.find("custom_fields"); it != attrs.end() && it->is_array()) {
        e.custom_assigned = true;
        for (const auto& cf : *it) {
            if (!cf.is_object() || !cf.contains("id") || !cf.contains("value")) continue;
            auto id = cast_int(cf["id"]);
            if (id && editable(*id)) e.custom[*id] = custom_value_input(cf["value"]);
        }
    }
}

struct Issue {
    long long id = 0, project_id = 0, author_id = 0;
    std::optional<long long> assigned_to_id;
    bool is_private = false;
};

std::optional<Issue> find_issue(Context& ctx, long long id) {
    auto r = ctx.db().one(
        "SELECT id, project_id, author_id, assigned_to_id, is_private FROM issues WHERE id = ?", {id});
    if (!r) return std::nullopt;
    return Issue{r->i(0), r->i(1), r->i(2), r->oi(3), r->b(4)};
}

// Issue#visible? (without per-tracker role restrictions).
bool issue_visible(Context& ctx, const Issue& issue) {
    const app::ProjectInfo* p = ctx.perms().project(issue.project_id);
    if (!p || !p->allows("view_issues")) return false;
    if (ctx.user.admin) return true;
    bool mine = false;
    if (!ctx.user.anonymous) {
        mine = issue.author_id == ctx.user.id || issue.assigned_to_id == ctx.user.id;
        if (!mine && issue.assigned_to_id)
            mine = ctx.db().scalar("SELECT COUNT(*) FROM groups_users WHERE group_id = ? AND user_id = ?",
                                   {*issue.assigned_to_id, ctx.user.id}) > 0;
    }
    for (const app::Role* role : ctx.perms().roles_for_project(*p)) {
        if (!(p->is_public || role->builtin == 0) || !role->has("view_issues")) continue;
        if (ctx.user.anonymous) {
            if (!issue.is_private) return true;
        } else if (role->issues_visibility == "all" ||
                   (role->issues_visibility == "default" && !issue.is_private) ||
                   ((role->issues_visibility == "default" || role->issues_visibility == "own") && mine)) {
            return true;
        }
    }
    return false;
}

// Project#activities: the shared active activities, replaced by the project's own overrides.
std::vector<long long> project_activities(Context& ctx, long long project_id) {
    std::vector<long long> out;
    std::set<long long> overridden;
    auto rows = ctx.db().query(
        "SELECT id, parent_id, project_id, active FROM enumerations WHERE type = 'TimeEntryActivity' "
        "AND (project_id IS NULL OR project_id = ?) ORDER BY position, id",
        {project_id});
    for (const auto& r : rows)
        if (!r.null(2) && !r.null(1)) overridden.insert(r.i(1));
    for (const auto& r : rows)
        if (r.b(3) && !overridden.count(r.i(0))) out.push_back(r.i(0));
    return out;
}

// TimeEntryActivity.default(project)
std::optional<long long> default_activity(Context& ctx, std::optional<long long> project_id) {
    auto d = ctx.db().one(
        "SELECT id FROM enumerations WHERE type = 'TimeEntryActivity' AND is_default = ? ORDER BY id LIMIT 1",
        {1LL});
    if (!d) return std::nullopt;
    if (!project_id || !ctx.perms().project(*project_id)) return d->i(0);
    auto activities = project_activities(ctx, *project_id);
    if (activities.empty() || std::find(activities.begin(), activities.end(), d->i(0)) != activities.end())
        return d->i(0);
    auto child = ctx.db().one(
        "SELECT id FROM enumerations WHERE type = 'TimeEntryActivity' AND project_id = ? "
        "AND parent_id = ? AND active = ? ORDER BY id LIMIT 1",
        {*project_id, d->i(0), 1LL});
    if (child) return child->i(0);
    return std::nullopt;
}

// TimeEntry#assignable_users: active members allowed to log time, and the current user.
bool assignable(Context& ctx, long long project_id, long long user_id) {
    if (!ctx.user.anonymous && user_id == ctx.user.id) return true;
    const app::ProjectInfo* p = ctx.perms().project(project_id);
    if (!p || !p->allows("log_time")) return false;
    const auto& roles = ctx.perms().roles();
    for (const auto& r : ctx.db().query(
             "SELECT u.admin, mr.role_id FROM members m JOIN member_roles mr ON mr.member_id = m.id "
             "JOIN users u ON u.id = m.user_id WHERE m.project_id = ? AND m.user_id = ? "
             "AND u.status = ? AND u.type = 'User'",
             {project_id, user_id, 1LL})) {
        if (r.b(0)) return true;
        if (auto it = roles.find(r.i(1)); it != roles.end() && it->second.has("log_time")) return true;
    }
    return false;
}

struct Applied {
    bool invalid_issue = false, invalid_user = false;
};

// TimeEntry#safe_attributes=
Applied apply(Context& ctx, Entry& e, const Entry& before, const nlohmann::json& attrs,
              const std::vector<FieldInfo>& fields) {
    Applied out;
    if (!attrs.is_object()) return out;
    auto has = [&](const char* key) { return attrs.contains(key); };
    if (has("user_id")) e.user_id = cast_int(attrs["user_id"]);
    if (has("hours")) assign_hours(e, attrs["hours"]);
    if (has("comments"))
        e.comments = attrs["comments"].is_null() ? std::nullopt : std::optional(text_of(attrs["comments"]));
    if (has("project_id")) e.project_id = cast_int(attrs["project_id"]);
    if (has("issue_id")) e.issue_id = cast_int(attrs["issue_id"]);
    if (has("activity_id")) e.activity_id = cast_int(attrs["activity_id"]);
    if (has("spent_on")) assign_spent_on(e, attrs["spent_on"]);
    assign_custom_fields(e, attrs, fields);

    if (e.issue_id != before.issue_id && e.issue_id) {
        if (auto issue = find_issue(ctx, *e.issue_id)) {
            if (issue_visible(ctx, *issue) && ctx.perms().allowed_to("log_time", issue->project_id)) {
                const bool project_blank = !has("project_id") || !body_string(attrs, "project_id") ||
                                           body_string(attrs, "project_id")->empty();
                if (project_blank && e.project_id != issue->project_id) e.project_id = issue->project_id;
            } else {
                out.invalid_issue = true;
            }
        }
    }
    const bool project_exists = e.project_id && ctx.perms().project(*e.project_id);
    if (e.user_id != before.user_id && e.user_id != e.author_id &&
        !(project_exists && ctx.perms().allowed_to("log_time_for_other_users", *e.project_id)))
        out.invalid_user = true;
    return out;
}

// TimeEntry's validations, in the order Rails runs them.
std::vector<std::string> validate(Context& ctx, Entry& e, const Entry& before, const Applied& applied,
                                  const std::vector<FieldInfo>& fields, bool is_new) {
    std::vector<std::string> errors;
    std::optional<long long> issue_project;  // the issue's project when the issue exists
    if (e.issue_id)
        if (auto r = ctx.db().one("SELECT project_id FROM issues WHERE id = ?", {*e.issue_id}))
            issue_project = r->i(0);
    // before_validation :set_project_if_nil
    const bool project_exists = e.project_id && ctx.perms().project(*e.project_id);
    if (issue_project && !project_exists) e.project_id = issue_project;
    const bool has_project = e.project_id && ctx.perms().project(*e.project_id);

    if (!e.author_id) errors.push_back("Author cannot be blank");
    if (!e.user_id) errors.push_back("User cannot be blank");
    if (!e.activity_id) errors.push_back("Activity cannot be blank");
    if (!e.project_id) errors.push_back("Project cannot be blank");
    if (!e.hours) errors.push_back("Hours cannot be blank");
    if (!e.spent_on) errors.push_back("Date cannot be blank");
    const auto required = yaml_list(ctx.setting("timelog_required_fields"));
    auto is_required = [&](const std::string& f) {
        return std::find(required.begin(), required.end(), f) != required.end();
    };
    if (is_required("issue_id") && !e.issue_id) errors.push_back("Issue cannot be blank");
    if (is_required("comments") &&
        (!e.comments || e.comments->find_first_not_of(" \t\r\n") == std::string::npos))
        errors.push_back("Comment cannot be blank");
    if (e.hours && e.hours_not_numeric) errors.push_back("Hours is invalid");
    if (e.comments && utf8_length(*e.comments) > 1024)
        errors.push_back("Comment is too long (maximum is 1024 characters)");
    if (e.spent_on_text && e.spent_on_text->find_first_not_of(" \t\r\n") != std::string::npos) {
        static const std::regex re(R"(^\d{4}-\d{2}-\d{2}( 00:00:00)?$)");
        if (!std::regex_match(*e.spent_on_text, re) || !e.spent_on)
            errors.push_back("Date is not a valid date");
    }
    // custom values (acts_as_customizable): every editable one of a new entry, or once any was assigned
    if (!fields.empty() && (is_new || e.custom_assigned)) {
        std::vector<CustomFieldDef> defs;
        for (const auto& f : fields) defs.push_back(f.def);
        std::vector<CustomFieldDef*> record_lists;
        for (auto& d : defs)
            if (d.field_format == "enumeration" || d.field_format == "user" || d.field_format == "version")
                record_lists.push_back(&d);
        load_validation_rules(ctx.db(), record_lists, has_project ? e.project_id : std::nullopt);
        for (const auto& d : defs) {
            auto stored = e.stored.find(d.id);
            const std::vector<std::string> was =
                stored != e.stored.end() ? stored->second : std::vector<std::string>{};
            CustomValueInput value;
            if (auto it = e.custom.find(d.id); it != e.custom.end())
                value = it->second;
            else
                value = {was.empty() ? std::vector<std::string>{""} : was, d.multiple};
            for (auto& m : custom_value_errors(d, value, was)) errors.push_back(std::move(m));
        }
    }
    // validate_time_entry
    const bool hours_changed = is_new ? e.hours.has_value() : e.hours != before.hours;
    if (e.hours) {
        if (*e.hours < 0) errors.push_back("Hours is invalid");
        if (*e.hours == 0.0 && hours_changed && !ctx.setting_enabled("timelog_accept_0_hours"))
            errors.push_back("Hours is invalid");
        const double max_hours = std::strtod(ctx.setting("timelog_max_hours_per_day").c_str(), nullptr);
        if (hours_changed && max_hours > 0.0) {
            double logged = 0;
            if (e.user_id && e.spent_on)
                if (auto r = ctx.db().one(
                        "SELECT SUM(hours) FROM time_entries WHERE user_id = ? AND spent_on = ? AND id <> ?",
                        {*e.user_id, civil_from_days(*e.spent_on), e.id}))
                    logged = r->f(0);
            if (logged + *e.hours > max_hours)
                errors.push_back("Cannot log more than " + format_hours(ctx, max_hours) +
                                 " hours on the same day (" + format_hours(ctx, logged) +
                                 " hours have already been logged)");
        }
    }
    if (!has_project) errors.push_back("Project is invalid");
    const bool user_changed = is_new || e.user_id != before.user_id;
    if (applied.invalid_user || (user_changed && e.user_id != e.author_id &&
                                 !(e.user_id && has_project && assignable(ctx, *e.project_id, *e.user_id))))
        errors.push_back("User is invalid");
    if ((e.issue_id && !issue_project) ||
        (issue_project && (!has_project || *issue_project != *e.project_id)) || applied.invalid_issue)
        errors.push_back("Issue is invalid");
    const bool activity_changed = is_new ? e.activity_id.has_value() : e.activity_id != before.activity_id;
    if (activity_changed && has_project) {
        auto activities = project_activities(ctx, *e.project_id);
        if (!e.activity_id ||
            std::find(activities.begin(), activities.end(), *e.activity_id) == activities.end())
            errors.push_back("Activity is not included in the list");
    }
    const bool spent_on_changed = is_new ? e.spent_on.has_value() : e.spent_on != before.spent_on;
    const bool user_exists =
        e.user_id && ctx.db().scalar("SELECT COUNT(*) FROM users WHERE id = ?", {*e.user_id}) > 0;
    if (spent_on_changed && user_exists && e.spent_on &&
        !ctx.setting_enabled("timelog_accept_future_dates") && *e.spent_on > today_days())
        errors.push_back("Cannot log time on a future date");
    return errors;
}

// ISO week number (Date#cweek).
long long cweek(long long days) {
    const long long wday = ((days % 7) + 7 + 3) % 7;  // Monday 0
    const long long thursday = days - wday + 3;
    const std::string t = civil_from_days(thursday);
    const long long jan1 = days_from_civil(std::stoi(t.substr(0, 4)), 1, 1);
    return (thursday - jan1) / 7 + 1;
}

db::Value opt(const std::optional<long long>& v) {
    if (v) return *v;
    return std::monostate{};
}

void save_custom_values(db::Conn& db, const Entry& e, bool is_new) {
    for (const auto& [field_id, values] : e.custom) {
        if (!is_new)
            db.exec(
                "DELETE FROM custom_values WHERE customized_type = 'TimeEntry' AND customized_id = ? AND "
                "custom_field_id = ?",
                {e.id, field_id});
        std::vector<std::string> rows = values.values.empty() ? std::vector<std::string>{""} : values.values;
        for (const auto& v : rows)
            db.exec(
                "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) "
                "VALUES ('TimeEntry', ?, ?, ?)",
                {e.id, field_id, v});
    }
}

nlohmann::json attributes(Context& ctx) {
    const auto& body = ctx.params();
    if (body.is_object())
        if (auto it = body.find("time_entry"); it != body.end() && it->is_object()) return *it;
    return nlohmann::json::object();
}

Response render_entry(Context& ctx, long long id, int status) {
    auto row = ctx.db().one(
        std::string("SELECT ") + kEntryColumns +
            " FROM time_entries te JOIN projects p ON p.id = te.project_id "
            "LEFT JOIN users u ON u.id = te.user_id LEFT JOIN enumerations e ON e.id = te.activity_id "
            "LEFT JOIN issues i ON i.id = te.issue_id WHERE te.id = ?",
        {id});
    const EntryFields fields = load_entry_fields(ctx);
    const CustomValues values =
        fields.all.empty() ? CustomValues{} : load_custom_values(ctx.db(), "TimeEntry", {id});
    return ctx.render(
        {"time_entry", entry_node(ctx, *row, visible_fields(ctx, fields, row->i(1)), values), {}}, status);
}

Response create(Context& ctx) {
    Entry e;
    // find_optional_issue / find_optional_project, then authorize
    if (auto it = ctx.route.find("issue_id"); it != ctx.route.end()) {
        auto issue = find_issue(ctx, id_param(it->second));
        if (!issue) throw app::HttpError{404};
        authorize(ctx, find_project(ctx, std::to_string(issue->project_id)), "log_time");
        e.issue_id = issue->id;
        e.project_id = issue->project_id;
    } else if (auto pit = ctx.route.find("project_id"); pit != ctx.route.end()) {
        auto project = find_project(ctx, pit->second);
        authorize(ctx, project, "log_time");
        e.project_id = project.id;
    } else if (!ctx.perms().allowed_globally("log_time")) {
        ctx.deny();
    }
    e.author_id = e.user_id = ctx.user.id;  // the AnonymousUser row for anonymous
    e.spent_on = today_days();
    e.activity_id = default_activity(ctx, e.project_id);
    const Entry before;  // a new record: every attribute changes from nil

    const auto attrs = attributes(ctx);
    const EntryFields all_fields = load_entry_fields(ctx);
    const auto infos = field_infos(ctx, all_fields);
    Applied applied = apply(ctx, e, before, attrs, infos);
    const auto fields = editable_fields(ctx, all_fields, infos, e.project_id);
    keep_editable(e, fields);
    // a new record's custom values start from the fields' defaults
    for (const auto& f : fields) {
        if (f.default_value) e.stored[f.def.id] = {*f.default_value};  // CustomFieldValue#value_was
        if (!e.custom.count(f.def.id)) e.custom[f.def.id] = {{f.default_value.value_or("")}, f.def.multiple};
    }
    if (e.project_id && ctx.perms().project(*e.project_id) &&
        !ctx.perms().allowed_to("log_time", *e.project_id))
        throw app::HttpError{403, false};

    auto errors = validate(ctx, e, before, applied, fields, true);
    if (!errors.empty()) throw app::ValidationError{errors};

    auto& db = ctx.db();
    db::Tx tx(db);
    const std::string now = db.now(), day = civil_from_days(*e.spent_on);
    e.id = db.insert(
        "INSERT INTO time_entries (project_id, user_id, issue_id, hours, comments, activity_id, spent_on, "
        "tyear, tmonth, tweek, created_on, updated_on, author_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?)",
        {*e.project_id, *e.user_id, opt(e.issue_id), *e.hours,
         e.comments ? db::Value(*e.comments) : db::Value(std::monostate{}), *e.activity_id, day,
         std::stoll(day.substr(0, 4)), std::stoll(day.substr(5, 2)), cweek(*e.spent_on), now, now,
         opt(e.author_id)},
        "time_entries");
    save_custom_values(db, e, true);
    tx.commit();
    Response r = render_entry(ctx, e.id, 201);
    r.header("Location", ctx.url_for("/time_entries/" + std::to_string(e.id)));
    return r;
}

struct Loaded {
    Entry entry;
    double stored_hours = 0;
};

std::optional<Loaded> load(Context& ctx, long long id) {
    auto r = ctx.db().one(
        "SELECT id, project_id, issue_id, user_id, author_id, activity_id, hours, comments, spent_on "
        "FROM time_entries WHERE id = ?",
        {id});
    if (!r) return std::nullopt;
    Loaded l;
    Entry& e = l.entry;
    e.id = r->i(0);
    e.project_id = r->oi(1);
    e.issue_id = r->oi(2);
    e.user_id = r->oi(3);
    e.author_id = r->oi(4);
    e.activity_id = r->oi(5);
    e.hours = r->of(6);
    e.comments = r->os(7);
    if (auto d = r->os(8)) e.spent_on = parse_iso_date(d->substr(0, 10));
    return l;
}

Response update(Context& ctx) {
    const long long id = id_param(ctx.route_param("id"));
    auto loaded = load(ctx, id);
    if (!loaded) throw app::HttpError{404};
    Entry& stored = loaded->entry;
    if (auto values = load_custom_values(ctx.db(), "TimeEntry", {id}); values.count(id)) stored.stored = values[id];
    const Entry before = stored;
    // check_editability answers 403 before authorize runs
    if (!entry_editable(ctx, before.project_id.value_or(0), before.user_id.value_or(0)))
        throw app::HttpError{403, false};
    Entry e = before;
    const auto attrs = attributes(ctx);
    const EntryFields all_fields = load_entry_fields(ctx);
    const auto infos = field_infos(ctx, all_fields);
    Applied applied = apply(ctx, e, before, attrs, infos);
    const auto fields = editable_fields(ctx, all_fields, infos, e.project_id);
    keep_editable(e, fields);
    auto errors = validate(ctx, e, before, applied, fields, false);
    if (!errors.empty()) throw app::ValidationError{errors};

    auto& db = ctx.db();
    db::Tx tx(db);
    const std::string day = civil_from_days(*e.spent_on);
    const bool changed = e.project_id != before.project_id || e.user_id != before.user_id ||
                         e.issue_id != before.issue_id || e.hours != before.hours ||
                         e.comments != before.comments || e.activity_id != before.activity_id ||
                         e.spent_on != before.spent_on;
    if (changed)  // Rails saves nothing (and keeps updated_on) when nothing changed
        db.exec(
            "UPDATE time_entries SET project_id = ?, user_id = ?, issue_id = ?, hours = ?, comments = ?, "
            "activity_id = ?, spent_on = ?, tyear = ?, tmonth = ?, tweek = ?, updated_on = ? WHERE id = ?",
            {*e.project_id, *e.user_id, opt(e.issue_id), *e.hours,
             e.comments ? db::Value(*e.comments) : db::Value(std::monostate{}), *e.activity_id, day,
             std::stoll(day.substr(0, 4)), std::stoll(day.substr(5, 2)), cweek(*e.spent_on), db.now(), id});
    save_custom_values(db, e, false);
    tx.commit();
    return no_content();
}

Response destroy(Context& ctx) {
    const long long id = id_param(ctx.route_param("id"));
    auto loaded = load(ctx, id);
    if (!loaded) throw app::HttpError{404};
    // find_time_entries raises Unauthorized (deny_access) for an entry the user may not edit
    if (!entry_editable(ctx, loaded->entry.project_id.value_or(0), loaded->entry.user_id.value_or(0)))
        ctx.deny();
    auto& db = ctx.db();
    db::Tx tx(db);
    db.exec("DELETE FROM custom_values WHERE customized_type = 'TimeEntry' AND customized_id = ?", {id});
    db.exec("DELETE FROM time_entries WHERE id = ?", {id});
    tx.commit();
    return no_content();
}

}  // namespace

void register_writes(app::Router& r) {
    r.add("POST", "/time_entries", create);
    r.add("POST", "/projects/:project_id/time_entries", create);
    r.add("POST", "/issues/:issue_id/time_entries", create);
    r.add("PUT", "/time_entries/:id", update);
    r.add("PATCH", "/time_entries/:id", update);
    r.add("DELETE", "/time_entries/:id", destroy);
}

}  // namespace resources::time_entries
