// Projects, memberships, versions and issue categories: Redmine 5.0's answers on the seeded data,
// its validations and permissions, and the nested set kept right by creates, moves and deletes.
#include <doctest/doctest.h>

#include "spec/support.h"

using namespace spec;

namespace {

// (identifier, lft, rgt) of every project, in lft order.
std::string tree(Client& c) {
    auto conn = c.database().connect();
    std::string out;
    for (const auto& r : conn->query("SELECT identifier, lft, rgt FROM projects ORDER BY lft"))
        out += r.s(0) + ":" + std::to_string(r.i(1)) + "-" + std::to_string(r.i(2)) + " ";
    return out;
}

}  // namespace

TEST_CASE("projects: the list shows visible, active projects in tree order") {
    Client c;
    auto all = json(c.get("/projects.json"));
    REQUIRE(all["projects"].size() == 3);
    CHECK(all["projects"][0]["identifier"] == "internal-tools");  // siblings sort by name
    CHECK(all["projects"][2]["parent"] == nlohmann::json::parse(R"({"id":1,"name":"Web Shop"})"));
    CHECK(all["projects"][0].contains("homepage") == false);
    CHECK(all["projects"][0]["custom_fields"][0]["value"].is_null());
    CHECK(all["total_count"] == 3);
    auto anon = json(c.get("/projects.json", ""));
    CHECK(anon["total_count"] == 2);
    CHECK(json(c.get("/projects.json", kRhillKey))["total_count"] == 2);
    CHECK(json(c.get("/projects.json?limit=1&offset=1"))["projects"][0]["id"] == 1);

    c.exec("UPDATE projects SET status = 5 WHERE id = 3");
    CHECK(json(c.get("/projects.json"))["total_count"] == 2);  // the default filter is status=1
    CHECK(json(c.get("/projects.json?status=5"))["projects"][0]["id"] == 3);
    CHECK(json(c.get("/projects.json?f[]=status&op[status]=*"))["total_count"] == 3);
    CHECK(json(c.get("/projects.json?status=*"))["total_count"] == 0);
    c.exec("UPDATE projects SET status = 9 WHERE id = 3");
    CHECK(json(c.get("/projects.json?f[]=status&op[status]=*"))["total_count"] ==
          2);  // archived: never listed

    c.exec("UPDATE projects SET created_on = ?, updated_on = ?",  // the MySQL seed has other times
           {std::string("2026-11-22 15:28:19"), std::string("2026-11-22 15:28:19")});
    CHECK(
        c.get("/projects.xml?limit=1").body ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><projects total_count=\"2\" offset=\"0\" limit=\"1\" "
        "type=\"array\"><project><id>1</id><name>Web "
        "Shop</name><identifier>webshop</identifier><description>The "
        "public online shop.</description><status>1</status><is_public>true</is_public><inherit_members>false"
        "</inherit_members><custom_fields type=\"array\"><custom_field id=\"2\" "
        "name=\"Customer\"><value>ACME Corp"
        "</value></custom_field></custom_fields><created_on>2026-11-22T15:28:19Z</created_on><updated_on>"
        "2026-11-22T15:28:19Z</updated_on></project></projects>");
}

