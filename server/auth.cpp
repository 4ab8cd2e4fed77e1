#include "server/auth.h"

#include <openssl/evp.h>

#include <strings.h>

#include <cctype>

#include "db/logins.h"
#include "server/app.h"
#include "server/password_login.h"

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
            // User.try_to_login(name, password) || User.find_by_api_key(name), behind the lockout.
            const auto login = password_login(ctx, name, password, LoginName::Login,
                                              [&] { return find_by_api_key(c, name); });
            // Redmine refuses login/password for two-factor users: they must use a key.
            if (login.refusal == LoginRefusal::TwoFactorRequired) throw HttpError{401, false};
            if (login.refusal == LoginRefusal::AddressLimited) throw HttpError{429, false, login.retry_after_s};
            user = login.user;
            if (user && must_change_password(c, user->id)) throw HttpError{403};
        }
        if (user && user->admin) {
            if (auto su_login = ctx.req.header("x-redmine-switch-user"); su_login && !su_login->empty()) {
                auto account = db::account_by_login(c, *su_login);
                if (!account) throw HttpError{412};
                auto su = load_user(c, account->id);
                if (!su || su->status != kStatusActive || su->anonymous) throw HttpError{412};
                user = *su;
            }
        }
    }
    ctx.user = user ? *user : anonymous_user(c);
    if (ctx.user.anonymous && ctx.setting_enabled("login_required")) throw HttpError{401};
}

}  // namespace app
