// /users, /users/current, /users/:id: the list, one user, and (admins only) create, update, delete,
// validated and stored as Redmine's User model does.
#include "resources/users.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "resources/custom_values.h"
#include "resources/groups.h"
#include "server/password.h"
#include "server/password_login.h"

namespace resources {

constexpr long long kStatusAnonymous = 0, kStatusActive = 1, kStatusRegistered = 2, kStatusLocked = 3;

std::optional<UserRecord> find_user(Context& ctx, long long id) {
    auto& db = ctx.db();
    auto r = db.one(
        "SELECT u.id, u.login, u.firstname, u.lastname, u.admin, u.status, u.created_on, u.updated_on, "
        "u.last_login_on, u.passwd_changed_on, u.twofa_scheme, u.type, u.mail_notification, u.language, "
        "(SELECT e.address FROM email_addresses e WHERE e.user_id = u.id AND e.is_default = ? ORDER BY e.id "
        "LIMIT 1), "
        "(SELECT p.hide_mail FROM user_preferences p WHERE p.user_id = u.id ORDER BY p.id LIMIT 1) "
        "FROM users u WHERE u.id = ? AND u.type = 'User'",
        {1LL, id});
    if (!r) return std::nullopt;
    UserRecord u;
    u.id = r->i(0);
    u.login = r->s(1);
    u.firstname = r->s(2);
    u.lastname = r->s(3);
    u.admin = r->b(4);
    u.status = static_cast<int>(r->i(5));
    u.created_on = time_at(*r, 6);
    u.updated_on = time_at(*r, 7);
    u.last_login_on = time_at(*r, 8);
    u.passwd_changed_on = time_at(*r, 9);
    u.twofa_scheme = str_at(*r, 10);
    u.type = r->s(11);
    u.mail_notification = r->s(12);
    u.language = r->s(13);
    u.mail = r->os(14);
    u.hide_mail = r->null(15) ? ctx.setting_enabled("default_users_hide_mail") : r->b(15);
    return u;
}

std::string api_key_of(Context& ctx, long long user_id) {
    auto& db = ctx.db();
    if (auto row = db.one("SELECT value FROM tokens WHERE user_id = ? AND action = 'api' ORDER BY id LIMIT 1",
                          {user_id}))
        return row->s(0);
    const std::string key = auth::random_hex(20), now = db.now();
    db.exec("INSERT INTO tokens (user_id, action, value, created_on, updated_on) VALUES (?, 'api', ?, ?, ?)",
            {user_id, key, now, now});
    return key;
}

std::optional<api::Node> user_custom_fields(Context& ctx, long long user_id) {
    auto fields = custom_fields_of(ctx.db(), "UserCustomField");
    if (!ctx.user.admin) std::erase_if(fields, [](const CustomFieldDef& f) { return !f.visible; });
    return custom_fields_node(fields, load_custom_values(ctx.db(), "Principal", {user_id}), user_id);
}

// Principal.visible: admins see everyone; others see active principals if one of their roles (or the
// built-in role, without memberships) shows all users, else themselves and members of visible projects.
bool principal_visible(Context& ctx, long long id, int status) {
    if (ctx.user.admin) return true;
    if (status != kStatusActive) return false;
    if (id == ctx.user.id) return true;
    auto& perms = ctx.perms();
    bool view_all = false;
    bool any_membership = false;
    for (const auto& r :
         ctx.db().query("SELECT mr.role_id FROM members m JOIN member_roles mr ON mr.member_id = m.id "
                        "JOIN projects p ON p.id = m.project_id WHERE m.user_id = ? AND p.status <> ?",
                        {ctx.user.id, static_cast<long long>(app::kProjectArchived)})) {
        any_membership = true;
        auto it = perms.roles().find(r.i(0));
        if (it != perms.roles().end() && it->second.users_visibility == "all") view_all = true;
    }
    if (!any_membership)
        if (const auto* b = perms.builtin_role()) view_all = b->users_visibility == "all";
    if (view_all) return true;
    for (const auto& r : ctx.db().query("SELECT project_id FROM members WHERE user_id = ?", {id}))
        if (perms.project_visible(r.i(0))) return true;
    return false;
}

api::Node memberships_node(Context& ctx, long long principal_id, bool only_visible) {
    auto& db = ctx.db();
    api::Node list = api::Node::array("membership");
    std::map<long long, api::Node> roles;
    for (const auto& r :
         db.query("SELECT mr.member_id, ro.id, ro.name, mr.inherited_from FROM member_roles mr "
                  "JOIN members m ON m.id = mr.member_id JOIN roles ro ON ro.id = mr.role_id "
                  "WHERE m.user_id = ? ORDER BY mr.id",
                  {principal_id})) {
        auto [it, _] = roles.try_emplace(r.i(0), api::Node::array("role"));
        api::Node role = ref(r.i(1), r.s(2));
        if (!r.null(3)) role.attr("inherited", true);
        it->second.push(std::move(role));
    }
    for (const auto& r :
         db.query("SELECT m.id, p.id, p.name FROM members m JOIN projects p ON p.id = m.project_id "
                  "WHERE m.user_id = ? AND p.status <> ? ORDER BY m.id",
                  {principal_id, static_cast<long long>(app::kProjectArchived)})) {
        if (only_visible && !ctx.perms().project_visible(r.i(1))) continue;
        api::Node m = api::Node::object();
        m.set("id", r.i(0)).set("project", ref(r.i(1), r.s(2)));
        auto it = roles.find(r.i(0));
        m.set("roles", it == roles.end() ? api::Node::array("role") : it->second);
        list.push(std::move(m));
    }
    return list;
}

std::optional<bool> rails_bool(const std::optional<std::string>& v) {
    if (!v || v->empty()) return std::nullopt;
    std::string l = *v;
    std::transform(l.begin(), l.end(), l.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return !(l == "0" || l == "f" || l == "false" || l == "off");
}

namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos; }

// Ruby's String#strip (whitespace and NUL).
std::string strip(const std::string& s) {
    const char* ws = " \t\r\n\f\v";
    auto b = s.find_first_not_of(ws);
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(std::string(ws) + '\0');
    return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// A custom field value from a body as CustomFieldValue#value= takes it: a list (its non-empty
// strings, unique, or one "" when none) or one string.
CustomValueInput cf_values(const nlohmann::json& v) {
    auto one = [](const nlohmann::json& x) -> std::string {
        if (x.is_string()) return x.get<std::string>();
        if (x.is_null()) return "";
        if (x.is_boolean()) return x.get<bool>() ? "true" : "false";
        if (x.is_number_integer()) return std::to_string(x.get<long long>());
        return x.dump();
    };
    CustomValueInput out;
    if (v.is_array()) {
        out.array = true;
        for (const auto& x : v) {
            std::string s = one(x);
            if (!s.empty() && std::find(out.values.begin(), out.values.end(), s) == out.values.end())
                out.values.push_back(s);
        }
        if (out.values.empty()) out.values.emplace_back();
    } else {
        out.values.push_back(one(v));
    }
    return out;
}

}  // namespace

// --- Custom values being written -----------------------------------------------------------------

CustomValuesEdit::CustomValuesEdit(db::Conn& db, const std::string& type, long long customized_id,
                                   bool is_new)
    : db_(db), is_new_(is_new) {
    const auto stored = load_custom_values(db, "Principal", {customized_id});
    std::map<long long, std::string> defaults;
    for (const auto& r : db.query("SELECT id, default_value FROM custom_fields WHERE type = ?", {type}))
        defaults[r.i(0)] = r.null(1) ? "" : r.s(1);
    for (auto& def : custom_fields_of(db, type)) {
        Field f;
        f.def = std::move(def);
        auto it = stored.find(customized_id);
        const std::vector<std::string>* mine = nullptr;
        if (!is_new && it != stored.end())
            if (auto jt = it->second.find(f.def.id); jt != it->second.end()) mine = &jt->second;
        // A value not stored yet starts from the field's default, as CustomValue.new does.
        f.was = mine ? *mine : std::vector<std::string>{defaults[f.def.id]};
        f.value = {f.was, f.def.multiple};
        fields_.push_back(std::move(f));
    }
}

void CustomValuesEdit::assign(const nlohmann::json& attrs) {
    std::map<std::string, const nlohmann::json*> given;
    if (auto it = attrs.find("custom_field_values"); it != attrs.end() && it->is_object()) {
        for (auto jt = it->begin(); jt != it->end(); ++jt) given[jt.key()] = &jt.value();
        assigned_ = true;
    }
    if (auto it = attrs.find("custom_fields"); it != attrs.end() && it->is_array()) {
        for (const auto& v : *it) {
            if (!v.is_object() || !v.contains("value")) continue;
            auto id = body_string(v, "id");
            if (id) given[*id] = &v["value"];
        }
        assigned_ = true;
    }
    for (auto& f : fields_)
        if (auto it = given.find(std::to_string(f.def.id)); it != given.end()) f.value = cf_values(*it->second);
}

std::vector<std::string> CustomValuesEdit::validate() const {
    std::vector<std::string> errors;
    if (!is_new_ && !assigned_) return errors;
    for (const auto& f : fields_)
        for (auto& m : custom_value_errors(f.def, f.value, f.was)) errors.push_back(std::move(m));
    return errors;
}

void CustomValuesEdit::save(long long customized_id) {
    for (const auto& f : fields_) {
        if (!is_new_ && (!assigned_ || f.value.values == f.was)) continue;
        db_.exec(
            "DELETE FROM custom_values WHERE customized_type = 'Principal' AND customized_id = ? AND "
            "custom_field_id = ?",
            {customized_id, f.def.id});
        for (const auto& v : f.value.values)
            db_.exec(
                "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) "
                "VALUES ('Principal', ?, ?, ?)",
                {customized_id, f.def.id, v});
    }
}

namespace {

// --- Reading ---------------------------------------------------------------------------------------

api::Node user_node(Context& ctx, const UserRecord& u, bool with_memberships) {
    const bool self = u.id == ctx.user.id;
    const bool admin = ctx.user.admin;
    api::Node n = api::Node::object();
    n.set("id", u.id).set("login", u.login);
    if (admin || self) n.set("admin", u.admin);
    n.set("firstname", u.firstname).set("lastname", u.lastname);
    if (u.mail && (admin || !u.hide_mail)) n.set("mail", *u.mail);
    n.set("created_on", u.created_on)
        .set("updated_on", u.updated_on)
        .set("last_login_on", u.last_login_on)
        .set("passwd_changed_on", u.passwd_changed_on);
    if (admin || self) n.set("twofa_scheme", u.twofa_scheme).set("api_key", api_key_of(ctx, u.id));
    if (admin) n.set("status", u.status);
    if (auto cf = user_custom_fields(ctx, u.id)) n.set("custom_fields", std::move(*cf));
    if (admin && app::has_include(ctx.params(), "groups")) {
        api::Node groups = api::Node::array("group");
        for (const auto& r :
             ctx.db().query("SELECT g.id, g.lastname FROM groups_users gu JOIN users g ON g.id = gu.group_id "
                            "WHERE gu.user_id = ? AND g.type = 'Group' ORDER BY g.lastname, g.id",
                            {u.id}))
            groups.push(ref(r.i(0), r.s(1)));
        n.set("groups", std::move(groups));
    }
    if (with_memberships && app::has_include(ctx.params(), "memberships"))
        n.set("memberships", memberships_node(ctx, u.id, true));
    return n;
}

Response show(Context& ctx) {
    const std::string& id_text = ctx.route_param("id");
    long long id = 0;
    if (id_text == "current") {
        ctx.require_login();
        id = ctx.user.id;
    } else {
        id = id_param(id_text);
    }
    auto u = find_user(ctx, id);
    if (!u || !principal_visible(ctx, u->id, u->status)) throw app::HttpError{404};
    return ctx.render({"user", user_node(ctx, *u, true), {}});
}

// SortHelper with sort_init 'login' and the sortable columns of UsersController#index.
std::string users_order(const Context& ctx) {
    static const std::vector<std::string> sortable = {"login",    "admin",      "firstname",
                                                      "lastname", "created_on", "last_login_on"};
    const std::string spec = ctx.param("sort").value_or("login");
    std::vector<std::string> seen, terms;
    size_t start = 0;
    while (start <= spec.size() && seen.size() < 3) {
        auto comma = spec.find(',', start);
        std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
        auto colon = item.find(':');
        std::string key = item.substr(0, colon);
        std::string dir =
            colon == std::string::npos ? "" : item.substr(colon + 1, item.find(':', colon + 1) - colon - 1);
        if (blank(key) || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
        seen.push_back(key);
        if (std::find(sortable.begin(), sortable.end(), key) != sortable.end())
            terms.push_back("u." + key + (dir == "desc" ? " DESC" : " ASC"));
    }
    std::string order;
    for (const auto& t : terms) order += (order.empty() ? "" : ", ") + t;
    return order.empty() ? "u.id" : order + ", u.id";
}

// Rails' sanitize_sql_like with the default escape character.
std::string like_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == '%' || c == '_') out += '\\';
        out += c;
    }
    return out;
}

