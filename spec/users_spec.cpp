// /users: the admin list with its filters, and create/update/delete validated and stored as
// Redmine's User model does (messages and their order, salted SHA1 passwords, references on delete).
#include <doctest/doctest.h>

#include <regex>

#include "server/password.h"
#include "spec/support.h"

using namespace spec;

namespace {

std::vector<std::string> logins(const http::Response& r) {
    std::vector<std::string> out;
    const auto j = json(r);
    for (const auto& u : j["users"]) out.push_back(u["login"].get<std::string>());
    return out;
}

std::vector<std::string> errors(const http::Response& r) {
    REQUIRE(r.status == 422);
    return json(r)["errors"].get<std::vector<std::string>>();
}

http::Response as_basic(Client& c, const std::string& target, const std::string& login,
                        const std::string& password) {
    Call call;
    call.target = target;
    call.headers["Authorization"] = basic(login, password);
    return c.call(call);
}

const std::string kNewUser = R"({"user":{"login":"newbie","firstname":"New","lastname":"Bie",)"
                             R"("mail":"newbie@example.net","password":"secret-pass-1"}})";

}  // namespace

TEST_CASE("GET /users lists active users by login, admins only") {
    Client c;
    auto r = c.get("/users.json");
    CHECK(r.status == 200);
    CHECK(r.content_type == "application/json; charset=utf-8");
    auto j = json(r);
    CHECK(logins(r) == std::vector<std::string>{"admin", "dlopper", "jsmith", "rhill"});
    CHECK(j["total_count"] == 4);
    CHECK(j["offset"] == 0);
    CHECK(j["limit"] == 25);
    // times differ between the seeded SQLite and MariaDB databases: compare the rest, key order included
    const std::regex jsmith(
        R"(\{"id":5,"login":"jsmith","admin":false,"firstname":"John","lastname":"Smith",)"
        R"("mail":"jsmith@example.net","created_on":"[-0-9T:]+Z","updated_on":"[-0-9T:]+Z",)"
        R"("last_login_on":null,"passwd_changed_on":"[-0-9T:]+Z","twofa_scheme":null\})");
    CHECK(std::regex_search(r.body, jsmith));
    auto x = c.get("/users.xml?limit=1&offset=1");
    CHECK(x.status == 200);
    CHECK(x.body.find(R"(<users total_count="4" offset="1" limit="1" type="array">)"
                      R"(<user><id>6</id><login>dlopper</login>)") != std::string::npos);

    auto denied = c.get("/users.json", kRhillKey);
    CHECK(denied.status == 403);
    CHECK(denied.body.empty());
    auto anon = c.get("/users.xml", "");
    CHECK(anon.status == 401);
    CHECK(header(anon, "WWW-Authenticate") == "Basic realm=\"Redmine API\"");
}

TEST_CASE("GET /users filters by status, name and group, sorts and pages") {
    Client c;
    c.exec("UPDATE users SET status = 3 WHERE id = 7");
    CHECK(logins(c.get("/users.json")) == std::vector<std::string>{"admin", "dlopper", "jsmith"});
    CHECK(logins(c.get("/users.json?status=3")) == std::vector<std::string>{"rhill"});
    CHECK(logins(c.get("/users.json?status=")) ==
          std::vector<std::string>{"admin", "dlopper", "jsmith", "rhill"});
    CHECK(logins(c.get("/users.json?status=2")).empty());
    CHECK(logins(c.get("/users.json?name=SMI")) == std::vector<std::string>{"jsmith"});
    CHECK(logins(c.get("/users.json?name=dave%20lop")) == std::vector<std::string>{"dlopper"});
    CHECK(logins(c.get("/users.json?name=admin@example")) == std::vector<std::string>{"admin"});
    CHECK(logins(c.get("/users.json?name=%25")).empty());  // a literal %, escaped as Rails does
    CHECK(logins(c.get("/users.json?group_id=8&status=")) == std::vector<std::string>{"dlopper", "rhill"});
    CHECK(logins(c.get("/users.json?group_id=8")) == std::vector<std::string>{"dlopper"});
    CHECK(logins(c.get("/users.json?twofa=1")).empty());
    CHECK(logins(c.get("/users.json?sort=lastname:desc")) ==
          std::vector<std::string>{"jsmith", "dlopper", "admin"});
    CHECK(logins(c.get("/users.json?sort=firstname")) ==
          std::vector<std::string>{"dlopper", "jsmith", "admin"});
    // no valid sort column: no order clause at all, so the table order
    CHECK(logins(c.get("/users.json?sort=nosuch")) == std::vector<std::string>{"admin", "jsmith", "dlopper"});
    auto paged = json(c.get("/users.json?limit=2&page=2&status="));
    CHECK(paged["users"].size() == 2);
    CHECK(paged["users"][0]["login"] == "jsmith");
    CHECK(paged["total_count"] == 4);
    CHECK(paged["offset"] == 2);
}

