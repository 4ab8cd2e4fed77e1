// The small resources that prove the pipeline: statuses, trackers, enumerations, roles, custom
// fields, queries, /users/current and /my/account.
#include <doctest/doctest.h>

#include "spec/support.h"

using namespace spec;

TEST_CASE("issue statuses, trackers and enumerations are public lists") {
    Client c;
    auto statuses = json(c.get("/issue_statuses.json", ""))["issue_statuses"];
    REQUIRE(statuses.size() == 6);
    CHECK(statuses[4] == nlohmann::json::parse(R"({"id":5,"name":"Closed","is_closed":true})"));
    auto trackers = json(c.get("/trackers.json", ""))["trackers"];
    REQUIRE(trackers.size() == 3);
    CHECK(trackers[0]["default_status"] == nlohmann::json::parse(R"({"id":1,"name":"New"})"));
    CHECK(trackers[0]["enabled_standard_fields"].size() == 9);
    c.exec("UPDATE trackers SET fields_bits = 5 WHERE id = 1");  // assigned_to_id and fixed_version_id off
    auto bug = json(c.get("/trackers.json"))["trackers"][0]["enabled_standard_fields"];
    CHECK(bug == nlohmann::json::parse(
                     R"(["category_id","parent_issue_id","start_date","due_date","estimated_hours","done_ratio","description"])"));
    CHECK(c.get("/enumerations/issue_priorities.xml").body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><issue_priorities type=\"array\"><issue_priority><id>1</id>"
          "<name>Low</name><is_default>false</is_default><active>true</active></issue_priority><issue_priority>"
          "<id>2</id><name>Normal</name><is_default>true</is_default><active>true</active></issue_priority>"
          "<issue_priority><id>3</id><name>High</name><is_default>false</is_default><active>true</active>"
          "</issue_priority><issue_priority><id>4</id><name>Urgent</name><is_default>false</is_default><active>true"
          "</active></issue_priority><issue_priority><id>5</id><name>Immediate</name><is_default>false</is_default>"
          "<active>true</active></issue_priority></issue_priorities>");
    auto categories = json(c.get("/enumerations/document_categories.json"))["document_categories"];
    CHECK(categories.size() == 2);
    c.exec("UPDATE enumerations SET active = 0 WHERE id = 9");
    auto activities = json(c.get("/enumerations/time_entry_activities.json"))["time_entry_activities"];
    CHECK(activities[1] == nlohmann::json::parse(R"({"id":9,"name":"Development","is_default":false,"active":false})"));
}

TEST_CASE("roles: the givable ones listed in position order, any one shown with its permissions") {
    Client c;
    c.exec("UPDATE roles SET position = 10 WHERE id = 3");
    CHECK(c.get("/roles.json", "").body ==
          R"({"roles":[{"id":4,"name":"Developer"},{"id":5,"name":"Reporter"},{"id":3,"name":"Manager"}]})");
    auto reporter = json(c.get("/roles/5.json", kRhillKey))["role"];
    CHECK(reporter["name"] == "Reporter");
    CHECK(reporter["issues_visibility"] == "default");
    CHECK(reporter["permissions"][0] == "view_issues");
    CHECK(reporter["permissions"].size() == 19);
    CHECK(json(c.get("/roles/1.json"))["role"]["name"] == "Non member");
    CHECK(c.get("/roles/99.json").status == 404);
}

TEST_CASE("custom fields are for admins only") {
    Client c;
    CHECK(c.get("/custom_fields.json", "").status == 401);
    CHECK(c.get("/custom_fields.json", kJsmithKey).status == 403);
    auto fields = json(c.get("/custom_fields.json"))["custom_fields"];
    REQUIRE(fields.size() == 2);
    CHECK(fields[0]["possible_values"][1] == nlohmann::json::parse(R"({"value":"Major","label":"Major"})"));
    CHECK(fields[0]["trackers"].size() == 3);
    CHECK(fields[1].contains("trackers") == false);
    c.exec("INSERT INTO custom_fields (id, type, name, field_format, position, visible) "
           "VALUES (3, 'UserCustomField', 'On call', 'bool', 1, 1)");
    auto boolean = json(c.get("/custom_fields.json"))["custom_fields"];
    CHECK(boolean[2]["customized_type"] == "user");
    CHECK(boolean[2]["possible_values"] ==
          nlohmann::json::parse(R"([{"value":"1","label":"Yes"},{"value":"0","label":"No"}])"));
}