Response index(Context& ctx) {
    ctx.require_admin();
    const app::Paging paging = app::parse_paging(ctx.params());
    auto& db = ctx.db();
    std::string where = "u.type IN ('User', 'AnonymousUser') AND u.status <> ?";
    std::vector<db::Value> params{kStatusAnonymous};
    // status: 1 unless given; given but blank means every status
    const auto status = ctx.param("status");
    if (!status) {
        where += " AND u.status = ?";
        params.emplace_back(kStatusActive);
    } else if (!blank(*status)) {
        where += " AND u.status = ?";
        params.emplace_back(app::ruby_to_i(*status));
    }
    // Principal.like: login, an email address, or every word in the first or last name
    if (const auto name = ctx.param("name"); name && !blank(*name)) {
        const std::string pattern = "%" + like_escape(*name) + "%";
        where +=
            " AND (LOWER(u.login) LIKE LOWER(?) ESCAPE ? OR u.id IN (SELECT user_id FROM email_addresses "
            "WHERE LOWER(address) LIKE LOWER(?) ESCAPE ?)";
        params.insert(params.end(), {pattern, "\\", pattern, "\\"});
        std::vector<std::string> tokens;
        for (size_t i = 0; i < name->size();) {
            auto b = name->find_first_not_of(" \t\r\n\f\v", i);
            if (b == std::string::npos) break;
            auto e = name->find_first_of(" \t\r\n\f\v", b);
            tokens.push_back(name->substr(b, e == std::string::npos ? std::string::npos : e - b));
            i = e == std::string::npos ? name->size() : e;
        }
        if (!tokens.empty()) {
            where += " OR (";
            for (size_t i = 0; i < tokens.size(); ++i) {
                where +=
                    std::string(i ? " AND " : "") +
                    "(LOWER(u.firstname) LIKE LOWER(?) ESCAPE ? OR LOWER(u.lastname) LIKE LOWER(?) ESCAPE ?)";
                // Appended rather than "%" + ...: GCC 12's -O3 warns falsely (-Wrestrict) on that form.
                std::string t = "%";
                t += like_escape(tokens[i]);
                t += "%";
                params.insert(params.end(), {t, "\\", t, "\\"});
            }
            where += ")";
        }
        where += ")";
    }
    if (const auto group = ctx.param("group_id"); group && !blank(*group)) {
        where += " AND u.id IN (SELECT gu.user_id FROM groups_users gu WHERE gu.group_id = ?)";
        params.emplace_back(app::ruby_to_i(*group));
    }
    if (const auto twofa = ctx.param("twofa"); twofa && !blank(*twofa)) {
        const long long t = app::ruby_to_i(*twofa);
        if (t == 1)
            where += " AND u.twofa_scheme IS NOT NULL";
        else if (t == 0)
            where += " AND u.twofa_scheme IS NULL";
    }
    const long long total = db.scalar("SELECT COUNT(*) FROM users u WHERE " + where, params);
    auto page_params = params;
    page_params.emplace_back(paging.limit);
    page_params.emplace_back(paging.offset);
    const auto rows = db.query(
        "SELECT u.id, u.login, u.admin, u.firstname, u.lastname, e.address, u.created_on, "
        "u.updated_on, u.last_login_on, u.passwd_changed_on, u.twofa_scheme FROM users u "
        "LEFT JOIN email_addresses e ON e.user_id = u.id AND e.is_default = 1 WHERE " +
            where + " ORDER BY " + users_order(ctx) + " LIMIT ? OFFSET ?",
        page_params);
    std::vector<long long> ids;
    for (const auto& r : rows) ids.push_back(r.i(0));
    const auto fields = custom_fields_of(db, "UserCustomField");
    const auto values = load_custom_values(db, "Principal", ids);
    api::Node list = api::Node::array("user");
    for (const auto& r : rows) {
        api::Node n = api::Node::object();
        n.set("id", r.i(0))
            .set("login", r.s(1))
            .set("admin", r.b(2))
            .set("firstname", r.s(3))
            .set("lastname", r.s(4))
            .set("mail", str_at(r, 5))
            .set("created_on", time_at(r, 6))
            .set("updated_on", time_at(r, 7))
            .set("last_login_on", time_at(r, 8))
            .set("passwd_changed_on", time_at(r, 9))
            .set("twofa_scheme", str_at(r, 10));
        if (auto cf = custom_fields_node(fields, values, r.i(0))) n.set("custom_fields", std::move(*cf));
        list.push(std::move(n));
    }
    return ctx.render(app::list_document(ctx, "users", std::move(list), total, paging));
}

