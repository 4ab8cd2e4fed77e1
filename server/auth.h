// Authentication exactly as Redmine 5.0's find_current_user for API requests: API key (`key`
// parameter, X-Redmine-API-Key, or Basic with the key as user name) or Basic login/password,
// X-Redmine-Switch-User for admins; anything unknown runs as the anonymous user.
#pragma once

#include <optional>

#include "server/context.h"

namespace app {

// Sets ctx.user; throws HttpError where Redmine answers at once (403 must change password,
// 401 two-factor user over Basic, 412 bad switch user, 401 login required).
void authenticate(Context& ctx);

// The user row as CurrentUser, for any principal id of type User or AnonymousUser.
std::optional<CurrentUser> load_user(db::Conn& c, long long id);
CurrentUser anonymous_user(db::Conn& c);

std::string base64_decode(const std::string& in);

}  // namespace app