TEST_CASE("GET /users/:id") {
    Client c;
    CHECK(json(c.get("/users/5.json"))["user"]["status"] == 1);
    CHECK(c.get("/users/9999.json").status == 404);
    CHECK(c.get("/users/8.json").status == 404);  // a group is not a user
}

TEST_CASE("POST /users creates a user who then logs in with Basic auth") {
    Client c;
    auto r = c.send("POST", "/users.json", kNewUser);
    REQUIRE(r.status == 201);
    auto u = json(r)["user"];
    const long long id = u["id"].get<long long>();
    CHECK(header(r, "Location") == "http://127.0.0.1:3000/users/" + std::to_string(id));
    CHECK(u["login"] == "newbie");
    CHECK(u["admin"] == false);
    CHECK(u["mail"] == "newbie@example.net");
    CHECK(u["status"] == 1);
    CHECK(u["api_key"].get<std::string>().size() == 40);
    CHECK(u["last_login_on"].is_null());
    CHECK(!u["passwd_changed_on"].is_null());
    CHECK(!u.contains("memberships"));

    // Stored as Redmine does: SHA1(salt + SHA1(password)) with a random 32-digit salt.
    auto db = c.database().connect();
    auto row = db->one(
        "SELECT salt, hashed_password, language, mail_notification, type, must_change_passwd "
        "FROM users WHERE id = ?",
        {id});
    REQUIRE(row);
    CHECK(row->s(0).size() == 32);
    CHECK(row->s(1) == auth::salted_hash("secret-pass-1", row->s(0)));
    CHECK(row->s(2) == "en");
    CHECK(row->s(3) == "only_my_events");
    CHECK(row->s(4) == "User");
    CHECK(row->i(5) == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM email_addresses WHERE user_id = ? AND is_default = 1 AND notify = 1 "
                   "AND address = 'newbie@example.net'",
                   {id}) == 1);
    CHECK(c.scalar("SELECT hide_mail FROM user_preferences WHERE user_id = ?", {id}) == 1);

    auto me = as_basic(c, "/users/current.json", "newbie", "secret-pass-1");
    CHECK(me.status == 200);
    CHECK(json(me)["user"]["login"] == "newbie");
    CHECK(!json(me)["user"]["last_login_on"].is_null());
    CHECK(as_basic(c, "/users/current.json", "newbie", "wrong-password").status == 401);
}

TEST_CASE("POST /users in XML, with generate_password, mail_notification and admin") {
    Client c;
    auto r = c.send("POST", "/users.xml",
                    "<user><login>xmluser</login><firstname>X</firstname><lastname>Ml</lastname>"
                    "<mail>xml@example.net</mail><generate_password>1</generate_password>"
                    "<mail_notification>only_assigned</mail_notification><admin>true</admin>"
                    "<must_change_passwd>1</must_change_passwd></user>");
    REQUIRE(r.status == 201);
    CHECK(r.content_type == "application/xml; charset=utf-8");
    CHECK(r.body.find("<login>xmluser</login><admin>true</admin>") != std::string::npos);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE login = 'xmluser' AND LENGTH(hashed_password) = 40 AND "
                   "admin = 1 "
                   "AND must_change_passwd = 1 AND mail_notification = 'only_assigned'") == 1);
    // send_information is accepted (no mail is sent)
    auto s = c.send("POST", "/users.json",
                    R"({"send_information":true,"user":{"login":"informed","firstname":"I","lastname":"N",)"
                    R"("mail":"in@example.net","password":"12345678"}})");
    CHECK(s.status == 201);
}

