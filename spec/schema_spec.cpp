// The schema and default data we create equal what Redmine 5.0.4 itself creates (compared with the
// reference databases and dumps in ../shared/reference), and an existing Redmine database is
// served without being altered.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "db/schema.h"
#include "spec/support.h"

using namespace spec;

namespace {

using Table = std::vector<std::vector<std::string>>;

std::string cell(const db::Row& r, size_t i) { return r.null(i) ? "<NULL>" : r.s(i); }

Table rows(db::Conn& c, const std::string& sql, const std::vector<db::Value>& params = {}) {
    Table out;
    for (const auto& r : c.query(sql, params)) {
        std::vector<std::string> line;
        for (size_t i = 0; i < r.cols.size(); ++i) line.push_back(cell(r, i));
        out.push_back(line);
    }
    return out;
}

// The schema as the backend describes it: every table, column, type, default, index.
Table describe_schema(db::Conn& c, const std::string& mysql_db) {
    if (c.backend() == db::Backend::Sqlite)
        return rows(c, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name <> 'sqlite_sequence' "
                       "ORDER BY type, name");
    Table t = rows(c,
                   "SELECT table_name, column_name, ordinal_position, column_default, is_nullable, column_type, extra "
                   "FROM information_schema.columns WHERE table_schema = ? ORDER BY table_name, ordinal_position",
                   {mysql_db});
    Table idx = rows(c,
                     "SELECT table_name, index_name, seq_in_index, column_name, non_unique FROM "
                     "information_schema.statistics WHERE table_schema = ? ORDER BY table_name, index_name, seq_in_index",
                     {mysql_db});
    Table opts = rows(c,
                      "SELECT table_name, engine, table_collation FROM information_schema.tables WHERE table_schema = ? "
                      "ORDER BY table_name",
                      {mysql_db});
    t.insert(t.end(), idx.begin(), idx.end());
    t.insert(t.end(), opts.begin(), opts.end());
    return t;
}

std::string db_name(const std::string& url) { return url.substr(url.rfind('/') + 1); }

std::vector<std::string> file_lines(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// Redmine's default data as its own dump has it, loaded into a database that holds only our schema.
void load_reference_default_data(db::Conn& c) {
    const std::string file = reference_dir() + (mysql() ? "/redmine-5.0-mysql-default-data.sql"
                                                        : "/redmine-5.0-sqlite-default-data.sql");
    for (const auto& line : file_lines(file))
        if (line.rfind("INSERT INTO", 0) == 0 && line.find("sqlite_sequence") == std::string::npos) c.ddl(line);
}

// Columns that differ on every install (times, the admin's random password) are left out.
const std::set<std::string> kVolatile = {"created_on", "updated_on", "created_at", "updated_at", "hashed_password",
                                         "salt",       "must_change_passwd", "passwd_changed_on"};

Table table_data(db::Conn& c, const std::string& table) {
    std::vector<std::string> cols;
    if (c.backend() == db::Backend::Sqlite) {
        for (const auto& r : c.query("SELECT name FROM pragma_table_info(?)", {table})) cols.push_back(r.s(0));
    } else {
        for (const auto& r : c.query("SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() "
                                     "AND table_name = ? ORDER BY ordinal_position",
                                     {table}))
            cols.push_back(r.s(0));
    }
    std::string list;
    for (const auto& col : cols)
        if (!kVolatile.count(col)) list += (list.empty() ? "" : ", ") + db::ident(c, col);
    const std::string order = table == "schema_migrations" ? "version" : table == "ar_internal_metadata" ? "1" : "id";
    return rows(c, "SELECT " + list + " FROM " + db::ident(c, table) + " ORDER BY " + order);
}

const char* kDefaultDataTables[] = {"schema_migrations", "ar_internal_metadata", "email_addresses", "enumerations",
                                    "issue_statuses",    "queries",              "roles",           "trackers",
                                    "users",             "workflows"};

}  // namespace

TEST_CASE("an empty database gets exactly Redmine 5.0's schema") {
    TestDb ours(Data::Default);
    TestDb redmine(Data::Seeded);  // made by Redmine 5.0.4 itself
    auto a = ours.open(1);
    auto b = redmine.open(1);
    auto ca = a->connect();
    auto cb = b->connect();
    const Table mine = describe_schema(*ca, db_name(ours.url()));
    const Table theirs = describe_schema(*cb, db_name(redmine.url()));
    REQUIRE(mine.size() > 100);
    CHECK(mine.size() == theirs.size());
    for (size_t i = 0; i < std::min(mine.size(), theirs.size()); ++i) CHECK(mine[i] == theirs[i]);
    CHECK(db::inspect_schema(*ca) == db::SchemaState::Redmine50);
}

TEST_CASE("the default data equals Redmine's load_default_data, row by row") {
    TestDb ours(Data::Default);
    TestDb reference(Data::Empty);
    auto a = ours.open(1);
    auto ca = a->connect();
    auto b = reference.open(1);
    auto cb = b->connect();
    // The reference side: our schema (proven equal above) plus Redmine's own default-data dump.
    db::create_schema(*cb);
    for (const char* t : kDefaultDataTables) cb->exec(std::string("DELETE FROM ") + db::ident(*cb, t));
    cb->exec("DELETE FROM settings");
    load_reference_default_data(*cb);
    for (const char* t : kDefaultDataTables) {
        CAPTURE(t);
        const Table mine = table_data(*ca, t), theirs = table_data(*cb, t);
        CHECK(mine.size() == theirs.size());
        CHECK(mine == theirs);
    }
    // Redmine's one setting, plus the REST API that we enable.
    CHECK(rows(*ca, "SELECT name, value FROM settings ORDER BY id") ==
          Table{{"default_projects_tracker_ids", "---\n- '1'\n- '2'\n- '3'\n"}, {"rest_api_enabled", "1"}});
}

TEST_CASE("the admin gets a random password and API key, never admin/admin") {
    Client client(Data::Default);
    auto c = client.database().connect();
    auto first = db::reset_admin(*c);
    auto second = db::reset_admin(*c);
    CHECK(first.login == "admin");
    CHECK(first.password.size() == 16);
    CHECK(first.password != "admin");
    CHECK(first.password != second.password);
    CHECK(first.api_key.size() == 40);
    CHECK(client.get("/users/current.json", "").status == 401);
    CHECK(client.get("/users/current.json", second.api_key).status == 200);
    CHECK(client.get("/users/current.json", first.api_key).status == 401);  // replaced: runs as anonymous
    Call basic_call;
    basic_call.target = "/users/current.json";
    basic_call.headers["Authorization"] = basic("admin", second.password);
    CHECK(client.call(basic_call).status == 200);
    basic_call.headers["Authorization"] = basic("admin", "admin");
    CHECK(client.call(basic_call).status == 401);
}

TEST_CASE("an existing Redmine 5.0 database is served without altering its schema") {
    TestDb seeded(Data::Seeded);
    Table before, after;
    {
        auto d = seeded.open(1);
        auto c = d->connect();
        before = describe_schema(*c, db_name(seeded.url()));
    }
    app::Config config;
    config.database = seeded.url();
    app::App application(config);
    {
        auto c = application.database().connect();
        CHECK(db::inspect_schema(*c) == db::SchemaState::Redmine50);
        after = describe_schema(*c, db_name(seeded.url()));
        CHECK(c->scalar("SELECT COUNT(*) FROM schema_migrations") == 301);
        CHECK(c->scalar("SELECT COUNT(*) FROM issues") == 30);
    }
    CHECK(before == after);
}

TEST_CASE("a database that is not Redmine 5.0's is refused with a clear message") {
    SUBCASE("a foreign table") {
        TestDb d(Data::Empty);
        auto database = d.open(1);
        auto c = database->connect();
        c->ddl("CREATE TABLE wordpress_posts (id INTEGER)");
        CHECK_THROWS_WITH_AS(db::inspect_schema(*c), doctest::Contains("not a Redmine database"), db::Error);
    }
    SUBCASE("an older Redmine") {
        TestDb d(Data::Default);
        auto database = d.open(1);
        auto c = database->connect();
        c->exec("DELETE FROM schema_migrations WHERE version = '20220224194639'");
        CHECK_THROWS_WITH_AS(db::inspect_schema(*c), doctest::Contains("migrations are missing"), db::Error);
    }
    SUBCASE("a newer Redmine") {
        TestDb d(Data::Default);
        auto database = d.open(1);
        auto c = database->connect();
        c->exec("INSERT INTO schema_migrations (version) VALUES ('20230418000000')");
        CHECK_THROWS_WITH_AS(db::inspect_schema(*c), doctest::Contains("newer than Redmine 5.0"), db::Error);
    }
    SUBCASE("an empty database is recognised as empty") {
        TestDb d(Data::Empty);
        auto database = d.open(1);
        auto c = database->connect();
        CHECK(db::inspect_schema(*c) == db::SchemaState::Empty);
    }
}

TEST_CASE("a lost MySQL/MariaDB connection is reopened for the next statement") {
    if (!mysql()) {
        MESSAGE("MySQL/MariaDB only: SQLite has no server connection to lose");
        return;
    }
    TestDb d(Data::Default);
    auto database = d.open(1);
    auto killer = d.open(1);
    long long id = 0;
    {
        auto c = database->connect();
        id = c->scalar("SELECT CONNECTION_ID()");
    }
    killer->connect()->exec("KILL CONNECTION " + std::to_string(id));
    auto c = database->connect();
    CHECK(c->scalar("SELECT COUNT(*) FROM issue_statuses") == 6);
    CHECK(c->scalar("SELECT CONNECTION_ID()") != id);
    // The session is set up again as Rails' adapter does.
    CHECK(c->one("SELECT @@SESSION.sql_mode")->s(0).find("STRICT_ALL_TABLES") != std::string::npos);
}
