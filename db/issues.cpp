#include "db/issues.h"

#include <algorithm>

#include "db/id_page.h"
#include "server/permissions.h"

namespace issues_db {

Cond& Cond::and_(const Cond& other) {
    if (other.sql.empty()) return *this;
    if (sql.empty()) {
        *this = other;
        return *this;
    }
    sql = "(" + sql + ") AND (" + other.sql + ")";
    params.insert(params.end(), other.params.begin(), other.params.end());
    return *this;
}

std::string placeholders(const std::vector<long long>& ids, std::vector<db::Value>& params) {
    std::string s;
    for (size_t i = 0; i < ids.size(); ++i) {
        s += i ? ", ?" : "?";
        params.emplace_back(ids[i]);
    }
    return s;
}

std::string placeholders(const std::vector<std::string>& values, std::vector<db::Value>& params) {
    std::string s;
    for (size_t i = 0; i < values.size(); ++i) {
        s += i ? ", ?" : "?";
        params.emplace_back(values[i]);
    }
    return s;
}

std::vector<long long> group_ids(app::Context& ctx) {
    std::vector<long long> out;
    if (ctx.user.anonymous) return out;
    for (const auto& r : ctx.db().query_cached(
             "SELECT group_id FROM groups_users WHERE user_id = ? ORDER BY group_id", {ctx.user.id}))
        out.push_back(r.i(0));
    return out;
}

namespace {

// Role#permissions_all_trackers?(:view_issues) and permissions_tracker_ids(:view_issues), from the
// role's settings as Rails stores them (a YAML hash of hashes).
struct TrackerLimit {
    bool all = true;
    std::vector<long long> ids;
};

std::string unquote(std::string v) {
    v.erase(0, v.find_first_not_of(' '));  // "key: '0'" leaves " '0'"
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
    if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front())
        v = v.substr(1, v.size() - 2);
    return v;
}

TrackerLimit tracker_limit(const std::string& yaml, const std::string& permission) {
    TrackerLimit t;
    std::string section, key;
    size_t pos = 0;
    while (pos < yaml.size()) {
        auto eol = yaml.find('\n', pos);
        std::string line = yaml.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        pos = eol == std::string::npos ? yaml.size() : eol + 1;
        if (line.empty() || line == "---" || line.rfind("--- ", 0) == 0) continue;
        size_t indent = line.find_first_not_of(' ');
        if (indent == std::string::npos) continue;
        std::string body = line.substr(indent);
        if (indent == 0 && body[0] != '-') {
            section = body.substr(0, body.find(':'));
            key.clear();
            continue;
        }
        if (body.rfind("- ", 0) == 0) {
            if (section == "permissions_tracker_ids" && key == permission) {
                const std::string v = unquote(body.substr(2));
                if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos)
                    t.ids.push_back(std::stoll(v));
            }
            continue;
        }
        auto colon = body.find(':');
        if (colon == std::string::npos) continue;
        key = body.substr(0, colon);
        if (!key.empty() && key[0] == ':') key = key.substr(1);
        if (section == "permissions_all_trackers" && key == permission)
            t.all = unquote(body.substr(colon + 1)) != "0";
    }
    return t;
}

