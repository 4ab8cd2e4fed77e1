#include "db/logins.h"

#include <cctype>

namespace db {

namespace {

const char* kAccountColumns =
    "u.id, u.login, u.firstname, u.lastname, u.type, u.admin, u.status, u.salt, u.hashed_password, "
    "u.auth_source_id, u.twofa_scheme";
const char* kAction = "failed_login";

LoginAccount account_from(const Row& r) {
    LoginAccount a;
    a.id = r.i(0);
    a.login = r.s(1);
    a.firstname = r.s(2);
    a.lastname = r.s(3);
    a.type = r.s(4);
    a.admin = r.b(5);
    a.status = static_cast<int>(r.i(6));
    a.salt = r.s(7);
    a.hashed_password = r.s(8);
    a.external = !r.null(9);
    a.twofa_scheme = r.s(10);
    return a;
}

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

}  // namespace

std::optional<LoginAccount> account_by_login(Conn& c, const std::string& login) {
    if (login.empty()) return std::nullopt;
    const std::string base = std::string("SELECT ") + kAccountColumns +
                             " FROM users u WHERE u.type IN ('User', 'AnonymousUser') AND ";
    // MySQL compares case-insensitively: the exact match is picked here, as Ruby would.
    for (const auto& row : c.query(base + "u.login = ?", {login}))
        if (row.s(1) == login) return account_from(row);
    auto row = c.one(base + "LOWER(u.login) = ? ORDER BY u.id LIMIT 1", {lower(login)});
    if (!row) return std::nullopt;
    return account_from(*row);
}

std::optional<LoginAccount> account_by_email(Conn& c, const std::string& address) {
    if (address.empty()) return std::nullopt;
    auto row =
        c.one(std::string("SELECT ") + kAccountColumns +
                  " FROM users u JOIN email_addresses e ON e.user_id = u.id "
                  "WHERE u.type = 'User' AND LOWER(e.address) = ? ORDER BY e.is_default DESC, e.id LIMIT 1",
              {lower(address)});
    if (!row) return std::nullopt;
    return account_from(*row);
}

void touch_last_login(Conn& c, long long user_id) {
    const auto now = std::chrono::system_clock::now();
    c.exec(
        "UPDATE users SET last_login_on = ? WHERE id = ? AND (last_login_on IS NULL OR last_login_on < ?)",
        {c.time_text(now).substr(0, 19), user_id, c.time_text(now - std::chrono::minutes(1)).substr(0, 19)});
}

FailureCount user_failures(Conn& c, long long user_id, std::chrono::system_clock::time_point since) {
    FailureCount out;
    auto row = c.one(
        "SELECT COUNT(*), MAX(created_on) FROM tokens WHERE user_id = ? AND action = ? AND created_on > ?",
        {user_id, kAction, c.time_text(since)});
    if (!row) return out;
    out.count = row->i(0);
    if (!row->null(1)) out.newest = parse_time(row->s(1));
    return out;
}

namespace {
// Rows whose value starts with the key: the range [key, key + 'g'), hex digits being below 'g'.
const char* kAddressRange = "action = ? AND value >= ? AND value < ? AND created_on > ?";
}  // namespace

long long address_failures(Conn& c, const std::string& key, std::chrono::system_clock::time_point since) {
    return c.scalar(std::string("SELECT COUNT(*) FROM tokens WHERE ") + kAddressRange,
                    {kAction, key, key + "g", c.time_text(since)});
}

std::optional<std::chrono::system_clock::time_point> address_failure_at(
    Conn& c, const std::string& key, std::chrono::system_clock::time_point since, long long nth_newest) {
    if (nth_newest < 1) return std::nullopt;
    auto row = c.one(std::string("SELECT created_on FROM tokens WHERE ") + kAddressRange +
                         " ORDER BY created_on DESC, id DESC LIMIT 1 OFFSET ?",
                     {kAction, key, key + "g", c.time_text(since), nth_newest - 1});
    if (!row) return std::nullopt;
    return parse_time(row->s(0));
}

void record_failure(Conn& c, long long user_id, const std::string& value,
                    std::chrono::system_clock::time_point forget_before) {
    const std::string now = c.now();
    c.exec("DELETE FROM tokens WHERE user_id = ? AND action = ? AND created_on < ?",
           {user_id, kAction, c.time_text(forget_before)});
    c.exec("INSERT INTO tokens (user_id, action, value, created_on, updated_on) VALUES (?, ?, ?, ?, ?)",
           {user_id, kAction, value, now, now});
}

void clear_failures(Conn& c, long long user_id) {
    c.exec("UPDATE tokens SET user_id = 0 WHERE user_id = ? AND action = ?", {user_id, kAction});
}

}  // namespace db
