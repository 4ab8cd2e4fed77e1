// What the resource controllers share: registration, building blocks of the response tree
// (references, times, dates) and reading ids from paths and bodies.
#pragma once

#include <optional>
#include <string>

#include "db/database.h"
#include "db/yaml.h"
#include "serializers/tree.h"
#include "server/context.h"
#include "server/paging.h"
#include "server/permissions.h"
#include "server/app.h"
#include "server/router.h"

namespace resources {

using app::Context;
using http::Response;

void register_all(app::Router& r);

// `<project id="1" name="Web Shop"/>` / {"id":1,"name":"Web Shop"}
api::Node ref(long long id, const std::string& name);

// A stored time ("2026-11-22 15:28:32.175491", UTC) as the API shows it ("2026-11-22T15:28:32Z").
std::string api_time(const std::string& stored);
// Nullable columns of a row as tree scalars.
api::Node time_at(const db::Row& r, size_t col);
api::Node date_at(const db::Row& r, size_t col);
api::Node int_at(const db::Row& r, size_t col);
api::Node float_at(const db::Row& r, size_t col);
api::Node str_at(const db::Row& r, size_t col);

// 204 No Content: what PUT and DELETE answer.
inline Response no_content() {
    Response r;
    r.status = 204;
    return r;
}

// A positive integer id from a path segment; anything else is not found (404).
long long id_param(const std::string& text);
// A strictly numeric string as a positive id, or nothing.
std::optional<long long> parse_id(const std::string& text);

// The display name of a user row (firstname, lastname, login) under the user_format setting.
std::string user_name(Context& ctx, const std::string& firstname, const std::string& lastname,
                      const std::string& login);

// A JSON body value as Rails' params would give it to a model: strings as they are, numbers and
// booleans as their text, null as nothing.
std::optional<std::string> body_string(const nlohmann::json& object, const std::string& key);

// ActiveModel's integer cast of a body value: null and blank text are nil, other text is String#to_i.
std::optional<long long> cast_int(const nlohmann::json& v);

}  // namespace resources

namespace resources {
using db::yaml_list;
}  // namespace resources

namespace resources {

struct ProjectRef {
    long long id = 0;
    std::string name, identifier;
    const app::ProjectInfo* info = nullptr;  // status, is_public, enabled modules
};

// Project.find: a numeric id, else an identifier; 404 when there is none.
ProjectRef find_project(Context& ctx, const std::string& id_or_identifier);

// Redmine's authorize: passes when the user has `permission` on the project; otherwise 403 for an
// archived project or a disabled module, else deny_access (403 logged in, 401 anonymous).
void authorize(Context& ctx, const ProjectRef& project, const std::string& permission);

}  // namespace resources