// --- Writing ---------------------------------------------------------------------------------------

// What a user row holds that the API may write, before and after the request's attributes.
struct UserForm {
    long long id = 0;  // 0 for a new user
    std::string login, firstname, lastname, mail_notification, language;
    bool admin = false, must_change_passwd = false;
    std::optional<long long> status = kStatusActive;  // nothing: a blank status (invalid)
    std::optional<long long> auth_source_id;
    std::string mail;       // the default email address
    bool has_mail = false;  // an email_addresses row exists
    std::optional<std::string> password, password_confirmation;
    bool generate_password = false;
};

const nlohmann::json& object_at(const nlohmann::json& body, const char* key) {
    static const nlohmann::json empty = nlohmann::json::object();
    auto it = body.find(key);
    return it != body.end() && it->is_object() ? *it : empty;
}

const std::regex& email_regexp() {
    // EmailAddress::EMAIL_REGEXP
    static const std::regex re(R"(^([^@\s]+)@((?:[-a-z0-9]+\.)+(?:(?:xn--[-a-z0-9]+)|(?:[a-z]{2,})))$)",
                               std::regex::icase | std::regex::ECMAScript);
    return re;
}

// EmailAddress.domain_in?
bool domain_in(const std::string& domain, const std::string& list) {
    const std::string d = lower(domain);
    size_t i = 0;
    while (i < list.size()) {
        auto b = list.find_first_not_of(" \t\r\n\f\v,", i);
        if (b == std::string::npos) break;
        auto e = list.find_first_of(" \t\r\n\f\v,", b);
        const std::string s = lower(list.substr(b, e == std::string::npos ? std::string::npos : e - b));
        i = e == std::string::npos ? list.size() : e;
        if (s[0] == '.' ? (d.size() >= s.size() && d.compare(d.size() - s.size(), s.size(), s) == 0) : d == s)
            return true;
    }
    return false;
}