// Project.allowed_to_condition with a per-role block, as the project ids each distinct role
// condition applies to; the result ORs "(project IN ids AND condition)".
Cond by_role_condition(app::Context& ctx, const std::string& permission, const std::string& table,
                       const std::string& project_column,
                       const std::function<std::optional<Cond>(const app::Role&)>& block) {
    auto& perms = ctx.perms();
    const auto projects = perms.allowed_project_ids(permission);
    if (ctx.user.admin) {
        if (projects.empty()) return Cond("1=0");
        Cond c;
        c.sql = table + "." + project_column + " IN (" + placeholders(projects, c.params) + ")";
        return c;
    }
    // condition text -> (its params, the projects)
    std::map<std::string, std::pair<std::vector<db::Value>, std::vector<long long>>> groups;
    std::vector<std::string> order;
    for (long long pid : projects) {
        const auto* p = perms.project(pid);
        if (!p) continue;
        std::vector<Cond> conds;
        bool any = false, unrestricted = false;
        for (const auto* role : perms.roles_for_project(*p)) {
            if (!role->has(permission) || (!p->is_public && role->builtin != 0)) continue;
            auto c = block(*role);
            any = true;
            if (!c)
                unrestricted = true;
            else
                conds.push_back(*c);
        }
        if (!any) continue;
        Cond combined;
        if (!unrestricted) {
            std::string sql;
            for (const auto& c : conds) {
                sql += (sql.empty() ? "(" : " OR (") + c.sql + ")";
                combined.params.insert(combined.params.end(), c.params.begin(), c.params.end());
            }
            combined.sql = sql;
        }
        std::string key = combined.sql;
        for (const auto& v : combined.params) {
            key += '\x1f';
            if (auto* i = std::get_if<long long>(&v))
                key += std::to_string(*i);
            else if (auto* s = std::get_if<std::string>(&v))
                key += *s;
        }
        auto [it, inserted] = groups.try_emplace(key, combined.params, std::vector<long long>{});
        if (inserted) order.push_back(key);
        it->second.second.push_back(pid);
    }
    if (order.empty()) return Cond("1=0");
    Cond out;
    for (const auto& key : order) {
        const auto& [params, ids] = groups[key];
        std::string part = table + "." + project_column + " IN (" + placeholders(ids, out.params) + ")";
        const std::string cond_sql = key.substr(0, key.find('\x1f'));
        if (!cond_sql.empty()) {
            part = "(" + part + " AND (" + cond_sql + "))";
            out.params.insert(out.params.end(), params.begin(), params.end());
        }
        out.sql += (out.sql.empty() ? "" : " OR ") + part;
    }
    out.sql = "(" + out.sql + ")";
    return out;
}

}  // namespace

Cond visible_condition(app::Context& ctx, const std::string& table) {
    std::map<long long, std::string> settings;
    for (const auto& r : ctx.db().query_cached("SELECT id, settings FROM roles")) settings[r.i(0)] = r.s(1);
    std::vector<long long> principals;
    if (!ctx.user.anonymous) {
        principals.push_back(ctx.user.id);
        for (long long g : group_ids(ctx)) principals.push_back(g);
    }
    const std::string t = table + ".";
    return by_role_condition(
        ctx, "view_issues", table, "project_id", [&](const app::Role& role) -> std::optional<Cond> {
            Cond c;
            if (!ctx.user.anonymous) {
                if (role.issues_visibility == "all") {
                    c.sql = "1=1";
                } else if (role.issues_visibility == "default") {
                    c.params.emplace_back(0LL);
                    c.params.emplace_back(ctx.user.id);
                    c.sql = "(" + t + "is_private = ? OR " + t + "author_id = ? OR " + t +
                            "assigned_to_id IN (" + placeholders(principals, c.params) + "))";
                } else if (role.issues_visibility == "own") {
                    c.params.emplace_back(ctx.user.id);
                    c.sql = "(" + t + "author_id = ? OR " + t + "assigned_to_id IN (" +
                            placeholders(principals, c.params) + "))";
                } else {
                    c.sql = "1=0";
                }
            } else {
                c.sql = "(" + t + "is_private = ?)";
                c.params.emplace_back(0LL);
            }
            const auto limit = tracker_limit(settings[role.id], "view_issues");
            if (!limit.all) {
                if (limit.ids.empty()) {
                    c = Cond("1=0");
                } else {
                    Cond r;
                    r.params = c.params;
                    r.sql = "(" + c.sql + " AND " + t + "tracker_id IN (" +
                            placeholders(limit.ids, r.params) + "))";
                    c = r;
                }
            }
            if (c.sql == "1=1") return std::nullopt;
            return c;
        });
}

