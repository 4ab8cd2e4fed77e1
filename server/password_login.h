// The one way a login name (or e-mail address) and a password become a user, for every API that
// takes them (the REST API's HTTP Basic, Kanboard's JSON-RPC user API, Wekan's /users/login), with
// the brute-force guard in front of it:
//
// - lockout: after `lockout_failures` consecutive wrong passwords for an account (within a day), its
//   password logins are refused for `lockout_minutes` after the last of them, even with the right
//   password; one more wrong one after that locks it again, a right one (or an admin's unlock:
//   reset_login_failures) starts the count afresh. API keys and login tokens are not affected.
// - per address: a client address with `address_failure_limit` refused attempts within
//   `address_failure_window_s` seconds is refused (429 with Retry-After) without a check.
//
// The counts live in the database (db/logins.h), shared by every instance and kept over restarts.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "db/database.h"
#include "server/config.h"
#include "server/context.h"

namespace app {

enum class LoginRefusal {
    None,
    BadCredentials,    // unknown name, wrong password, not an active local account
    LockedOut,         // too many wrong passwords: refused whatever the password
    AddressLimited,    // too many refusals from this address: retry_after_s says when to try again
    TwoFactorRequired  // right password, but the account has two-factor authentication (keys only)
};

struct PasswordLogin {
    std::optional<CurrentUser> user;  // set exactly when refusal is None
    LoginRefusal refusal = LoginRefusal::BadCredentials;
    bool by_key = false;    // the user came from the fallback credential, not the password
    int retry_after_s = 0;  // AddressLimited: seconds until the address may try again
};

enum class LoginName { Login, Email };

// Another credential the same request carries, which is not subject to the guard (Basic with an API
// key as user name; a Kanboard password that is the user's API key). Tried when the password login
// is refused, before the refusal counts, so a key never counts as a failed login.
using KeyFallback = std::function<std::optional<CurrentUser>()>;

struct LoginGuardSettings {
    int lockout_failures = 3;  // 0: no lockout
    int lockout_minutes = 15;
    int address_failure_limit = 20;  // 0: no limit
    int address_failure_window_s = 60;
};
LoginGuardSettings login_guard_settings(const Config& config);

// The entry point: the client address is ctx.client_address().
PasswordLogin password_login(Context& ctx, const std::string& name, const std::string& password,
                             LoginName by = LoginName::Login, const KeyFallback& fallback = {});
// The same without a request (a connection, the settings and the address given).
PasswordLogin password_login(db::Conn& c, const LoginGuardSettings& settings, const std::string& name,
                             const std::string& password, const std::string& client_address,
                             LoginName by = LoginName::Login, const KeyFallback& fallback = {});

// An admin's unlock (PUT /users/:id with status 1, a new password, Wekan's enableLogin).
void reset_login_failures(db::Conn& c, long long user_id);

}  // namespace app
