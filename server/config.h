// Server configuration: a `key = value` file (config/redmine.conf) overridden by REDMINE_* variables.
#pragma once

#include <string>
#include <vector>

namespace app {

struct Config {
    std::string address = "127.0.0.1";
    int port = 3000;
    size_t io_threads = 2;   // Pistache's I/O threads: they only parse and write
    size_t workers = 4;      // handler threads: the database work runs here
    std::string database = "sqlite:db/redmine.sqlite3";
    size_t pool_size = 4;            // database connections; at least `workers` avoids waiting on the pool
    std::string log_level = "info";  // error, warn, info, debug
    size_t max_body_bytes = 10 * 1024 * 1024;  // a larger body: 413
    size_t max_request_line_bytes = 8 * 1024;  // a longer request target: 414
    size_t max_header_bytes = 32 * 1024;       // a larger header block: 431
    size_t max_headers = 100;                  // more header fields: 431
    int header_timeout_s = 10;                 // from a request's first byte to its last header
    int body_timeout_s = 60;                   // the longest pause while a body arrives
    int keepalive_timeout_s = 60;              // an idle connection between requests
    size_t max_connections = 10000;            // open connections; more are closed at once
    int shutdown_grace_s = 30;                 // SIGTERM: how long requests in work may finish
    std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-* headers are believed
    std::string base_url;                      // e.g. https://intranet.example/redmine; empty: from the request
    std::string files_dir;                     // attachments (Redmine's files/); empty: see files_directory
    // The brute-force guard of password logins (server/password_login.h).
    int lockout_failures = 3;           // consecutive wrong passwords that lock an account; 0: never
    int lockout_minutes = 15;           // how long; at most a day (the failures are kept a day)
    int address_failure_limit = 20;     // refused logins from one address within the window; 0: no limit
    int address_failure_window_s = 60;
};

// Where attachments are stored: files_dir when set, else `files` beside an SQLite database file
// (db/data/files for sqlite:db/data/redmine.sqlite3), else ./files.
std::string files_directory(const Config& c);

// Reads the file (when path is not empty) then the environment. Throws std::runtime_error with
// the offending line or variable on a bad value.
Config load_config(const std::string& path);
void apply_setting(Config& c, const std::string& key, const std::string& value);

}  // namespace app
