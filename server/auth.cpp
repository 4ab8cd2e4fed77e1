#include "server/auth.h"

#include <openssl/evp.h>

#include <strings.h>

#include <cctype>
#include <ctime>

#include "server/app.h"
#include "server/password.h"

namespace app {

namespace {

const char* kUserColumns = "id, login, firstname, lastname, admin, status, type";
constexpr int kStatusActive = 1;

CurrentUser from_row(const db::Row& r) {
    CurrentUser u;
    u.id = r.i(0);
    u.login = r.s(1);
    u.firstname = r.s(2);
    u.lastname = r.s(3);
    u.admin = r.b(4);
    u.status = static_cast<int>(r.i(5));
    u.anonymous = r.s(6) == "AnonymousUser";
    return u;
}

// Token.find_active_user('api', key)
std::optional<CurrentUser> find_by_api_key(db::Conn& c, const std::string& key) {
    if (key.empty()) return std::nullopt;
    for (char ch : key)
        if (!std::isalnum(static_cast<unsigned char>(ch))) return std::nullopt;
    const db::Rows rows = c.query_cached(
        "SELECT u.id, u.login, u.firstname, u.lastname, u.admin, u.status, u.type "
        "FROM tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.action = 'api' AND t.value = ? AND u.type IN ('User', 'AnonymousUser') LIMIT 1",
        {key});
    if (rows.empty()) return std::nullopt;
    CurrentUser u = from_row(rows.front());
    if (u.status != kStatusActive || u.anonymous) return std::nullopt;
    return u;
}

// User.find_by_login: an exact match first, then a case-insensitive one.
std::optional<db::Row> find_by_login(db::Conn& c, const std::string& login, const std::string& columns) {
    if (login.empty()) return std::nullopt;
    const std::string base = "SELECT " + columns + " FROM users WHERE type IN ('User', 'AnonymousUser') AND ";
    for (const auto& row : c.query(base + "login = ?", {login}))
        if (row.s(1) == login) return row;
    return c.one(base + "LOWER(login) = ? ORDER BY id LIMIT 1", {[&] {
                     std::string l = login;
                     for (auto& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                     return l;
                 }()});
}

struct LoginResult {
    std::optional<CurrentUser> user;
    bool twofa = false;
};

// User.try_to_login: local accounts only (no LDAP here); updates last_login_on as Redmine does.
LoginResult try_to_login(db::Conn& c, std::string login, const std::string& password) {
    while (!login.empty() && std::isspace(static_cast<unsigned char>(login.front()))) login.erase(0, 1);
    while (!login.empty() && std::isspace(static_cast<unsigned char>(login.back()))) login.pop_back();
    if (login.empty() || password.empty()) return {};
    auto row = find_by_login(c, login,
                             std::string(kUserColumns) + ", salt, hashed_password, auth_source_id, twofa_scheme, "
                                                         "last_login_on");
    if (!row || !row->null(9)) return {};
    if (!auth::check_password(password, row->s(7), row->s(8))) return {};
    CurrentUser u = from_row(*row);
    if (u.status != kStatusActive) return {};
    if (!row->s(10).empty()) return {u, true};
    // update_last_login_on!: at most once a minute.
    const std::string now = c.now();
    c.exec("UPDATE users SET last_login_on = ? WHERE id = ? AND (last_login_on IS NULL OR last_login_on < ?)",
           {now, u.id, [&] {
                std::time_t t = std::time(nullptr) - 60;
                std::tm tm{};
                gmtime_r(&t, &tm);
                char buf[32];
                std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
                return std::string(buf);
            }()});
    return {u, false};
}

bool must_change_password(db::Conn& c, long long id) {
    auto row = c.one("SELECT must_change_passwd, auth_source_id FROM users WHERE id = ?", {id});
    return row && row->b(0) && row->null(1);
}

}  // namespace

std::string base64_decode(const std::string& in) {
    std::string s;
    for (char ch : in)
        if (!std::isspace(static_cast<unsigned char>(ch))) s += ch;
    if (s.empty() || s.size() % 4 != 0) return {};
    std::string out(s.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                            static_cast<int>(s.size()));
    if (n < 0) return {};
    size_t pad = 0;
    if (s.back() == '=') ++pad;
    if (s.size() > 1 && s[s.size() - 2] == '=') ++pad;
    out.resize(static_cast<size_t>(n) - pad);
    return out;
}

std::optional<CurrentUser> load_user(db::Conn& c, long long id) {
    auto row = c.one(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ? AND type IN ('User', 'AnonymousUser')",
                     {id});
    if (!row) return std::nullopt;
    return from_row(*row);
}

CurrentUser anonymous_user(db::Conn& c) {
    auto row = c.one(std::string("SELECT ") + kUserColumns + " FROM users WHERE type = 'AnonymousUser' ORDER BY id LIMIT 1");
    if (row) return from_row(*row);
    return CurrentUser{};
}

void authenticate(Context& ctx) {
    db::Conn& c = ctx.db();
    std::optional<CurrentUser> user;
    if (ctx.setting_enabled("rest_api_enabled")) {
        std::string key = ctx.param("key").value_or("");
        if (key.empty()) key = ctx.req.header("x-redmine-api-key").value_or("");
        const std::string authorization = ctx.req.header("authorization").value_or("");
        if (!key.empty()) {
            user = find_by_api_key(c, key);
        } else if (authorization.size() > 6 && strncasecmp(authorization.c_str(), "Basic ", 6) == 0) {
            const std::string decoded = base64_decode(authorization.substr(6));
            const auto colon = decoded.find(':');
            const std::string name = decoded.substr(0, colon);
            const std::string password = colon == std::string::npos ? "" : decoded.substr(colon + 1);
            auto login = try_to_login(c, name, password);
            // Redmine refuses login/password for two-factor users: they must use a key.
            if (login.twofa) throw HttpError{401, false};
            user = login.user ? login.user : find_by_api_key(c, name);
            if (user && must_change_password(c, user->id)) throw HttpError{403};
        }
        if (user && user->admin) {
            if (auto su_login = ctx.req.header("x-redmine-switch-user"); su_login && !su_login->empty()) {
                auto row = find_by_login(c, *su_login, kUserColumns);
                if (!row) throw HttpError{412};
                CurrentUser su = from_row(*row);
                if (su.status != kStatusActive || su.anonymous) throw HttpError{412};
                user = su;
            }
        }
    }
    ctx.user = user ? *user : anonymous_user(c);
    if (ctx.user.anonymous && ctx.setting_enabled("login_required")) throw HttpError{401};
}

}  // namespace app
