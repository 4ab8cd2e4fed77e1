// /groups: the list and one group (users, memberships), create/update/delete, and adding and removing
// users with the member roles they inherit kept in step (Group#user_added / user_removed).
#include <doctest/doctest.h>

#include "spec/support.h"

using namespace spec;

namespace {

std::vector<std::string> errors(const http::Response& r) {
    REQUIRE(r.status == 422);
    return json(r)["errors"].get<std::vector<std::string>>();
}

// "member_id:role_id:inherited_from" for a user's member roles in a project, by id.
std::vector<std::string> roles_of(Client& c, long long user, long long project) {
    std::vector<std::string> out;
    auto db = c.database().connect();
    for (const auto& r :
         db->query("SELECT mr.role_id, mr.inherited_from FROM member_roles mr "
                   "JOIN members m ON m.id = mr.member_id WHERE m.user_id = ? AND m.project_id = ? "
                   "ORDER BY mr.id",
                   {user, project}))
        out.push_back(std::to_string(r.i(0)) + ":" + (r.null(1) ? "-" : std::to_string(r.i(1))));
    return out;
}

}  // namespace

TEST_CASE("GET /groups lists the givable groups, builtin=1 adds the built-in ones") {
    Client c;
    auto r = c.get("/groups.json");
    CHECK(r.status == 200);
    CHECK(r.body == R"({"groups":[{"id":8,"name":"Web team"}]})");
    CHECK(c.get("/groups.xml").body ==
          R"(<?xml version="1.0" encoding="UTF-8"?>)"
          R"(<groups type="array"><group><id>8</id><name>Web team</name></group></groups>)");
    CHECK(c.get("/groups.json?builtin=1").body ==
          R"({"groups":[{"id":8,"name":"Web team"},{"id":2,"name":"Anonymous users","builtin":"anonymous"},)"
          R"({"id":3,"name":"Non member users","builtin":"non_member"}]})");
    CHECK(c.get("/groups.json", kJsmithKey).status == 403);
    CHECK(c.get("/groups.json", "").status == 401);
}

TEST_CASE("GET /groups/:id with users and memberships") {
    Client c;
    auto r = c.get("/groups/8.json?include=users,memberships");
    CHECK(r.status == 200);
    CHECK(r.body == R"({"group":{"id":8,"name":"Web team","users":[{"id":6,"name":"Dave Lopper"},)"
                    R"({"id":7,"name":"Robert Hill"}],"memberships":[{"id":6,)"
                    R"("project":{"id":2,"name":"Web Shop Mobile"},)"
                    R"("roles":[{"id":5,"name":"Reporter"}]}]}})");
    CHECK(c.get("/groups/8.json").body == R"({"group":{"id":8,"name":"Web team"}})");
    CHECK(c.get("/groups/3.json?include=users").body ==
          R"({"group":{"id":3,"name":"Non member users","builtin":"non_member"}})");
    // The page of a visible group is not for admins only.
    CHECK(c.get("/groups/8.json", kRhillKey).status == 200);
    CHECK(c.get("/groups/8.json", "").status == 200);
    CHECK(c.get("/groups/5.json").status == 404);  // a user
    CHECK(c.get("/groups/9999.json").status == 404);
}

TEST_CASE("POST /groups creates a group, with users") {
    Client c;
    auto r =
        c.send("POST", "/groups.json?include=users", R"({"group":{"name":"Testers","user_ids":[5,"7"]}})");
    REQUIRE(r.status == 201);
    auto g = json(r)["group"];
    const long long id = g["id"].get<long long>();
    CHECK(header(r, "Location") == "http://127.0.0.1:3000/groups/" + std::to_string(id));
    CHECK(r.body ==
          R"({"group":{"id":)" + std::to_string(id) +
              R"(,"name":"Testers","users":[{"id":5,"name":"John Smith"},{"id":7,"name":"Robert Hill"}]}})");
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = ? AND type = 'Group' AND status = 1 AND login = ''",
                   {id}) == 1);
    auto x = c.send("POST", "/groups.xml", "<group><name>Xml team</name></group>");
    CHECK(x.status == 201);
    CHECK(x.body.find("<name>Xml team</name>") != std::string::npos);
}

