#include "server/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace logx {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::mutex g_mutex;
const char* names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
}  // namespace

void set_level(const std::string& name) {
    Level l = name == "error" ? Level::Error : name == "warn" ? Level::Warn : name == "debug" ? Level::Debug : Level::Info;
    g_level = static_cast<int>(l);
}

bool enabled(Level l) { return static_cast<int>(l) <= g_level.load(); }

void write(Level l, const std::string& line) {
    if (!enabled(l)) return;
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[32];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::lock_guard<std::mutex> lock(g_mutex);
    std::fprintf(stderr, "%s %s %s\n", ts, names[static_cast<int>(l)], line.c_str());
}

}  // namespace logx