// EmailAddress.valid_domain?
bool valid_domain(Context& ctx, const std::string& address) {
    const std::string domain = address.substr(address.rfind('@') + 1);
    const std::string denied = ctx.setting("email_domains_denied"),
                      allowed = ctx.setting("email_domains_allowed");
    if (!blank(denied) && domain_in(domain, denied)) return false;
    if (!blank(allowed) && !domain_in(domain, allowed)) return false;
    return true;
}

bool has_char(const std::string& s, int (*pred)(int)) {
    return std::any_of(s.begin(), s.end(), [&](unsigned char c) { return c < 0x80 && pred(c); });
}
int is_special(int c) { return c > 0x20 && c < 0x7F && !std::isalnum(c); }

// User's validations, in the order the model declares them (Principal's status first, then the
// email address it autosaves, custom fields, then its own).
std::vector<std::string> validate_user(Context& ctx, const UserForm& f, const UserForm& was,
                                       bool mail_changed, std::vector<std::string> custom_field_errors) {
    auto& db = ctx.db();
    std::vector<std::string> e;
    const bool is_new = f.id == 0;
    if ((is_new ? f.status != kStatusActive : f.status != was.status) &&
        (!f.status ||
         (*f.status != kStatusActive && *f.status != kStatusRegistered && *f.status != kStatusLocked)))
        e.push_back("Status is invalid");
    if (!f.has_mail || mail_changed) {
        if (f.mail.empty())
            e.push_back("Email cannot be blank");
        else if (!std::regex_match(f.mail, email_regexp()))
            e.push_back("Email is invalid");
        if (utf8_length(f.mail) > 254) e.push_back("Email is too long (maximum is 254 characters)");
        if (!f.mail.empty() &&
            db.scalar("SELECT COUNT(*) FROM email_addresses WHERE LOWER(address) = LOWER(?) "
                      "AND NOT (user_id = ? AND is_default = 1)",
                      {f.mail, f.id}) > 0)
            e.push_back("Email has already been taken");
        if (!f.mail.empty() && !valid_domain(ctx, f.mail)) e.push_back("Email is invalid");
    }
    e.insert(e.end(), custom_field_errors.begin(), custom_field_errors.end());
    if (blank(f.login)) e.push_back("Login cannot be blank");
    if (blank(f.firstname)) e.push_back("First name cannot be blank");
    if (blank(f.lastname)) e.push_back("Last name cannot be blank");
    if ((is_new || f.login != was.login) && !blank(f.login) &&
        db.scalar("SELECT COUNT(*) FROM users WHERE LOWER(login) = LOWER(?) AND id <> ? "
                  "AND type IN ('User', 'AnonymousUser')",
                  {f.login, f.id}) > 0)
        e.push_back("Login has already been taken");
    static const std::regex login_re(R"(^[a-z0-9_\-@\.]*$)", std::regex::icase);
    if (!std::regex_match(f.login, login_re)) e.push_back("Login is invalid");
    if (utf8_length(f.login) > 60) e.push_back("Login is too long (maximum is 60 characters)");
    if (utf8_length(f.firstname) > 30) e.push_back("First name is too long (maximum is 30 characters)");
    if (utf8_length(f.lastname) > 30) e.push_back("Last name is too long (maximum is 30 characters)");
    static const char* kNotifications[] = {"all",           "selected",   "only_my_events",
                                           "only_assigned", "only_owner", "none"};
    if (!blank(f.mail_notification) && std::find(std::begin(kNotifications), std::end(kNotifications),
                                                 f.mail_notification) == std::end(kNotifications))
        e.push_back("Email notifications is not included in the list");
    if (f.password && !blank(*f.password)) {
        const auto classes = yaml_list(ctx.setting("password_required_char_classes"));
        auto required = [&](const char* c) {
            return std::find(classes.begin(), classes.end(), c) != classes.end();
        };
        const std::string& p = *f.password;
        if (required("uppercase") && !has_char(p, ::isupper))
            e.push_back("Password must contain uppercase letters (A-Z)");
        if (required("lowercase") && !has_char(p, ::islower))
            e.push_back("Password must contain lowercase letters (a-z)");
        if (required("digits") && !has_char(p, ::isdigit)) e.push_back("Password must contain digits (0-9)");
        if (required("special_chars") && !has_char(p, is_special))
            e.push_back("Password must contain special characters (!, $, %, ...)");
    }
    if (!((!f.password || blank(*f.password)) && f.generate_password)) {
        const long long min = app::ruby_to_i(ctx.setting("password_min_length"));
        if (f.password && static_cast<long long>(utf8_length(*f.password)) < min)
            e.push_back("Password is too short (minimum is " + std::to_string(min) + " characters)");
    }
    if (f.password_confirmation && f.password != f.password_confirmation)
        e.push_back("Password doesn't match confirmation");
    return e;
}

