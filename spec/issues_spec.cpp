// GET /issues, /projects/:id/issues and /issues/:id as Redmine 5.0.4 answers them, on the seeded
// reference data (../shared/reference/README.md).
#include <doctest/doctest.h>

#include "spec/support.h"

using namespace spec;

namespace {

std::vector<long long> ids(const nlohmann::json& list) {
    std::vector<long long> out;
    for (const auto& i : list) out.push_back(i.at("id").get<long long>());
    return out;
}

// The ids of an issue list answer (200 expected).
std::vector<long long> list_ids(Client& c, const std::string& query, const std::string& key = kAdminKey) {
    auto r = c.get("/issues.json?" + query, key);
    INFO(query);
    REQUIRE(r.status == 200);
    return ids(json(r).at("issues"));
}

// Keys in the order of the answer (nlohmann::json itself sorts them).
std::vector<std::string> keys(const nlohmann::ordered_json& object) {
    std::vector<std::string> out;
    for (auto it = object.begin(); it != object.end(); ++it) out.push_back(it.key());
    return out;
}

using Ids = std::vector<long long>;

}  // namespace

TEST_CASE("issues: the default list is open issues, newest first, with Redmine's keys and meta") {
    Client c;
    auto r = c.get("/issues.json?limit=2");
    REQUIRE(r.status == 200);
    CHECK(header(r, "content-type") == "application/json; charset=utf-8");
    auto j = json(r);
    auto ordered = nlohmann::ordered_json::parse(r.body);
    CHECK(keys(ordered) == std::vector<std::string>{"issues", "total_count", "offset", "limit"});
    CHECK(j["total_count"] == 25);
    CHECK(j["limit"] == 2);
    CHECK(ids(j["issues"]) == Ids{30, 29});
    CHECK(keys(ordered["issues"][1]) == std::vector<std::string>{"id",
                                                                 "project",
                                                                 "tracker",
                                                                 "status",
                                                                 "priority",
                                                                 "author",
                                                                 "assigned_to",
                                                                 "category",
                                                                 "fixed_version",
                                                                 "subject",
                                                                 "description",
                                                                 "start_date",
                                                                 "due_date",
                                                                 "done_ratio",
                                                                 "is_private",
                                                                 "estimated_hours",
                                                                 "total_estimated_hours",
                                                                 "spent_hours",
                                                                 "total_spent_hours",
                                                                 "custom_fields",
                                                                 "created_on",
                                                                 "updated_on",
                                                                 "closed_on"});
    CHECK(j["issues"][1]["status"] ==
          nlohmann::json::parse(R"({"id":2,"name":"In Progress","is_closed":false})"));
    CHECK(j["issues"][1]["custom_fields"] ==
          nlohmann::json::parse(R"([{"id":1,"name":"Severity","value":"Critical"}])"));
    CHECK(r.body.find("\"spent_hours\":0.0") != std::string::npos);  // floats keep their decimal point
}

TEST_CASE("issues: XML list with meta attributes, includes and parents") {
    Client c;
    auto r = c.get("/issues.xml?issue_id=2,29&status_id=*&include=relations,attachments&sort=id");
    REQUIRE(r.status == 200);
    CHECK(header(r, "content-type") == "application/xml; charset=utf-8");
    CHECK(r.body.rfind(
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?><issues total_count=\"2\" offset=\"0\" limit=\"25\" "
              "type=\"array\"><issue><id>2</id>",
              0) == 0);
    CHECK(r.body.find("<parent id=\"1\"/>") != std::string::npos);
    CHECK(r.body.find(
              "<attachments type=\"array\"></attachments><relations type=\"array\"></relations></issue>") !=
          std::string::npos);
    CHECK(r.body.find("<relations type=\"array\"><relation id=\"2\" issue_id=\"10\" issue_to_id=\"29\" "
                      "relation_type=\"blocks\" delay=\"\"/></relations>") != std::string::npos);
}

