// The application: configuration, the database, Redmine's settings and the routes. handle() is the
// whole pipeline for one request, with no socket: server/http_adapter.cpp feeds it from Pistache,
// and spec tests call it directly.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "db/database.h"
#include "server/config.h"
#include "server/request.h"
#include "server/router.h"

namespace app {

// Redmine's Setting: stored values over config/settings.yml defaults. Cached briefly, because
// other servers (or Redmine itself) may change them.
class Settings {
public:
    // Reads through the caller's connection: a request never holds two pool slots at once.
    std::string get(db::Conn& c, const std::string& name);
    bool enabled(db::Conn& c, const std::string& name) { return get(c, name) == "1"; }
    void invalidate();

private:
    std::mutex mutex_;
    std::map<std::string, std::string> values_;
    std::chrono::steady_clock::time_point loaded_{};
};

// The request line as the access log shows it: secrets (key, passwords) filtered out.
std::string loggable_target(const http::Request& req);

class App {
public:
    explicit App(Config config);
    http::Response handle(const http::Request& req);

    const Config& config() const { return config_; }
    db::Database& database() { return *db_; }
    Settings& settings() { return settings_; }
    Router& router() { return router_; }

private:
    http::Response dispatch(const http::Request& req, std::string& user_label);
    Config config_;
    std::unique_ptr<db::Database> db_;
    Settings settings_;
    Router router_;
};

}  // namespace app