// The attributes an admin may set (User's safe_attributes), over what the form holds.
void assign(UserForm& f, const nlohmann::json& a, bool& mail_changed) {
    auto str = [&](const char* key, std::string& into) {
        if (a.contains(key)) into = body_string(a, key).value_or("");
    };
    str("login", f.login);
    str("firstname", f.firstname);
    str("lastname", f.lastname);
    str("mail_notification", f.mail_notification);
    str("language", f.language);
    if (a.contains("mail")) {
        std::string m = strip(body_string(a, "mail").value_or(""));
        mail_changed = m != f.mail;
        f.mail = m;
    }
    if (a.contains("status")) {
        auto s = body_string(a, "status");
        f.status = s && !blank(*s) ? std::optional<long long>(app::ruby_to_i(*s)) : std::nullopt;
    }
    if (a.contains("auth_source_id")) {
        auto s = body_string(a, "auth_source_id");
        f.auth_source_id = s && !blank(*s) ? std::optional<long long>(app::ruby_to_i(*s)) : std::nullopt;
    }
    if (a.contains("admin")) f.admin = rails_bool(body_string(a, "admin")).value_or(false);
    if (a.contains("must_change_passwd"))
        f.must_change_passwd = rails_bool(body_string(a, "must_change_passwd")).value_or(false);
    if (a.contains("generate_password"))
        f.generate_password = rails_bool(body_string(a, "generate_password")).value_or(false);
}

// A password as Redmine stores it: SHA1(salt + SHA1(password)), changed "now" to the second.
struct Hashed {
    std::string salt, hash, changed_on;
};
Hashed hash_password(db::Conn& db, const std::string& clear) {
    Hashed h;
    h.salt = auth::random_hex(16);
    h.hash = auth::salted_hash(clear, h.salt);
    h.changed_on = db.now().substr(0, 19);
    return h;
}

// The password to store, if any: generated (User#generate_password_if_needed) or the one given.
std::optional<std::string> password_to_store(Context& ctx, const UserForm& f) {
    if (f.generate_password && !f.auth_source_id) {
        const long long len = std::max(app::ruby_to_i(ctx.setting("password_min_length")) + 2, 10LL);
        return auth::random_password(static_cast<size_t>(len));
    }
    if (f.password && !f.auth_source_id) return f.password;
    return std::nullopt;
}

std::string yaml_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// UserPreference.new's others, as its before_save leaves them (my_page_layout is filled in then).
std::string default_pref_others(const std::string& no_self_notified) {
    return "---\n:no_self_notified: " + yaml_quote(no_self_notified) +
           "\n:auto_watch_on:\n- issue_contributed_to\n:my_page_layout:\n  left:\n  - issuesassignedtome\n  "
           "right:\n"
           "  - issuesreportedbyme\n:my_page_settings: {}\n";
}