TEST_CASE("issues: status, tracker, project, assignee and custom field filters") {
    Client c;
    CHECK(list_ids(c, "status_id=*&limit=100&sort=id").size() == 30);
    CHECK(list_ids(c, "status_id=c&sort=id") == Ids{4, 6, 11, 21, 25});
    CHECK(list_ids(c, "status_id=99").empty());
    CHECK(list_ids(c, "status_id=3|4&sort=id") == Ids{2, 5, 13, 14, 19, 24});
    CHECK(list_ids(c, "project_id=webshop&tracker_id=1&status_id=*") == Ids{29, 20, 19, 14, 11, 10, 5, 4});
    CHECK(list_ids(c, "project_id=3&status_id=*") == Ids{28, 27, 26, 25, 24, 23});
    CHECK(list_ids(c, "cf_1=Critical&status_id=*") == Ids{29, 19, 10});
    CHECK(list_ids(c, "cf_1=!Critical|Minor&status_id=*&project_id=webshop-mobile") ==
          Ids{22, 21, 18, 17, 16});
    CHECK(list_ids(c, "assigned_to_id=!*&project_id=3&status_id=*") == Ids{28, 27});
    CHECK(list_ids(c, "author_id=7&status_id=o") == Ids{20, 19, 10, 5});
    CHECK(list_ids(c, "priority_id=5|4&status_id=*") == Ids{29, 19, 10});
    CHECK(list_ids(c, "fixed_version_id=2&status_id=*") == Ids{30, 16, 12, 9, 8, 7});
    CHECK(list_ids(c, "issue_id=1,2,3&status_id=*") == Ids{3, 2, 1});
    CHECK(list_ids(c, "is_private=1&status_id=*") == Ids{29, 28});
    CHECK(list_ids(c, "done_ratio=>=60&status_id=*&sort=id") == Ids{1, 2, 4, 14, 21});
    CHECK(list_ids(c, "estimated_hours=><5|10&status_id=*&sort=id") == Ids{2, 8, 9, 16, 17, 18, 23});
    // f[]/op[]/v[] replace the default status filter
    CHECK(list_ids(c, "f[]=tracker_id&op[tracker_id]==&v[tracker_id][]=3&sort=id") == Ids{6, 13, 21, 25});
}

TEST_CASE("issues: text, tree, date and watcher filters") {
    Client c;
    CHECK(list_ids(c, "subject=~guest&status_id=*") == Ids{3, 2, 1});
    CHECK(list_ids(c, "subject=~checkout guest&status_id=*") == Ids{3, 2, 1});
    CHECK(list_ids(c, "subject=^Push&status_id=*") == Ids{18, 17});
    CHECK(list_ids(c, "description=!*&project_id=3&status_id=*") == Ids{27, 26});
    CHECK(list_ids(c, "parent_id=1&status_id=*") == Ids{3, 2});
    CHECK(list_ids(c, "parent_id=!*&project_id=webshop-mobile&status_id=*") == Ids{22, 21, 20, 19, 16});
    CHECK(list_ids(c, "child_id=*&status_id=*") == Ids{26, 16, 7, 1});
    CHECK(list_ids(c, "child_id=17&status_id=*") == Ids{16});
    CHECK(list_ids(c, "start_date=<=2026-01-31&status_id=*") == Ids{3, 2, 1});
    CHECK(list_ids(c, "start_date=2026-01-05&status_id=*") == Ids{2, 1});
    CHECK(list_ids(c, "due_date=><2026-01-01|2026-01-31&status_id=*") == Ids{2});
    CHECK(list_ids(c, "due_date=*&status_id=*") == Ids{3, 2, 1});
    CHECK(json(c.get("/issues.json?created_on=><2026-11-01|2026-11-30&status_id=*"))["total_count"] == 30);
    CHECK(list_ids(c, "created_on=<=2026-11-21&status_id=*").empty());
    CHECK(list_ids(c, "closed_on=!*&status_id=c").empty());
    CHECK(list_ids(c, "closed_on=*&status_id=*") == Ids{25, 21, 11, 6, 4});
    CHECK(list_ids(c, "watcher_id=7&status_id=*") == Ids{1});
    CHECK(list_ids(c, "watcher_id=me&status_id=*", kRhillKey) == Ids{1});
    CHECK(list_ids(c, "relates=14&status_id=*") == Ids{4});
    CHECK(list_ids(c, "relates=*&status_id=*") == Ids{14, 4});
    CHECK(list_ids(c, "blocked=*&status_id=*") == Ids{29});
}

TEST_CASE("issues: invalid filter values answer 422 with Redmine's messages") {
    Client c;
    auto r = c.get("/issues.json?start_date=>=2026-13-45");
    CHECK(r.status == 422);
    CHECK(json(r) == nlohmann::json::parse(R"({"errors":["Start date is invalid"]})"));
    r = c.get("/issues.json?done_ratio=abc&created_on=>t-x&subject=~");
    CHECK(r.status == 422);
    CHECK(json(r)["errors"] ==
          nlohmann::json::parse(R"(["Subject cannot be blank","Created is invalid","% Done is invalid"])"));
    r = c.get("/issues.xml?estimated_hours=>=abc");
    CHECK(r.status == 422);
    CHECK(r.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Estimated time is invalid"
          "</error></errors>");
}

