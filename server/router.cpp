#include "server/router.h"

namespace app {

namespace {
std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        auto next = path.find('/', i);
        out.push_back(path.substr(i, next == std::string::npos ? std::string::npos : next - i));
        if (next == std::string::npos) break;
        i = next;
    }
    return out;
}
}  // namespace

void Router::add(const std::string& method, const std::string& pattern, Action action) {
    routes_.push_back({method, segments(pattern), std::move(action)});
}

void Router::add_raw(const std::string& method, const std::string& pattern, Action action) {
    routes_.push_back({method, segments(pattern), std::move(action), true});
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
    return find(method, path, false);
}

Router::Match Router::match_raw(const std::string& method, const std::string& path) const {
    return find(method, path, true);
}

Router::Match Router::find(const std::string& method, const std::string& path, bool raw) const {
    Match m;
    const auto parts = segments(path);
    for (const auto& r : routes_) {
        if (r.raw != raw || r.segments.size() != parts.size()) continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (size_t i = 0; i < parts.size() && ok; ++i) {
            const auto& s = r.segments[i];
            if (!s.empty() && s[0] == ':') {
                if (parts[i].empty()) ok = false;
                else params[s.substr(1)] = parts[i];
            } else {
                ok = s == parts[i];
            }
        }
        if (!ok) continue;
        m.path_known = true;
        if (r.method == method || (method == "HEAD" && r.method == "GET")) {
            m.action = &r.action;
            m.params = std::move(params);
            return m;
        }
    }
    return m;
}

std::pair<std::string, std::string> split_format(const std::string& path) {
    auto slash = path.rfind('/');
    auto dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {path, ""};
    return {path.substr(0, dot), path.substr(dot + 1)};
}

}  // namespace app
