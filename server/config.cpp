#include "server/config.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace app {

namespace {

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

long number(const std::string& key, const std::string& value, long min, long max) {
    char* end = nullptr;
    long n = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end || n < min || n > max)
        throw std::runtime_error("config: " + key + " must be a number from " + std::to_string(min) + " to " +
                                 std::to_string(max));
    return n;
}

std::vector<std::string> split_list(const std::string& v) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= v.size()) {
        auto comma = v.find(',', start);
        std::string item = trim(v.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

// Each setting, with the environment variable that overrides it.
const std::pair<const char*, const char*> kKeys[] = {
    {"address", "REDMINE_ADDRESS"},       {"port", "REDMINE_PORT"},
    {"io_threads", "REDMINE_IO_THREADS"}, {"workers", "REDMINE_WORKERS"},
    {"database", "REDMINE_DATABASE"},     {"pool_size", "REDMINE_POOL_SIZE"},
    {"log_level", "REDMINE_LOG_LEVEL"},   {"max_body_bytes", "REDMINE_MAX_BODY_BYTES"},
    {"header_timeout_s", "REDMINE_HEADER_TIMEOUT_S"}, {"body_timeout_s", "REDMINE_BODY_TIMEOUT_S"},
    {"max_request_line_bytes", "REDMINE_MAX_REQUEST_LINE_BYTES"},
    {"max_header_bytes", "REDMINE_MAX_HEADER_BYTES"}, {"max_headers", "REDMINE_MAX_HEADERS"},
    {"keepalive_timeout_s", "REDMINE_KEEPALIVE_TIMEOUT_S"}, {"max_connections", "REDMINE_MAX_CONNECTIONS"},
    {"shutdown_grace_s", "REDMINE_SHUTDOWN_GRACE_S"},
    {"trusted_proxies", "REDMINE_TRUSTED_PROXIES"},   {"base_url", "REDMINE_BASE_URL"},
    {"files_dir", "REDMINE_FILES_DIR"},
    {"lockout_failures", "REDMINE_LOCKOUT_FAILURES"}, {"lockout_minutes", "REDMINE_LOCKOUT_MINUTES"},
    {"address_failure_limit", "REDMINE_ADDRESS_FAILURE_LIMIT"},
    {"address_failure_window_s", "REDMINE_ADDRESS_FAILURE_WINDOW_S"},
};

}  // namespace

void apply_setting(Config& c, const std::string& key, const std::string& value) {
    if (key == "address") c.address = value;
    else if (key == "port") c.port = static_cast<int>(number(key, value, 0, 65535));
    else if (key == "io_threads") c.io_threads = number(key, value, 1, 256);
    else if (key == "workers") c.workers = number(key, value, 1, 1024);
    else if (key == "database") c.database = value;
    else if (key == "pool_size") c.pool_size = number(key, value, 1, 1024);
    else if (key == "log_level") {
        if (value != "error" && value != "warn" && value != "info" && value != "debug")
            throw std::runtime_error("config: log_level must be error, warn, info or debug");
        c.log_level = value;
    } else if (key == "max_body_bytes") c.max_body_bytes = number(key, value, 1024, 1L << 31);
    else if (key == "header_timeout_s") c.header_timeout_s = static_cast<int>(number(key, value, 1, 3600));
    else if (key == "body_timeout_s") c.body_timeout_s = static_cast<int>(number(key, value, 1, 3600));
    else if (key == "max_request_line_bytes") c.max_request_line_bytes = number(key, value, 256, 1L << 20);
    else if (key == "max_header_bytes") c.max_header_bytes = number(key, value, 1024, 1L << 24);
    else if (key == "max_headers") c.max_headers = number(key, value, 8, 10000);
    else if (key == "keepalive_timeout_s") c.keepalive_timeout_s = static_cast<int>(number(key, value, 1, 3600));
    else if (key == "max_connections") c.max_connections = number(key, value, 16, 1000000);
    else if (key == "shutdown_grace_s") c.shutdown_grace_s = static_cast<int>(number(key, value, 0, 3600));
    else if (key == "trusted_proxies") c.trusted_proxies = split_list(value);
    else if (key == "base_url") {
        c.base_url = value;
        while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
    } else if (key == "files_dir") c.files_dir = value;
    else if (key == "lockout_failures") c.lockout_failures = static_cast<int>(number(key, value, 0, 1000));
    else if (key == "lockout_minutes") c.lockout_minutes = static_cast<int>(number(key, value, 1, 1440));
    else if (key == "address_failure_limit") c.address_failure_limit = static_cast<int>(number(key, value, 0, 1000000));
    else if (key == "address_failure_window_s")
        c.address_failure_window_s = static_cast<int>(number(key, value, 1, 86400));
    else throw std::runtime_error("config: unknown setting " + key);
}

std::string files_directory(const Config& c) {
    if (!c.files_dir.empty()) return c.files_dir;
    const std::string prefix = "sqlite:";
    if (c.database.rfind(prefix, 0) == 0) {
        std::string path = c.database.substr(prefix.size());
        if (path.rfind("//", 0) == 0) path = path.substr(2);
        const auto slash = path.rfind('/');
        if (slash != std::string::npos) return path.substr(0, slash + 1) + "files";
    }
    return "files";
}

Config load_config(const std::string& path) {
    Config c;
    if (!path.empty()) {
        std::ifstream in(path);
        if (!in) throw std::runtime_error("config: cannot read " + path);
        int n = 0;
        for (std::string line; std::getline(in, line);) {
            ++n;
            line = trim(line);
            if (line.empty() || line[0] == '#') continue;
            auto eq = line.find('=');
            if (eq == std::string::npos)
                throw std::runtime_error("config: " + path + ":" + std::to_string(n) + ": key = value expected");
            apply_setting(c, trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
        }
    }
    for (const auto& [key, env] : kKeys)
        if (const char* v = std::getenv(env)) apply_setting(c, key, v);
    return c;
}

}  // namespace app
