// The SQL of password logins: the account a login name or e-mail address names, and the failed
// logins the brute-force lockout counts (server/password_login.*).
//
// Failed logins are rows of Redmine's own `tokens` table with the action 'failed_login', so every
// instance on the database sees them and a restart keeps them, and a Redmine beside us is not
// disturbed: it never reads an action it does not know, deletes a user's rows with the user, and its
// token pruning (rake redmine:tokens:prune) deletes them after a day, which the lockout allows for
// (it only counts failures of the last day). A row's user_id is the account whose password was
// wrong (0 when the name is unknown or the attempt was refused unchecked); its value, unique as the
// column requires, is 20 hex digits naming the client address (a hash of it) and 20 random ones,
// so one index range counts an address's failures.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "db/database.h"

namespace db {

// What a password login needs of a users row.
struct LoginAccount {
    long long id = 0;
    std::string login, firstname, lastname, type;
    bool admin = false;
    int status = 1;
    std::string salt, hashed_password;
    bool external = false;  // auth_source_id set (LDAP): no local password
    std::string twofa_scheme;
};

// User.find_by_login: an exact match first, then a case-insensitive one (users and AnonymousUser).
std::optional<LoginAccount> account_by_login(Conn& c, const std::string& login);
// The user (type User) one of whose e-mail addresses is `address`, case-insensitively.
std::optional<LoginAccount> account_by_email(Conn& c, const std::string& address);
// update_last_login_on!: at most once a minute.
void touch_last_login(Conn& c, long long user_id);

struct FailureCount {
    long long count = 0;
    std::optional<std::chrono::system_clock::time_point> newest;
};
// `key`: the 20 hex digits that start the values of one client address's rows.

// A user's failed logins since `since`.
FailureCount user_failures(Conn& c, long long user_id, std::chrono::system_clock::time_point since);
// An address's failed logins since `since`, and the time of the n-th newest of them (n from 1).
long long address_failures(Conn& c, const std::string& key, std::chrono::system_clock::time_point since);
std::optional<std::chrono::system_clock::time_point> address_failure_at(
    Conn& c, const std::string& key, std::chrono::system_clock::time_point since, long long nth_newest);
// Records one failed login (`value`: the key and 20 random hex digits) and forgets that user's (or
// the unknown names') rows older than `forget_before`.
void record_failure(Conn& c, long long user_id, const std::string& value,
                    std::chrono::system_clock::time_point forget_before);
// Ends a user's run of failed logins (a successful login, an admin's unlock): the rows stay, as
// unknown names' rows, for their address's count.
void clear_failures(Conn& c, long long user_id);

}  // namespace db
