// What /users and /my/account share: the user row and its details.
#pragma once

#include <optional>
#include <string>

#include "resources/common.h"

namespace resources {

struct UserRecord {
    long long id = 0;
    std::string login, firstname, lastname, type, mail_notification, language;
    bool admin = false;
    int status = 1;
    api::Node created_on, updated_on, last_login_on, passwd_changed_on, twofa_scheme;
    std::optional<std::string> mail;  // the default email address
    bool hide_mail = true;
};

// A user (type User) by id, or nothing.
std::optional<UserRecord> find_user(Context& ctx, long long id);
// User#api_key: like Redmine, creates the token on first use.
std::string api_key_of(Context& ctx, long long user_id);
// The user's visible custom fields (admins see all).
std::optional<api::Node> user_custom_fields(Context& ctx, long long user_id);

}  // namespace resources