struct PrefInput {
    std::optional<bool> hide_mail;
    std::optional<std::string> time_zone, no_self_notified;
};
PrefInput pref_input(const nlohmann::json& body) {
    const auto& p = object_at(body, "pref");
    PrefInput in;
    if (p.contains("hide_mail")) in.hide_mail = rails_bool(body_string(p, "hide_mail")).value_or(false);
    if (p.contains("time_zone")) in.time_zone = body_string(p, "time_zone").value_or("");
    if (p.contains("no_self_notified")) in.no_self_notified = body_string(p, "no_self_notified").value_or("");
    return in;
}

void insert_pref(Context& ctx, long long user_id, const PrefInput& in) {
    ctx.db().exec(
        "INSERT INTO user_preferences (user_id, others, hide_mail, time_zone) VALUES (?, ?, ?, ?)",
        {user_id,
         default_pref_others(in.no_self_notified.value_or(ctx.setting("default_users_no_self_notified"))),
         in.hide_mail.value_or(ctx.setting_enabled("default_users_hide_mail")) ? 1LL : 0LL,
         in.time_zone.value_or(ctx.setting("default_users_time_zone"))});
}

Response created(Context& ctx, long long id) {
    auto u = find_user(ctx, id);
    if (!u) throw app::HttpError{404};
    Response r = ctx.render({"user", user_node(ctx, *u, false), {}}, 201);
    r.header("Location", ctx.url_for("/users/" + std::to_string(id)));
    return r;
}

Response create(Context& ctx) {
    ctx.require_admin();
    auto& db = ctx.db();
    const auto& body = ctx.params();
    const auto& a = object_at(body, "user");
    UserForm f;
    f.language = ctx.setting("default_language");
    f.mail_notification = ctx.setting("default_notification_option");
    bool mail_changed = false;
    assign(f, a, mail_changed);
    if (!f.auth_source_id) {
        if (a.contains("password")) f.password = body_string(a, "password").value_or("");
        if (a.contains("password_confirmation"))
            f.password_confirmation = body_string(a, "password_confirmation").value_or("");
    }
    CustomValuesEdit cf(db, "UserCustomField", 0, true);
    cf.assign(a);
    const auto errors = validate_user(ctx, f, UserForm{}, mail_changed, cf.validate());
    if (!errors.empty()) throw app::ValidationError{errors};
    if (blank(f.mail_notification)) f.mail_notification = ctx.setting("default_notification_option");

    db::Tx tx(db);
    const std::string now = db.now();
    std::optional<Hashed> h;
    if (auto clear = password_to_store(ctx, f)) h = hash_password(db, *clear);
    const long long id = db.insert(
        "INSERT INTO users (login, hashed_password, firstname, lastname, admin, status, language, "
        "auth_source_id, "
        "created_on, updated_on, type, mail_notification, salt, must_change_passwd, passwd_changed_on, "
        "twofa_required) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'User', ?, ?, ?, ?, ?)",
        {f.login, h ? h->hash : std::string(), f.firstname, f.lastname, f.admin ? 1LL : 0LL, *f.status,
         f.language, f.auth_source_id ? db::Value(*f.auth_source_id) : db::Value(), now, now,
         f.mail_notification, h ? db::Value(h->salt) : db::Value(), f.must_change_passwd ? 1LL : 0LL,
         h ? db::Value(h->changed_on) : db::Value(), 0LL},
        "users");
    db.insert(
        "INSERT INTO email_addresses (user_id, address, is_default, notify, created_on, updated_on) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {id, f.mail, 1LL, 1LL, now, now}, "email_addresses");
    insert_pref(ctx, id, pref_input(body));
    cf.save(id);
    tx.commit();
    return created(ctx, id);
}

// User.logged.find: users (and the anonymous user row) that are not the anonymous user.
UserForm load_form(Context& ctx, long long id) {
    auto r = ctx.db().one(
        "SELECT u.id, u.login, u.firstname, u.lastname, u.mail_notification, u.language, u.admin, "
        "u.must_change_passwd, "
        "u.status, u.auth_source_id, e.address FROM users u "
        "LEFT JOIN email_addresses e ON e.user_id = u.id AND e.is_default = 1 "
        "WHERE u.id = ? AND u.type IN ('User', 'AnonymousUser') AND u.status <> ?",
        {id, kStatusAnonymous});
    if (!r) throw app::HttpError{404};
    UserForm f;
    f.id = r->i(0);
    f.login = r->s(1);
    f.firstname = r->s(2);
    f.lastname = r->s(3);
    f.mail_notification = r->s(4);
    f.language = r->s(5);
    f.admin = r->b(6);
    f.must_change_passwd = r->b(7);
    f.status = r->i(8);
    f.auth_source_id = r->oi(9);
    f.has_mail = !r->null(10);
    f.mail = r->s(10);
    return f;
}

// User#group_ids=: like Rails' collection ids writer on a saved record, it writes at once.
void replace_groups(db::Conn& db, long long user_id, const nlohmann::json& value) {
    std::vector<long long> wanted;
    auto add = [&](const nlohmann::json& v) {
        std::optional<std::string> s = v.is_string()           ? v.get<std::string>()
                                       : v.is_number_integer() ? std::to_string(v.get<long long>())
                                                               : std::optional<std::string>();
        if (s && !blank(*s)) wanted.push_back(app::ruby_to_i(*s));
    };
    if (value.is_array())
        for (const auto& v : value) add(v);
    else
        add(value);
    for (long long gid : wanted)
        if (db.scalar("SELECT COUNT(*) FROM users WHERE id = ? AND type IN ('Group', 'GroupBuiltin', "
                      "'GroupAnonymous', "
                      "'GroupNonMember')",
                      {gid}) == 0)
            throw app::HttpError{404};
    std::vector<long long> current;
    for (const auto& r :
         db.query("SELECT group_id FROM groups_users WHERE user_id = ? ORDER BY group_id", {user_id}))
        current.push_back(r.i(0));
    db::Tx tx(db);
    for (long long gid : current)
        if (std::find(wanted.begin(), wanted.end(), gid) == wanted.end()) {
            db.exec("DELETE FROM groups_users WHERE group_id = ? AND user_id = ?", {gid, user_id});
            group_user_removed(db, gid, user_id);
        }
    for (long long gid : wanted)
        if (std::find(current.begin(), current.end(), gid) == current.end()) {
            current.push_back(gid);
            db.exec("INSERT INTO groups_users (group_id, user_id) VALUES (?, ?)", {gid, user_id});
            group_user_added(db, gid, user_id);
        }
    tx.commit();
}


}  // namespace

