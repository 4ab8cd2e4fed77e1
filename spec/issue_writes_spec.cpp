// The issue write side: create, update (journals, workflow, locking), delete (subtasks and what hangs on
// them), relations, watchers and journal edits, with Redmine's messages and permission answers.
#include <doctest/doctest.h>

#include "resources/time_entries.h"
#include "spec/support.h"

using namespace spec;

namespace {

std::string errors(const http::Response& r) { return nlohmann::ordered_json::parse(r.body)["errors"].dump(); }

std::string today() {
    return resources::time_entries::civil_from_days(resources::time_entries::today_days());
}

std::string details(Client& c, long long journal_id) {
    auto conn = c.database().connect();
    std::string out;
    for (const auto& r : conn->query("SELECT property, prop_key, old_value, value FROM journal_details "
                                     "WHERE journal_id = ? ORDER BY id",
                                     {journal_id}))
        out += r.s(0) + ":" + r.s(1) + ":" + (r.null(2) ? "nil" : r.s(2)) + ">" +
               (r.null(3) ? "nil" : r.s(3)) + ";";
    return out;
}

long long last_journal(Client& c, long long issue_id) {
    return c.scalar("SELECT MAX(id) FROM journals WHERE journalized_type = 'Issue' AND journalized_id = ?",
                    {issue_id});
}

}  // namespace