TEST_CASE("projects: show by id or identifier, with includes and their permissions") {
    Client c;
    auto p =
        json(c.get("/projects/1.json?include=trackers,issue_categories,enabled_modules,time_entry_activities,"
                   "issue_custom_fields"))["project"];
    CHECK(p["homepage"] == "https://shop.example.net");
    CHECK(p["trackers"].size() == 3);
    CHECK(p["issue_categories"][1] == nlohmann::json::parse(R"({"id":2,"name":"Frontend"})"));
    CHECK(p["time_entry_activities"].size() == 2);
    CHECK(p["enabled_modules"].size() == 10);
    CHECK(p["issue_custom_fields"] == nlohmann::json::parse(R"([{"id":1,"name":"Severity"}])"));
    CHECK(json(c.get("/projects/webshop.json"))["project"]["id"] == 1);
    // Without view_issues (module off for anonymous' role) the issue data is hidden; modules stay.
    c.exec(
        "DELETE FROM enabled_modules WHERE project_id = 1 AND name IN ('issue_tracking', 'time_tracking')");
    auto anon =
        json(c.get("/projects/webshop.json?include=trackers,issue_categories,time_entry_activities,"
                   "enabled_modules,issue_custom_fields",
                   ""))["project"];
    CHECK(anon.contains("trackers") == false);
    CHECK(anon.contains("issue_categories") == false);
    CHECK(anon.contains("time_entry_activities") == false);
    CHECK(anon.contains("issue_custom_fields") == false);
    CHECK(anon["enabled_modules"].size() == 8);

    CHECK(c.get("/projects/internal-tools.json", "").status == 401);
    CHECK(c.get("/projects/internal-tools.json", kRhillKey).status == 403);
    CHECK(c.get("/projects/nosuchproject.json").status == 404);
    CHECK(c.get("/projects/99.xml", "").status == 404);
    c.exec("UPDATE projects SET status = 9 WHERE id = 3");
    CHECK(c.get("/projects/internal-tools.json").status == 403);  // archived: even for an admin

    c.exec("UPDATE projects SET default_version_id = 1, default_assigned_to_id = 6 WHERE id = 2");
    auto mobile = json(c.get("/projects/webshop-mobile.json"))["project"];
    CHECK(mobile["default_version"] == nlohmann::json::parse(R"({"id":1,"name":"1.0"})"));
    CHECK(mobile["default_assignee"] == nlohmann::json::parse(R"({"id":6,"name":"Dave Lopper"})"));
}

TEST_CASE("projects: create with defaults, validations and the nested set") {
    Client c;
    auto dup = c.send("POST", "/projects.json", R"({"project":{"name":"Dup","identifier":"webshop"}})");
    CHECK(dup.status == 422);
    CHECK(dup.body == R"({"errors":["Identifier has already been taken"]})");
    auto bad =
        c.send("POST", "/projects.xml", "<project><name></name><identifier>123</identifier></project>");
    CHECK(bad.status == 422);
    CHECK(bad.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Name cannot be blank"
          "</error><error>Identifier is invalid</error></errors>");
    CHECK(json(c.send("POST", "/projects.json",
                      R"({"project":{"name":"X","identifier":"new"}})"))["errors"][0] ==
          "Identifier is reserved");
    c.exec("UPDATE projects SET status = 5 WHERE id = 3");  // a closed parent takes no subprojects
    CHECK(json(c.send("POST", "/projects.json",
                      R"({"project":{"name":"X","identifier":"x","parent_id":3}})"))["errors"] ==
          nlohmann::json::parse(R"(["Subproject of is invalid"])"));
    c.exec("UPDATE projects SET status = 1 WHERE id = 3");

    auto r = c.send(
        "POST", "/projects.json",
        R"({"project":{"name":"API","identifier":"api","parent_id":1,"tracker_ids":[2],)"
        R"("custom_fields":[{"id":2,"value":"Initech"}]}})");
    REQUIRE(r.status == 201);
    auto p = json(r)["project"];
    CHECK(header(r, "Location").find("/projects/4") != std::string::npos);
    CHECK(p["parent"] == nlohmann::json::parse(R"({"id":1,"name":"Web Shop"})"));
    CHECK(p["is_public"] == true);
    CHECK(p["custom_fields"][0]["value"] == "Initech");
    CHECK(c.scalar("SELECT COUNT(*) FROM enabled_modules WHERE project_id = 4") == 10);
    CHECK(c.scalar("SELECT tracker_id FROM projects_trackers WHERE project_id = 4") == 2);
    // "API" sorts before "Web Shop Mobile" under Web Shop
    CHECK(tree(c) == "internal-tools:1-2 webshop:3-8 api:4-5 webshop-mobile:6-7 ");

    // A root project without modules given takes the settings' defaults; trackers 1-3 from the setting.
    auto root =
        c.send("POST", "/projects.xml",
               "<project><name>Alpha</name><identifier>alpha</identifier><is_public>false</is_public>"
               "<enabled_module_names type=\"array\"><name>wiki</name></enabled_module_names></project>");
    REQUIRE(root.status == 201);
    CHECK(c.scalar("SELECT COUNT(*) FROM enabled_modules WHERE project_id = 5") == 1);
    CHECK(c.scalar("SELECT COUNT(*) FROM projects_trackers WHERE project_id = 5") == 3);
    CHECK(c.scalar("SELECT is_public FROM projects WHERE id = 5") == 0);
    CHECK(tree(c) == "alpha:1-2 internal-tools:3-4 webshop:5-10 api:6-7 webshop-mobile:8-9 ");

    // Permissions: anonymous 401; a user without add_project 403.
    CHECK(c.send("POST", "/projects.json", R"({"project":{"name":"Z","identifier":"z"}})", "").status == 401);
    c.exec("UPDATE roles SET permissions = ? WHERE builtin = 1", {std::string("---\n- :view_project\n")});
    CHECK(
        c.send("POST", "/projects.json", R"({"project":{"name":"Z","identifier":"z"}})", kRhillKey).status ==
        403);
}

