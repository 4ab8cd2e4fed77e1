// Projects' model rules beyond plain CRUD: issues losing a version that is no longer shared with
// their project (after a narrower sharing or a move in the tree), project custom value validation,
// and the sequential_project_identifiers setting.
#include <doctest/doctest.h>

#include "spec/support.h"

using namespace spec;

namespace {

// The journals the unassignment left on an issue: "user:prop_key:old>new" per detail.
std::string version_journals(Client& c, long long issue_id) {
    auto conn = c.database().connect();
    std::string out;
    for (const auto& r :
         conn->query("SELECT j.user_id, d.property, d.prop_key, d.old_value, d.value, j.notes "
                     "FROM journals j JOIN journal_details d ON d.journal_id = j.id "
                     "WHERE j.journalized_type = 'Issue' AND j.journalized_id = ? AND d.prop_key = "
                     "'fixed_version_id' "
                     "ORDER BY j.id",
                     {issue_id}))
        out += std::to_string(r.i(0)) + ":" + r.s(1) + ":" + r.s(2) + ":" + r.s(3) + ">" +
               (r.null(4) ? "nil" : r.s(4)) + (r.null(5) ? " notes nil" : "") + " ";
    return out;
}

}  // namespace

TEST_CASE("versions: a narrower sharing unassigns the issues of projects it no longer reaches") {
    Client c;
    // Seeded: version 2 (1.1) of Web Shop is shared with descendants; issue 16 of Web Shop Mobile uses it.
    REQUIRE(c.scalar("SELECT fixed_version_id FROM issues WHERE id = 16") == 2);
    const long long lock = c.scalar("SELECT lock_version FROM issues WHERE id = 16");
    // Wider sharings change nothing.
    CHECK(c.send("PUT", "/versions/2.json", R"({"version":{"sharing":"hierarchy"}})").status == 204);
    CHECK(c.send("PUT", "/versions/2.json", R"({"version":{"sharing":"tree"}})").status == 204);
    CHECK(c.scalar("SELECT fixed_version_id FROM issues WHERE id = 16") == 2);
    // tree -> hierarchy still reaches the subproject.
    CHECK(c.send("PUT", "/versions/2.json", R"({"version":{"sharing":"hierarchy"}})").status == 204);
    CHECK(c.scalar("SELECT fixed_version_id FROM issues WHERE id = 16") == 2);
    CHECK(version_journals(c, 16) == "");
    // none: the subproject's issue loses it, with a journal by the user; the project's own issues keep it.
    CHECK(c.send("PUT", "/versions/2.xml", "<version><sharing>none</sharing></version>").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE id = 16 AND fixed_version_id IS NULL") == 1);
    CHECK(c.scalar("SELECT lock_version FROM issues WHERE id = 16") == lock + 1);
    CHECK(version_journals(c, 16) == "1:attr:fixed_version_id:2>nil ");
    // the journal's author starts watching (auto_watch_on issue_contributed_to)
    CHECK(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_type = 'Issue' AND watchable_id = 16 AND "
                   "user_id = 1") == 1);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE fixed_version_id = 2") == 5);
    auto issue = json(c.get("/issues/16.json?include=journals"))["issue"];
    CHECK(issue.contains("fixed_version") == false);
    CHECK(issue["journals"].back()["details"][0] ==
          nlohmann::json::parse(
              R"({"property":"attr","name":"fixed_version_id","old_value":"2","new_value":null})"));
}