TEST_CASE("POST /users validation: Redmine's messages in the model's order") {
    Client c;
    CHECK(errors(c.send("POST", "/users.json", R"({"user":{}})")) ==
          std::vector<std::string>{"Email cannot be blank", "Login cannot be blank",
                                   "First name cannot be blank", "Last name cannot be blank"});
    CHECK(errors(c.send(
              "POST", "/users.json",
              R"({"user":{"login":"JSmith","firstname":"A","lastname":"B","mail":"JSMITH@example.net",)"
              R"("password":"short"}})")) ==
          std::vector<std::string>{"Email has already been taken", "Login has already been taken",
                                   "Password is too short (minimum is 8 characters)"});
    CHECK(errors(c.send("POST", "/users.json",
                        R"({"user":{"login":"bad login!","firstname":"abcdefghijabcdefghijabcdefghijx",)"
                        R"("lastname":"abcdefghijabcdefghijabcdefghijx","mail":"not-an-email",)"
                        R"("mail_notification":"sometimes","status":7,"password":"12345678",)"
                        R"("password_confirmation":"87654321"}})")) ==
          std::vector<std::string>{"Status is invalid", "Email is invalid", "Login is invalid",
                                   "First name is too long (maximum is 30 characters)",
                                   "Last name is too long (maximum is 30 characters)",
                                   "Email notifications is not included in the list",
                                   "Password doesn't match confirmation"});
    CHECK(errors(c.send("POST", "/users.json",
                        R"({"user":{"login":")" + std::string(61, 'a') +
                            R"(","firstname":"A","lastname":"B","mail":"long@example.net"}})")) ==
          std::vector<std::string>{"Login is too long (maximum is 60 characters)"});
    auto xml = c.send("POST", "/users.xml", "<user><login>x</login></user>");
    CHECK(xml.status == 422);
    CHECK(xml.body ==
          R"(<?xml version="1.0" encoding="UTF-8"?><errors type="array"><error>Email cannot be blank</error>)"
          R"(<error>First name cannot be blank</error><error>Last name cannot be blank</error></errors>)");
    CHECK(c.scalar("SELECT COUNT(*) FROM users") == 8);
}

TEST_CASE("POST /users password rules and email domains follow the settings") {
    Client c;
    c.exec(
        "INSERT INTO settings (name, value, updated_on) VALUES ('password_min_length', '10', '2026-01-01 "
        "00:00:00')");
    c.exec(
        "INSERT INTO settings (name, value, updated_on) VALUES ('password_required_char_classes', "
        "'---\n- uppercase\n- lowercase\n- digits\n- special_chars\n', '2026-01-01 00:00:00')");
    c.exec(
        "INSERT INTO settings (name, value, updated_on) VALUES ('email_domains_denied', 'spam.example, "
        ".bad.org', "
        "'2026-01-01 00:00:00')");
    c.app().settings().invalidate();
    auto body = [](const std::string& mail, const std::string& password) {
        return R"({"user":{"login":"rules","firstname":"R","lastname":"U","mail":")" + mail +
               R"(","password":")" + password + R"("}})";
    };
    CHECK(errors(c.send("POST", "/users.json", body("r@example.net", "abc"))) ==
          std::vector<std::string>{"Password must contain uppercase letters (A-Z)",
                                   "Password must contain digits (0-9)",
                                   "Password must contain special characters (!, $, %, ...)",
                                   "Password is too short (minimum is 10 characters)"});
    CHECK(errors(c.send("POST", "/users.json", body("r@spam.example", "Abcdefgh1!"))) ==
          std::vector<std::string>{"Email is invalid"});
    CHECK(errors(c.send("POST", "/users.json", body("r@mail.bad.org", "Abcdefgh1!"))) ==
          std::vector<std::string>{"Email is invalid"});
    CHECK(c.send("POST", "/users.json", body("r@good.org", "Abcdefgh1!")).status == 201);
}

TEST_CASE("POST/PUT/DELETE /users need an admin") {
    Client c;
    CHECK(c.send("POST", "/users.json", kNewUser, kJsmithKey).status == 403);
    CHECK(c.send("POST", "/users.json", kNewUser, "").status == 401);
    CHECK(c.send("PUT", "/users/6.json", R"({"user":{"firstname":"X"}})", kJsmithKey).status == 403);
    CHECK(c.send("PUT", "/users/9999.json", R"({"user":{"firstname":"X"}})", kJsmithKey).status == 403);
    CHECK(c.send("DELETE", "/users/6.json", "", kJsmithKey).status == 403);
    CHECK(c.send("DELETE", "/users/6.json", "", "").status == 401);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE firstname = 'X' OR login = 'newbie'") == 0);
}