TEST_CASE("POST /groups validation, permission and unknown users") {
    Client c;
    CHECK(errors(c.send("POST", "/groups.json", R"({"group":{"name":""}})")) ==
          std::vector<std::string>{"Name cannot be blank"});
    CHECK(errors(c.send("POST", "/groups.json", R"({"group":{"name":"WEB TEAM"}})")) ==
          std::vector<std::string>{"Name has already been taken"});
    CHECK(
        errors(c.send("POST", "/groups.json", R"({"group":{"name":")" + std::string(256, 'g') + R"("}})")) ==
        std::vector<std::string>{"Name is too long (maximum is 255 characters)"});
    auto xml = c.send("POST", "/groups.xml", "<group><name></name></group>");
    CHECK(xml.body == R"(<?xml version="1.0" encoding="UTF-8"?>)"
                      R"(<errors type="array"><error>Name cannot be blank</error></errors>)");
    // a user's name is no group's name
    CHECK(c.send("POST", "/groups.json", R"({"group":{"name":"Smith"}})").status == 201);
    CHECK(c.send("POST", "/groups.json", R"({"group":{"name":"Other","user_ids":[999]}})").status == 404);
    CHECK(c.send("POST", "/groups.json", R"({"group":{"name":"Nope"}})", kJsmithKey).status == 403);
    CHECK(c.send("POST", "/groups.json", R"({"group":{"name":"Nope"}})", "").status == 401);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE lastname IN ('Other', 'Nope')") == 0);
}

TEST_CASE("PUT /groups/:id renames and replaces users") {
    Client c;
    CHECK(c.send("PUT", "/groups/8.json", R"({"group":{"name":"Mobile team","user_ids":[5,6]}})").status ==
          204);
    CHECK(c.get("/groups/8.json?include=users").body ==
          R"({"group":{"id":8,"name":"Mobile team","users":[{"id":5,"name":"John Smith"},)"
          R"({"id":6,"name":"Dave Lopper"}]}})");
    // rhill left: his inherited Reporter role (and so his membership of Web Shop Mobile) is gone
    CHECK(roles_of(c, 7, 2).empty());
    CHECK(roles_of(c, 5, 2) == std::vector<std::string>{"3:-", "5:6"});
    CHECK(errors(c.send("PUT", "/groups/8.json", R"({"group":{"name":""}})")) ==
          std::vector<std::string>{"Name cannot be blank"});
    CHECK(c.send("PUT", "/groups/9999.json", R"({"group":{"name":"x"}})").status == 404);
    CHECK(c.send("PUT", "/groups/8.json", R"({"group":{"name":"x"}})", kJsmithKey).status == 403);
    CHECK(c.send("PUT", "/groups/2.json", R"({"group":{"name":"x"}})").status ==
          204);  // built-in: nothing changes
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 2 AND lastname = 'Anonymous users'") == 1);
}