Response update_user(Context& ctx, long long id, bool self_service) {
    auto& db = ctx.db();
    const UserForm was = load_form(ctx, id);
    const auto& body = ctx.params();
    nlohmann::json a = object_at(body, "user");
    if (self_service) {
        // What a user may change on their own account (MyController#account).
        nlohmann::json own = nlohmann::json::object();
        for (const char* key : {"firstname", "lastname", "mail", "mail_notification", "language", "custom_fields",
                                "custom_field_values"})
            if (a.contains(key)) own[key] = a[key];
        a = std::move(own);
    }
    UserForm f = was;
    const auto password = body_string(a, "password");
    const bool updating_password =
        password && !blank(*password) &&
        (!was.auth_source_id || blank(body_string(a, "auth_source_id").value_or("")));
    if (updating_password) {
        f.password = password;
        if (a.contains("password_confirmation"))
            f.password_confirmation = body_string(a, "password_confirmation").value_or("");
    }
    bool mail_changed = false;
    assign(f, a, mail_changed);
    if (a.contains("group_ids")) replace_groups(db, f.id, a["group_ids"]);
    CustomValuesEdit cf(db, "UserCustomField", f.id, false);
    cf.assign(a);
    const auto errors = validate_user(ctx, f, was, mail_changed, cf.validate());
    if (!errors.empty()) throw app::ValidationError{errors};

    db::Tx tx(db);
    const std::string now = db.now();
    std::optional<Hashed> h;
    if (auto clear = password_to_store(ctx, f)) h = hash_password(db, *clear);
    const bool changed = h || f.login != was.login || f.firstname != was.firstname ||
                         f.lastname != was.lastname || f.mail_notification != was.mail_notification ||
                         f.language != was.language || f.admin != was.admin ||
                         f.must_change_passwd != was.must_change_passwd || f.status != was.status ||
                         f.auth_source_id != was.auth_source_id;
    if (changed)
        db.exec(
            "UPDATE users SET login = ?, firstname = ?, lastname = ?, mail_notification = ?, language = ?, "
            "admin = ?, "
            "must_change_passwd = ?, status = ?, auth_source_id = ?, updated_on = ? WHERE id = ?",
            {f.login, f.firstname, f.lastname, f.mail_notification, f.language, f.admin ? 1LL : 0LL,
             f.must_change_passwd ? 1LL : 0LL, *f.status,
             f.auth_source_id ? db::Value(*f.auth_source_id) : db::Value(), now, f.id});
    if (h)
        db.exec("UPDATE users SET hashed_password = ?, salt = ?, passwd_changed_on = ? WHERE id = ?",
                {h->hash, h->salt, h->changed_on, f.id});
    // User#destroy_tokens: a new password, or a status other than active, ends sessions and resets.
    if (h || (f.status != was.status && f.status != kStatusActive))
        db.exec("DELETE FROM tokens WHERE user_id = ? AND action IN ('recovery', 'autologin', 'session')",
                {f.id});
    if (!was.has_mail) {
        db.insert(
            "INSERT INTO email_addresses (user_id, address, is_default, notify, created_on, updated_on) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            {f.id, f.mail, 1LL, 1LL, now, now}, "email_addresses");
    } else if (mail_changed) {
        db.exec("UPDATE email_addresses SET address = ?, updated_on = ? WHERE user_id = ? AND is_default = 1",
                {f.mail, now, f.id});
        db.exec("DELETE FROM tokens WHERE user_id = ? AND action = 'recovery'",
                {f.id});  // EmailAddress#destroy_tokens
    }
    cf.save(f.id);
    // Redmine's unlock (status 1, even on an active user) and a new password end a brute-force lockout.
    if (h || (a.contains("status") && f.status == kStatusActive)) app::reset_login_failures(db, f.id);
    // @user.pref.save: the preferences row is created if there was none.
    const PrefInput pref = pref_input(body);
    if (db.scalar("SELECT COUNT(*) FROM user_preferences WHERE user_id = ?", {f.id}) == 0) {
        insert_pref(ctx, f.id, pref);
    } else {
        if (pref.hide_mail)
            db.exec("UPDATE user_preferences SET hide_mail = ? WHERE user_id = ?",
                    {*pref.hide_mail ? 1LL : 0LL, f.id});
        if (pref.time_zone)
            db.exec("UPDATE user_preferences SET time_zone = ? WHERE user_id = ?", {*pref.time_zone, f.id});
    }
    tx.commit();
    return no_content();
}

namespace {

Response update(Context& ctx) {
    ctx.require_admin();
    return update_user(ctx, id_param(ctx.route_param("id")), false);
}

// User.anonymous: the AnonymousUser row, created when missing.
long long anonymous_id(db::Conn& db) {
    if (auto r = db.one("SELECT id FROM users WHERE type = 'AnonymousUser' AND lastname = 'Anonymous' ORDER "
                        "BY id LIMIT 1"))
        return r->i(0);
    const std::string now = db.now();
    return db.insert(
        "INSERT INTO users (login, hashed_password, firstname, lastname, admin, status, created_on, "
        "updated_on, type, mail_notification, must_change_passwd) "
        "VALUES ('', '', '', 'Anonymous', 0, 0, ?, ?, 'AnonymousUser', 'only_my_events', 0)",
        {now, now}, "users");
}

Response destroy(Context& ctx) {
    ctx.require_admin();
    auto& db = ctx.db();
    const UserForm u = load_form(ctx, id_param(ctx.route_param("id")));
    // Deleting one's own account needs the unsubscribe setting, and an admin needs another active admin.
    if (u.id == ctx.user.id &&
        !(ctx.setting_enabled("unsubscribe") &&
          (!u.admin ||
           db.scalar(
               "SELECT COUNT(*) FROM users WHERE type = 'User' AND status = ? AND admin = 1 AND id <> ?",
               {kStatusActive, u.id}) > 0)))
        throw app::HttpError{422};
    db::Tx tx(db);
    const long long id = u.id;
    const std::string sid = std::to_string(id);
    // User#remove_references_before_destroy: what the user authored goes to the anonymous user.
    const long long anon = anonymous_id(db);
    const std::string sanon = std::to_string(anon);
    db.exec("UPDATE attachments SET author_id = ? WHERE author_id = ?", {anon, id});
    db.exec("UPDATE comments SET author_id = ? WHERE author_id = ?", {anon, id});
    db.exec("UPDATE issues SET author_id = ? WHERE author_id = ?", {anon, id});
    db.exec("UPDATE issues SET assigned_to_id = NULL WHERE assigned_to_id = ?", {id});
    db.exec("UPDATE journals SET user_id = ? WHERE user_id = ?", {anon, id});
    db.exec(
        "UPDATE journal_details SET old_value = ? WHERE property = 'attr' AND prop_key = 'assigned_to_id' "
        "AND old_value = ?",
        {sanon, sid});
    db.exec(
        "UPDATE journal_details SET value = ? WHERE property = 'attr' AND prop_key = 'assigned_to_id' AND "
        "value = ?",
        {sanon, sid});
    db.exec("UPDATE messages SET author_id = ? WHERE author_id = ?", {anon, id});
    db.exec("UPDATE news SET author_id = ? WHERE author_id = ?", {anon, id});
    db.exec("DELETE FROM queries WHERE user_id = ? AND visibility = 0", {id});  // private queries go
    db.exec("UPDATE queries SET user_id = ? WHERE user_id = ?", {anon, id});
    db.exec("UPDATE time_entries SET user_id = ? WHERE user_id = ?", {anon, id});
    db.exec("DELETE FROM tokens WHERE user_id = ?", {id});
    db.exec("DELETE FROM watchers WHERE user_id = ?", {id});
    db.exec("UPDATE wiki_contents SET author_id = ? WHERE author_id = ?", {anon, id});
    db.exec("UPDATE wiki_content_versions SET author_id = ? WHERE author_id = ?", {anon, id});
    db.exec(
        "DELETE FROM custom_values WHERE value = ? AND custom_field_id IN "
        "(SELECT id FROM custom_fields WHERE field_format = 'user')",
        {sid});
    // Principal: memberships (with the roles inherited from them), categories, default assignee.
    for (const auto& m : db.query("SELECT id FROM members WHERE user_id = ? ORDER BY id", {id}))
        destroy_member(db, m.i(0));
    db.exec("UPDATE issue_categories SET assigned_to_id = NULL WHERE assigned_to_id = ?", {id});
    db.exec("UPDATE projects SET default_assigned_to_id = NULL WHERE default_assigned_to_id = ?", {id});
    // User's own associations.
    db.exec("UPDATE changesets SET user_id = NULL WHERE user_id = ?", {id});
    db.exec("DELETE FROM user_preferences WHERE user_id = ?", {id});
    db.exec("DELETE FROM email_addresses WHERE user_id = ?", {id});
    db.exec("DELETE FROM groups_users WHERE user_id = ?", {id});
    db.exec("DELETE FROM custom_values WHERE customized_type = 'Principal' AND customized_id = ?", {id});
    db.exec("DELETE FROM users WHERE id = ?", {id});
    tx.commit();
    return no_content();
}

}  // namespace

void register_users(app::Router& r) {
    r.add("GET", "/users", index);
    r.add("POST", "/users", create);
    r.add("GET", "/users/:id", show);
    r.add("PUT", "/users/:id", update);
    r.add("DELETE", "/users/:id", destroy);
}

}  // namespace resources
