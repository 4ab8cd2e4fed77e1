// What the spec tests share: fresh databases on the backend under test (SPEC_DB=sqlite|mysql) and a
// client that runs the whole request pipeline in-process, without a socket.
//
// SQLite: each database is a file in a temporary directory. MySQL/MariaDB: SPEC_MYSQL_URL names a
// server account that may create databases (e.g. mysql://root@127.0.0.1:3307/); each test database
// is copied from a template made once per run.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "db/database.h"
#include "server/app.h"
#include "server/request.h"

namespace spec {

enum class Data {
    Empty,    // nothing at all
    Default,  // our schema and default data (as `redmine-server db init`)
    Seeded,   // the reference's seeded Redmine database (../shared/reference)
};

bool mysql();  // the backend under test is MySQL/MariaDB
std::string reference_dir();  // ../shared/reference

// A database of its own for one test, dropped (or deleted) at the end.
class TestDb {
public:
    explicit TestDb(Data data);
    ~TestDb();
    TestDb(const TestDb&) = delete;
    TestDb& operator=(const TestDb&) = delete;
    const std::string& url() const { return url_; }
    std::unique_ptr<db::Database> open(size_t pool = 2) const;

private:
    std::string url_, name_, path_;
};

// The seeded users' credentials (see ../shared/reference/README.md).
inline const std::string kAdminKey = "0123456789abcdef0123456789abcdef01234567";
inline const std::string kJsmithKey = "1111111111111111111111111111111111111111";
inline const std::string kDlopperKey = "2222222222222222222222222222222222222222";
inline const std::string kRhillKey = "3333333333333333333333333333333333333333";

struct Call {
    std::string method = "GET";
    std::string target;                         // path and query, e.g. /issues.json?limit=2
    std::map<std::string, std::string> headers; // any case; lower-cased on the way in
    std::string body;
    std::string remote = "127.0.0.1";
};

// An App over a TestDb, called in-process.
class Client {
public:
    explicit Client(Data data = Data::Seeded, app::Config config = {});
    http::Response call(Call c);
    // Shortcuts; `key` empty means no credentials.
    http::Response get(const std::string& target, const std::string& key = kAdminKey);
    http::Response send(const std::string& method, const std::string& target, const std::string& body,
                        const std::string& key = kAdminKey);
    app::App& app() { return *app_; }
    db::Database& database() { return app_->database(); }
    const TestDb& db() const { return *db_; }
    // A value straight from the database, for checking what a write left behind.
    long long scalar(const std::string& sql, const std::vector<db::Value>& params = {});
    void exec(const std::string& sql, const std::vector<db::Value>& params = {});

private:
    std::unique_ptr<TestDb> db_;
    std::unique_ptr<app::App> app_;
};

// Runs one call through any App (a second instance on a Client's database, say).
http::Response call(app::App& app, Call c);

std::string basic(const std::string& user, const std::string& password);
std::string header(const http::Response& r, const std::string& name);  // "" when absent
nlohmann::json json(const http::Response& r);  // parses the body (throws on bad JSON)

}  // namespace spec
