#include "resources/common.h"

#include <nlohmann/json.hpp>

#include "server/app.h"
#include "server/paging.h"

namespace resources {

api::Node ref(long long id, const std::string& name) {
    api::Node n = api::Node::object();
    n.attr("id", id).attr("name", name);
    return n;
}

std::string api_time(const std::string& stored) {
    if (stored.size() < 19) return stored;
    return stored.substr(0, 10) + "T" + stored.substr(11, 8) + "Z";
}

api::Node time_at(const db::Row& r, size_t col) {
    if (r.null(col)) return nullptr;
    return api_time(r.s(col));
}

api::Node date_at(const db::Row& r, size_t col) {
    if (r.null(col)) return nullptr;
    return r.s(col).substr(0, 10);
}

api::Node int_at(const db::Row& r, size_t col) {
    if (r.null(col)) return nullptr;
    return r.i(col);
}

api::Node float_at(const db::Row& r, size_t col) {
    if (r.null(col)) return nullptr;
    return r.f(col);
}

api::Node str_at(const db::Row& r, size_t col) {
    if (r.null(col)) return nullptr;
    return r.s(col);
}

std::optional<long long> parse_id(const std::string& text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    for (char c : text)
        if (c < '0' || c > '9') return std::nullopt;
    long long id = std::stoll(text);
    if (id <= 0) return std::nullopt;
    return id;
}

long long id_param(const std::string& text) {
    auto id = parse_id(text);
    if (!id) throw app::HttpError{404};
    return *id;
}

std::string user_name(Context& ctx, const std::string& firstname, const std::string& lastname,
                      const std::string& login) {
    // Redmine's User::USER_FORMATS
    const std::string f = ctx.setting("user_format");
    if (f == "firstname_lastname" || f == ":firstname_lastname" || f.empty()) return firstname + " " + lastname;
    if (f == "firstname") return firstname;
    if (f == "lastname_firstname") return lastname + " " + firstname;
    if (f == "lastnamefirstname") return lastname + firstname;
    if (f == "lastname_comma_firstname") return lastname + ", " + firstname;
    if (f == "lastname") return lastname;
    if (f == "username") return login;
    if (f == "firstinitial_lastname") return firstname.substr(0, 1) + ". " + lastname;
    if (f == "firstname_lastinitial") return firstname + " " + lastname.substr(0, 1) + ".";
    return firstname + " " + lastname;
}

std::optional<std::string> body_string(const nlohmann::json& object, const std::string& key) {
    if (!object.is_object()) return std::nullopt;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
    if (it->is_number_integer()) return std::to_string(it->get<long long>());
    if (it->is_number()) return it->dump();
    return it->dump();
}

std::optional<long long> cast_int(const nlohmann::json& v) {
    if (v.is_null()) return std::nullopt;
    if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
    if (v.is_number_integer()) return v.get<long long>();
    if (v.is_number()) return static_cast<long long>(v.get<double>());
    if (v.is_string()) {
        const auto s = v.get<std::string>();
        if (s.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
        return app::ruby_to_i(s);
    }
    return std::nullopt;
}

}  // namespace resources

namespace resources {

ProjectRef find_project(Context& ctx, const std::string& id_or_identifier) {
    std::optional<db::Row> row;
    bool numeric = !id_or_identifier.empty() && id_or_identifier.find_first_not_of("0123456789") == std::string::npos;
    if (numeric && id_or_identifier.size() <= 18)
        row = ctx.db().one("SELECT id, name, identifier FROM projects WHERE id = ?", {std::stoll(id_or_identifier)});
    else if (!numeric)
        row = ctx.db().one("SELECT id, name, identifier FROM projects WHERE identifier = ?", {id_or_identifier});
    if (!row) throw app::HttpError{404};
    ProjectRef p{row->i(0), row->s(1), row->s(2), ctx.perms().project(row->i(0))};
    if (!p.info) throw app::HttpError{404};
    return p;
}

void authorize(Context& ctx, const ProjectRef& project, const std::string& permission) {
    if (ctx.perms().allowed_to(permission, *project.info)) return;
    if (project.info->archived() || !project.info->allows(permission)) throw app::HttpError{403};
    ctx.deny();
}

}  // namespace resources