TEST_CASE("PUT /users/:id updates attributes, email, password and status") {
    Client c;
    auto r = c.send("PUT", "/users/6.json",
                    R"({"user":{"firstname":"David","mail":" dave@example.org ","mail_notification":"none",)"
                    R"("language":"fr"},"pref":{"hide_mail":false}})");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    auto u = json(c.get("/users/6.json"))["user"];
    CHECK(u["firstname"] == "David");
    CHECK(u["mail"] == "dave@example.org");
    CHECK(u["updated_on"] != "2026-11-22T15:28:18Z");
    CHECK(c.scalar(
              "SELECT COUNT(*) FROM users WHERE id = 6 AND mail_notification = 'none' AND language = 'fr'") ==
          1);
    CHECK(c.scalar("SELECT hide_mail FROM user_preferences WHERE user_id = 6") == 0);

    // password change: the new one works, the old one no longer does
    CHECK(c.send("PUT", "/users/6.xml", "<user><password>brand-new-pass</password></user>").status == 204);
    CHECK(as_basic(c, "/users/current.json", "dlopper", "brand-new-pass").status == 200);
    CHECK(as_basic(c, "/users/current.json", "dlopper", "dlopper-pass-123").status == 401);
    // an empty password leaves the password alone
    CHECK(c.send("PUT", "/users/6.json", R"({"user":{"password":""}})").status == 204);
    CHECK(as_basic(c, "/users/current.json", "dlopper", "brand-new-pass").status == 200);

    // lock and unlock through status
    CHECK(c.send("PUT", "/users/6.json", R"({"user":{"status":3}})").status == 204);
    CHECK(as_basic(c, "/users/current.json", "dlopper", "brand-new-pass").status == 401);
    CHECK(c.get("/users/current.json", kDlopperKey).status == 401);
    CHECK(json(c.get("/users/6.json"))["user"]["status"] == 3);
    CHECK(c.send("PUT", "/users/6.json", R"({"user":{"status":1}})").status == 204);
    CHECK(c.get("/users/current.json", kDlopperKey).status == 200);
}

TEST_CASE("PUT /users/:id validation and not found") {
    Client c;
    CHECK(errors(
              c.send("PUT", "/users/6.json",
                     R"({"user":{"login":"jsmith","mail":"rhill@example.net","lastname":"","status":0}})")) ==
          std::vector<std::string>{"Status is invalid", "Email has already been taken",
                                   "Last name cannot be blank", "Login has already been taken"});
    CHECK(errors(c.send("PUT", "/users/6.json",
                        R"({"user":{"password":"1234","password_confirmation":"1234"}})")) ==
          std::vector<std::string>{"Password is too short (minimum is 8 characters)"});
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 6 AND login = 'dlopper' AND lastname = 'Lopper'") ==
          1);
    // keeping one's own email and login is not "taken"
    CHECK(c.send("PUT", "/users/6.json", R"({"user":{"login":"dlopper","mail":"dlopper@example.net"}})")
              .status == 204);
    CHECK(c.send("PUT", "/users/9999.json", R"({"user":{"firstname":"X"}})").status == 404);
    CHECK(c.send("PUT", "/users/4.json", R"({"user":{"firstname":"X"}})").status ==
          404);  // the anonymous user
    CHECK(c.send("PUT", "/users/8.json", R"({"user":{"firstname":"X"}})").status == 404);  // a group
}

TEST_CASE("PUT /users/:id group_ids keeps the inherited roles in step") {
    Client c;
    // jsmith joins "Web team": he inherits its Reporter role in Web Shop Mobile (member 4, group role 6)
    CHECK(c.send("PUT", "/users/5.json", R"({"user":{"group_ids":[8]}})").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM groups_users WHERE group_id = 8 AND user_id = 5") == 1);
    CHECK(
        c.scalar(
            "SELECT COUNT(*) FROM member_roles WHERE member_id = 4 AND role_id = 5 AND inherited_from = 6") ==
        1);
    CHECK(c.send("PUT", "/users/5.json", R"({"user":{"group_ids":[]}})").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM groups_users WHERE user_id = 5") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM member_roles WHERE member_id = 4") == 1);
    CHECK(c.send("PUT", "/users/5.json", R"({"user":{"group_ids":[999]}})").status == 404);
}

