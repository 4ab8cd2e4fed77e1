// (method, path pattern) -> action. Patterns are segments with :params, e.g. /issues/:id.
// The format suffix (.json, .xml) is split off the path before matching.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "server/request.h"

namespace app {

class Context;
using Action = std::function<http::Response(Context&)>;

class Router {
public:
    void add(const std::string& method, const std::string& pattern, Action action);
    // A route matched against the whole path, before any format suffix is split off, and run
    // whatever the suffix (file downloads: /attachments/download/1/cart.log).
    void add_raw(const std::string& method, const std::string& pattern, Action action);

    struct Match {
        const Action* action = nullptr;
        std::map<std::string, std::string> params;
        bool path_known = false;  // some route has this path (for 404 vs 405-like answers)
    };
    Match match(const std::string& method, const std::string& path) const;
    Match match_raw(const std::string& method, const std::string& path) const;

private:
    struct Route {
        std::string method;
        std::vector<std::string> segments;
        Action action;
        bool raw = false;
    };
    Match find(const std::string& method, const std::string& path, bool raw) const;
    std::vector<Route> routes_;
};

// Splits "/issues/1.json" into "/issues/1" and "json"; no suffix gives "".
std::pair<std::string, std::string> split_format(const std::string& path);

}  // namespace app