Cond time_entry_visible_condition(app::Context& ctx, const std::string& table) {
    return by_role_condition(ctx, "view_time_entries", table, "project_id",
                             [&](const app::Role& role) -> std::optional<Cond> {
                                 if (role.time_entries_visibility == "all") return std::nullopt;
                                 if (role.time_entries_visibility == "own" && !ctx.user.anonymous)
                                     return Cond(table + ".user_id = ?", {ctx.user.id});
                                 return Cond("1=0");
                             });
}

namespace {

const char* kSelect =
    "SELECT issues.id, issues.project_id, projects.name, issues.tracker_id, trackers.name, issues.status_id, "
    "issue_statuses.name, issue_statuses.is_closed, issues.priority_id, enumerations.name, "
    "issues.author_id, authors.type, authors.firstname, authors.lastname, authors.login, "
    "issues.assigned_to_id, users.type, users.firstname, users.lastname, users.login, "
    "issues.category_id, issue_categories.name, issues.fixed_version_id, versions.name, issues.parent_id, "
    "issues.subject, issues.is_private, issues.estimated_hours, issues.root_id, issues.lft, issues.rgt, "
    "trackers.id, issue_statuses.id, enumerations.id, "
    "issues.description, issues.start_date, issues.due_date, issues.done_ratio, issues.created_on, "
    "issues.updated_on, issues.closed_on ";
constexpr size_t kRawStart = 34;

const char* kFrom =
    "FROM issues "
    "INNER JOIN projects ON projects.id = issues.project_id "
    "LEFT OUTER JOIN issue_statuses ON issue_statuses.id = issues.status_id "
    "LEFT OUTER JOIN trackers ON trackers.id = issues.tracker_id "
    "LEFT OUTER JOIN enumerations ON enumerations.id = issues.priority_id "
    "LEFT OUTER JOIN users authors ON authors.id = issues.author_id "
    "LEFT OUTER JOIN users ON users.id = issues.assigned_to_id "
    "LEFT OUTER JOIN issue_categories ON issue_categories.id = issues.category_id "
    "LEFT OUTER JOIN versions ON versions.id = issues.fixed_version_id ";

std::optional<Principal> principal_at(const db::Row& r, size_t col) {
    if (r.null(col + 1)) return std::nullopt;  // no such user row
    return Principal{r.i(col), r.s(col + 1), r.s(col + 2), r.s(col + 3), r.s(col + 4)};
}

IssueRow read_row(const db::Row& r) {
    IssueRow i;
    i.id = r.i(0);
    i.project_id = r.i(1);
    i.project_name = r.s(2);
    i.tracker_id = r.i(3);
    i.tracker_name = r.s(4);
    i.status_id = r.i(5);
    i.status_name = r.s(6);
    i.status_closed = r.b(7);
    i.priority_id = r.i(8);
    i.priority_name = r.s(9);
    i.author = principal_at(r, 10);
    i.assigned_to = principal_at(r, 15);
    if (!r.null(21)) i.category_id = r.i(20), i.category_name = r.s(21);
    if (!r.null(23)) i.fixed_version_id = r.i(22), i.fixed_version_name = r.s(23);
    i.parent_id = r.oi(24);
    i.subject = r.s(25);
    i.is_private = r.b(26);
    i.estimated_hours = r.of(27);
    i.root_id = r.i(28);
    i.lft = r.i(29);
    i.rgt = r.i(30);
    i.has_tracker = !r.null(31);
    i.has_status = !r.null(32);
    i.has_priority = !r.null(33);
    i.raw.cols.assign(r.cols.begin() + kRawStart, r.cols.end());
    return i;
}

// "SELECT `columns` FROM ..." the issues matching `w`, in `order`; `params` receives both's parameters.
std::string matching(const char* columns, const Cond& w, const Cond& order, std::vector<db::Value>& params) {
    std::string sql = std::string(columns) + kFrom + "WHERE " + w.sql;
    params = w.params;
    if (!order.sql.empty()) {
        sql += " ORDER BY " + order.sql;
        params.insert(params.end(), order.params.begin(), order.params.end());
    }
    return sql;
}

}  // namespace

