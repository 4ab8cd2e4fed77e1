#include "db/schema.h"

#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

#include "server/password.h"

namespace db {

namespace embedded {
extern const std::string_view sqlite_schema_sql;
extern const std::string_view mysql_schema_sql;
extern const std::string_view default_data_json;
extern const std::string_view schema_migrations_txt;
}  // namespace embedded

namespace {

std::vector<std::string> lines(std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

std::vector<std::string> table_names(Conn& c) {
    Rows rows = c.backend() == Backend::Sqlite
                    ? c.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                    : c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()");
    std::vector<std::string> out;
    for (const Row& r : rows) out.push_back(r.s(0));
    return out;
}

Value json_value(const nlohmann::json& v, const std::string& now) {
    if (v.is_null()) return Value{};
    if (v.is_number_integer()) return Value{v.get<long long>()};
    if (v.is_number()) return Value{v.get<double>()};
    std::string s = v.get<std::string>();
    return s == "{now}" ? Value{now} : Value{s};
}

void load_default_data(Conn& c) {
    const std::string now = c.now();
    for (const auto& version : lines(embedded::schema_migrations_txt))
        c.exec("INSERT INTO schema_migrations (version) VALUES (?)", {version});
    for (const auto& table : nlohmann::json::parse(embedded::default_data_json)) {
        std::string cols, marks;
        for (const auto& col : table["columns"]) {
            cols += (cols.empty() ? "" : ", ") + ident(c, col.get<std::string>());
            marks += marks.empty() ? "?" : ", ?";
        }
        const std::string name = table["table"].get<std::string>();
        const std::string sql = "INSERT INTO " + ident(c, name) + " (" + cols + ") VALUES (" + marks + ")";
        for (const auto& row : table["rows"]) {
            std::vector<Value> params;
            for (const auto& v : row) params.push_back(json_value(v, now));
            c.exec(sql, params);
        }
    }
    // Redmine's default data leaves this counter behind; keep the file identical.
    if (c.backend() == Backend::Sqlite) c.exec("INSERT INTO sqlite_sequence (name, seq) VALUES ('watchers', 0)");
    c.exec("INSERT INTO settings (name, value, updated_on) VALUES ('rest_api_enabled', '1', ?)", {now});
}

}  // namespace

std::string ident(const Conn& c, const std::string& name) {
    return c.backend() == Backend::Mysql ? "`" + name + "`" : "\"" + name + "\"";
}

SchemaState inspect_schema(Conn& c) {
    const auto tables = table_names(c);
    if (tables.empty()) return SchemaState::Empty;
    std::set<std::string> have(tables.begin(), tables.end());
    if (!have.count("schema_migrations"))
        throw Error("the database is not empty and has no schema_migrations table: not a Redmine database");
    std::set<std::string> versions;
    for (const Row& r : c.query("SELECT version FROM schema_migrations")) versions.insert(r.s(0));
    const auto expected = lines(embedded::schema_migrations_txt);
    std::vector<std::string> missing;
    for (const auto& v : expected)
        if (!versions.count(v)) missing.push_back(v);
    if (!missing.empty())
        throw Error("the database is not at Redmine 5.0's schema: " + std::to_string(missing.size()) +
                    " of its migrations are missing (first: " + missing.front() + ")");
    // Core migrations are plain timestamps; plugins' are "N-plugin". A newer core one means a newer Redmine.
    std::string last;
    for (const auto& v : expected)
        if (v.size() > last.size() || (v.size() == last.size() && v > last)) last = v;
    for (const auto& v : versions) {
        if (v.find('-') == std::string::npos && v.size() == last.size() && v > last)
            throw Error("the database has migrations newer than Redmine 5.0 (" + v +
                        "): a newer Redmine's schema is not served");
    }
    return SchemaState::Redmine50;
}

void create_schema(Conn& c) {
    Tx tx(c);
    const auto& ddl = c.backend() == Backend::Sqlite ? embedded::sqlite_schema_sql : embedded::mysql_schema_sql;
    // MySQL commits DDL implicitly; the transaction still makes the data load atomic.
    for (const auto& stmt : lines(ddl)) c.ddl(stmt);
    load_default_data(c);
    tx.commit();
}

AdminCredentials reset_admin(Conn& c) {
    Tx tx(c);
    auto row = c.one("SELECT id, login FROM users WHERE type = 'User' AND admin = 1 ORDER BY id LIMIT 1");
    if (!row) throw Error("no admin account in the database");
    const long long id = row->i(0);
    AdminCredentials out{row->s(1), auth::random_password(), auth::random_hex(20)};
    const std::string salt = auth::random_hex(16), now = c.now();
    c.exec(
        "UPDATE users SET hashed_password = ?, salt = ?, must_change_passwd = ?, passwd_changed_on = ?, "
        "status = 1, updated_on = ? WHERE id = ?",
        {auth::salted_hash(out.password, salt), salt, 0LL, now, now, id});
    c.exec("DELETE FROM tokens WHERE user_id = ? AND action = 'api'", {id});
    c.exec("INSERT INTO tokens (user_id, action, value, created_on, updated_on) VALUES (?, 'api', ?, ?, ?)",
           {id, out.api_key, now, now});
    tx.commit();
    return out;
}

}  // namespace db