TEST_CASE("projects: a non-admin with add_subprojects becomes a member of the project made") {
    Client c;
    // Without add_project, jsmith (Manager: add_subprojects) may add subprojects only.
    c.exec("UPDATE roles SET permissions = REPLACE(permissions, ?, '') WHERE id = 3",
           {std::string("- :add_project\n")});
    auto r = c.send("POST", "/projects.json",
                    R"({"project":{"name":"Sub","identifier":"sub","parent_id":1}})", kJsmithKey);
    REQUIRE(r.status == 201);
    CHECK(c.scalar("SELECT COUNT(*) FROM members m JOIN member_roles mr ON mr.member_id = m.id "
                   "WHERE m.project_id = 4 AND m.user_id = 5 AND mr.role_id = 3") == 1);
    auto root =
        c.send("POST", "/projects.json", R"({"project":{"name":"Root","identifier":"root"}})", kJsmithKey);
    CHECK(root.status == 422);
    CHECK(root.body == R"({"errors":["Subproject of is invalid"]})");
}

TEST_CASE("projects: update, move in the tree, close, archive and delete") {
    Client c;
    CHECK(c.send("PUT", "/projects/webshop.json", R"({"project":{"name":""}})").body ==
          R"({"errors":["Name cannot be blank"]})");
    // Renaming reorders siblings; the identifier cannot change.
    auto put =
        c.send("PUT", "/projects/internal-tools.json", R"({"project":{"name":"Zeta","identifier":"zz"}})");
    CHECK(put.status == 204);
    CHECK(tree(c) == "webshop:1-4 webshop-mobile:2-3 internal-tools:5-6 ");
    CHECK(c.scalar("SELECT COUNT(*) FROM projects WHERE identifier = 'internal-tools' AND name = 'Zeta'") ==
          1);
    // Moving a subproject to the root, and back under another parent.
    CHECK(c.send("PUT", "/projects/2.json", R"({"project":{"parent_id":""}})").status == 204);
    CHECK(tree(c) == "webshop:1-2 webshop-mobile:3-4 internal-tools:5-6 ");
    CHECK(c.send("PUT", "/projects/2.json", R"({"project":{"parent_id":3}})").status == 204);
    CHECK(tree(c) == "webshop:1-2 internal-tools:3-6 webshop-mobile:4-5 ");
    CHECK(c.send("PUT", "/projects/3.json", R"({"project":{"parent_id":2}})").body ==
          R"({"errors":["Subproject of is invalid"]})");  // not under its own descendant
    CHECK(c.send("PUT", "/projects/1.json", R"({"project":{"name":"X"}})", kRhillKey).status == 403);
    CHECK(c.send("PUT", "/projects/1.json", R"({"project":{"name":"X"}})", "").status == 401);

    // close / reopen (close_project), archive / unarchive (admin only)
    CHECK(c.send("PUT", "/projects/3/close.json", "", kRhillKey).status == 403);
    CHECK(c.send("PUT", "/projects/3/close.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM projects WHERE status = 5") == 2);  // with its subproject
    CHECK(c.send("PUT", "/projects/3.json", R"({"project":{"name":"Y"}})").status ==
          403);  // closed: read-only
    CHECK(c.send("POST", "/projects/3/reopen.json", "").status == 204);
    CHECK(c.send("PUT", "/projects/3/archive.json", "", kJsmithKey).status == 403);
    CHECK(c.send("PUT", "/projects/3/archive.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM projects WHERE status = 9") == 2);
    CHECK(c.get("/projects/3.json").status == 403);
    CHECK(c.send("PUT", "/projects/3/unarchive.json", "").status == 204);
    CHECK(c.scalar("SELECT status FROM projects WHERE id = 3") == 1);
    CHECK(c.scalar("SELECT status FROM projects WHERE id = 2") == 9);  // only that project is restored

    // A version used by an issue outside the subtree prevents archiving.
    c.exec("UPDATE issues SET fixed_version_id = 1 WHERE id = 1");
    c.exec("UPDATE versions SET project_id = 3 WHERE id = 1");
    auto refused = c.send("PUT", "/projects/3/archive.json", "");
    CHECK(refused.status == 422);
    CHECK(refused.body == R"({"errors":["This project cannot be archived"]})");
}

