#include "spec/support.h"

#include <soci/soci-config.h>
#undef SOCI_HAVE_BOOST
#undef SOCI_HAVE_BOOST_DATE_TIME
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "db/schema.h"
#include "server/auth.h"
#include "server/log.h"

namespace fs = std::filesystem;

namespace spec {

namespace {

std::string env(const char* name, const std::string& fallback = "") {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

std::atomic<int> g_counter{0};

const fs::path& temp_dir() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("redmine-spec-" + std::to_string(getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

// The server URL without a database: mysql://user:pass@host:port/
std::string mysql_base() {
    std::string base = env("SPEC_MYSQL_URL");
    if (base.empty()) throw std::runtime_error("SPEC_DB=mysql needs SPEC_MYSQL_URL");
    if (base.back() != '/') base += '/';
    return base;
}

std::unique_ptr<db::Database> mysql_server() { return std::make_unique<db::Database>(db::Config{mysql_base() + "mysql", 1}); }

void copy_mysql_database(db::Conn& c, const std::string& from, const std::string& to) {
    c.ddl("CREATE DATABASE `" + to + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
    for (const auto& r : c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = ?", {from})) {
        const std::string t = r.s(0);
        c.ddl("CREATE TABLE `" + to + "`.`" + t + "` LIKE `" + from + "`.`" + t + "`");
        c.ddl("INSERT INTO `" + to + "`.`" + t + "` SELECT * FROM `" + from + "`.`" + t + "`");
    }
}

// Templates are made once per run: the default data by our own code, the seeded data from the dump
// that the test command loaded (database spec_seeded).
std::string template_for(Data data) {
    static std::mutex m;
    static std::map<Data, std::string> made;
    std::lock_guard<std::mutex> lock(m);
    if (auto it = made.find(data); it != made.end()) return it->second;
    std::string tmpl;
    if (mysql()) {
        if (data == Data::Seeded) {
            tmpl = env("SPEC_MYSQL_SEEDED_DB", "spec_seeded");
        } else {
            tmpl = "spec_tmpl_" + std::to_string(getpid());
            auto server = mysql_server();
            auto c = server->connect();
            c->ddl("DROP DATABASE IF EXISTS `" + tmpl + "`");
            c->ddl("CREATE DATABASE `" + tmpl + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
            db::Database d(db::Config{mysql_base() + tmpl, 1});
            auto dc = d.connect();
            db::create_schema(*dc);
            db::reset_admin(*dc);
        }
    } else {
        if (data == Data::Seeded) {
            tmpl = reference_dir() + "/seeded-redmine.sqlite3";
        } else {
            tmpl = (temp_dir() / "default-template.sqlite3").string();
            db::Database d(db::Config{"sqlite:" + tmpl, 1});
            auto dc = d.connect();
            db::create_schema(*dc);
            db::reset_admin(*dc);
            dc->ddl("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }
    made[data] = tmpl;
    return tmpl;
}

}  // namespace

bool mysql() { return env("SPEC_DB", "sqlite") == "mysql"; }

std::string reference_dir() {
    std::string dir = env("SPEC_REFERENCE");
    if (!dir.empty()) return dir;
    for (const char* candidate : {"../shared/reference", "../../shared/reference", "../../../shared/reference"})
        if (fs::exists(fs::path(candidate) / "seeded-redmine.sqlite3")) return fs::absolute(candidate).string();
    throw std::runtime_error("cannot find shared/reference: set SPEC_REFERENCE");
}

TestDb::TestDb(Data data) {
    const int n = ++g_counter;
    if (mysql()) {
        name_ = "spec_" + std::to_string(getpid()) + "_" + std::to_string(n);
        auto server = mysql_server();
        auto c = server->connect();
        c->ddl("DROP DATABASE IF EXISTS `" + name_ + "`");
        if (data == Data::Empty)
            c->ddl("CREATE DATABASE `" + name_ + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
        else
            copy_mysql_database(*c, template_for(data), name_);
        url_ = mysql_base() + name_;
    } else {
        path_ = (temp_dir() / ("db-" + std::to_string(n) + ".sqlite3")).string();
        if (data != Data::Empty) fs::copy_file(template_for(data), path_, fs::copy_options::overwrite_existing);
        url_ = "sqlite:" + path_;
    }
}

TestDb::~TestDb() {
    try {
        if (!name_.empty()) {
            auto server = mysql_server();
            server->connect()->ddl("DROP DATABASE IF EXISTS `" + name_ + "`");
        } else if (!path_.empty()) {
            for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
        }
    } catch (...) {
    }
}

std::unique_ptr<db::Database> TestDb::open(size_t pool) const {
    return std::make_unique<db::Database>(db::Config{url_, pool});
}

Client::Client(Data data, app::Config config) : db_(std::make_unique<TestDb>(data)) {
    config.database = db_->url();
    // Attachments of this test only (uploads write files).
    if (config.files_dir.empty())
        config.files_dir = (temp_dir() / ("files-" + std::to_string(++g_counter))).string();
    config.pool_size = 2;
    config.log_level = "error";
    logx::set_level("error");
    app_ = std::make_unique<app::App>(config);
}

http::Response Client::call(Call c) { return spec::call(*app_, std::move(c)); }

http::Response call(app::App& app, Call c) {
    http::Request r;
    r.method = c.method;
    r.target = c.target;
    http::parse_target(r);
    for (const auto& [k, v] : c.headers) {
        std::string lower = k;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        r.headers[lower] = v;
    }
    r.body = c.body;
    r.remote = c.remote;
    return app.handle(r);
}

http::Response Client::get(const std::string& target, const std::string& key) {
    Call c;
    c.target = target;
    if (!key.empty()) c.headers["X-Redmine-API-Key"] = key;
    return call(c);
}

http::Response Client::send(const std::string& method, const std::string& target, const std::string& body,
                            const std::string& key) {
    Call c;
    c.method = method;
    c.target = target;
    c.body = body;
    const bool xml = target.find(".xml") != std::string::npos;
    c.headers["Content-Type"] = xml ? "application/xml" : "application/json";
    if (!key.empty()) c.headers["X-Redmine-API-Key"] = key;
    return call(c);
}

long long Client::scalar(const std::string& sql, const std::vector<db::Value>& params) {
    return database().connect()->scalar(sql, params);
}

void Client::exec(const std::string& sql, const std::vector<db::Value>& params) {
    database().connect()->exec(sql, params);
    app_->settings().invalidate();
}

std::string basic(const std::string& user, const std::string& password) {
    static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const std::string in = user + ":" + password;
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += chars[(n >> s) & 63];
    }
    if (i < in.size()) {
        unsigned n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += chars[(n >> 18) & 63];
        out += chars[(n >> 12) & 63];
        out += i + 1 < in.size() ? chars[(n >> 6) & 63] : '=';
        out += '=';
    }
    return "Basic " + out;
}

std::string header(const http::Response& r, const std::string& name) {
    std::string want = name;
    for (auto& ch : want) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (want == "content-type") return r.content_type;
    for (const auto& [k, v] : r.headers) {
        std::string lower = k;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (lower == want) return v;
    }
    return "";
}

nlohmann::json json(const http::Response& r) { return nlohmann::json::parse(r.body); }

}  // namespace spec