TEST_CASE("queries: the issue queries the user may see") {
    Client c;
    CHECK(json(c.get("/queries.json", ""))["total_count"] == 4);
    c.exec("INSERT INTO queries (id, project_id, name, filters, user_id, type, visibility) "
           "VALUES (20, NULL, 'Mine only', '', 5, 'IssueQuery', 0)");
    c.exec("INSERT INTO queries (id, project_id, name, filters, user_id, type, visibility) "
           "VALUES (21, 3, 'For developers', '', 1, 'IssueQuery', 1)");
    c.exec("INSERT INTO queries_roles (query_id, role_id) VALUES (21, 4)");
    auto names = [&](const std::string& key) {
        std::vector<std::string> out;
        const auto body = json(c.get("/queries.json", key));
        for (const auto& q : body["queries"]) out.push_back(q["name"]);
        return out;
    };
    CHECK(names(kJsmithKey) == std::vector<std::string>{"Issues assigned to me", "Mine only", "Reported issues",
                                                         "Updated issues", "Watched issues"});
    // dlopper is a Developer in internal-tools (3); rhill is no member there.
    CHECK(names(kDlopperKey) == std::vector<std::string>{"For developers", "Issues assigned to me", "Reported issues",
                                                          "Updated issues", "Watched issues"});
    CHECK(names(kRhillKey).size() == 4);
    CHECK(names(kAdminKey).size() == 5);  // an admin sees role queries, not others' private ones
}

TEST_CASE("/users/current needs a login and shows what Redmine shows to oneself") {
    Client c;
    CHECK(c.get("/users/current.json", "").status == 401);
    auto me = json(c.get("/users/current.json", kRhillKey))["user"];
    CHECK(me["login"] == "rhill");
    CHECK(me["admin"] == false);
    CHECK(me.contains("mail") == false);  // hidden by rhill's own preference
    CHECK(me.contains("status") == false);
    CHECK(me["api_key"] == kRhillKey);
    auto with = json(c.get("/users/current.json?include=memberships,groups", kDlopperKey))["user"];
    CHECK(with.contains("groups") == false);  // groups only for admins
    REQUIRE(with["memberships"].size() == 3);
    CHECK(with["memberships"][1]["roles"][1] == nlohmann::json::parse(R"({"id":5,"name":"Reporter","inherited":true})"));
}

TEST_CASE("an API key is created on first use, as User#api_key does") {
    Client c;
    c.exec("DELETE FROM tokens WHERE user_id = 6");
    Call call;
    call.target = "/users/current.json";
    call.headers["Authorization"] = basic("dlopper", "dlopper-pass-123");
    auto key = json(c.call(call))["user"]["api_key"].get<std::string>();
    CHECK(key.size() == 40);
    CHECK(json(c.get("/users/current.json", key))["user"]["id"] == 6);
}

TEST_CASE("/my/account shows and updates one's own account") {
    Client c;
    CHECK(c.get("/my/account.json", "").status == 401);
    CHECK(c.get("/my/account.json", kJsmithKey).body.find("\"login\":\"jsmith\"") != std::string::npos);
    auto ok = c.send("PUT", "/my/account.json",
                     R"({"user":{"firstname":"Johnny","mail":"johnny@example.net","admin":true,"login":"hacker"}})",
                     kJsmithKey);
    CHECK(ok.status == 204);
    CHECK(ok.body.empty());
    auto me = json(c.get("/my/account.json", kJsmithKey))["user"];
    CHECK(me["firstname"] == "Johnny");
    CHECK(me["mail"] == "johnny@example.net");
    CHECK(me["admin"] == false);  // not one's own to set
    CHECK(me["login"] == "jsmith");
    auto taken = c.send("PUT", "/my/account.xml", "<user><mail>DLOPPER@example.net</mail></user>", kJsmithKey);
    CHECK(taken.status == 422);
    CHECK(taken.body.find("<error>Email has already been taken</error>") != std::string::npos);
    auto too_long = c.send("PUT", "/my/account.json", R"({"user":{"lastname":")" + std::string(31, 'x') + "\"}}",
                           kJsmithKey);
    CHECK(too_long.body == R"j({"errors":["Last name is too long (maximum is 30 characters)"]})j");
}