TEST_CASE("DELETE /users/:id hands what the user authored to the anonymous user") {
    Client c;
    CHECK(c.send("DELETE", "/users/5.json", "").status == 204);
    CHECK(c.get("/users/5.json").status == 404);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 5") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE author_id = 4") == 13);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE assigned_to_id = 5") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE user_id = 4") == 11);
    CHECK(c.scalar("SELECT COUNT(*) FROM time_entries WHERE user_id = 4") == 3);
    CHECK(c.scalar("SELECT COUNT(*) FROM news WHERE author_id = 4") == 3);
    for (const char* table :
         {"members", "tokens", "watchers", "email_addresses", "user_preferences", "groups_users"})
        CHECK(c.scalar(std::string("SELECT COUNT(*) FROM ") + table + " WHERE user_id = 5") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM member_roles WHERE member_id IN (1, 4, 8)") == 0);
    CHECK(c.get("/users/current.json", kJsmithKey).status == 401);
    CHECK(c.send("DELETE", "/users/5.json", "").status == 404);

    // rhill is assigned issue categories and journals mention him as an assignee
    CHECK(c.send("DELETE", "/users/7.xml", "").status == 204);
    CHECK(c.scalar(
              "SELECT COUNT(*) FROM journal_details WHERE prop_key = 'assigned_to_id' AND value = '7'") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM member_roles WHERE inherited_from = 6") == 1);  // dlopper's stays
}

TEST_CASE("DELETE /users/:id of oneself needs another active admin") {
    Client c;
    auto r = c.send("DELETE", "/users/1.json", "");
    CHECK(r.status == 422);
    CHECK(r.body.empty());
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 1") == 1);
    CHECK(c.send("PUT", "/users/5.json", R"({"user":{"admin":true}})").status == 204);
    CHECK(c.send("DELETE", "/users/1.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 1") == 0);
}

TEST_CASE("POST /users validates and stores user custom fields") {
    Client c;
    c.exec(
        "INSERT INTO custom_fields (id, type, name, field_format, is_required, max_length, position, "
        "visible, "
        "editable, multiple, is_for_all, is_filter, searchable) "
        "VALUES (10, 'UserCustomField', 'Team', 'string', 1, 5, 1, 1, 1, 0, 0, 0, 0)");
    auto body = [](const std::string& fields) {
        return R"({"user":{"login":"cf","firstname":"C","lastname":"F","mail":"cf@example.net",)"
               R"("password":"12345678")" +
               fields + "}}";
    };
    CHECK(errors(c.send("POST", "/users.json", R"({"user":{"login":"cf"}})")) ==
          std::vector<std::string>{"Email cannot be blank", "Team cannot be blank",
                                   "First name cannot be blank", "Last name cannot be blank"});
    CHECK(errors(c.send("POST", "/users.json", body(R"(,"custom_fields":[{"id":10,"value":"toolong"}])"))) ==
          std::vector<std::string>{"Team is too long (maximum is 5 characters)"});
    auto r = c.send("POST", "/users.json", body(R"(,"custom_fields":[{"id":10,"value":"core"}])"));
    REQUIRE(r.status == 201);
    CHECK(r.body.find(R"("custom_fields":[{"id":10,"name":"Team","value":"core"}])") != std::string::npos);
    const long long id = json(r)["user"]["id"].get<long long>();
    CHECK(c.send("PUT", "/users/" + std::to_string(id) + ".json",
                 R"({"user":{"custom_field_values":{"10":"ops"}}})")
              .status == 204);
    CHECK(c.get("/users.json?name=cf")
              .body.find(R"("custom_fields":[{"id":10,"name":"Team","value":"ops"}])") != std::string::npos);
    CHECK(errors(c.send("PUT", "/users/" + std::to_string(id) + ".json",
                        R"({"user":{"custom_fields":[{"id":10,"value":""}]}})")) ==
          std::vector<std::string>{"Team cannot be blank"});
}