TEST_CASE("issues: sorting and paging") {
    Client c;
    CHECK(list_ids(c, "offset=3&limit=3&sort=priority:desc,id") == Ids{24, 28, 1});
    CHECK(list_ids(c, "sort=nosuchcolumn&limit=3") == Ids{30, 29, 28});
    CHECK(list_ids(c, "sort=subject&limit=2&status_id=*") == Ids{19, 23});
    // Robert Hill, then John Smith (firstname, lastname, id), then the issue id
    CHECK(list_ids(c, "sort=assigned_to:desc,id&limit=2") == Ids{5, 13});
    CHECK(list_ids(c, "sort=parent:desc,id&status_id=*&project_id=3") == Ids{28, 26, 27, 25, 24, 23});
    CHECK(list_ids(c, "sort=spent_hours:desc&status_id=*&limit=3") == Ids{17, 2, 4});
    CHECK(list_ids(c, "sort=total_spent_hours:desc&status_id=*&limit=3") == Ids{1, 16, 17});
    CHECK(list_ids(c, "sort=total_estimated_hours:desc&status_id=*&limit=3") == Ids{7, 1, 16});
    // rhill may not see internal-tools: its time and estimates do not count
    CHECK(list_ids(c, "sort=spent_hours:desc&status_id=*&limit=3", kRhillKey) == Ids{17, 2, 4});
    auto j = json(c.get("/issues.json?limit=1000&page=2"));
    CHECK(j["limit"] == 100);
    CHECK(j["offset"] == 100);
    CHECK(j["issues"].empty());
    j = json(c.get("/issues.json?limit=abc&offset=-5"));
    CHECK(j["limit"] == 25);
    CHECK(j["offset"] == 0);
    j = json(c.get("/issues.json?limit=10&page=3"));
    CHECK(j["offset"] == 20);
    CHECK(ids(j["issues"]).size() == 5);
    CHECK(c.get("/issues.json?nometa=1&limit=1").body.find("total_count") == std::string::npos);
}

TEST_CASE("issues: visibility by role, private issues and private projects") {
    Client c;
    // rhill (Reporter, default visibility) sees neither internal-tools nor the private issue 29
    auto rhill = list_ids(c, "status_id=*&limit=100&sort=id", kRhillKey);
    CHECK(rhill.size() == 23);
    CHECK(std::find(rhill.begin(), rhill.end(), 29) == rhill.end());
    CHECK(rhill.back() == 30);
    // dlopper is the assignee of 29 and a member of internal-tools, where 28 is private and not his
    auto dlopper = list_ids(c, "status_id=*&limit=100", kDlopperKey);
    CHECK(dlopper.size() == 29);
    CHECK(std::find(dlopper.begin(), dlopper.end(), 28) == dlopper.end());
    // a Developer may not filter on is_private: the filter is not available and is ignored
    CHECK(list_ids(c, "is_private=1&status_id=*&limit=100", kDlopperKey).size() == 29);
    // jsmith (Manager: all issues) sees both private issues
    CHECK(list_ids(c, "is_private=1&status_id=*", kJsmithKey) == Ids{29, 28});
    // anonymous: public projects, no private issues
    auto r = c.get("/issues.json?limit=2", "");
    REQUIRE(r.status == 200);
    CHECK(json(r)["total_count"] == 19);
    CHECK(ids(json(r)["issues"]) == Ids{30, 22});
    // a private project's issues ask for a login
    CHECK(c.get("/projects/internal-tools/issues.json", "").status == 401);
    CHECK(c.get("/projects/internal-tools/issues.json", kRhillKey).status == 403);
    CHECK(c.get("/issues.json?project_id=nosuch").status == 404);
    // an unknown key runs as anonymous
    CHECK(json(c.get("/issues.json", "0000000000000000000000000000000000000000"))["total_count"] == 19);
}

TEST_CASE("issues: a project's issues include its subprojects unless told otherwise") {
    Client c;
    auto j = json(c.get("/projects/webshop/issues.json?limit=5"));
    CHECK(j["total_count"] == 20);
    CHECK(ids(j["issues"]) == Ids{30, 29, 22, 20, 19});
    CHECK(json(c.get("/projects/webshop/issues.json?subproject_id=!*"))["total_count"] == 14);
    CHECK(json(c.get("/projects/1/issues.json?subproject_id=2&status_id=*"))["total_count"] == 24);
    // the subproject's own issues only
    CHECK(json(c.get("/issues.json?project_id=webshop-mobile&status_id=*"))["total_count"] == 7);
}

