// The server binary: serve the API, or manage the database (see --help).
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/schema.h"
#include "server/app.h"
#include "server/config.h"
#include "server/http_adapter.h"
#include "server/log.h"

namespace {

const char* kUsage = R"(redmine-server: a Redmine 5.0 compatible REST API server

Usage: redmine-server [OPTIONS] [COMMAND]

Commands:
  serve         serve the API (the default); an empty database is created first
  db init       create Redmine 5.0's schema and default data on an empty database
  db check      check that the database holds Redmine 5.0's schema (exit 0) or say why not (exit 1)
  admin reset   give the admin account a new random password and API key, printed once

Options:
  --config FILE     settings file (key = value), e.g. config/redmine.conf
  --database URL    sqlite:PATH or mysql://USER:PASSWORD@HOST:PORT/DATABASE
  --address ADDR    listen address (default 127.0.0.1)
  --port N          listen port (default 3000; 0 picks a free one)
  -h, --help        this text

Every setting can also come from the environment (REDMINE_DATABASE, REDMINE_PORT, ...): see
config/redmine.conf.
)";

void print_admin(const db::AdminCredentials& a) {
    std::printf(
        "Created the admin account. Its credentials are shown only this once:\n"
        "  login:    %s\n  password: %s\n  API key:  %s\n",
        a.login.c_str(), a.password.c_str(), a.api_key.c_str());
    std::fflush(stdout);
}

// Creates the schema on an empty database; refuses anything that is not Redmine 5.0's.
bool prepare_database(db::Database& database, bool announce) {
    auto conn = database.connect();
    if (db::inspect_schema(*conn) == db::SchemaState::Redmine50) return false;
    db::create_schema(*conn);
    auto admin = db::reset_admin(*conn);
    if (announce) print_admin(admin);
    return true;
}

void raise_file_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// glibc hands freed memory back to the kernel as soon as the top of a thread's heap is free; a request
// frees all it took, so each one paid for madvise and page faults again (a fifth of a list's CPU time).
// Keeping a few megabytes per heap costs little memory with a handful of threads.
void keep_freed_memory() {
    mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TOP_PAD, 4 * 1024 * 1024);
}

int serve(app::Config config) {
    raise_file_limit();
    keep_freed_memory();
    // Signals are taken by sigwait below, not by whichever thread they land on.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);

    app::App application(config);
    prepare_database(application.database(), true);
    app::HttpServer server(application);
    server.start();
    logx::info("serving on " + config.address + ":" + std::to_string(server.port()) + " (" + config.database.substr(0, 6) +
               "...)");
    int sig = 0;
    sigwait(&set, &sig);
    logx::info("stopping: finishing the requests in flight");
    if (!server.stop(config.shutdown_grace_s)) {
        // Something is stuck past the grace period (a database that stopped answering): leave now
        // rather than wait for it; what was in work rolls back with its transaction.
        logx::warn("stopped with requests still in work");
        std::fflush(nullptr);
        std::_Exit(0);
    }
    logx::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path;
    std::vector<std::pair<std::string, std::string>> overrides;
    std::vector<std::string> command;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* key) {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            overrides.emplace_back(key, argv[++i]);
        };
        try {
            if (a == "-h" || a == "--help") {
                std::fputs(kUsage, stdout);
                return 0;
            } else if (a == "--config") {
                if (i + 1 >= argc) throw std::runtime_error("--config needs a value");
                config_path = argv[++i];
            } else if (a == "--database") {
                value("database");
            } else if (a == "--address") {
                value("address");
            } else if (a == "--port") {
                value("port");
            } else if (!a.empty() && a[0] == '-') {
                throw std::runtime_error("unknown option " + a);
            } else {
                command.push_back(a);
            }
        } catch (const std::exception& e) {
            std::fprintf(stderr, "redmine-server: %s\n%s", e.what(), kUsage);
            return 2;
        }
    }
    try {
        app::Config config = app::load_config(config_path);
        for (const auto& [k, v] : overrides) app::apply_setting(config, k, v);
        logx::set_level(config.log_level);
        const std::string cmd = command.empty() ? "serve" : command[0] + (command.size() > 1 ? " " + command[1] : "");
        if (cmd == "serve") return serve(config);
        db::Database database(db::Config{config.database, 1});
        if (cmd == "db init") {
            if (!prepare_database(database, true)) std::puts("The database already holds Redmine 5.0's schema.");
            return 0;
        }
        if (cmd == "db check") {
            auto conn = database.connect();
            if (db::inspect_schema(*conn) == db::SchemaState::Empty) {
                std::puts("The database is empty.");
                return 1;
            }
            std::puts("The database holds Redmine 5.0's schema.");
            return 0;
        }
        if (cmd == "admin reset") {
            auto conn = database.connect();
            print_admin(db::reset_admin(*conn));
            return 0;
        }
        std::fprintf(stderr, "redmine-server: unknown command '%s'\n%s", cmd.c_str(), kUsage);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "redmine-server: %s\n", e.what());
        return 1;
    }
}
