// What /users and /my/account share: the user row and its details.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "resources/common.h"
#include "resources/custom_values.h"
#include "resources/text.h"

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

// PUT of a user's attributes, validated as Redmine's User model; 204 or 422. self_service keeps only
// what a user may change on their own account (/my/account).
Response update_user(Context& ctx, long long id, bool self_service);

// Principal#visible? for a user or a group (its id and status).
bool principal_visible(Context& ctx, long long id, int status);
// A principal's memberships as the API shows them (archived projects left out); only_visible keeps
// the projects the current user may see (a user's page), a group's page shows them all.
api::Node memberships_node(Context& ctx, long long principal_id, bool only_visible);

// ActiveModel's boolean cast: "" and nothing are nil; "0", "f", "false", "off" (any case) false; the rest
// true.
std::optional<bool> rails_bool(const std::optional<std::string>& v);

// Custom values of a user or a group being written (acts_as_customizable): assigned from a body's
// custom_fields ([{id, value}]) or custom_field_values ({id: value}), validated, saved.
class CustomValuesEdit {
public:
    CustomValuesEdit(db::Conn& db, const std::string& type, long long customized_id, bool is_new);
    void assign(const nlohmann::json& attrs);
    std::vector<std::string> validate() const;  // "<Field> <message>", field by field
    void save(long long customized_id);         // inside the caller's db::Tx

private:
    struct Field {
        CustomFieldDef def;
        std::vector<std::string> was;
        CustomValueInput value;
    };
    db::Conn& db_;
    bool is_new_;
    bool assigned_ = false;
    std::vector<Field> fields_;
};

}  // namespace resources