TEST_CASE("issue writes: create answers 201 with the issue as show renders it (JSON and XML)") {
    Client c;
    auto r = c.send("POST", "/issues.json",
                    R"({"issue":{"project_id":"webshop","tracker_id":1,"subject":"New one","priority_id":3,)"
                    R"("custom_fields":[{"id":1,"value":"Minor"}],"watcher_user_ids":[6]}})");
    REQUIRE(r.status == 201);
    const auto body = json(r);
    const long long id = body["issue"]["id"].get<long long>();
    CHECK(header(r, "Location") == "http://127.0.0.1:3000/issues/" + std::to_string(id));
    CHECK(body["issue"]["project"]["name"] == "Web Shop");
    CHECK(body["issue"]["status"]["name"] == "New");
    CHECK(body["issue"]["priority"]["name"] == "High");
    CHECK(body["issue"]["author"]["id"] == 1);
    CHECK(body["issue"]["start_date"] == today());
    CHECK(body["issue"]["custom_fields"].dump() == R"([{"id":1,"name":"Severity","value":"Minor"}])");
    CHECK(!body["issue"].contains("spent_hours"));  // no @project on /issues
    CHECK(c.scalar("SELECT root_id FROM issues WHERE id = ?", {id}) == id);
    CHECK(c.scalar("SELECT rgt - lft FROM issues WHERE id = ?", {id}) == 1);
    CHECK(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_id = ? AND user_id = 6", {id}) == 1);

    auto x = c.send("POST", "/projects/webshop/issues.xml",
                    "<issue><subject>From XML</subject><description>d</description></issue>");
    REQUIRE(x.status == 201);
    CHECK(x.body.find("<subject>From XML</subject>") != std::string::npos);
    CHECK(x.body.find("<tracker id=\"1\" name=\"Bug\"/>") != std::string::npos);
    CHECK(x.body.find("<priority id=\"2\" name=\"Normal\"/>") != std::string::npos);
    CHECK(x.body.find("<spent_hours>0.0</spent_hours>") != std::string::npos);  // @project is set here
}

TEST_CASE("issue writes: create validations use Redmine's messages and order") {
    Client c;
    auto r = c.send("POST", "/issues.json", R"({"issue":{"project_id":1,"subject":""}})");
    CHECK(r.status == 422);
    CHECK(errors(r) == R"(["Subject cannot be blank"])");
    r = c.send("POST", "/issues.json",
               R"({"issue":{"project_id":1,"subject":"x","tracker_id":999,"priority_id":999,)"
               R"("start_date":"2026-05-01","due_date":"2026-04-01"}})");
    CHECK(errors(r) == R"(["Priority cannot be blank","Due date must be greater than start date"])");
    r = c.send("POST", "/issues.xml",
               "<issue><project_id>1</project_id><subject>x</subject><assigned_to_id>8</assigned_to_id>"
               "<start_date>2026-13-45</start_date><done_ratio>120</done_ratio><category_id>99</category_id>"
               "<custom_fields type=\"array\"><custom_field id=\"1\"><value>Nope</value></custom_field>"
               "</custom_fields></issue>");
    CHECK(r.status == 422);
    CHECK(r.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\">"
          "<error>Severity is not included in the list</error>"
          "<error>% Done is not included in the list</error>"
          "<error>Start date is not a valid date</error>"
          "<error>Category is not included in the list</error>"
          "<error>Assignee is invalid</error></errors>");
    r = c.send("POST", "/issues.json", R"({"issue":{"project_id":1,"subject":"x","parent_issue_id":9999}})");
    CHECK(errors(r) == R"(["Parent task is invalid"])");
    // a project the user may not add issues to is dropped: the issue has no project
    r = c.send("POST", "/issues.json", R"({"issue":{"project_id":"internal-tools","subject":"x"}})",
               kRhillKey);
    CHECK(r.status == 422);
    CHECK(errors(r) == R"(["Project cannot be blank","Tracker cannot be blank","Status cannot be blank"])");
    CHECK(c.send("POST", "/issues.json", "{bad", kAdminKey).status == 400);
}

TEST_CASE("issue writes: create permissions") {
    Client c;
    CHECK(c.send("POST", "/issues.json", R"({"issue":{"project_id":1,"subject":"x"}})", "").status == 401);
    CHECK(c.send("POST", "/projects/internal-tools/issues.json", R"({"issue":{"subject":"x"}})", kRhillKey)
              .status == 403);
    CHECK(c.send("POST", "/projects/nosuch/issues.json", R"({"issue":{"subject":"x"}})").status == 404);
    // a Reporter may not set attributes such as is_private: dropped silently
    auto r = c.send("POST", "/issues.json", R"({"issue":{"project_id":1,"subject":"x","is_private":true}})",
                    kRhillKey);
    REQUIRE(r.status == 201);
    CHECK(json(r)["issue"]["is_private"] == false);
}

TEST_CASE("issue writes: a subtask nests under its parent, journals on it and derives its attributes") {
    Client c;
    auto r = c.send("POST", "/issues.json",
                    R"({"issue":{"project_id":1,"subject":"child","parent_issue_id":7,"priority_id":4,)"
                    R"("start_date":"2026-01-01","due_date":"2026-12-31","estimated_hours":8}})");
    REQUIRE(r.status == 201);
    const long long id = json(r)["issue"]["id"].get<long long>();
    CHECK(c.scalar("SELECT root_id FROM issues WHERE id = ?", {id}) == 7);
    CHECK(c.scalar("SELECT lft FROM issues WHERE id = ?", {id}) == 6);
    CHECK(c.scalar("SELECT rgt FROM issues WHERE id = 7") == 8);
    CHECK(c.scalar("SELECT priority_id FROM issues WHERE id = 7") == 4);
    CHECK(details(c, last_journal(c, 7)) == "attr:child_id:nil>" + std::to_string(id) + ";");
    auto p = json(c.get("/issues/7.json"));
    CHECK(p["issue"]["start_date"] == "2026-01-01");
    CHECK(p["issue"]["due_date"] == "2026-12-31");
    // deleting the subtask journals on the parent again
    CHECK(c.send("DELETE", "/issues/" + std::to_string(id) + ".json", "").status == 204);
    CHECK(details(c, last_journal(c, 7)) == "attr:child_id:" + std::to_string(id) + ">nil;");
    CHECK(c.scalar("SELECT rgt FROM issues WHERE id = 7") == 6);
}

TEST_CASE("issue writes: update writes one journal with a detail per change") {
    Client c;
    const std::string old_subject =
        c.database().connect()->one("SELECT subject FROM issues WHERE id = 12")->s(0);
    auto r =
        c.send("PUT", "/issues/12.json",
               R"({"issue":{"status_id":2,"notes":"Working on it","assigned_to_id":6,"subject":"Renamed",)"
               R"("custom_fields":[{"id":1,"value":"Major"}]}})");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    const long long j = last_journal(c, 12);
    CHECK(details(c, j) == "attr:subject:" + old_subject +
                               ">Renamed;attr:status_id:1>2;attr:assigned_to_id:nil>6;cf:1:>Major;");
    auto show = json(c.get("/issues/12.json?include=journals"));
    CHECK(show["issue"]["status"]["name"] == "In Progress");
    CHECK(show["issue"]["journals"].back()["notes"] == "Working on it");
    // nothing changed and no notes: no journal
    CHECK(c.send("PUT", "/issues/12.json", R"({"issue":{"subject":"Renamed"}})").status == 204);
    CHECK(last_journal(c, 12) == j);
    // closing sets closed_on
    CHECK(c.send("PUT", "/issues/12.xml", "<issue><status_id>5</status_id></issue>").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE id = 12 AND closed_on IS NOT NULL") == 1);
}

TEST_CASE("issue writes: update validations, workflow and locking") {
    Client c;
    auto r = c.send("PUT", "/issues/12.json", R"({"issue":{"subject":"","due_date":"2000-01-01"}})");
    CHECK(r.status == 422);
    CHECK(errors(r) == R"(["Subject cannot be blank","Due date must be greater than start date"])");
    // a Reporter's status change is dropped silently, the note is kept
    r = c.send("PUT", "/issues/5.json", R"({"issue":{"status_id":5,"notes":"me too"}})", kRhillKey);
    CHECK(r.status == 204);
    CHECK(c.scalar("SELECT status_id FROM issues WHERE id = 5") == 4);
    CHECK(details(c, last_journal(c, 5)).empty());
    // a stale lock_version fails with no messages
    r = c.send("PUT", "/issues/12.json", R"({"issue":{"subject":"x","lock_version":99}})");
    CHECK(r.status == 422);
    CHECK(errors(r) == "[]");
    CHECK(c.send("PUT", "/issues/12.json", R"({"issue":{"subject":"x"}})", "").status == 401);
    CHECK(c.send("PUT", "/issues/28.json", R"({"issue":{"subject":"x"}})", kRhillKey).status == 403);
    CHECK(c.send("PUT", "/issues/9999.json", R"({"issue":{"subject":"x"}})").status == 404);
}

TEST_CASE("issue writes: moving an issue under another parent re-nests its subtree") {
    Client c;
    CHECK(c.send("PUT", "/issues/7.json", R"({"issue":{"parent_issue_id":1}})").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE root_id = 1") == 6);
    CHECK(c.scalar("SELECT rgt FROM issues WHERE id = 1") == 12);
    CHECK(c.scalar("SELECT lft FROM issues WHERE id = 8") > c.scalar("SELECT lft FROM issues WHERE id = 7"));
    CHECK(details(c, last_journal(c, 1)) == "attr:child_id:nil>7;");
    CHECK(c.send("PUT", "/issues/1.json", R"({"issue":{"parent_issue_id":8}})").status == 422);
    CHECK(c.send("PUT", "/issues/7.json", R"({"issue":{"parent_issue_id":""}})").status == 204);
    CHECK(c.scalar("SELECT root_id FROM issues WHERE id = 9") == 7);
    CHECK(c.scalar("SELECT rgt FROM issues WHERE id = 1") == 6);
}

TEST_CASE("issue writes: delete removes subtasks, relations, watchers, journals and time entries") {
    Client c;
    CHECK(c.send("DELETE", "/issues/5.json", "", kRhillKey).status == 403);
    CHECK(c.send("DELETE", "/issues/5.xml", "", "").status == 401);
    CHECK(c.send("DELETE", "/issues/9999.json", "").status == 404);
    CHECK(c.send("DELETE", "/issues/1.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE id IN (1, 2, 3)") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM time_entries WHERE issue_id IN (1, 2, 3)") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_type = 'Issue' AND watchable_id = 1") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE journalized_type = 'Issue' AND journalized_id IN (1, "
                   "2, 3)") == 0);
    CHECK(c.send("DELETE", "/issues/4.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issue_relations WHERE issue_from_id = 4 OR issue_to_id = 4") == 0);
    CHECK(c.get("/issues/4.json").status == 404);
}

TEST_CASE("issue writes: relations") {
    Client c;
    auto r = c.get("/issues/14/relations.json");
    CHECK(r.body ==
          R"({"relations":[{"id":1,"issue_id":4,"issue_to_id":14,"relation_type":"relates","delay":null}]})");
    r = c.send("POST", "/issues/2/relations.json",
               R"({"relation":{"issue_to_id":3,"relation_type":"blocked"}})");
    REQUIRE(r.status == 201);
    const long long id = json(r)["relation"]["id"].get<long long>();
    CHECK(header(r, "Location") == "http://127.0.0.1:3000/relations/" + std::to_string(id));
    CHECK(json(r)["relation"].dump() == R"({"delay":null,"id":)" + std::to_string(id) +
                                            R"(,"issue_id":3,"issue_to_id":2,"relation_type":"blocks"})");
    CHECK(details(c, last_journal(c, 3)) == "relation:blocks:nil>2;");
    CHECK(details(c, last_journal(c, 2)) == "relation:blocked:nil>3;");
    r = c.send("POST", "/issues/3/relations.json",
               R"({"relation":{"issue_to_id":2,"relation_type":"blocks"}})");
    CHECK(errors(r) == R"(["Related issue has already been taken"])");
    r = c.send("POST", "/issues/2/relations.xml",
               "<relation><issue_to_id>2</issue_to_id><relation_type>foo</relation_type></relation>");
    CHECK(r.status == 422);
    CHECK(r.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Relation type is not "
          "included in the list</error><error>Related issue is invalid</error></errors>");
    r = c.send("POST", "/issues/2/relations.json",
               R"({"relation":{"issue_to_id":23,"relation_type":"relates"}})");
    CHECK(errors(r) == R"(["Related issue doesn't belong to the same project"])");
    r = c.send("POST", "/issues/2/relations.json",
               R"({"relation":{"issue_to_id":1,"relation_type":"relates"}})");
    CHECK(errors(r) == R"(["An issue cannot be linked to one of its subtasks"])");
    r = c.send("POST", "/issues/2/relations.json", R"({"relation":{"relation_type":"relates"}})");
    CHECK(errors(r) == R"(["Related issue cannot be blank"])");
    CHECK(c.get("/relations/" + std::to_string(id) + ".xml").status == 200);
    CHECK(c.send("POST", "/issues/2/relations.json", R"({"relation":{"issue_to_id":5}})", kRhillKey).status ==
          403);
    CHECK(c.send("DELETE", "/relations/" + std::to_string(id) + ".json", "", kRhillKey).status == 403);
    CHECK(c.send("DELETE", "/relations/" + std::to_string(id) + ".json", "").status == 204);
    CHECK(details(c, last_journal(c, 3)) == "relation:blocks:2>nil;");
    CHECK(c.get("/relations/" + std::to_string(id) + ".json").status == 404);
}

TEST_CASE("issue writes: watchers and journal edits") {
    Client c;
    CHECK(c.send("POST", "/issues/12/watchers.json", R"({"user_id":6})").status == 204);
    CHECK(c.send("POST", "/issues/12/watchers.xml", "<user_id>6</user_id>").status == 204);  // no duplicate
    CHECK(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_id = 12 AND user_id = 6") == 1);
    CHECK(c.send("POST", "/issues/12/watchers.json", R"({"user_id":6})", "").status == 401);
    CHECK(c.send("POST", "/issues/28/watchers.json", R"({"user_id":6})", kRhillKey).status == 403);
    CHECK(c.send("DELETE", "/issues/12/watchers/6.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_id = 12 AND user_id = 6") == 0);
    CHECK(c.send("DELETE", "/issues/12/watchers/999.json", "").status == 404);

    CHECK(c.send("PUT", "/journals/1.json", R"({"journal":{"notes":"edited"}})", kRhillKey).status == 403);
    CHECK(c.send("PUT", "/journals/9999.json", R"({"journal":{"notes":"edited"}})").status == 404);
    const long long j = c.scalar("SELECT MIN(id) FROM journals WHERE notes <> ''");
    CHECK(c.send("PUT", "/journals/" + std::to_string(j) + ".json", R"({"journal":{"notes":"edited"}})")
              .status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE id = ? AND notes = 'edited'", {j}) == 1);
}

TEST_CASE("issue writes: workflow field rules make fields read-only or required") {
    Client c;
    const long long tracker = c.scalar("SELECT tracker_id FROM issues WHERE id = 12");
    for (const auto& [field, rule] : std::vector<std::pair<std::string, std::string>>{
             {"due_date", "readonly"}, {"description", "required"}})
        c.exec(
            "INSERT INTO workflows (tracker_id, old_status_id, new_status_id, role_id, assignee, author, "
            "type, "
            "field_name, rule) VALUES (?, 1, 0, 3, 0, 0, 'WorkflowPermission', ?, ?)",
            {tracker, field, rule});
    auto r = c.send("PUT", "/issues/12.json", R"({"issue":{"due_date":"2030-01-01","description":""}})",
                    kJsmithKey);
    CHECK(r.status == 422);
    CHECK(errors(r) == R"(["Description cannot be blank"])");
    r = c.send("PUT", "/issues/12.json", R"({"issue":{"due_date":"2030-01-01","description":"d"}})",
               kJsmithKey);
    CHECK(r.status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE id = 12 AND due_date IS NULL") == 1);
    // another status has no rules
    CHECK(c.send("PUT", "/issues/14.json", R"({"issue":{"description":""}})", kJsmithKey).status == 204);
}

TEST_CASE("issue writes: per-tracker role permissions limit editing and deleting") {
    Client c;
    const long long tracker = c.scalar("SELECT tracker_id FROM issues WHERE id = 12");
    const std::string other = tracker == 1 ? "2" : "1";
    c.exec("UPDATE roles SET settings = ? WHERE id = 3",
           {"--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n"
            "permissions_all_trackers: !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n"
            "  view_issues: '1'\n  edit_issues: '0'\n  edit_own_issues: '0'\n  delete_issues: '0'\n"
            "permissions_tracker_ids: !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n"
            "  edit_issues:\n  - '" +
            other + "'\n  delete_issues: []\n"});
    const long long before = c.scalar("SELECT lock_version FROM issues WHERE id = 12");
    CHECK(c.send("PUT", "/issues/12.json", R"({"issue":{"subject":"not mine to change"}})", kJsmithKey)
              .status == 204);
    // nothing changes, but the API's journal still saves the row (force_updated_on_change)
    CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE id = 12 AND subject = 'not mine to change'") == 0);
    CHECK(c.scalar("SELECT lock_version FROM issues WHERE id = 12") == before + 1);
    CHECK(c.send("DELETE", "/issues/12.json", "", kJsmithKey).status == 403);
    CHECK(c.send("DELETE", "/issues/12.json", "").status == 204);  // admins are not limited
}

TEST_CASE("issue writes: moving a subtask within its tree") {
    Client c;
    CHECK(c.send("PUT", "/issues/18.json", R"({"issue":{"parent_issue_id":17}})").status == 204);
    auto bounds = [&](long long id) {
        return std::to_string(c.scalar("SELECT lft FROM issues WHERE id = ?", {id})) + "-" +
               std::to_string(c.scalar("SELECT rgt FROM issues WHERE id = ?", {id}));
    };
    CHECK(bounds(16) == "1-6");
    CHECK(bounds(17) == "2-5");
    CHECK(bounds(18) == "3-4");
    CHECK(details(c, last_journal(c, 18)) == "attr:parent_id:16>17;");
    CHECK(details(c, last_journal(c, 16)) == "attr:child_id:18>nil;");
    CHECK(details(c, last_journal(c, 17)) == "attr:child_id:nil>18;");
}