TEST_CASE("projects: delete removes the subtree and what belongs to it") {
    Client c;
    CHECK(c.send("DELETE", "/projects/1.json", "", kJsmithKey).status == 403);  // has subprojects, not admin
    CHECK(c.send("DELETE", "/projects/1.json", "", "").status == 401);
    CHECK(c.send("DELETE", "/projects/1.json", "").status == 204);
    CHECK(tree(c) == "internal-tools:1-2 ");
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE project_id IN (1, 2)") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM members WHERE project_id IN (1, 2)") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM versions") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM time_entries WHERE project_id IN (1, 2)") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE journalized_id NOT IN (SELECT id FROM issues)") == 0);
    CHECK(c.scalar(
              "SELECT COUNT(*) FROM custom_values WHERE customized_type = 'Project' AND customized_id = 1") ==
          0);
    CHECK(c.get("/projects/webshop.json").status == 404);
    CHECK(c.send("DELETE", "/projects/1.json", "").status == 404);
}

TEST_CASE("memberships: list, show, create with group inheritance, update and delete") {
    Client c;
    auto list = json(c.get("/projects/webshop/memberships.json"));
    CHECK(list["total_count"] == 3);
    CHECK(list["memberships"][0]["user"] == nlohmann::json::parse(R"({"id":5,"name":"John Smith"})"));
    auto mobile = json(c.get("/projects/2/memberships.json"))["memberships"];
    CHECK(mobile[1]["roles"] ==
          nlohmann::json::parse(
              R"([{"id":4,"name":"Developer"},{"id":5,"name":"Reporter","inherited":true}])"));
    CHECK(mobile[2]["group"] == nlohmann::json::parse(R"({"id":8,"name":"Web team"})"));
    CHECK(
        c.get("/memberships/1.xml").body ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><membership><id>1</id><project id=\"1\" name=\"Web "
        "Shop\"/>"
        "<user id=\"5\" name=\"John Smith\"/><roles type=\"array\"><role id=\"3\" name=\"Manager\"/></roles>"
        "</membership>");
    CHECK(c.get("/memberships/999.json").status == 404);
    CHECK(c.get("/projects/internal-tools/memberships.json", "").status == 401);
    CHECK(c.get("/projects/webshop/memberships.json", "").status == 200);  // view_members is public

    // validations
    CHECK(c.send("POST", "/projects/3/memberships.json", R"({"membership":{"role_ids":[4]}})").body ==
          R"({"errors":["Principal cannot be blank"]})");
    CHECK(c.send("POST", "/projects/3/memberships.json", R"({"membership":{"user_id":5,"role_ids":[4]}})")
              .body == R"({"errors":["User has already been taken"]})");
    CHECK(c.send("POST", "/projects/3/memberships.json", R"({"membership":{"user_id":7,"role_ids":[1]}})")
              .body == R"({"errors":["Role cannot be empty"]})");  // a built-in role cannot be given
    CHECK(c.send("POST", "/projects/3/memberships.json", R"({"membership":{"user_id":7,"role_ids":[4]}})",
                 kRhillKey)
              .status == 403);

    // A group's membership gives its users inherited roles.
    auto r = c.send("POST", "/projects/3/memberships.json", R"({"membership":{"user_id":8,"role_ids":[5]}})");
    REQUIRE(r.status == 201);
    const long long id = json(r)["membership"]["id"];
    CHECK(header(r, "Location").find("/memberships/" + std::to_string(id)) != std::string::npos);
    CHECK(json(r)["membership"]["group"]["name"] == "Web team");
    auto rhill = json(c.get("/projects/3/memberships.json"))["memberships"];
    REQUIRE(rhill.size() == 4);  // jsmith, dlopper, the group, rhill
    CHECK(rhill[3]["user"]["id"] == 7);
    CHECK(rhill[3]["roles"] == nlohmann::json::parse(R"([{"id":5,"name":"Reporter","inherited":true}])"));
    CHECK(rhill[1]["roles"] ==
          nlohmann::json::parse(R"([{"id":4,"name":"Developer"},{"id":5,"name":"Reporter"},)"
                                R"({"id":5,"name":"Reporter","inherited":true}])"));
    // an inherited membership cannot be deleted
    const std::string rhill_member = std::to_string(rhill[3]["id"].get<long long>());
    CHECK(c.send("DELETE", "/memberships/" + rhill_member + ".json", "").status == 422);
    // updating the group's roles reaches its users
    CHECK(c.send("PUT", "/memberships/" + std::to_string(id) + ".json", R"({"membership":{"role_ids":[4]}})")
              .status == 204);
    CHECK(c.scalar("SELECT role_id FROM member_roles WHERE member_id = ?",
                   {rhill[3]["id"].get<long long>()}) == 4);
    CHECK(c.send("PUT", "/memberships/1.xml",
                 "<membership><role_ids type=\"array\"><role_id>99</role_id></role_ids>"
                 "</membership>")
              .body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Role cannot be empty"
          "</error></errors>");
    // deleting the group's membership removes the roles its users inherited
    CHECK(c.send("DELETE", "/memberships/" + std::to_string(id) + ".json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM members WHERE project_id = 3") == 2);
    CHECK(c.scalar("SELECT COUNT(*) FROM member_roles mr JOIN members m ON m.id = mr.member_id "
                   "WHERE m.project_id = 3 AND mr.inherited_from IS NOT NULL") == 0);
}

