// Authentication exactly as Redmine 5.0: API key (parameter, header, Basic user name), Basic
// login/password, X-Redmine-Switch-User, and what runs as anonymous.
#include <doctest/doctest.h>

#include "spec/support.h"

using namespace spec;

namespace {
http::Response as_basic(Client& c, const std::string& user, const std::string& password,
                        const std::string& target = "/users/current.json") {
    Call call;
    call.target = target;
    call.headers["Authorization"] = basic(user, password);
    return c.call(call);
}
long long login_of(const http::Response& r) { return json(r)["user"]["id"].get<long long>(); }
}  // namespace

TEST_CASE("the API key is read from the key parameter, the header, or Basic's user name") {
    Client c;
    CHECK(login_of(c.get("/users/current.json?key=" + kJsmithKey, "")) == 5);
    CHECK(login_of(c.get("/users/current.json", kJsmithKey)) == 5);
    CHECK(login_of(as_basic(c, kJsmithKey, "anything")) == 5);
    // The parameter wins over the header, as in Redmine's api_key_from_request.
    CHECK(login_of(c.get("/users/current.json?key=" + kRhillKey, kJsmithKey)) == 7);
}

TEST_CASE("Basic login and password are checked against Redmine's salted SHA1") {
    Client c;
    CHECK(login_of(as_basic(c, "jsmith", "jsmith-pass-123")) == 5);
    CHECK(login_of(as_basic(c, "JSMITH", "jsmith-pass-123")) == 5);  // logins match case-insensitively
    auto wrong = as_basic(c, "jsmith", "wrong");
    CHECK(wrong.status == 401);
    CHECK(header(wrong, "WWW-Authenticate") == "Basic realm=\"Redmine API\"");
    CHECK(wrong.body.empty());
    CHECK(as_basic(c, "nobody", "x").status == 401);
    CHECK(as_basic(c, "jsmith", "").status == 401);
}

TEST_CASE("Basic login updates last_login_on; an API key does not") {
    Client c;
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 6 AND last_login_on IS NULL") == 1);
    CHECK(c.get("/users/current.json", kDlopperKey).status == 200);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 6 AND last_login_on IS NULL") == 1);
    CHECK(as_basic(c, "dlopper", "dlopper-pass-123").status == 200);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 6 AND last_login_on IS NULL") == 0);
}

TEST_CASE("an unknown or malformed key runs as anonymous") {
    Client c;
    auto r = c.get("/users/current.json", "0000000000000000000000000000000000000000");
    CHECK(r.status == 401);
    CHECK(header(r, "WWW-Authenticate") == "Basic realm=\"Redmine API\"");
    CHECK(c.get("/issue_statuses.json", "not a key; DROP TABLE users").status == 200);
    CHECK(c.scalar("SELECT COUNT(*) FROM users") > 0);
    // A token of another kind is not an API key.
    c.exec("INSERT INTO tokens (user_id, action, value, created_on) VALUES (5, 'feeds', ?, '2026-01-01 00:00:00')",
           {std::string(40, 'f')});
    CHECK(c.get("/users/current.json", std::string(40, 'f')).status == 401);
}

TEST_CASE("locked users are refused, by key and by password") {
    Client c;
    c.exec("UPDATE users SET status = 3 WHERE id = 5");
    CHECK(c.get("/users/current.json", kJsmithKey).status == 401);
    CHECK(as_basic(c, "jsmith", "jsmith-pass-123").status == 401);
}

TEST_CASE("must-change-password answers 403 to Basic authentication") {
    Client c;
    c.exec("UPDATE users SET must_change_passwd = 1 WHERE id = 5");
    auto r = as_basic(c, "jsmith", "jsmith-pass-123");
    CHECK(r.status == 403);
    CHECK(r.body.empty());
    CHECK(as_basic(c, kJsmithKey, "x").status == 403);
    CHECK(c.get("/users/current.json", kJsmithKey).status == 200);  // a key in the header is not Basic
}

TEST_CASE("two-factor users may not use login and password over Basic") {
    Client c;
    c.exec("UPDATE users SET twofa_scheme = 'totp' WHERE id = 5");
    auto r = as_basic(c, "jsmith", "jsmith-pass-123");
    CHECK(r.status == 401);
    CHECK(header(r, "WWW-Authenticate").empty());
    CHECK(c.get("/users/current.json", kJsmithKey).status == 200);
}

TEST_CASE("X-Redmine-Switch-User works for admins only and 412s on unknown or locked users") {
    Client c;
    Call call;
    call.target = "/users/current.json";
    call.headers["X-Redmine-API-Key"] = kAdminKey;
    call.headers["X-Redmine-Switch-User"] = "rhill";
    CHECK(login_of(c.call(call)) == 7);
    call.headers["X-Redmine-Switch-User"] = "nosuchuser";
    auto r = c.call(call);
    CHECK(r.status == 412);
    CHECK(r.body.empty());
    CHECK(r.content_type == "application/json");
    c.exec("UPDATE users SET status = 3 WHERE id = 7");
    call.headers["X-Redmine-Switch-User"] = "rhill";
    CHECK(c.call(call).status == 412);
    // A non-admin's switch header is ignored.
    call.headers["X-Redmine-API-Key"] = kJsmithKey;
    call.headers["X-Redmine-Switch-User"] = "dlopper";
    CHECK(login_of(c.call(call)) == 5);
}

TEST_CASE("without the REST API setting, keys are ignored and API requests needing login are forbidden") {
    Client c;
    c.exec("UPDATE settings SET value = '0' WHERE name = 'rest_api_enabled'");
    auto r = c.get("/users/current.json", kAdminKey);
    CHECK(r.status == 403);
    CHECK(header(r, "WWW-Authenticate").empty());
    CHECK(c.get("/issue_statuses.json", kAdminKey).status == 200);
}

TEST_CASE("login_required makes anonymous requests 401") {
    Client c;
    CHECK(c.get("/issue_statuses.json", "").status == 200);
    c.exec("INSERT INTO settings (name, value, updated_on) VALUES ('login_required', '1', '2026-01-01 00:00:00')");
    auto r = c.get("/issue_statuses.json", "");
    CHECK(r.status == 401);
    CHECK(header(r, "WWW-Authenticate") == "Basic realm=\"Redmine API\"");
    CHECK(c.get("/issue_statuses.json", kRhillKey).status == 200);
}
