// The filters and sort order of GET /time_entries, as Redmine's TimeEntryQuery builds them from the
// request: short filters (`spent_on=><2026-01-01|2026-01-31`, `user_id=me`, `issue_id=~5`), the
// f[]/op[]/v[] form, from/to. As in Redmine, an invalid filter makes the whole query ignore its filters.
#include <algorithm>
#include <regex>

#include "resources/time_entries.h"
#include "resources/query_params.h"

namespace resources::time_entries {

namespace {

enum class Type { DatePast, Tree, ListOptional, List, ListSubprojects, Text, Float };

// Which filters a query offers depends on its project (none, a leaf, or one with subprojects).
enum Offered { Always, WithoutProject, WithSubprojects, WithProject, WithoutLeafProject };

struct Available {
    const char* field;
    Type type;
    Offered offered;
};
// In TimeEntryQuery#initialize_available_filters order (custom field filters are not supported).
const std::vector<Available> kAvailable = {
    {"spent_on", Type::DatePast, Always},
    {"project_id", Type::List, WithoutProject},
    {"subproject_id", Type::ListSubprojects, WithSubprojects},
    {"issue_id", Type::Tree, Always},
    {"issue.tracker_id", Type::List, Always},
    {"issue.status_id", Type::List, Always},
    {"issue.fixed_version_id", Type::List, Always},
    {"issue.category_id", Type::ListOptional, WithProject},
    {"user_id", Type::ListOptional, Always},
    {"author_id", Type::ListOptional, Always},
    {"activity_id", Type::List, Always},
    {"project.status", Type::List, WithoutLeafProject},
    {"comments", Type::Text, Always},
    {"hours", Type::Float, Always},
};

bool offered(const Available& a, const ProjectScope* project) {
    switch (a.offered) {
        case Always:
            return true;
        case WithoutProject:
            return !project;
        case WithSubprojects:
            return project && !project->leaf;
        case WithProject:
            return project != nullptr;
        case WithoutLeafProject:
            return !project || !project->leaf;
    }
    return false;
}

// Query.operators_by_filter_type (add_short_filter tries them sorted and reversed).
const std::vector<std::string>& short_operators(Type t) {
    static const std::vector<std::string> date = {"y",   "w",  "t-",   "t",  "m", "lw",  "lm", "ld", "l2w",
                                                  ">t-", ">=", "><t-", "><", "=", "<t-", "<=", "*",  "!*"};
    static const std::vector<std::string> tree = {"~", "=", "*", "!*"};
    static const std::vector<std::string> list_optional = {"=", "*", "!*", "!"};
    static const std::vector<std::string> list = {"=", "!"};
    static const std::vector<std::string> subprojects = {"=", "*", "!*", "!"};
    static const std::vector<std::string> text = {"~", "^", "*", "$", "!~", "!*"};
    static const std::vector<std::string> real = {">=", "><", "=", "<=", "*", "!*"};
    switch (t) {
        case Type::DatePast:
            return date;
        case Type::Tree:
            return tree;
        case Type::ListOptional:
            return list_optional;
        case Type::List:
            return list;
        case Type::ListSubprojects:
            return subprojects;
        case Type::Text:
            return text;
        case Type::Float:
            return real;
    }
    return list;
}

struct Filter {
    std::string field;
    Type type;
    std::string op;
    std::vector<std::string> values;
};

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

void put(std::vector<Filter>& filters, Filter f) {
    for (auto& existing : filters)
        if (existing.field == f.field) {
            existing = std::move(f);
            return;
        }
    filters.push_back(std::move(f));
}

const Available* available(const std::string& field, const ProjectScope* project) {
    for (const auto& a : kAvailable)
        if (field == a.field && offered(a, project)) return &a;
    return nullptr;
}

// Query#parse_date as a range of days: a date, or a time (with an optional zone) rounded as Redmine's
// date_clause compares it with a date column. Nothing when it does not parse.
struct Moment {
    long long first_day;  // the first day at or after the moment
    long long last_day;   // the last day at or before it
};
std::optional<Moment> parse_moment(const std::string& v) {
    static const std::regex re(
        R"(^(\d{4})-(\d{2})-(\d{2})(T(\d{2})(:?(\d{2}))?(:?(\d{2}))?(Z|([+-]?)(\d{2}):?(\d{2}))?)?$)");
    std::smatch m;
    if (!std::regex_match(v, m, re)) return std::nullopt;
    auto day = parse_iso_date(v.substr(0, 10));
    if (!day) return std::nullopt;
    if (!m[4].matched) return Moment{*day, *day};
    long long h = std::stoll(m[5]), mi = m[7].matched ? std::stoll(m[7]) : 0,
              s = m[9].matched ? std::stoll(m[9]) : 0;
    if (h > 23 || mi > 59 || s > 60) return std::nullopt;
    long long t = *day * 86400 + h * 3600 + mi * 60 + s;
    if (m[11].matched || m[12].matched) {
        long long offset = (std::stoll(m[12]) * 60 + std::stoll(m[13])) * 60;
        t += m[11].str() == "-" ? offset : -offset;
    }
    auto floor_div = [](long long a, long long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
    long long last = floor_div(t, 86400);
    long long first = last * 86400 == t ? last : last + 1;
    return Moment{first, last};
}

bool valid_date_value(const std::string& v) {
    static const std::regex re(R"(^\d{4}-\d{2}-\d{2}(T\d{2}((:)?\d{2}){0,2}(Z|\d{2}:?\d{2})?)?$)");
    return std::regex_match(v, re) && parse_moment(v).has_value();
}

// Query#validate_query_filters for one filter.
bool valid(const Filter& f) {
    if (f.type == Type::Float) {
        static const std::regex re(R"(^[+-]?\d+(\.\d*)?$)");
        for (const auto& v : f.values)
            if (!blank(v) && !std::regex_match(v, re)) return false;
    }
    if (f.type == Type::DatePast) {
        if (f.op == "=" || f.op == ">=" || f.op == "<=" || f.op == "><") {
            for (const auto& v : f.values)
                if (!blank(v) && !valid_date_value(v)) return false;
        } else if (f.op == ">t-" || f.op == "<t-" || f.op == "t-" || f.op == ">t+" || f.op == "<t+" ||
                   f.op == "t+" || f.op == "><t+" || f.op == "><t-") {
            static const std::regex digits(R"(^\d+$)");
            for (const auto& v : f.values)
                if (!blank(v) && !std::regex_match(v, digits)) return false;
        }
    }
    static const std::vector<std::string> no_value = {"o",  "c",   "!*", "*", "nd", "t", "ld", "nw", "w",
                                                      "lw", "l2w", "nm", "m", "lm", "y", "*o", "!o"};
    if (!f.values.empty() && !blank(f.values.front())) return true;
    return std::find(no_value.begin(), no_value.end(), f.op) != no_value.end();
}

void add_int_or_string(std::vector<db::Value>& params, const std::string& v) {
    if (auto id = parse_id(v))
        params.emplace_back(*id);
    else
        params.emplace_back(v);
}

std::string placeholders(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
    return s;
}

void date_range(Conditions& c, std::optional<long long> from, std::optional<long long> to) {
    std::vector<std::string> parts;
    if (from) {
        parts.push_back("te.spent_on >= ?");
        c.params.emplace_back(civil_from_days(*from));
    }
    if (to) {
        parts.push_back("te.spent_on <= ?");
        c.params.emplace_back(civil_from_days(*to));
    }
    for (size_t i = 0; i < parts.size(); ++i) c.sql += (i ? " AND " : "") + parts[i];
}

// The week's first day is Sunday in English (general_first_day_of_week: '7').
long long days_into_week(long long today) {
    long long cwday = ((today % 7) + 7 + 3) % 7 + 1;  // 1970-01-01 was a Thursday (cwday 4)
    return cwday >= 7 ? cwday - 7 : cwday;
}

// The SQL of one spent_on filter (Query#sql_for_field for a date_past field).
Conditions spent_on_sql(const Filter& f) {
    Conditions c;
    const long long today = today_days();
    auto n = [&] { return f.values.empty() ? 0 : app::ruby_to_i(f.values.front()); };
    auto moment = [&](size_t i) -> std::optional<Moment> {
        return i < f.values.size() ? parse_moment(f.values[i]) : std::nullopt;
    };
    auto ymd = [](long long days, int& y, int& m) {
        std::string s = civil_from_days(days);
        y = std::stoi(s.substr(0, 4));
        m = std::stoi(s.substr(5, 2));
    };
    auto month_range = [&](int y, int m) {
        long long first = days_from_civil(y, m, 1);
        long long next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
        date_range(c, first, next - 1);
    };
    const std::string& op = f.op;
    if (op == "=") {
        auto m0 = moment(0);
        if (f.values.empty())
            c.sql = "1=0";
        else
            date_range(c, m0 ? std::optional(m0->first_day) : std::nullopt,
                       m0 ? std::optional(m0->last_day) : std::nullopt);
    } else if (op == ">=") {
        if (auto m0 = moment(0)) date_range(c, m0->first_day, std::nullopt);
    } else if (op == "<=") {
        if (auto m0 = moment(0)) date_range(c, std::nullopt, m0->last_day);
    } else if (op == "><") {
        auto m0 = moment(0), m1 = moment(1);
        date_range(c, m0 ? std::optional(m0->first_day) : std::nullopt,
                   m1 ? std::optional(m1->last_day) : std::nullopt);
    } else if (op == "!*") {
        c.sql = "te.spent_on IS NULL";
    } else if (op == "*") {
        c.sql = "te.spent_on IS NOT NULL";
    } else if (op == "><t-") {
        date_range(c, today - n(), today);
    } else if (op == ">t-") {
        date_range(c, today - n(), std::nullopt);
    } else if (op == "<t-") {
        date_range(c, std::nullopt, today - n());
    } else if (op == "t-") {
        date_range(c, today - n(), today - n());
    } else if (op == "t") {
        date_range(c, today, today);
    } else if (op == "ld") {
        date_range(c, today - 1, today - 1);
    } else if (op == "w") {
        long long ago = days_into_week(today);
        date_range(c, today - ago, today - ago + 6);
    } else if (op == "lw") {
        long long ago = days_into_week(today);
        date_range(c, today - ago - 7, today - ago - 1);
    } else if (op == "l2w") {
        long long ago = days_into_week(today);
        date_range(c, today - ago - 14, today - ago - 1);
    } else if (op == "m" || op == "lm") {
        int y = 0, m = 0;
        ymd(today, y, m);
        if (op == "lm") {
            if (--m == 0) {
                m = 12;
                --y;
            }
        }
        month_range(y, m);
    } else if (op == "y") {
        int y = 0, m = 0;
        ymd(today, y, m);
        date_range(c, days_from_civil(y, 1, 1), days_from_civil(y, 12, 31));
    }
    return c;
}

std::string like_pattern(const std::string& v, bool start, bool end) {
    std::string out = start ? "" : "%";
    for (char ch : v) {
        if (ch == '%' || ch == '_' || ch == '!') out += '!';  // '!' escapes alike on SQLite and MySQL
        out += ch;
    }
    return out + (end ? "" : "%");
}

Conditions filter_sql(Context& ctx, const Filter& f) {
    Conditions c;
    std::vector<std::string> values = f.values;
    if (f.field == "user_id" || f.field == "author_id") {
        if (auto it = std::find(values.begin(), values.end(), "me"); it != values.end()) {
            std::erase(values, std::string("me"));
            values.push_back(ctx.user.anonymous ? "0" : std::to_string(ctx.user.id));
        }
    }
    if (f.field == "spent_on") return spent_on_sql(f);
    if (f.field == "issue_id") {
        if (f.op == "=") {
            c.sql = "te.issue_id = ?";
            c.params.emplace_back(app::ruby_to_i(values.front()));
        } else if (f.op == "~") {
            auto issue = ctx.db().one("SELECT root_id, lft, rgt FROM issues WHERE id = ?",
                                      {app::ruby_to_i(values.front())});
            if (!issue || issue->null(1)) {
                c.sql = "1=0";
            } else {
                c.sql = "te.issue_id IN (SELECT id FROM issues WHERE root_id = ? AND lft >= ? AND rgt <= ?)";
                c.params = {issue->i(0), issue->i(1), issue->i(2)};
            }
        } else if (f.op == "!*") {
            c.sql = "te.issue_id IS NULL";
        } else if (f.op == "*") {
            c.sql = "te.issue_id IS NOT NULL";
        }
        return c;
    }
    if (f.field == "issue.fixed_version_id") {
        // TimeEntryQuery#sql_for_issue_fixed_version_id_field: the issues of those versions
        std::vector<db::Value> ids;
        for (const auto& v : values) ids.emplace_back(app::ruby_to_i(v));
        const std::string in = "(SELECT id FROM issues WHERE fixed_version_id IN (" + placeholders(ids.size()) + "))";
        if (f.op == "=")
            c.sql = "te.issue_id IN " + in;
        else if (f.op == "!")
            c.sql = "te.issue_id NOT IN " + in;
        c.params = ids;
        return c;
    }
    if (f.field == "project_id") {
        if (auto it = std::find(values.begin(), values.end(), "mine"); it != values.end()) {
            std::erase(values, std::string("mine"));
            // User#memberships: those of projects not archived
            if (!ctx.user.anonymous)
                for (const auto& r : ctx.db().query(
                         "SELECT m.project_id FROM members m JOIN projects p ON p.id = m.project_id "
                         "WHERE m.user_id = ? AND p.status <> ? ORDER BY m.id",
                         {ctx.user.id, static_cast<long long>(app::kProjectArchived)}))
                    values.push_back(std::to_string(r.i(0)));
        }
    }
    if (f.field == "activity_id") {
        std::vector<db::Value> ids;
        for (const auto& v : values) ids.emplace_back(app::ruby_to_i(v));
        const std::string in = "(" + placeholders(ids.size()) + ")";
        if (f.op == "=")
            c.sql = "(e.id IN " + in + " OR e.parent_id IN " + in + ")";
        else
            c.sql = "(e.id NOT IN " + in + " AND (e.parent_id IS NULL OR e.parent_id NOT IN " + in + "))";
        c.params = ids;
        c.params.insert(c.params.end(), ids.begin(), ids.end());
        return c;
    }
    const std::string col = f.field == "issue.tracker_id"    ? "i.tracker_id"
                            : f.field == "issue.status_id"   ? "i.status_id"
                            : f.field == "issue.category_id" ? "i.category_id"
                            : f.field == "project.status"    ? "p.status"
                                                             : "te." + f.field;
    if (f.op == "!*") {
        c.sql = col + " IS NULL" + (f.type == Type::Text ? " OR " + col + " = ''" : "");
    } else if (f.op == "*") {
        c.sql = col + " IS NOT NULL";
    } else if (f.type == Type::Float) {
        auto num = [&](size_t i) {
            return i < values.size() ? std::strtod(values[i].c_str(), nullptr) : 0.0;
        };
        if (f.op == "=") {
            c.sql = col + " BETWEEN ? AND ?";
            c.params = {num(0) - 1e-5, num(0) + 1e-5};
        } else if (f.op == ">=") {
            c.sql = col + " >= ?";
            c.params = {num(0)};
        } else if (f.op == "<=") {
            c.sql = col + " <= ?";
            c.params = {num(0)};
        } else if (f.op == "><") {
            c.sql = col + " BETWEEN ? AND ?";
            c.params = {num(0), num(1)};
        }
    } else if (f.type == Type::Text) {
        const std::string v = values.empty() ? "" : values.front();
        const std::string lower = "LOWER(" + col + ")";
        if (f.op == "~" || f.op == "^" || f.op == "$") {
            c.sql = lower + " LIKE LOWER(?) ESCAPE '!'";
            c.params.emplace_back(like_pattern(v, f.op == "^", f.op == "$"));
        } else if (f.op == "!~") {
            c.sql = lower + " NOT LIKE LOWER(?) ESCAPE '!'";
            c.params.emplace_back(like_pattern(v, false, false));
        }
    } else if (f.op == "=") {
        if (values.empty()) {
            c.sql = "1=0";
        } else {
            c.sql = col + " IN (" + placeholders(values.size()) + ")";
            for (const auto& v : values) add_int_or_string(c.params, v);
        }
    } else if (f.op == "!") {
        if (values.empty()) {
            c.sql = "1=1";
        } else {
            c.sql = "(" + col + " IS NULL OR " + col + " NOT IN (" + placeholders(values.size()) + "))";
            for (const auto& v : values) add_int_or_string(c.params, v);
        }
    }
    return c;
}

}  // namespace

// Query#project_statement: the project with its subprojects (not archived), as the subproject_id
// filter or the display_subprojects_issues setting says.
Conditions project_statement(Context& ctx, const ProjectScope& project, const std::vector<Filter>& filters) {
    Conditions c;
    std::vector<long long> subprojects;
    if (!project.leaf)
        for (const auto& r : ctx.db().query("SELECT id FROM projects WHERE lft > ? AND rgt < ? AND status <> ? "
                                            "ORDER BY lft",
                                            {project.lft, project.rgt, static_cast<long long>(app::kProjectArchived)}))
            subprojects.push_back(r.i(0));
    auto ids_in = [&](const std::vector<long long>& ids) {
        c.sql = "te.project_id IN (" + placeholders(ids.size()) + ")";
        for (long long id : ids) c.params.emplace_back(id);
    };
    auto nested = [&] {
        c.sql = "p.lft >= ? AND p.rgt <= ?";
        c.params = {project.lft, project.rgt};
    };
    const Filter* sub = nullptr;
    for (const auto& f : filters)
        if (f.field == "subproject_id") sub = &f;
    if (subprojects.empty()) {
        ids_in({project.id});
    } else if (sub) {
        std::vector<long long> values;
        for (const auto& v : sub->values) values.push_back(app::ruby_to_i(v));
        if (sub->op == "=") {
            std::vector<long long> ids = {project.id};
            ids.insert(ids.end(), values.begin(), values.end());
            ids_in(ids);
        } else if (sub->op == "!") {
            std::vector<long long> ids = {project.id};
            for (long long id : subprojects)
                if (std::find(values.begin(), values.end(), id) == values.end()) ids.push_back(id);
            ids_in(ids);
        } else if (sub->op == "!*") {
            ids_in({project.id});
        } else {
            nested();
        }
    } else if (ctx.setting_enabled("display_subprojects_issues")) {
        nested();
    } else {
        ids_in({project.id});
    }
    return c;
}

Conditions filter_conditions(Context& ctx, const ProjectScope* project) {
    const nlohmann::json& params = ctx.params();
    std::vector<Filter> filters = {{"spent_on", Type::DatePast, "*", {}}};
    const FilterParams given = filter_params(params);
    if (given.replace) {
        filters.clear();
        for (const auto& f : given.filters)
            if (const Available* a = available(f.field, project)) put(filters, {a->field, a->type, f.op, f.values});
    } else {
        for (const auto& a : kAvailable)
            if (offered(a, project))
                if (auto f = short_filter(params, a.field, short_operators(a.type)))
                    put(filters, {a.field, a.type, f->op, f->values});
    }
    // TimeEntryQuery#build_from_params: the legacy from/to
    auto from = ctx.param("from"), to = ctx.param("to");
    const bool has_from = from && !blank(*from), has_to = to && !blank(*to);
    if (has_from && has_to)
        put(filters, {"spent_on", Type::DatePast, "><", {*from, *to}});
    else if (has_from)
        put(filters, {"spent_on", Type::DatePast, ">=", {*from}});
    else if (has_to)
        put(filters, {"spent_on", Type::DatePast, "<=", {*to}});

    Conditions out;
    auto add = [&](const Conditions& one) {
        if (one.sql.empty()) return;
        out.sql += (out.sql.empty() ? "(" : " AND (") + one.sql + ")";
        out.params.insert(out.params.end(), one.params.begin(), one.params.end());
    };
    // Query#statement applies no filter of an invalid query
    if (std::all_of(filters.begin(), filters.end(), valid))
        for (const auto& f : filters)
            if (!f.values.empty() && f.field != "subproject_id") add(filter_sql(ctx, f));
    if (project) add(project_statement(ctx, *project, filters));
    return out;
}

std::string order_clause(Context& ctx) {
    // User.fields_for_order_statement under the user_format setting
    const std::string format = ctx.setting("user_format");
    std::vector<std::string> user_order = {"u.firstname", "u.lastname", "u.id"};
    if (format == "firstname")
        user_order = {"u.firstname", "u.id"};
    else if (format == "lastname_firstname" || format == "lastnamefirstname" ||
             format == "lastname_comma_firstname")
        user_order = {"u.lastname", "u.firstname", "u.id"};
    else if (format == "lastname")
        user_order = {"u.lastname", "u.id"};
    else if (format == "username")
        user_order = {"u.login", "u.id"};
    auto sortable = [&](const std::string& key) -> std::vector<std::string> {
        if (key == "project") return {"p.name"};
        if (key == "spent_on") return {"te.spent_on", "te.created_on"};
        if (key == "created_on") return {"te.created_on"};
        if (key == "tweek") return {"te.tyear", "te.tweek"};
        if (key == "author" || key == "user") return user_order;
        if (key == "activity") return {"e.position"};
        if (key == "issue") return {"i.id"};
        if (key == "hours") return {"te.hours"};
        return {};
    };
    // Redmine::SortCriteria: "key[:desc],...", blank keys dropped, first of each key kept, at most 3.
    std::vector<std::pair<std::string, bool>> criteria;
    const std::string sort = ctx.param("sort").value_or("");
    size_t start = 0;
    while (start <= sort.size()) {
        auto comma = sort.find(',', start);
        std::string item = sort.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto colon = item.find(':');
        std::string key = item.substr(0, colon);
        std::string dir;
        if (colon != std::string::npos) {
            dir = item.substr(colon + 1);
            dir = dir.substr(0, dir.find(':'));
        }
        bool seen =
            std::any_of(criteria.begin(), criteria.end(), [&](const auto& c) { return c.first == key; });
        if (!blank(key) && !seen) criteria.emplace_back(key, colon != std::string::npos && dir == "desc");
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (criteria.size() > 3) criteria.resize(3);
    if (criteria.empty()) criteria = {{"spent_on", true}};
    std::string out;
    for (const auto& [key, desc] : criteria)
        for (const auto& col : sortable(key)) out += col + (desc ? " DESC, " : " ASC, ");
    return out + "te.id ASC";
}

}  // namespace resources::time_entries