IssuePage page_issues(app::Context& ctx, const Cond& where, const Cond& order, long long limit, long long offset) {
    // At most this many ids are kept sorted (8 bytes each), within a connection's budget for kept answers.
    constexpr long long kKeptIds = 1000000;
    Cond w = visible_condition(ctx);
    w.and_(where);
    auto& db = ctx.db();
    IssuePage page;
    page.total = db.scalar_cached(
        "SELECT COUNT(*) FROM issues INNER JOIN projects ON projects.id = issues.project_id "
        "LEFT OUTER JOIN issue_statuses ON issue_statuses.id = issues.status_id WHERE " +
            w.sql,
        w.params);
    std::vector<db::Value> params;
    if (!db.keeps_answers() || page.total > kKeptIds || offset >= page.total) {
        std::string sql = matching(kSelect, w, order, params) + " LIMIT ? OFFSET ?";
        params.emplace_back(limit);
        params.emplace_back(offset);
        for (const auto& r : db.query(sql, params)) page.rows.push_back(read_row(r));
        return page;
    }
    // The matching ids in order, kept while the data is unchanged: a sorted list sorts once, not once per
    // request (sync clients poll sort=updated_on:desc), a deep page costs what the first does, and no
    // page depends on SQLite's plan, which without statistics (Rails runs no ANALYZE) reads all the
    // open issues through the status index and sorts them even for the default id order.
    const std::string sql = matching("SELECT issues.id ", w, order, params);
    const auto sorted = db.ids_cached(sql, params);
    page.total = static_cast<long long>(sorted->size());
    const db::IdPage ids = db::id_page(*sorted, offset, limit);
    if (ids.ids.empty()) return page;
    for (const auto& r : db.query(std::string(kSelect) + kFrom + "WHERE issues.id IN " + ids.in(), ids.ids))
        page.rows.push_back(read_row(r));
    page.rows = ids.ordered(std::move(page.rows), [](const IssueRow& i) { return i.id; });
    return page;
}

std::optional<IssueRow> find_issue(app::Context& ctx, long long id) {
    auto r = ctx.db().one(std::string(kSelect) + kFrom + "WHERE issues.id = ?", {id});
    if (!r) return std::nullopt;
    return read_row(*r);
}

bool is_visible(app::Context& ctx, long long issue_id) {
    return visible_ids(ctx, {issue_id}).count(issue_id) > 0;
}

std::set<long long> visible_ids(app::Context& ctx, const std::vector<long long>& ids) {
    std::set<long long> out;
    if (ids.empty()) return out;
    Cond w = visible_condition(ctx);
    std::vector<db::Value> params;
    std::string sql =
        "SELECT issues.id FROM issues WHERE issues.id IN (" + placeholders(ids, params) + ") AND " + w.sql;
    params.insert(params.end(), w.params.begin(), w.params.end());
    for (const auto& r : ctx.db().query(sql, params)) out.insert(r.i(0));
    return out;
}

std::map<long long, double> spent_hours(app::Context& ctx, const std::vector<long long>& ids) {
    std::map<long long, double> out;
    if (ids.empty()) return out;
    Cond v = time_entry_visible_condition(ctx);
    std::vector<db::Value> params;
    std::string sql =
        "SELECT time_entries.issue_id, SUM(time_entries.hours) FROM time_entries WHERE "
        "time_entries.issue_id IN (" +
        placeholders(ids, params) + ") AND " + v.sql + " GROUP BY time_entries.issue_id";
    params.insert(params.end(), v.params.begin(), v.params.end());
    for (const auto& r : ctx.db().query(sql, params)) out[r.i(0)] = r.f(1);
    return out;
}