TEST_CASE("issues: saved queries give their filters and order") {
    Client c;
    // query 1 of the default data: "Issues assigned to me", open, in active projects, by priority
    auto j = json(c.get("/issues.json?query_id=1", kDlopperKey));
    CHECK(j["total_count"] == 14);  // open, assigned to dlopper or his group
    auto found = ids(j["issues"]);
    found.resize(4);
    CHECK(found == Ids{29, 19, 10, 24});  // by priority first
    CHECK(c.get("/issues.json?query_id=999").status == 404);
}

TEST_CASE("issue: show with every include, as the admin") {
    Client c;
    auto r = c.get(
        "/issues/1.json?include=journals,children,relations,watchers,attachments,changesets,"
        "allowed_statuses");
    REQUIRE(r.status == 200);
    auto i = json(r)["issue"];
    CHECK(keys(nlohmann::ordered_json::parse(r.body)["issue"]).back() == "allowed_statuses");
    CHECK(i["total_estimated_hours"] == 26.0);
    CHECK(i["spent_hours"] == 2.5);
    CHECK(i["total_spent_hours"] == 8.0);
    CHECK(ids(i["children"]) == Ids{2, 3});
    CHECK(i["children"][0] ==
          nlohmann::json::parse(
              R"({"id":2,"tracker":{"id":2,"name":"Feature"},"subject":"Guest checkout: address form"})"));
    CHECK(i.find("relations") == i.end());  // none: left out
    CHECK(i["attachments"].empty());
    CHECK(i["changesets"].empty());
    CHECK(ids(i["journals"]) == Ids{1, 2, 8});
    CHECK(
        i["journals"][0]["details"] ==
        nlohmann::json::parse(R"([{"property":"attr","name":"child_id","old_value":null,"new_value":"2"}])"));
    CHECK(ids(i["watchers"]) == Ids{5, 7});
    CHECK(ids(i["allowed_statuses"]) == Ids{1, 2, 3, 4});  // open subtasks: cannot close

    i = json(c.get("/issues/4.json?include=attachments,relations,allowed_statuses"))["issue"];
    CHECK(
        i["attachments"][0]["content_url"].get<std::string>().ends_with("/attachments/download/1/cart.log"));
    CHECK(i["attachments"][0]["author"] == nlohmann::json::parse(R"({"id":1,"name":"Redmine Admin"})"));
    CHECK(i["relations"] ==
          nlohmann::json::parse(
              R"([{"id":1,"issue_id":4,"issue_to_id":14,"relation_type":"relates","delay":null}])"));
    CHECK(ids(i["allowed_statuses"]) == Ids{1, 2, 3, 4, 5, 6});
    // 29 is blocked by the open issue 10: no closed status
    CHECK(ids(json(c.get("/issues/29.json?include=allowed_statuses"))["issue"]["allowed_statuses"]) ==
          Ids{1, 2, 3, 4});
    // a subtask of a closed parent may not be reopened
    c.exec("UPDATE issues SET status_id = 5 WHERE id = 1");
    CHECK(ids(json(c.get("/issues/2.json?include=allowed_statuses"))["issue"]["allowed_statuses"]) ==
          Ids{5, 6});
}

TEST_CASE("issue: show in XML") {
    Client c;
    auto r = c.get("/issues/1.xml?include=children,journals");
    REQUIRE(r.status == 200);
    CHECK(header(r, "content-type") == "application/xml; charset=utf-8");
    CHECK(r.body.find(
              "<children type=\"array\"><issue id=\"2\"><tracker id=\"2\" name=\"Feature\"/><subject>Guest "
              "checkout: address form</subject></issue>") != std::string::npos);
    CHECK(r.body.find("<journal id=\"1\"><user id=\"6\" name=\"Dave Lopper\"/><notes></notes>") !=
          std::string::npos);
    CHECK(r.body.find(
              "<detail property=\"attr\" name=\"child_id\"><old_value/><new_value>2</new_value></detail>") !=
          std::string::npos);
    CHECK(r.body.find("<total_estimated_hours>26.0</total_estimated_hours>") != std::string::npos);
}