TEST_CASE("POST /groups/:id/users and DELETE /groups/:id/users/:user_id") {
    Client c;
    // jsmith joins: he keeps his Manager role and inherits the group's Reporter role
    auto r = c.send("POST", "/groups/8/users.json", R"({"user_id":5})");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    CHECK(roles_of(c, 5, 2) == std::vector<std::string>{"3:-", "5:6"});
    // already a member
    CHECK(errors(c.send("POST", "/groups/8/users.json", R"({"user_id":5})")) ==
          std::vector<std::string>{"User is invalid"});
    auto xml = c.send("POST", "/groups/8/users.xml", "<user_id>9999</user_id>");
    CHECK(xml.status == 422);
    CHECK(xml.body == R"(<?xml version="1.0" encoding="UTF-8"?>)"
                      R"(<errors type="array"><error>User is invalid</error></errors>)");
    // the admin is in no project: a new membership is made for him
    CHECK(c.send("POST", "/groups/8/users.json", R"({"user_ids":[1]})").status == 204);
    CHECK(roles_of(c, 1, 2) == std::vector<std::string>{"5:6"});

    CHECK(c.send("DELETE", "/groups/8/users/5.json", "").status == 204);
    CHECK(roles_of(c, 5, 2) == std::vector<std::string>{"3:-"});
    CHECK(c.send("DELETE", "/groups/8/users/1.json", "").status == 204);
    CHECK(roles_of(c, 1, 2).empty());
    CHECK(c.scalar("SELECT COUNT(*) FROM members WHERE user_id = 1") == 0);
    CHECK(c.send("DELETE", "/groups/8/users/5.json", "").status == 204);  // not in the group: nothing to do
    CHECK(c.send("DELETE", "/groups/8/users/9999.json", "").status == 404);
    CHECK(c.send("DELETE", "/groups/8/users/6.json", "", kJsmithKey).status == 403);
    CHECK(c.send("POST", "/groups/8/users.json", R"({"user_id":5})", "").status == 401);
    CHECK(c.send("POST", "/groups/9999/users.json", R"({"user_id":5})").status == 404);
}

TEST_CASE("Adding a user reaches the subprojects that inherit members") {
    Client c;
    c.exec("UPDATE projects SET inherit_members = 1 WHERE id = 2");
    // give the group a Developer role in Web Shop (project 1): MemberRole's callbacks pass it on
    c.exec(
        "INSERT INTO members (user_id, project_id, created_on, mail_notification) VALUES (8, 1, "
        "'2026-01-01', 0)");
    const long long group_member = c.scalar("SELECT id FROM members WHERE user_id = 8 AND project_id = 1");
    c.exec("INSERT INTO member_roles (member_id, role_id) VALUES (?, 4)", {group_member});
    const long long group_role = c.scalar("SELECT id FROM member_roles WHERE member_id = ?", {group_member});
    CHECK(c.send("POST", "/groups/8/users.json", R"({"user_id":1})").status == 204);
    const long long admin_role = c.scalar(
        "SELECT mr.id FROM member_roles mr JOIN members m ON m.id = mr.member_id "
        "WHERE m.user_id = 1 AND m.project_id = 1");
    CHECK(roles_of(c, 1, 1) == std::vector<std::string>{"4:" + std::to_string(group_role)});
    CHECK(roles_of(c, 1, 2) == std::vector<std::string>{"5:6", "4:" + std::to_string(admin_role)});
    CHECK(c.send("DELETE", "/groups/8/users/1.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM members WHERE user_id = 1") == 0);
}

TEST_CASE("DELETE /groups/:id takes the inherited roles with it") {
    Client c;
    c.exec("UPDATE issues SET assigned_to_id = 8 WHERE id = 1");
    CHECK(c.send("DELETE", "/groups/8.json", "").status == 204);
    CHECK(c.get("/groups/8.json").status == 404);
    CHECK(c.scalar("SELECT COUNT(*) FROM member_roles WHERE inherited_from = 6 OR id = 6") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM members WHERE id IN (6, 7)") ==
          0);  // the group's, and rhill's (now empty)
    CHECK(roles_of(c, 6, 2) == std::vector<std::string>{"4:-"});
    CHECK(c.scalar("SELECT COUNT(*) FROM groups_users") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE assigned_to_id = 8") == 0);
    CHECK(c.send("DELETE", "/groups/3.json", "").status == 204);  // built-in: refused quietly
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 3") == 1);
    CHECK(c.send("DELETE", "/groups/3.json", "", kJsmithKey).status == 403);
    CHECK(c.send("DELETE", "/groups/9999.json", "").status == 404);
}
