// What a controller action gets: the request, its format, the route's parameters, the current
// user, a database connection and the shared permission checks. Actions answer by returning a
// Response or throwing one of the errors below; the pipeline renders both.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "serializers/render.h"
#include "server/request.h"

namespace app {

class App;

// The user a request runs as (Redmine's User.current).
struct CurrentUser {
    long long id = 0;  // the AnonymousUser row's id when anonymous
    bool anonymous = true;
    bool admin = false;
    std::string login, firstname, lastname;
    int status = 1;
};

// An answer with a status and an empty body (401, 403, 404, 406, 412, ...).
struct HttpError {
    int status;
    bool challenge = true;  // a 401 offers Basic auth (WWW-Authenticate) unless false
    int retry_after_s = 0;  // sent as Retry-After when positive (429)
};
// 422 with Redmine's {"errors": [...]}.
struct ValidationError {
    std::vector<std::string> messages;
};
// 400 for a body that does not parse.
struct BadRequest {};

class Permissions;

class Context {
public:
    Context(App& app, const http::Request& req, api::Format format);
    ~Context();

    App& app;
    const http::Request& req;
    api::Format format;
    std::map<std::string, std::string> route;  // Rails' path parameters: :id and friends, and format
    CurrentUser user;

    db::Conn& db();
    // Redmine's Setting[name], read through this request's connection.
    std::string setting(const std::string& name);
    bool setting_enabled(const std::string& name);
    Permissions& perms();
    // Rails' params: the body (JSON, XML, urlencoded or multipart, by Content-Type), the query string
    // (Rack's nesting: f[]=a, v[status_id][]=1) and the route's parameters, merged as Rails merges them
    // (serializers/body.h). Read once; throws what the parsers throw (400, 406).
    const nlohmann::json& params() const;
    // params[name] as text when it is a scalar (a string, or a JSON number or boolean); nothing when it
    // is missing, null, an array or a hash.
    std::optional<std::string> param(const std::string& name) const;
    // The route parameter, or throws HttpError 404.
    const std::string& route_param(const std::string& name) const;
    // An absolute URL for a path, honouring the configured base URL and trusted proxies.
    std::string url_for(const std::string& path) const;
    // The client's address: the peer's, or behind a trusted proxy the nearest untrusted address of
    // X-Forwarded-For (as Rails' remote_ip reads it).
    std::string client_address() const;

    // Convenience answers.
    http::Response render(const api::Document& doc, int status = 200) const;
    [[noreturn]] void deny() const;  // 403 for a logged-in user, 401 for anonymous (Redmine's deny_access)
    void require_login() const;      // 401 for anonymous
    void require_admin() const;      // 401 anonymous, 403 non-admin

private:
    std::unique_ptr<db::Conn> conn_;
    std::unique_ptr<Permissions> perms_;
    mutable std::optional<nlohmann::json> params_;
};

}  // namespace app