TEST_CASE("projects: a move out of the hierarchy unassigns versions no longer shared") {
    Client c;
    // A system-wide version stays wherever the projects go.
    c.exec(
        "INSERT INTO versions (project_id, name, status, sharing, created_on, updated_on) "
        "VALUES (1, 'everywhere', 'open', 'system', '2026-01-01 00:00:00', '2026-01-01 00:00:00')");
    const long long system = c.scalar("SELECT id FROM versions WHERE name = 'everywhere'");
    c.exec("UPDATE issues SET fixed_version_id = ? WHERE id = 17", {system});
    // Moving Web Shop Mobile to the top level: version 1.1 (shared with descendants) no longer reaches it.
    CHECK(c.send("PUT", "/projects/webshop-mobile.json", R"({"project":{"parent_id":null}})").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE id = 16 AND fixed_version_id IS NULL") == 1);
    CHECK(version_journals(c, 16) == "1:attr:fixed_version_id:2>nil ");
    CHECK(c.scalar("SELECT fixed_version_id FROM issues WHERE id = 17") == system);
    CHECK(version_journals(c, 17) == "");
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE fixed_version_id = 2") == 5);  // Web Shop's own

    // A tree-shared version of Internal Tools used by its subproject is lost when the subproject leaves
    // the tree, and kept while it moves inside it.
    c.exec("UPDATE versions SET project_id = 3, sharing = 'tree' WHERE id = 1");
    c.exec("UPDATE issues SET fixed_version_id = NULL WHERE fixed_version_id = 1");
    CHECK(c.send("PUT", "/projects/webshop-mobile.json", R"({"project":{"parent_id":3}})").status == 204);
    c.exec("UPDATE issues SET fixed_version_id = 1 WHERE id IN (17, 18)");
    auto made =
        c.send("POST", "/projects.json", R"({"project":{"name":"Sub","identifier":"sub","parent_id":3}})");
    REQUIRE(made.status == 201);
    const long long sub = json(made)["project"]["id"];
    CHECK(c.send("PUT", "/projects/webshop-mobile.json",
                 R"({"project":{"parent_id":)" + std::to_string(sub) + "}}")
              .status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE fixed_version_id = 1") == 2);  // same tree
    CHECK(c.send("PUT", "/projects/webshop-mobile.json", R"({"project":{"parent_id":1}})").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE fixed_version_id = 1") == 0);
    CHECK(version_journals(c, 17) == "1:attr:fixed_version_id:1>nil ");
}

TEST_CASE("projects: custom values are validated as their formats say") {
    Client c;
    c.exec(
        "INSERT INTO custom_fields (type, name, field_format, possible_values, `regexp`, min_length, "
        "max_length, "
        "is_required, is_for_all, is_filter, position, searchable, default_value, editable, visible, "
        "multiple, "
        "format_store, description) VALUES "
        "('ProjectCustomField', 'Budget', 'int', NULL, '', NULL, NULL, 1, 0, 0, 2, 0, '', 1, 1, 0, "
        "'---\n', ''), "
        "('ProjectCustomField', 'Level', 'list', '---\n- low\n- high\n', '', NULL, NULL, 0, 0, 0, 3, 0, '', "
        "1, 1, 1, '---\n', ''), "
        "('ProjectCustomField', 'Secret', 'string', NULL, '', NULL, NULL, 1, 0, 0, 4, 0, '', 1, 0, 0, "
        "'---\n', '')");
    const std::string budget = std::to_string(c.scalar("SELECT id FROM custom_fields WHERE name = 'Budget'"));
    const std::string level = std::to_string(c.scalar("SELECT id FROM custom_fields WHERE name = 'Level'"));
    c.exec("UPDATE custom_fields SET max_length = 5 WHERE id = 2");
    // A non-admin (jsmith has add_project) creating a project: the invisible required field is not validated.
    auto jsmith =
        c.send("POST", "/projects.json",
               R"({"project":{"name":"A","identifier":"a-proj","custom_fields":[{"id":2,"value":"Too long"},)"
               R"({"id":)" +
                   budget + R"(,"value":"12x"},{"id":)" + level + R"(,"value":["low","mid"]}]}})",
               kJsmithKey);
    CHECK(jsmith.status == 422);
    CHECK(jsmith.body ==
          R"j({"errors":["Customer is too long (maximum is 5 characters)","Budget is not a number",)j"
          R"("Level is not included in the list"]})");
    auto blank =
        c.send("POST", "/projects.xml", "<project><name>A</name><identifier>a-proj</identifier></project>");
    CHECK(blank.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Budget cannot be "
          "blank</error><error>Secret cannot be blank</error></errors>");
    auto ok = c.send("POST", "/projects.json",
                     R"({"project":{"name":"A","identifier":"a-proj","custom_field_values":{")" + budget +
                         R"(":" 12 ",")" + level + R"(":["high","low"],"99":"x"}}})",
                     kJsmithKey);
    CHECK(ok.status == 201);
    const auto created = json(ok)["project"];
    const std::string id = std::to_string(created["id"].get<long long>());
    CHECK(
        c.scalar("SELECT COUNT(*) FROM custom_values WHERE customized_type = 'Project' AND customized_id = ? "
                 "AND custom_field_id = ?",
                 {std::stoll(id), std::stoll(level)}) == 2);
    // An update validates only when custom values are assigned, and then all of them.
    CHECK(c.send("PUT", "/projects/" + id + ".json", R"({"project":{"description":"d"}})").status == 204);
    CHECK(c.send("PUT", "/projects/" + id + ".json",
                 R"({"project":{"custom_fields":[{"id":)" + budget + R"(,"value":""}]}})")
              .body == R"({"errors":["Budget cannot be blank","Secret cannot be blank"]})");
    CHECK(c.send("PUT", "/projects/" + id + ".json",
                 R"({"project":{"custom_fields":[{"id":)" + budget + R"(,"value":"7"},{"id":)" +
                     std::to_string(c.scalar("SELECT id FROM custom_fields WHERE name = 'Secret'")) +
                     R"(,"value":"s"}]}})")
              .status == 204);
    CHECK(
        c.scalar("SELECT COUNT(*) FROM custom_values WHERE customized_type = 'Project' AND customized_id = ? "
                 "AND custom_field_id = ? AND value = '7'",
                 {std::stoll(id), std::stoll(budget)}) == 1);
}

