#include "db/nested_set.h"

#include <string>

namespace db::nested_set {

namespace {

std::string table_name(Table t) { return t == Table::Projects ? "projects" : "issues"; }

// " AND root_id = ?" for a scoped set, with its parameter appended to `params`.
std::string scope_sql(const Scope& scope, std::vector<Value>& params) {
    if (!scope.root_id) return "";
    params.emplace_back(*scope.root_id);
    return " AND root_id = ?";
}

}  // namespace

void lock(Conn& c, Table t, const Scope& scope) {
    if (c.backend() != Backend::Mysql) return;
    std::vector<Value> params;
    std::string where = scope_sql(scope, params);
    if (!where.empty()) where = " WHERE" + where.substr(4);
    c.query("SELECT id FROM " + table_name(t) + where + " ORDER BY id FOR UPDATE", params);
}

std::optional<std::pair<long long, long long>> bounds(Conn& c, Table t, long long id) {
    auto r = c.one("SELECT lft, rgt FROM " + table_name(t) + " WHERE id = ?", {id});
    if (!r) return std::nullopt;
    return std::make_pair(r->i(0), r->i(1));
}

void insert_at(Conn& c, Table t, long long id, long long lft, const Scope& scope) {
    std::vector<Value> params{lft, lft, lft, lft, id};
    const std::string s = scope_sql(scope, params);
    c.exec("UPDATE " + table_name(t) +
               " SET lft = CASE WHEN lft >= ? THEN lft + 2 ELSE lft END, "
               "rgt = CASE WHEN rgt >= ? THEN rgt + 2 ELSE rgt END "
               "WHERE (lft >= ? OR rgt >= ?) AND id <> ?" +
               s,
           params);
    c.exec("UPDATE " + table_name(t) + " SET lft = ?, rgt = ? WHERE id = ?", {lft, lft + 1, id});
}

void move_to(Conn& c, Table t, long long id, long long target_lft, const Scope& scope) {
    auto b = bounds(c, t, id);
    if (!b) return;
    const long long a = b->first, bb = b->second, cc = target_lft;
    if (cc == a) return;
    const long long width = bb - a + 1;
    std::vector<Value> params;
    std::string sql;
    if (cc > a) {
        // Moving to the right: the subtree shifts by (d - a), the nodes between close up by its width.
        const long long d = cc - width;
        sql = "UPDATE " + table_name(t) +
              " SET lft = CASE WHEN lft BETWEEN ? AND ? THEN lft + ? WHEN lft BETWEEN ? AND ? THEN lft - ? "
              "ELSE lft END, "
              "rgt = CASE WHEN rgt BETWEEN ? AND ? THEN rgt + ? WHEN rgt BETWEEN ? AND ? THEN rgt - ? ELSE "
              "rgt END "
              "WHERE (lft BETWEEN ? AND ? OR rgt BETWEEN ? AND ?)";
        params = {a,     bb,     d - a,  bb + 1, cc - 1, width,  a, bb,
                  d - a, bb + 1, cc - 1, width,  a,      cc - 1, a, cc - 1};
    } else {
        sql = "UPDATE " + table_name(t) +
              " SET lft = CASE WHEN lft BETWEEN ? AND ? THEN lft - ? WHEN lft BETWEEN ? AND ? THEN lft + ? "
              "ELSE lft END, "
              "rgt = CASE WHEN rgt BETWEEN ? AND ? THEN rgt - ? WHEN rgt BETWEEN ? AND ? THEN rgt + ? ELSE "
              "rgt END "
              "WHERE (lft BETWEEN ? AND ? OR rgt BETWEEN ? AND ?)";
        params = {a, bb, a - cc, cc, a - 1, width, a, bb, a - cc, cc, a - 1, width, cc, bb, cc, bb};
    }
    sql += scope_sql(scope, params);
    c.exec(sql, params);
}

void close_gap(Conn& c, Table t, long long lft, long long rgt, const Scope& scope) {
    const long long shift = rgt - lft + 1;
    std::vector<Value> params{lft, shift, lft, shift, lft, lft};
    const std::string s = scope_sql(scope, params);
    c.exec("UPDATE " + table_name(t) +
               " SET lft = CASE WHEN lft > ? THEN lft - ? ELSE lft END, "
               "rgt = CASE WHEN rgt > ? THEN rgt - ? ELSE rgt END WHERE (lft > ? OR rgt > ?)" +
               s,
           params);
}

}  // namespace db::nested_set
