#include "server/password_login.h"

#include <cctype>

#include "db/logins.h"
#include "server/app.h"
#include "server/password.h"

namespace app {

namespace {

using Clock = std::chrono::system_clock;

// Failures older than this are forgotten: Redmine's token pruning deletes unknown actions after a day.
constexpr auto kMemory = std::chrono::hours(24);
constexpr int kStatusActive = 1;

std::string strip(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && (std::isspace(static_cast<unsigned char>(s[e - 1])) || s[e - 1] == '\0')) --e;
    return s.substr(b, e - b);
}

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

// The first 20 hex digits of the values of one address's failure rows.
std::string address_key(const std::string& client_address) {
    return auth::sha1_hex(lower(client_address)).substr(0, 20);
}

CurrentUser current_user(const db::LoginAccount& a) {
    CurrentUser u;
    u.id = a.id;
    u.anonymous = a.type == "AnonymousUser";
    u.admin = a.admin;
    u.login = a.login;
    u.firstname = a.firstname;
    u.lastname = a.lastname;
    u.status = a.status;
    return u;
}

PasswordLogin accepted(CurrentUser u, bool by_key) {
    PasswordLogin r;
    r.user = std::move(u);
    r.refusal = LoginRefusal::None;
    r.by_key = by_key;
    return r;
}

int seconds_until(Clock::time_point t, Clock::time_point now, int at_most) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - now).count();
    const long long s = (ms + 999) / 1000;
    return static_cast<int>(s < 1 ? 1 : s > at_most ? at_most : s);
}

}  // namespace

LoginGuardSettings login_guard_settings(const Config& config) {
    LoginGuardSettings s;
    s.lockout_failures = config.lockout_failures;
    s.lockout_minutes = config.lockout_minutes;
    s.address_failure_limit = config.address_failure_limit;
    s.address_failure_window_s = config.address_failure_window_s;
    return s;
}

PasswordLogin password_login(Context& ctx, const std::string& name, const std::string& password, LoginName by,
                             const KeyFallback& fallback) {
    return password_login(ctx.db(), login_guard_settings(ctx.app.config()), name, password,
                          ctx.client_address(), by, fallback);
}

PasswordLogin password_login(db::Conn& c, const LoginGuardSettings& s, const std::string& raw_name,
                             const std::string& password, const std::string& client_address, LoginName by,
                             const KeyFallback& fallback) {
    const auto now = Clock::now();
    const std::string key = address_key(client_address);

    if (s.address_failure_limit > 0) {
        const auto window = std::chrono::seconds(s.address_failure_window_s);
        if (db::address_failures(c, key, now - window) >= s.address_failure_limit) {
            if (fallback)
                if (auto u = fallback()) return accepted(*u, true);
            // Refused unchecked and not counted: the address may try again once its oldest counted
            // failures leave the window.
            PasswordLogin r;
            r.refusal = LoginRefusal::AddressLimited;
            const auto at = db::address_failure_at(c, key, now - window, s.address_failure_limit);
            r.retry_after_s = at ? seconds_until(*at + window, now, s.address_failure_window_s)
                                 : s.address_failure_window_s;
            return r;
        }
    }

    // Every refusal below runs the same statements and one hash, whatever the reason, so that the
    // answer's timing says nothing of whether the name exists.
    const std::string name = strip(raw_name);
    std::optional<db::LoginAccount> account;
    if (!name.empty() && !password.empty())
        account = by == LoginName::Email ? db::account_by_email(c, name) : db::account_by_login(c, name);
    const auto failures = db::user_failures(c, account ? account->id : -1, now - kMemory);
    const bool locked_out = s.lockout_failures > 0 && failures.count >= s.lockout_failures &&
                            failures.newest &&
                            *failures.newest + std::chrono::minutes(s.lockout_minutes) > now;
    static const std::string kNoHash(40, '0');
    const bool usable = account && !account->external;
    const bool password_ok = auth::check_password(password, usable ? account->salt : std::string_view(""),
                                                  usable ? account->hashed_password : kNoHash) &&
                             usable && !password.empty();

    if (password_ok && !locked_out && account->status == kStatusActive) {
        if (failures.count > 0) db::clear_failures(c, account->id);
        if (!account->twofa_scheme.empty()) {
            PasswordLogin r;
            r.refusal = LoginRefusal::TwoFactorRequired;
            return r;
        }
        db::touch_last_login(c, account->id);
        return accepted(current_user(*account), false);
    }
    if (fallback)
        if (auto u = fallback()) return accepted(*u, true);
    // A wrong password counts against the account; a refusal while locked out does not (it would
    // stretch the lock for the account's owner), but every refusal counts against the address.
    const long long counted = account && !password_ok && !locked_out ? account->id : 0;
    db::record_failure(c, counted, key + auth::random_hex(10), now - kMemory);
    PasswordLogin r;
    r.refusal = locked_out ? LoginRefusal::LockedOut : LoginRefusal::BadCredentials;
    return r;
}

void reset_login_failures(db::Conn& c, long long user_id) { db::clear_failures(c, user_id); }

}  // namespace app
