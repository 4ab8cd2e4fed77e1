// GET /time_entries, /projects/:project_id/time_entries and /time_entries/:id; what the time entry
// files share (hours, dates, visibility, the entry's view).
#include "resources/time_entries.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <regex>

#include "db/id_page.h"

namespace resources::time_entries {

// ---- hours and dates ----

namespace {
std::string strip(const std::string& s) {
    const char* ws = " \t\n\v\f\r";
    auto b = s.find_first_not_of(ws);
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// Kernel.Float for what to_hours leaves: decimal numbers only.
std::optional<double> kernel_float(const std::string& s) {
    static const std::regex re(R"(^\s*[+-]?\d+(_\d+)*(\.\d+(_\d+)*)?([eE][+-]?\d+)?\s*$)");
    if (!std::regex_match(s, re)) return std::nullopt;
    std::string digits;
    for (char c : s)
        if (c != '_') digits += c;
    return std::strtod(digits.c_str(), nullptr);
}
}  // namespace

std::optional<double> to_hours(const std::string& text) {
    std::string s = strip(text);
    static const std::regex decimal(R"(^(\d+([.,]\d+)?)h?$)");
    static const std::regex colon(R"(^(\d+):(\d+)$)");
    static const std::regex units(R"(^((\d+)\s*(h|hours?))?\s*((\d+)\s*(m|min)?)?$)", std::regex::icase);
    std::smatch m;
    if (std::regex_match(s, m, decimal)) {
        s = m[1];
    } else {
        std::optional<double> value;
        if (std::regex_match(s, m, colon))
            value = std::stod(m[1]) + std::stod(m[2]) / 60.0;
        else if (std::regex_match(s, m, units) && (m[1].matched || m[4].matched))
            value = (m[2].matched ? std::stod(m[2]) : 0.0) + (m[5].matched ? std::stod(m[5]) : 0.0) / 60.0;
        if (value) return value;
    }
    for (auto& c : s)
        if (c == ',') c = '.';
    return kernel_float(s);
}

long long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const long long yoe = y - era * 400;
    const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

std::string civil_from_days(long long z) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const long long doe = z - era * 146097;
    const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400;
    const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long long mp = (5 * doy + 2) / 153;
    const long long d = doy - (153 * mp + 2) / 5 + 1;
    const long long m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", y, m, d);
    return buf;
}

std::optional<long long> parse_iso_date(const std::string& text) {
    static const std::regex re(R"(^(\d{4})-(\d{2})-(\d{2})$)");
    std::smatch m;
    if (!std::regex_match(text, m, re)) return std::nullopt;
    int y = std::stoi(m[1]), mo = std::stoi(m[2]), d = std::stoi(m[3]);
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
    long long days = days_from_civil(y, mo, d);
    if (civil_from_days(days) != text) return std::nullopt;  // 2026-02-30 and the like
    return days;
}

long long today_days() {
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count() / 86400;
}

// ---- visibility ----

std::string entries_visibility(Context& ctx, const app::ProjectInfo& project) {
    if (!project.allows("view_time_entries")) return "";
    if (ctx.user.admin) return "all";
    std::string best;
    for (const app::Role* role : ctx.perms().roles_for_project(project)) {
        if (!(project.is_public || role->builtin == 0) || !role->has("view_time_entries")) continue;
        if (role->time_entries_visibility == "all") return "all";
        if (role->time_entries_visibility == "own" && !ctx.user.anonymous) best = "own";
    }
    return best;
}

bool entry_visible(Context& ctx, long long project_id, long long entry_user_id) {
    const app::ProjectInfo* p = ctx.perms().project(project_id);
    if (!p) return false;
    const std::string v = entries_visibility(ctx, *p);
    return v == "all" || (v == "own" && entry_user_id == ctx.user.id);
}

bool entry_editable(Context& ctx, long long project_id, long long entry_user_id) {
    if (!entry_visible(ctx, project_id, entry_user_id)) return false;
    auto& perms = ctx.perms();
    return (entry_user_id == ctx.user.id && perms.allowed_to("edit_own_time_entries", project_id)) ||
           perms.allowed_to("edit_time_entries", project_id);
}

EntryFields load_entry_fields(Context& ctx) {
    EntryFields out;
    out.all = custom_fields_of(ctx.db(), "TimeEntryCustomField");
    std::vector<db::Value> hidden;
    for (const auto& f : out.all)
        if (!f.visible) hidden.emplace_back(f.id);
    if (hidden.empty()) return out;
    std::string sql = "SELECT custom_field_id, role_id FROM custom_fields_roles WHERE custom_field_id IN (";
    for (size_t i = 0; i < hidden.size(); ++i) sql += i ? ", ?" : "?";
    for (const auto& r : ctx.db().query(sql + ")", hidden)) out.roles[r.i(0)].push_back(r.i(1));
    return out;
}

std::vector<CustomFieldDef> visible_fields(Context& ctx, const EntryFields& fields, long long project_id) {
    std::vector<CustomFieldDef> out;
    std::vector<const app::Role*> roles;
    bool roles_loaded = false;
    for (const auto& f : fields.all) {
        bool show = f.visible || ctx.user.admin;
        if (!show) {
            if (!roles_loaded) {
                if (const auto* p = ctx.perms().project(project_id))
                    roles = ctx.perms().roles_for_project(*p);
                roles_loaded = true;
            }
            auto it = fields.roles.find(f.id);
            if (it != fields.roles.end())
                for (const app::Role* role : roles)
                    if (std::find(it->second.begin(), it->second.end(), role->id) != it->second.end())
                        show = true;
        }
        if (show) out.push_back(f);
    }
    return out;
}

// ---- the view ----

const char* const kEntryColumns =
    "te.id, te.project_id, p.name, te.issue_id, i.id, te.user_id, u.firstname, u.lastname, u.login, "
    "te.activity_id, e.name, te.hours, te.comments, te.spent_on, te.created_on, te.updated_on";

api::Node entry_node(Context& ctx, const db::Row& r, const std::vector<CustomFieldDef>& fields,
                     const CustomValues& values) {
    api::Node n = api::Node::object();
    n.set("id", r.i(0));
    n.set("project", ref(r.i(1), r.s(2)));
    if (!r.null(4)) {
        api::Node issue = api::Node::object();
        issue.attr("id", r.i(3));
        n.set("issue", std::move(issue));
    }
    if (!r.null(6) || !r.null(8)) n.set("user", ref(r.i(5), user_name(ctx, r.s(6), r.s(7), r.s(8))));
    if (!r.null(10)) n.set("activity", ref(r.i(9), r.s(10)));
    n.set("hours", std::round(r.f(11) * 100) / 100);  // TimeEntry#hours rounds to 2 decimals
    n.set("comments", str_at(r, 12));
    n.set("spent_on", date_at(r, 13));
    n.set("created_on", time_at(r, 14));
    n.set("updated_on", time_at(r, 15));
    if (auto cf = custom_fields_node(fields, values, r.i(0))) n.set("custom_fields", std::move(*cf));
    return n;
}

namespace {

const char* const kJoins =
    " JOIN projects p ON p.id = te.project_id JOIN users u ON u.id = te.user_id "
    "LEFT JOIN enumerations e ON e.id = te.activity_id LEFT JOIN issues i ON i.id = te.issue_id";

// The joins that conditions or an order need, from the table aliases they name. Redmine keeps no time
// entry of a deleted project or user, so leaving out the inner joins changes no count; the left joins
// (one row at most each) never do. Counting and sorting without joins is what keeps a deep page cheap.
std::string joins_for(const std::string& sql) {
    auto uses = [&](char alias) {
        for (size_t at = sql.find(std::string(1, alias) + "."); at != std::string::npos;
             at = sql.find(std::string(1, alias) + ".", at + 1))
            if (at == 0 || !(std::isalnum(static_cast<unsigned char>(sql[at - 1])) || sql[at - 1] == '_'))
                return true;
        return false;
    };
    std::string out;
    if (uses('p')) out += " JOIN projects p ON p.id = te.project_id";
    if (uses('u')) out += " JOIN users u ON u.id = te.user_id";
    if (uses('e')) out += " LEFT JOIN enumerations e ON e.id = te.activity_id";
    if (uses('i')) out += " LEFT JOIN issues i ON i.id = te.issue_id";
    return out;
}

std::string in_list(size_t n) {
    std::string s = "(";
    for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
    return s + ")";
}

// An ORDER BY list with every direction turned (NULLs sort first ascending on SQLite and MySQL alike).
std::string reversed(const std::string& order) {
    std::string out;
    size_t start = 0;
    while (start < order.size()) {
        size_t comma = order.find(", ", start);
        std::string item = order.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (item.size() >= 5 && item.compare(item.size() - 5, 5, " DESC") == 0)
            item.replace(item.size() - 5, 5, " ASC");
        else if (item.size() >= 4 && item.compare(item.size() - 4, 4, " ASC") == 0)
            item.replace(item.size() - 4, 4, " DESC");
        out += (out.empty() ? "" : ", ") + item;
        if (comma == std::string::npos) break;
        start = comma + 2;
    }
    return out;
}

// One page of entries in `order`, and how many there are in all.
db::Rows page_rows(db::Conn& db, const std::string& where, std::vector<db::Value> params, std::string order,
                   const app::Paging& paging, long long& total) {
    const std::string narrow_from =
        "FROM time_entries te" + joins_for(where + " " + order) + " WHERE " + where;
    // At most this many ids are kept sorted (8 bytes each), within a connection's budget for kept answers.
    constexpr long long kKeptIds = 1000000;
    total = db.keeps_answers() ? db.scalar_cached("SELECT COUNT(*) " + narrow_from, params) : 0;
    if (db.keeps_answers() && total <= kKeptIds) {
        // Every visible id in order, kept while the data is unchanged: any page, however deep, is a slice
        // of one sort. Paging through all entries then sorts once, not once a page.
        const auto sorted = db.ids_cached("SELECT te.id " + narrow_from + " ORDER BY " + order, params);
        total = static_cast<long long>(sorted->size());
        const db::IdPage page = db::id_page(*sorted, paging.offset, paging.limit);
        if (page.ids.empty()) return {};
        return page.ordered(db.query(std::string("SELECT ") + kEntryColumns + " FROM time_entries te" + kJoins +
                                         " WHERE te.id IN " + page.in(),
                                     page.ids),
                            [](const db::Row& r) { return r.i(0); });
    }
    if (!db.keeps_answers()) total = db.scalar("SELECT COUNT(*) " + narrow_from, params);
    // A page past the middle is taken from the end in the reverse order (the order ends with te.id, so it
    // is total): the sort then keeps at most half the rows whatever the offset.
    const bool from_end = paging.offset > total / 2 && paging.offset < total;
    long long limit = paging.limit, offset = paging.offset;
    if (from_end) {
        limit = std::min<long long>(paging.limit, total - paging.offset);
        offset = total - paging.offset - limit;
        order = reversed(order);
    }
    params.emplace_back(limit);
    params.emplace_back(offset);
    // The page's ids first, sorted on narrow rows; then their columns (a deferred join).
    db::Rows rows = db.query(std::string("SELECT ") + kEntryColumns + " FROM (SELECT te.id AS id " +
                                 narrow_from + " ORDER BY " + order +
                                 " LIMIT ? OFFSET ?) page JOIN time_entries te ON te.id = "
                                 "page.id" +
                                 kJoins + " ORDER BY " + order,
                             params);
    if (from_end) std::reverse(rows.begin(), rows.end());
    return rows;
}

Response index(Context& ctx) {
    std::optional<ProjectRef> project;
    if (auto it = ctx.route.find("project_id"); it != ctx.route.end())
        project = find_project(ctx, it->second);
    else if (auto id = ctx.param("project_id"); id && !id->empty())
        project = find_project(ctx, *id);
    if (project)
        authorize(ctx, *project, "view_time_entries");
    else if (!ctx.perms().allowed_globally("view_time_entries"))
        ctx.deny();

    // TimeEntry.visible
    std::vector<db::Value> all, own;
    for (long long id : ctx.perms().allowed_project_ids("view_time_entries")) {
        const std::string v = entries_visibility(ctx, *ctx.perms().project(id));
        if (v == "all")
            all.emplace_back(id);
        else if (v == "own")
            own.emplace_back(id);
    }
    std::string where;
    std::vector<db::Value> params;
    if (all.empty() && own.empty()) {
        where = "1=0";
    } else {
        std::vector<std::string> parts;
        if (!all.empty()) parts.push_back("te.project_id IN " + in_list(all.size()));
        if (!own.empty())
            parts.push_back("(te.project_id IN " + in_list(own.size()) + " AND te.user_id = ?)");
        where = "(" + parts[0] + (parts.size() > 1 ? " OR " + parts[1] : "") + ")";
        params = all;
        params.insert(params.end(), own.begin(), own.end());
        if (!own.empty()) params.emplace_back(ctx.user.id);
    }
    std::optional<ProjectScope> scope;
    if (project) {
        scope = ProjectScope{project->id};
        if (auto nested = ctx.db().one("SELECT lft, rgt FROM projects WHERE id = ?", {project->id});
            nested && !nested->null(0) && !nested->null(1)) {
            scope->lft = nested->i(0);
            scope->rgt = nested->i(1);
            scope->leaf = scope->rgt - scope->lft == 1;
        }
    }
    Conditions filters = filter_conditions(ctx, scope ? &*scope : nullptr);
    if (!filters.sql.empty()) {
        where += " AND " + filters.sql;
        params.insert(params.end(), filters.params.begin(), filters.params.end());
    }
    auto& db = ctx.db();
    const app::Paging paging = app::parse_paging(ctx.params());
    long long total = 0;
    db::Rows rows = page_rows(db, where, params, order_clause(ctx), paging, total);
    const EntryFields fields = load_entry_fields(ctx);
    std::vector<long long> ids;
    for (const auto& r : rows) ids.push_back(r.i(0));
    const CustomValues values =
        fields.all.empty() ? CustomValues{} : load_custom_values(db, "TimeEntry", ids);
    std::map<long long, std::vector<CustomFieldDef>> fields_by_project;
    api::Node list = api::Node::array("time_entry");
    for (const auto& r : rows) {
        auto it = fields_by_project.find(r.i(1));
        if (it == fields_by_project.end())
            it = fields_by_project.emplace(r.i(1), visible_fields(ctx, fields, r.i(1))).first;
        list.push(entry_node(ctx, r, it->second, values));
    }
    return ctx.render(app::list_document(ctx, "time_entries", std::move(list), total, paging));
}

Response show(Context& ctx) {
    const long long id = id_param(ctx.route_param("id"));
    auto row = ctx.db().one(
        std::string("SELECT ") + kEntryColumns +
            " FROM time_entries te JOIN projects p ON p.id = te.project_id "
            "LEFT JOIN users u ON u.id = te.user_id LEFT JOIN enumerations e ON e.id = te.activity_id "
            "LEFT JOIN issues i ON i.id = te.issue_id WHERE te.id = ?",
        {id});
    if (!row) throw app::HttpError{404};
    // Redmine authorizes view_time_entries on the entry's project (not the entry's own visibility).
    authorize(ctx, find_project(ctx, std::to_string(row->i(1))), "view_time_entries");
    const EntryFields fields = load_entry_fields(ctx);
    const CustomValues values =
        fields.all.empty() ? CustomValues{} : load_custom_values(ctx.db(), "TimeEntry", {id});
    return ctx.render(
        {"time_entry", entry_node(ctx, *row, visible_fields(ctx, fields, row->i(1)), values), {}});
}

}  // namespace

}  // namespace resources::time_entries

namespace resources {

void register_time_entries(app::Router& r) {
    r.add("GET", "/time_entries", time_entries::index);
    r.add("GET", "/projects/:project_id/time_entries", time_entries::index);
    r.add("GET", "/time_entries/:id", time_entries::show);
    time_entries::register_writes(r);
}

}  // namespace resources