TEST_CASE("issue: journals, watchers and spent time follow the user's permissions") {
    Client c;
    // the admin sees the private note 20 and the relation to 29
    CHECK(ids(json(c.get("/issues/10.json?include=journals"))["issue"]["journals"]) == Ids{19, 20, 38});
    // rhill: no private notes, and the journal about the invisible 29 has nothing left to show
    auto i = json(c.get("/issues/10.json?include=journals,watchers,relations", kRhillKey))["issue"];
    CHECK(ids(i["journals"]) == Ids{19});
    CHECK(i.find("watchers") == i.end());   // Reporter lacks view_issue_watchers
    CHECK(i.find("relations") == i.end());  // the only relation points to an invisible issue
    // the Developer sees private notes
    CHECK(ids(json(c.get("/issues/10.json?include=journals", kDlopperKey))["issue"]["journals"]) ==
          Ids{19, 20, 38});
    // without view_time_entries there is no spent time
    c.exec("UPDATE roles SET permissions = REPLACE(permissions, '- :view_time_entries\n', '') WHERE id = 5");
    i = json(c.get("/issues/5.json", kRhillKey))["issue"];
    CHECK(i.find("spent_hours") == i.end());
    CHECK(i.find("total_spent_hours") == i.end());
    CHECK(json(c.get("/issues/5.json", kJsmithKey))["issue"]["spent_hours"] == 0.0);
}

TEST_CASE("issue: 404 for unknown ids, 403 or 401 for issues the user may not see") {
    Client c;
    CHECK(c.get("/issues/9999.json").status == 404);
    CHECK(c.get("/issues/9999.json", "").status == 404);
    CHECK(c.get("/issues/abc.json").status == 404);
    auto r = c.get("/issues/28.json", kRhillKey);
    CHECK(r.status == 403);
    CHECK(r.body.empty());
    CHECK(c.get("/issues/29.xml", kRhillKey).status == 403);
    r = c.get("/issues/29.json", "");
    CHECK(r.status == 401);
    CHECK(header(r, "www-authenticate") == "Basic realm=\"Redmine API\"");
    CHECK(c.get("/issues/29.json", kDlopperKey).status == 200);  // the assignee
    CHECK(c.get("/issues/28.json", kJsmithKey).status == 200);   // Manager sees all
    // an archived project's issues are hidden even from the admin
    c.exec("UPDATE projects SET status = 9 WHERE id = 3");
    CHECK(c.get("/issues/28.json").status == 403);
    CHECK(json(c.get("/issues.json?status_id=*&limit=100"))["total_count"] == 24);
}

TEST_CASE("issues: a full page carries every issue's batched data") {
    // custom values, sums, relations and attachments come from one batch per kind for the page
    Client c;
    auto j = json(c.get("/issues.json?status_id=*&limit=100&include=relations,attachments"));
    REQUIRE(j["issues"].size() == 30);
    for (const auto& i : j["issues"]) {
        CHECK(i.contains("spent_hours"));
        CHECK(i.contains("relations"));
    }
    CHECK(j["issues"][29]["total_spent_hours"] == 8.0);  // sorted by id DESC: index 29 is issue 1
    CHECK(j["issues"][28]["total_spent_hours"] == 4.0);
}

TEST_CASE("a list page runs the same number of statements whatever its size") {
    Client c;
    // 120 more issues, copies of issue 30 (with its custom value), so that a page can hold 100.
    for (int n = 0; n < 120; ++n) {
        const long long id = 100 + n;
        c.exec("INSERT INTO issues (id, tracker_id, project_id, subject, description, status_id, assigned_to_id, "
               "priority_id, author_id, lock_version, created_on, updated_on, start_date, done_ratio, root_id, lft, "
               "rgt, is_private) SELECT ?, tracker_id, project_id, subject, description, status_id, assigned_to_id, "
               "priority_id, author_id, 0, created_on, updated_on, start_date, done_ratio, ?, 1, 2, 0 FROM issues "
               "WHERE id = 30",
               {id, id});
        c.exec("INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) "
               "VALUES ('Issue', ?, 1, 'Major')",
               {id});
    }
    auto count = [&](const std::string& target, const std::string& key) {
        const long long before = c.database().statements();
        auto r = c.get(target, key);
        REQUIRE(r.status == 200);
        return std::make_pair(c.database().statements() - before, json(r)["issues"].size());
    };
    for (const std::string& key : {kAdminKey, kJsmithKey, kRhillKey}) {
        CAPTURE(key);
        count("/issues.json?limit=1", key);  // loads the briefly cached settings first
        auto [small, small_n] = count("/issues.json?limit=5&include=attachments,relations", key);
        auto [large, large_n] = count("/issues.json?limit=100&include=attachments,relations", key);
        CHECK(small_n == 5);
        CHECK(large_n == 100);
        CHECK(large == small);
        CHECK(large < 30);
    }
}