TEST_CASE("projects: sequential_project_identifiers gives the next identifier when none is given") {
    Client c;
    auto missing = c.send("POST", "/projects.json", R"({"project":{"name":"Next"}})");
    CHECK(missing.body == R"({"errors":["Identifier cannot be blank"]})");
    c.exec(
        "INSERT INTO settings (name, value, updated_on) VALUES ('sequential_project_identifiers', '1', "
        "'2026-01-01 00:00:00')");
    auto r = c.send("POST", "/projects.json", R"({"project":{"name":"Next"}})");
    REQUIRE(r.status == 201);
    CHECK(json(r)["project"]["identifier"] == "internal-toolt");  // String#succ of the newest one's
    CHECK(json(c.send("POST", "/projects.json",
                      R"({"project":{"name":"Next 2"}})"))["project"]["identifier"] == "internal-toolu");
    CHECK(json(c.send("POST", "/projects.json",
                      R"({"project":{"name":"Mine","identifier":"az9"}})"))["project"]["identifier"] ==
          "az9");
    CHECK(json(c.send("POST", "/projects.json",
                      R"({"project":{"name":"After"}})"))["project"]["identifier"] == "ba0");
    CHECK(json(c.send("POST", "/projects.json",
                      R"({"project":{"name":"Z","identifier":"v-9"}})"))["project"]["identifier"] == "v-9");
    CHECK(json(c.send("POST", "/projects.json",
                      R"({"project":{"name":"After"}})"))["project"]["identifier"] == "v-10");
}

namespace {

// The ids a project list answers, in order.
std::string listed(Client& c, const std::string& query, const std::string& key = kAdminKey) {
    auto r = c.get("/projects.json" + query, key);
    if (r.status != 200) return "status " + std::to_string(r.status);
    const auto body = json(r);
    std::string out;
    for (const auto& p : body["projects"])
        out += (out.empty() ? "" : ",") + std::to_string(p["id"].get<long long>());
    return out;
}

}  // namespace

TEST_CASE("projects: the list takes ProjectQuery's filters and sort order") {
    Client c;
    CHECK(listed(c, "") == "3,1,2");  // tree order: Internal Tools, Web Shop, Web Shop Mobile
    CHECK(listed(c, "?name=~shop") == "1,2");
    CHECK(listed(c, "?name=~%22web%20shop%22%20mobile") == "2");  // a phrase and a word, both needed
    CHECK(listed(c, "?name=!~mobile") == "3,1");
    CHECK(listed(c, "?name=%5Einternal") == "3");  // ^internal
    CHECK(listed(c, "?name=$mobile") == "2");
    CHECK(listed(c, "?name=Web%20Shop") == "1");  // no operator: "="
    CHECK(listed(c, "?is_public=0") == "3");
    CHECK(listed(c, "?parent_id=1") == "2");
    CHECK(listed(c, "?parent_id=!*") == "3,1");
    CHECK(listed(c, "?parent_id=*") == "2");
    CHECK(listed(c, "?id=mine|3") == "3");  // the admin is a member of nothing
    CHECK(listed(c, "?id=mine", kRhillKey) == "1,2");
    CHECK(listed(c, "?id=!1") == "3,2");
    CHECK(listed(c, "?created_on=%3E%3D2000-01-01") == "3,1,2");
    CHECK(listed(c, "?created_on=%3C%3D2000-01-01") == "");
    CHECK(listed(c, "?created_on=%3Et-100000") == "3,1,2");
    CHECK(listed(c, "?created_on=t-100000") == "");
    // sorting, then the tree order
    CHECK(listed(c, "?sort=name:desc") == "2,1,3");
    CHECK(listed(c, "?sort=identifier") == "3,1,2");
    CHECK(listed(c, "?sort=is_public,name:desc") == "3,2,1");
    CHECK(listed(c, "?sort=unknown,parent_id:desc") == "3,1,2");  // parent_id always sorts by lft ASC
    CHECK(json(c.get("/projects.json?sort=name:desc&limit=1&offset=1"))["projects"][0]["id"] == 1);

    c.exec("UPDATE projects SET status = 5 WHERE id = 2");
    CHECK(listed(c, "?name=~shop") == "1");  // the default status=1 stays
    CHECK(listed(c, "?name=~shop&status=1|5") == "1,2");
    CHECK(listed(c, "?f[]=name&op[name]=~&v[name][]=shop") == "1,2");  // the f[] form has no default
    CHECK(listed(c, "?f[]=name&v[name][]=shop") == "3,1,2");           // no operators: no filters
    // An invalid filter (a bad date, a missing value) makes the query drop every filter.
    CHECK(listed(c, "?created_on=2026-13-45") == "3,1,2");
    CHECK(listed(c, "?created_on=%3Et-x") == "3,1,2");
    CHECK(listed(c, "?name=~") == "3,1,2");
    CHECK(json(c.get("/projects.json?name=~shop"))["total_count"] == 1);
}