TEST_CASE("versions: shared versions, hours, create, update and delete") {
    Client c;
    auto mobile = json(c.get("/projects/webshop-mobile/versions.json"));
    CHECK(mobile["total_count"] == 1);  // 1.1 is shared with descendants
    CHECK(mobile["versions"][0]["name"] == "1.1");
    CHECK(mobile.contains("offset") == false);
    CHECK(json(c.get("/projects/internal-tools/versions.json"))["total_count"] == 0);
    auto v = json(c.get("/versions/2.json"))["version"];
    CHECK(v["estimated_hours"] == 50.0);
    CHECK(v["spent_hours"] == 1.0);
    CHECK(json(c.get("/versions/2.json", ""))["version"]["estimated_hours"].is_number());
    CHECK(c.get("/versions/99.json").status == 404);

    auto bad = c.send("POST", "/projects/1/versions.json",
                      R"({"version":{"name":"1.0","due_date":"2026-02-30","status":"done"}})");
    CHECK(
        bad.body ==
        R"({"errors":["Name has already been taken","Due date is not a valid date",)"
        R"("Status is not included in the list"]})");
    CHECK(c.send("POST", "/projects/1/versions.json", R"({"version":{"name":"2.0"}})", kRhillKey).status ==
          403);
    auto r =
        c.send("POST", "/projects/1/versions.xml",
               "<version><name>2.0</name><due_date>2026-12-31</due_date><sharing>system</sharing></version>");
    REQUIRE(r.status == 201);
    CHECK(header(r, "Location").find("/versions/3") != std::string::npos);
    CHECK(r.body.find("<due_date>2026-12-31</due_date><sharing>system</sharing>") != std::string::npos);
    CHECK(json(c.get("/projects/3/versions.json"))["total_count"] == 1);  // system-wide
    CHECK(
        c.send("PUT", "/versions/3.json", R"({"version":{"status":"closed","default_project_version":"1"}})")
            .status == 204);
    CHECK(c.scalar("SELECT default_version_id FROM projects WHERE id = 1") == 3);
    CHECK(c.send("DELETE", "/versions/2.json", "").status == 422);  // has issues
    CHECK(c.send("DELETE", "/versions/3.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM projects WHERE default_version_id IS NOT NULL") == 0);
}