std::map<long long, double> total_spent_hours(app::Context& ctx, const std::vector<long long>& ids) {
    std::map<long long, double> out;
    if (ids.empty()) return out;
    Cond v = time_entry_visible_condition(ctx);
    std::vector<db::Value> params;
    std::string sql =
        "SELECT parent.id, SUM(time_entries.hours) FROM time_entries "
        "INNER JOIN issues ON issues.id = time_entries.issue_id "
        "INNER JOIN issues parent ON parent.root_id = issues.root_id AND parent.lft <= issues.lft "
        "AND parent.rgt >= issues.rgt WHERE parent.id IN (" +
        placeholders(ids, params) + ") AND " + v.sql + " GROUP BY parent.id";
    params.insert(params.end(), v.params.begin(), v.params.end());
    for (const auto& r : ctx.db().query(sql, params)) out[r.i(0)] = r.f(1);
    return out;
}

std::map<long long, double> total_estimated_hours(app::Context& ctx, const std::vector<long long>& ids) {
    std::map<long long, double> out;
    if (ids.empty()) return out;
    Cond v = visible_condition(ctx, "issues");
    std::vector<db::Value> params;
    std::string sql =
        "SELECT parent.id, SUM(issues.estimated_hours) FROM issues parent "
        "INNER JOIN issues ON issues.root_id = parent.root_id AND issues.lft >= parent.lft "
        "AND issues.rgt <= parent.rgt WHERE parent.id IN (" +
        placeholders(ids, params) + ") AND " + v.sql + " GROUP BY parent.id";
    params.insert(params.end(), v.params.begin(), v.params.end());
    for (const auto& r : ctx.db().query(sql, params))
        if (!r.null(1)) out[r.i(0)] = r.f(1);
    return out;
}

long long Relation::order() const {
    static const std::vector<std::string> kTypes = {"relates", "duplicates", "duplicated",
                                                    "blocks",  "blocked",    "precedes",
                                                    "follows", "copied_to",  "copied_from"};
    auto it = std::find(kTypes.begin(), kTypes.end(), type);
    return it - kTypes.begin();
}

std::vector<Relation> visible_relations(app::Context& ctx, const std::vector<long long>& ids) {
    std::vector<Relation> out;
    if (ids.empty()) return out;
    Cond v = visible_condition(ctx, "other");
    std::vector<db::Value> params;
    const std::string in = placeholders(ids, params);
    std::vector<db::Value> params2;
    const std::string in2 = placeholders(ids, params2);
    std::string sql =
        "SELECT r.id, r.issue_from_id, r.issue_to_id, r.relation_type, r.delay, other.id "
        "FROM issue_relations r "
        "INNER JOIN issues other ON (r.issue_from_id IN (" +
        in +
        ") AND other.id = r.issue_to_id) "
        "OR (r.issue_to_id IN (" +
        in2 + ") AND other.id = r.issue_from_id) WHERE " + v.sql + " ORDER BY r.id";
    params.insert(params.end(), params2.begin(), params2.end());
    params.insert(params.end(), v.params.begin(), v.params.end());
    for (const auto& r : ctx.db().query(sql, params))
        out.push_back({r.i(0), r.i(1), r.i(2), r.s(3), r.oi(4), r.i(5) == r.i(2) ? r.i(1) : r.i(2)});
    std::stable_sort(out.begin(), out.end(), [](const Relation& a, const Relation& b) {
        return a.order() != b.order() ? a.order() < b.order() : a.id < b.id;
    });
    return out;
}

bool role_allows_tracker(const std::string& settings_yaml, const std::string& permission,
                         long long tracker_id) {
    const TrackerLimit t = tracker_limit(settings_yaml, permission);
    return t.all || std::find(t.ids.begin(), t.ids.end(), tracker_id) != t.ids.end();
}

}  // namespace issues_db