TEST_CASE("issue categories: list, show, create with a relative Location, update, delete with reassign") {
    Client c;
    CHECK(
        c.get("/projects/webshop/issue_categories.json").body ==
        R"({"issue_categories":[{"id":1,"project":{"id":1,"name":"Web Shop"},"name":"Backend",)"
        R"("assigned_to":{"id":6,"name":"Dave Lopper"}},{"id":2,"project":{"id":1,"name":"Web Shop"},)"
        R"("name":"Frontend"}],"total_count":2})");
    CHECK(c.get("/issue_categories/1.json", kRhillKey).status == 403);  // manage_categories only
    CHECK(c.get("/issue_categories/1.json", "").status == 401);
    CHECK(c.get("/issue_categories/9.json").status == 404);
    CHECK(c.send("POST", "/projects/1/issue_categories.json", R"({"issue_category":{"name":"Backend"}})")
              .body == R"({"errors":["Name has already been taken"]})");
    auto r = c.send("POST", "/projects/1/issue_categories.json",
                    R"({"issue_category":{"name":"Ops","assigned_to_id":5}})");
    REQUIRE(r.status == 201);
    CHECK(header(r, "Location") == "/issue_categories/3");
    CHECK(json(r)["issue_category"]["assigned_to"]["name"] == "John Smith");
    CHECK(c.send("PUT", "/issue_categories/3.json", R"({"issue_category":{"name":""}})").body ==
          R"({"errors":["Name cannot be blank"]})");
    CHECK(c.send("PUT", "/issue_categories/3.json", R"({"issue_category":{"assigned_to_id":""}})").status ==
          204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issue_categories WHERE id = 3 AND assigned_to_id IS NULL") == 1);
    const long long backend = c.scalar("SELECT COUNT(*) FROM issues WHERE category_id = 1");
    REQUIRE(backend > 0);
    CHECK(c.send("DELETE", "/issue_categories/1.json?reassign_to_id=3", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE category_id = 3") == backend);
    CHECK(c.send("DELETE", "/issue_categories/3.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE category_id = 3") == 0);
}
