// Time entries: the list's filters and visibility, one entry, and writes with Redmine's validations.
#include <doctest/doctest.h>

#include <tuple>

#include "resources/common.h"
#include "resources/time_entries.h"
#include "spec/support.h"

using namespace spec;
namespace te = resources::time_entries;

namespace {

// The body with its key order kept, for exact comparisons.
nlohmann::ordered_json ojson(const http::Response& r) { return nlohmann::ordered_json::parse(r.body); }

std::vector<long long> ids(const http::Response& r) {
    std::vector<long long> out;
    const auto body = json(r);  // kept alive for the loop
    for (const auto& e : body["time_entries"]) out.push_back(e["id"].get<long long>());
    return out;
}

long long total(const http::Response& r) { return json(r)["total_count"].get<long long>(); }

void set_setting(Client& c, const std::string& name, const std::string& value) {
    c.exec("DELETE FROM settings WHERE name = ?", {name});
    c.exec("INSERT INTO settings (name, value, updated_on) VALUES (?, ?, '2026-01-01 00:00:00')",
           {name, value});
    c.app().settings().invalidate();
}

// A stored time as the API shows it (the seeded MySQL data has other times than the SQLite one).
std::string stamp(Client& c, const std::string& table, long long id,
                  const std::string& column = "created_on") {
    auto conn = c.database().connect();
    return resources::api_time(
        conn->one("SELECT " + column + " FROM " + table + " WHERE id = ?", {id})->s(0));
}

std::string errors(const http::Response& r) { return ojson(r)["errors"].dump(); }

http::Response post(Client& c, const std::string& body, const std::string& key = kAdminKey) {
    return c.send("POST", "/time_entries.json", body, key);
}

}  // namespace

TEST_CASE("to_hours reads every format Redmine accepts") {
    CHECK(te::to_hours("1.5") == 1.5);
    CHECK(te::to_hours("1,5") == 1.5);
    CHECK(te::to_hours("1:30") == 1.5);
    CHECK(te::to_hours("1h30") == 1.5);
    CHECK(te::to_hours("1h30m") == 1.5);
    CHECK(te::to_hours("1h 30m") == 1.5);
    CHECK(te::to_hours("1 h 30 min") == 1.5);
    CHECK(te::to_hours("1H30") == 1.5);
    CHECK(te::to_hours("45m") == 0.75);
    CHECK(te::to_hours("45min") == 0.75);
    CHECK(te::to_hours("1h") == 1.0);
    CHECK(te::to_hours("2 hours") == 2.0);
    CHECK(te::to_hours("1 hour") == 1.0);
    CHECK(te::to_hours("2.5h") == 2.5);
    CHECK(te::to_hours(" 3 ") == 3.0);
    CHECK(te::to_hours("2:75") == 3.25);
    CHECK(te::to_hours("-1") == -1.0);
    CHECK_FALSE(te::to_hours("abc").has_value());
    CHECK_FALSE(te::to_hours("").has_value());
    CHECK_FALSE(te::to_hours("1.5.5").has_value());
    CHECK_FALSE(te::to_hours("h").has_value());
}

TEST_CASE("dates: civil days both ways, strict ISO dates") {
    CHECK(te::days_from_civil(1970, 1, 1) == 0);
    CHECK(te::civil_from_days(te::days_from_civil(2024, 2, 29)) == "2024-02-29");
    CHECK(te::parse_iso_date("2026-02-28").has_value());
    CHECK_FALSE(te::parse_iso_date("2026-02-30").has_value());
    CHECK_FALSE(te::parse_iso_date("2026-1-5").has_value());
}

TEST_CASE("time entry list: JSON, XML, order, paging") {
    Client c;
    auto r = c.get("/time_entries.json");
    CHECK(r.status == 200);
    CHECK(ids(r) == std::vector<long long>{12, 11, 8, 7, 3, 6, 5, 4, 10, 2, 1, 9});
    CHECK(total(r) == 12);
    CHECK(ojson(r)["time_entries"][8].dump() ==
          R"({"id":10,"project":{"id":1,"name":"Web Shop"},"issue":{"id":6},)"
          R"("user":{"id":7,"name":"Robert Hill"},)"
          R"("activity":{"id":8,"name":"Design"},"hours":0.25,"comments":"","spent_on":"2026-01-09",)"
          R"("created_on":")" +
              stamp(c, "time_entries", 10) + R"(","updated_on":")" + stamp(c, "time_entries", 10) + R"("})");
    auto page = c.get("/time_entries.json?limit=2&offset=3");
    CHECK(ids(page) == std::vector<long long>{7, 3});
    CHECK(json(page)["offset"] == 3);
    CHECK(json(page)["limit"] == 2);
    auto xml = c.get("/time_entries.xml?limit=1");
    CHECK(
        xml.body.rfind(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><time_entries total_count=\"12\" offset=\"0\" "
            "limit=\"1\" type=\"array\"><time_entry><id>12</id><project id=\"3\" name=\"Internal Tools\"/>"
            "<issue id=\"24\"/><user id=\"6\" name=\"Dave Lopper\"/><activity id=\"9\" name=\"Development\"/>"
            "<hours>1.75</hours>",
            0) == 0);
    CHECK(ids(c.get("/time_entries.json?sort=hours:desc&limit=3")) == std::vector<long long>{8, 2, 4});
    CHECK(ids(c.get("/time_entries.json?sort=hours&limit=2")) == std::vector<long long>{10, 5});
    // an unknown sort column leaves only the id order
    CHECK(ids(c.get("/time_entries.json?sort=nosuch&limit=3")) == std::vector<long long>{1, 2, 3});
}

TEST_CASE("time entry list filters") {
    Client c;
    auto q = [&](const std::string& query, const std::string& key = kAdminKey) {
        return ids(c.get("/time_entries.json?limit=100&sort=id&" + query, key));
    };
    using V = std::vector<long long>;
    CHECK(q("issue_id=1") == V{1});
    CHECK(q("issue_id=~1") == V{1, 2, 3});  // the issue and its subtasks
    CHECK(q("issue_id=~16") == V{7, 8});
    CHECK(q("issue_id=!*") == V{9});
    CHECK(q("issue_id=~9999").empty());
    CHECK(q("user_id=5") == V{5, 7, 9});
    CHECK(q("user_id=5|7") == V{5, 7, 9, 10});
    CHECK(q("user_id=!6") == V{5, 7, 9, 10});
    CHECK(q("user_id=me", kJsmithKey) == V{5, 7, 9});
    CHECK(q("user_id=me").empty());  // the admin logged nothing
    CHECK(q("activity_id=8") == V{1, 7, 9, 10});
    CHECK(q("activity_id=!8") == V{2, 3, 4, 5, 6, 8, 11, 12});
    CHECK(q("spent_on=2026-01-06") == V{1});
    CHECK(q("spent_on=><2026-01-10|2026-01-31") == V{3, 4, 5, 6});
    CHECK(q("spent_on=>=2026-02-05") == V{8, 11, 12});
    CHECK(q("spent_on=<=2026-01-06") == V{1, 9});
    CHECK(q("spent_on=2026-01-06T00:00:00Z") == V{1});
    CHECK(q("from=2026-02-01") == V{7, 8, 11, 12});
    CHECK(q("to=2026-01-06") == V{1, 9});
    CHECK(q("from=2026-01-09&to=2026-01-12") == V{4, 10});
    CHECK(q("spent_on=t").empty());
    CHECK(q("spent_on=m").empty());
    CHECK(q("spent_on=*").size() == 12);
    CHECK(q("hours=>=3") == V{2, 4, 8, 11});
    CHECK(q("hours=1") == V{7, 9});
    CHECK(q("comments=~review") == V{5});
    CHECK(q("comments=^code") == V{5});
    CHECK(q("f[]=user_id&op[user_id]==&v[user_id][]=7") == V{10});
    CHECK(q("user_id=5&activity_id=8") == V{7, 9});
    // an invalid filter makes Redmine ignore every filter of the query
    CHECK(q("spent_on=abc").size() == 12);
    CHECK(q("user_id=5&spent_on=2026-02-30").size() == 12);
    CHECK(q("user_id=5&hours=x").size() == 12);
    CHECK(q("user_id=").size() == 12);
    // relative dates around today
    c.exec("UPDATE time_entries SET spent_on = ? WHERE id = 1", {te::civil_from_days(te::today_days())});
    c.exec("UPDATE time_entries SET spent_on = ? WHERE id = 2", {te::civil_from_days(te::today_days() - 1)});
    CHECK(q("spent_on=t") == V{1});
    CHECK(q("spent_on=ld") == V{2});
    CHECK(q("spent_on=><t-1") == V{1, 2});
    CHECK(q("spent_on=t-1") == V{2});
    CHECK(q("spent_on=y").size() >= 1);
}

TEST_CASE("time entry list filters on issue and project attributes (TimeEntryQuery)") {
    Client c;
    using V = std::vector<long long>;
    auto q = [&](const std::string& query, const std::string& key = kAdminKey) {
        return ids(c.get("/time_entries.json?limit=100&sort=id&" + query, key));
    };
    auto in_project = [&](const std::string& project, const std::string& query) {
        return ids(c.get("/projects/" + project + "/time_entries.json?limit=100&sort=id&" + query));
    };
    // issue.tracker_id, issue.status_id: list filters ("=", "!"), entries without an issue count as NULL
    CHECK(q("issue.tracker_id=1") == V{4, 5, 6, 12});
    CHECK(q("issue.tracker_id=!1") == V{1, 2, 3, 7, 8, 9, 10, 11});
    CHECK(q("issue.tracker_id=1|3") == V{4, 5, 6, 10, 12});
    CHECK(q("issue.status_id=2") == V{1, 3, 6, 7, 8, 11});
    CHECK(q("issue.status_id=5|3") == V{2, 4, 5, 10, 12});
    CHECK(q("f[]=issue.status_id&op[issue.status_id]=!&v[issue.status_id][]=2") == V{2, 4, 5, 9, 10, 12});
    // issue.fixed_version_id: the issues of the versions; "!" leaves out entries without an issue
    CHECK(q("issue.fixed_version_id=1") == V{1, 2, 3, 4, 5, 6});
    CHECK(q("issue.fixed_version_id=2") == V{7});
    CHECK(q("issue.fixed_version_id=!1") == V{7, 8, 10, 11, 12});
    CHECK(q("issue.fixed_version_id=99").empty());
    CHECK(q("issue.fixed_version_id=!99").size() == 12);
    // issue.category_id is offered only within a project (list_optional)
    CHECK(q("issue.category_id=1").size() == 12);
    CHECK(in_project("webshop", "issue.category_id=1") == V{1, 3, 4, 5});
    CHECK(in_project("webshop", "issue.category_id=!*") == V{6, 7, 8, 9, 10});
    CHECK(in_project("webshop", "issue.category_id=*") == V{1, 2, 3, 4, 5});
    CHECK(in_project("webshop", "issue.category_id=!1") == V{2, 6, 7, 8, 9, 10});
    // project_id, only without a project (the short form names the project itself)
    CHECK(q("f[]=project_id&op[project_id]==&v[project_id][]=3") == V{11, 12});
    CHECK(q("f[]=project_id&op[project_id]=!&v[project_id][]=1") == V{7, 8, 11, 12});
    CHECK(q("f[]=project_id&op[project_id]==&v[project_id][]=mine", kRhillKey) ==
          V{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    // subproject_id, offered in a project with subprojects
    CHECK(in_project("webshop", "subproject_id=!*") == V{1, 2, 3, 4, 5, 6, 9, 10});
    CHECK(in_project("webshop", "subproject_id=2") == V{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    CHECK(in_project("webshop", "subproject_id=!2") == V{1, 2, 3, 4, 5, 6, 9, 10});
    CHECK(in_project("webshop", "subproject_id=*") == V{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    CHECK(in_project("webshop-mobile", "subproject_id=!*") == V{7, 8});  // a leaf: not offered
    // project.status, not offered in a leaf project
    CHECK(q("project.status=1").size() == 12);
    c.exec("UPDATE projects SET status = 5 WHERE id = 3");
    CHECK(q("project.status=5") == V{11, 12});
    CHECK(q("project.status=1") == V{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    CHECK(q("project.status=!1") == V{11, 12});
    CHECK(in_project("webshop", "project.status=5").empty());
    CHECK(in_project("webshop-mobile", "project.status=5") == V{7, 8});
    c.exec("UPDATE projects SET status = 1 WHERE id = 3");
    // hours and comments operators
    CHECK(q("hours=><1|2") == V{3, 6, 7, 9, 12});
    CHECK(q("hours=<=0.5") == V{5, 10});
    CHECK(q("hours=*").size() == 12);
    CHECK(q("hours=!*").empty());
    CHECK(q("comments=$fix") == V{4});
    CHECK(q("comments=!~review").size() == 11);
    CHECK(q("comments=!*") == V{10});
    CHECK(q("comments=*").size() == 12);
    CHECK(q("f[]=activity_id&op[activity_id]==&v[activity_id][]=9") == V{2, 3, 4, 5, 6, 8, 11, 12});
    // spent_on relative operators
    const long long today = te::today_days();
    c.exec("UPDATE time_entries SET spent_on = ? WHERE id = 1", {te::civil_from_days(today - 3)});
    c.exec("UPDATE time_entries SET spent_on = ? WHERE id = 2", {te::civil_from_days(today - 40)});
    CHECK(q("spent_on=>t-5") == V{1});
    CHECK(q("spent_on=><t-5") == V{1});
    CHECK(q("spent_on=t-3") == V{1});
    CHECK(q("spent_on=<t-30|") == V{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    CHECK(q("spent_on=>t-50&sort=id") == V{1, 2});
    CHECK(q("spent_on=!*").empty());
    // filters Redmine 5.0 does not offer on time entries are ignored
    CHECK(q("issue.parent_id=1").size() == 12);
    CHECK(q("user.group=8").size() == 12);
    CHECK(q("issue.cf_1=Critical").size() == 12);
}

TEST_CASE("time entry list: projects and visibility") {
    Client c;
    using V = std::vector<long long>;
    // a project's list includes its subprojects (display_subprojects_issues)
    CHECK(ids(c.get("/projects/webshop/time_entries.json?sort=id")) == V{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    CHECK(ids(c.get("/projects/webshop-mobile/time_entries.json?sort=id")) == V{7, 8});
    CHECK(ids(c.get("/time_entries.json?project_id=3&sort=id")) == V{11, 12});
    CHECK(ids(c.get("/time_entries.json?project_id=internal-tools&sort=id")) == V{11, 12});
    set_setting(c, "display_subprojects_issues", "0");
    CHECK(total(c.get("/projects/webshop/time_entries.json")) == 8);
    CHECK(c.get("/projects/nosuch/time_entries.json").status == 404);
    CHECK(c.get("/time_entries.json?project_id=nosuch").status == 404);
    // anonymous sees the public projects; rhill is no member of the private internal-tools
    CHECK(total(c.get("/time_entries.json", "")) == 10);
    CHECK(total(c.get("/time_entries.json", kRhillKey)) == 10);
    CHECK(c.get("/projects/internal-tools/time_entries.json", kRhillKey).status == 403);
    CHECK(c.get("/projects/internal-tools/time_entries.json", "").status == 401);
    // a role that sees only its own entries
    c.exec("UPDATE roles SET time_entries_visibility = 'own' WHERE id = 3");
    CHECK(ids(c.get("/projects/webshop/time_entries.json?sort=id", kJsmithKey)) == V{5, 9});
    c.exec("UPDATE roles SET time_entries_visibility = 'own' WHERE id = 4");
    // dlopper: Developer (own) in webshop, also Reporter (all) in webshop-mobile and internal-tools
    CHECK(ids(c.get("/time_entries.json?sort=id", kDlopperKey)) == V{1, 2, 3, 4, 6, 7, 8, 11, 12});
    // no view_time_entries anywhere: 401 anonymous, 403 logged in
    c.exec("UPDATE roles SET permissions = ? WHERE builtin = 2", {std::string("---\n- :view_issues\n")});
    CHECK(c.get("/time_entries.json", "").status == 401);
    CHECK(header(c.get("/time_entries.json", ""), "WWW-Authenticate") == "Basic realm=\"Redmine API\"");
    // a disabled module
    c.exec("DELETE FROM enabled_modules WHERE project_id = 2 AND name = 'time_tracking'");
    CHECK(c.get("/projects/webshop-mobile/time_entries.json").status == 403);
    CHECK(total(c.get("/time_entries.json")) == 10);
}

TEST_CASE("one time entry") {
    Client c;
    CHECK(c.get("/time_entries/1.json").body ==
          R"({"time_entry":{"id":1,"project":{"id":1,"name":"Web Shop"},"issue":{"id":1},"user":{"id":6,)"
          R"("name":"Dave Lopper"},"activity":{"id":8,"name":"Design"},"hours":2.5,"comments":)"
          R"("Design of the guest checkout flow","spent_on":"2026-01-06","created_on":")" +
              stamp(c, "time_entries", 1) + R"(","updated_on":")" + stamp(c, "time_entries", 1) + R"("}})");
    CHECK(c.get("/time_entries/9.xml").body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><time_entry><id>9</id><project id=\"1\" name=\"Web "
          "Shop\"/>"
          "<user id=\"5\" name=\"John Smith\"/><activity id=\"8\" name=\"Design\"/><hours>1.0</hours>"
          "<comments>Sprint planning</comments><spent_on>2026-01-05</spent_on><created_on>" +
              stamp(c, "time_entries", 9) + "</created_on><updated_on>" + stamp(c, "time_entries", 9) +
              "</updated_on></time_entry>");
    CHECK(c.get("/time_entries/999.json").status == 404);
    CHECK(c.get("/time_entries/abc.json").status == 404);
    CHECK(c.get("/time_entries/11.json", kRhillKey).status == 403);
    CHECK(c.get("/time_entries/11.json", "").status == 401);
    CHECK(c.get("/time_entries/1.json", "").status == 200);
}

TEST_CASE("time entry custom fields are shown to the roles that may see them") {
    Client c;
    c.exec(
        "INSERT INTO custom_fields (id, type, name, field_format, position, visible, is_required, "
        "default_value) "
        "VALUES (10, 'TimeEntryCustomField', 'Billable', 'bool', 1, 1, 0, '1')");
    c.exec(
        "INSERT INTO custom_fields (id, type, name, field_format, position, visible, possible_values) "
        "VALUES (11, 'TimeEntryCustomField', 'Cost centre', 'list', 2, 0, ?)",
        {std::string("---\n- A\n- B\n")});
    c.exec("INSERT INTO custom_fields_roles (custom_field_id, role_id) VALUES (11, 3)");  // Manager
    c.exec(
        "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) "
        "VALUES ('TimeEntry', 1, 11, 'B')");
    auto fields = [&](const std::string& key) {
        return json(c.get("/time_entries/1.json", key))["time_entry"]["custom_fields"];
    };
    CHECK(fields(kAdminKey).dump() ==
          R"([{"id":10,"name":"Billable","value":null},{"id":11,"name":"Cost centre","value":"B"}])");
    CHECK(fields(kJsmithKey).size() == 2);  // a Manager in Web Shop
    CHECK(fields(kDlopperKey).dump() == R"([{"id":10,"name":"Billable","value":null}])");
    auto list = json(c.get("/time_entries.json?sort=id&limit=1", kRhillKey))["time_entries"][0];
    CHECK(list["custom_fields"].dump() == R"([{"id":10,"name":"Billable","value":null}])");

    // writing: a hidden field's value is dropped, a new entry takes the defaults, list values are checked
    auto created = post(c, R"({"time_entry":{"issue_id":1,"hours":1,"activity_id":9,)"
                           R"("custom_fields":[{"id":11,"value":"C"}]}})");
    CHECK(created.status == 422);
    CHECK(errors(created) == R"(["Cost centre is not included in the list"])");
    created = post(
        c,
        R"({"time_entry":{"issue_id":1,"hours":1,"activity_id":9,"custom_fields":[{"id":11,"value":"A"}]}})",
        kDlopperKey);
    REQUIRE(created.status == 201);
    CHECK(ojson(created)["time_entry"]["custom_fields"].dump() ==
          R"([{"id":10,"name":"Billable","value":"1"}])");
    long long id = json(created)["time_entry"]["id"].get<long long>();
    CHECK(c.scalar("SELECT COUNT(*) FROM custom_values WHERE customized_id = ? AND custom_field_id = 11",
                   {id}) == 0);
    CHECK(c.send("PUT", "/time_entries/" + std::to_string(id) + ".json",
                 R"({"time_entry":{"custom_field_values":{"11":"A","10":"0"}}})")
              .status == 204);
    CHECK(fields(kAdminKey).size() == 2);
    CHECK(
        json(c.get("/time_entries/" + std::to_string(id) + ".json"))["time_entry"]["custom_fields"].dump() ==
        R"([{"id":10,"name":"Billable","value":"0"},{"id":11,"name":"Cost centre","value":"A"}])");
}

TEST_CASE("creating time entries: hours in every format, 201 with Location") {
    Client c;
    const std::vector<std::pair<std::string, double>> formats = {
        {R"("1.5")", 1.5},    {R"("1,5")", 1.5},  {R"("1:30")", 1.5}, {R"("1h30")", 1.5},
        {R"("1h 30m")", 1.5}, {R"("45m")", 0.75}, {R"("1h")", 1.0},   {R"("2 hours")", 2.0},
        {"2", 2.0},           {"0.25", 0.25},
    };
    for (const auto& item_ : formats) {
        const auto& text = std::get<0>(item_);  // no structured bindings: clang 14 lambdas (CAPTURE) cannot capture them
        const auto& hours = std::get<1>(item_);
        CAPTURE(text);
        auto r = post(c, R"({"time_entry":{"issue_id":3,"hours":)" + text + R"(,"activity_id":9}})");
        REQUIRE(r.status == 201);
        auto entry = json(r)["time_entry"];
        CHECK(entry["hours"].get<double>() == hours);
        CHECK(header(r, "Location") ==
              "http://127.0.0.1:3000/time_entries/" + std::to_string(entry["id"].get<long long>()));
    }
    auto r = post(c, R"({"time_entry":{"issue_id":3,"hours":"1.5","activity_id":9,"comments":"Work"}})",
                  kDlopperKey);
    REQUIRE(r.status == 201);
    auto e = json(r)["time_entry"];
    CHECK(e["project"].dump() == R"({"id":1,"name":"Web Shop"})");  // taken from the issue
    CHECK(e["user"].dump() == R"({"id":6,"name":"Dave Lopper"})");
    CHECK(e["spent_on"] == te::civil_from_days(te::today_days()));  // today by default
    CHECK(e["comments"] == "Work");
    const long long id = e["id"].get<long long>();
    CHECK(c.scalar("SELECT author_id FROM time_entries WHERE id = ?", {id}) == 6);
    CHECK(c.scalar("SELECT COUNT(*) FROM time_entries WHERE id = ? AND tyear > 2000 AND tweek > 0", {id}) ==
          1);

    auto xml =
        c.send("POST", "/projects/webshop/time_entries.xml",
               "<time_entry><hours>1h15</hours><activity_id>8</activity_id><spent_on>2026-01-05</spent_on>"
               "</time_entry>");
    REQUIRE(xml.status == 201);
    CHECK(xml.content_type == "application/xml; charset=utf-8");
    CHECK(
        xml.body.find(
            "<project id=\"1\" name=\"Web Shop\"/><user id=\"1\" name=\"Redmine Admin\"/><activity id=\"8\" "
            "name=\"Design\"/><hours>1.25</hours><comments/><spent_on>2026-01-05</spent_on>") !=
        std::string::npos);
    CHECK(c.scalar("SELECT tweek FROM time_entries WHERE spent_on = '2026-01-05' AND hours = 1.25") == 2);
    auto on_issue =
        c.send("POST", "/issues/16/time_entries.json", R"({"time_entry":{"hours":2,"activity_id":9}})");
    REQUIRE(on_issue.status == 201);
    CHECK(json(on_issue)["time_entry"]["project"]["id"] == 2);
    CHECK(c.send("POST", "/issues/9999/time_entries.json", R"({"time_entry":{"hours":2}})").status == 404);
    CHECK(c.send("POST", "/projects/nosuch/time_entries.json", R"({"time_entry":{"hours":2}})").status ==
          404);
    // another user's time, for one who may log time for others
    auto other =
        post(c, R"({"time_entry":{"issue_id":3,"hours":1,"activity_id":9,"user_id":7}})", kJsmithKey);
    REQUIRE(other.status == 201);
    CHECK(json(other)["time_entry"]["user"]["id"] == 7);
}

TEST_CASE("time entry validation messages") {
    Client c;
    auto check = [&](const std::string& attrs, const std::string& expected,
                     const std::string& key = kAdminKey) {
        CAPTURE(attrs);
        auto r = post(c, R"({"time_entry":)" + attrs + "}", key);
        CHECK(r.status == 422);
        CHECK(errors(r) == expected);
    };
    check(R"({"project_id":"webshop","hours":1,"activity_id":9})", R"(["Project is invalid"])");
    check(R"({"project_id":1,"activity_id":9})", R"(["Hours cannot be blank"])");
    check(R"({"project_id":1,"hours":"","activity_id":9})", R"(["Hours cannot be blank"])");
    check(R"({"project_id":1,"hours":"abc","activity_id":9})", R"(["Hours is invalid"])");
    check(R"({"project_id":1,"hours":"-1","activity_id":9})", R"(["Hours is invalid"])");
    check(R"({"project_id":1,"hours":1})", R"(["Activity cannot be blank"])");
    check(R"({})", R"(["Activity cannot be blank","Project cannot be blank",)"
                   R"("Hours cannot be blank","Project is invalid"])");
    check(R"({"project_id":1,"hours":1,"activity_id":999})", R"(["Activity is not included in the list"])");
    check(R"({"issue_id":999,"hours":1,"activity_id":9})",
          R"(["Project cannot be blank","Project is invalid","Issue is invalid"])");
    check(R"({"project_id":3,"issue_id":1,"hours":1,"activity_id":9})", R"(["Issue is invalid"])");
    check(R"({"project_id":1,"hours":1,"activity_id":9,"spent_on":"2026-02-30"})",
          R"(["Date cannot be blank","Date is not a valid date"])");
    check(R"({"project_id":1,"hours":1,"activity_id":9,"spent_on":"yesterday"})",
          R"(["Date cannot be blank","Date is not a valid date"])");
    check(R"({"project_id":1,"hours":1,"activity_id":9,"comments":")" + std::string(1025, 'x') + "\"}",
          R"x(["Comment is too long (maximum is 1024 characters)"])x");
    check(R"({"project_id":1,"hours":1000,"activity_id":9})",
          R"x(["Cannot log more than 999:00 hours on the same day (0:00 hours have already been logged)"])x");
    // rhill (Reporter) may not log time for dlopper
    check(R"({"project_id":1,"hours":1,"activity_id":9,"user_id":6})", R"(["User is invalid"])", kRhillKey);
    // a locked user cannot get time logged
    c.exec("UPDATE users SET status = 3 WHERE id = 7");
    check(R"({"project_id":1,"hours":1,"activity_id":9,"user_id":7})", R"(["User is invalid"])");
    // an inactive activity
    c.exec("UPDATE enumerations SET active = 0 WHERE id = 8");
    check(R"({"project_id":1,"hours":1,"activity_id":8})", R"(["Activity is not included in the list"])");

    set_setting(c, "timelog_accept_future_dates", "0");
    check(R"({"project_id":1,"hours":1,"activity_id":9,"spent_on":"2999-01-01"})",
          R"(["Cannot log time on a future date"])");
    set_setting(c, "timelog_accept_0_hours", "0");
    check(R"({"project_id":1,"hours":"0","activity_id":9})", R"(["Hours is invalid"])");
    set_setting(c, "timelog_max_hours_per_day", "8");
    check(R"({"project_id":1,"hours":"7h","activity_id":9,"spent_on":"2026-01-08","user_id":6})",
          R"x(["Cannot log more than 8:00 hours on the same day (4:00 hours have already been logged)"])x");
    set_setting(c, "timespan_format", "decimal");
    check(R"({"project_id":1,"hours":"7h","activity_id":9,"spent_on":"2026-01-08","user_id":6})",
          R"x(["Cannot log more than 8.00 hours on the same day (4.00 hours have already been logged)"])x");
    set_setting(c, "timelog_required_fields", "---\n- issue_id\n- comments\n");
    check(R"({"project_id":1,"hours":1,"activity_id":9})",
          R"(["Issue cannot be blank","Comment cannot be blank"])");

    auto xml = c.send("POST", "/time_entries.xml", "<time_entry><project_id>1</project_id></time_entry>");
    CHECK(xml.status == 422);
    CHECK(xml.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Activity cannot be blank"
          "</error><error>Hours cannot be blank</error><error>Issue cannot be blank</error><error>Comment "
          "cannot be blank</error></errors>");
}

TEST_CASE("time entry write permissions") {
    Client c;
    const std::string body = R"({"time_entry":{"project_id":1,"hours":1,"activity_id":9}})";
    CHECK(post(c, body, "").status == 401);  // the Anonymous role may not log time
    CHECK(post(c, R"({"time_entry":{"project_id":3,"hours":1,"activity_id":9}})", kRhillKey).status == 403);
    CHECK(c.send("POST", "/projects/internal-tools/time_entries.json", body, kRhillKey).status == 403);
    // a closed project is read-only
    c.exec("UPDATE projects SET status = 5 WHERE id = 3");
    CHECK(c.send("POST", "/projects/internal-tools/time_entries.json", body).status == 403);
    CHECK(c.send("PUT", "/time_entries/11.json", R"({"time_entry":{"hours":2}})").status == 403);
    // an archived one answers 403 even to the admin
    c.exec("UPDATE projects SET status = 9 WHERE id = 3");
    CHECK(c.get("/time_entries/11.json").status == 403);
    CHECK(c.send("DELETE", "/time_entries/11.json", "").status == 403);

    // dlopper (Developer) may neither edit his entries nor others'
    CHECK(c.send("PUT", "/time_entries/1.json", R"({"time_entry":{"hours":2}})", kDlopperKey).status == 403);
    CHECK(c.send("DELETE", "/time_entries/1.json", "", kDlopperKey).status == 403);
    CHECK(c.send("DELETE", "/time_entries/1.json", "", "").status == 401);
    CHECK(c.send("PUT", "/time_entries/1.json", R"({"time_entry":{"hours":2}})", "").status == 403);
    // with edit_own_time_entries he edits his own entries only
    c.exec("UPDATE roles SET permissions = ? WHERE id = 4",
           {std::string("---\n- :view_time_entries\n- :log_time\n- :edit_own_time_entries\n")});
    CHECK(c.send("PUT", "/time_entries/1.json", R"({"time_entry":{"hours":"1:15"}})", kDlopperKey).status ==
          204);
    CHECK(c.send("PUT", "/time_entries/5.json", R"({"time_entry":{"hours":2}})", kDlopperKey).status == 403);
    CHECK(c.send("PUT", "/time_entries/999.json", R"({"time_entry":{"hours":2}})").status == 404);
    CHECK(c.send("DELETE", "/time_entries/999.json", "").status == 404);
    CHECK(json(c.get("/time_entries/1.json"))["time_entry"]["hours"] == 1.25);
}

TEST_CASE("updating and deleting time entries") {
    Client c;
    auto r = c.send(
        "PUT", "/time_entries/1.json",
        R"({"time_entry":{"hours":"2h","comments":"Changed","spent_on":"2026-01-07","activity_id":9}})");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    auto e = json(c.get("/time_entries/1.json"))["time_entry"];
    CHECK(e["hours"] == 2.0);
    CHECK(e["comments"] == "Changed");
    CHECK(e["spent_on"] == "2026-01-07");
    CHECK(e["activity"]["id"] == 9);
    CHECK(e["updated_on"] != stamp(c, "time_entries", 2, "updated_on"));
    CHECK(c.scalar("SELECT tweek FROM time_entries WHERE id = 1") == 2);
    // moving it to an issue of another project needs the project to follow
    auto bad = c.send("PUT", "/time_entries/1.json", R"({"time_entry":{"issue_id":16,"project_id":1}})");
    CHECK(bad.status == 422);
    CHECK(errors(bad) == R"(["Issue is invalid"])");
    CHECK(c.send("PUT", "/time_entries/1.json", R"({"time_entry":{"issue_id":16}})").status == 204);
    CHECK(json(c.get("/time_entries/1.json"))["time_entry"]["project"]["id"] == 2);
    auto xml = c.send("PUT", "/time_entries/1.xml", "<time_entry><hours>abc</hours></time_entry>");
    CHECK(xml.status == 422);
    CHECK(xml.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Hours is invalid</error>"
          "</errors>");
    // an unchanged entry is not written
    const std::string updated = stamp(c, "time_entries", 2, "updated_on");
    CHECK(c.send("PUT", "/time_entries/2.json", R"({"time_entry":{"hours":4}})").status == 204);
    CHECK(json(c.get("/time_entries/2.json"))["time_entry"]["updated_on"] == updated);

    c.exec(
        "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) VALUES "
        "('TimeEntry', 3, 1, 'x')");
    auto del = c.send("DELETE", "/time_entries/3.xml", "");
    CHECK(del.status == 204);
    CHECK(del.content_type.empty());
    CHECK(c.get("/time_entries/3.json").status == 404);
    CHECK(
        c.scalar(
            "SELECT COUNT(*) FROM custom_values WHERE customized_type = 'TimeEntry' AND customized_id = 3") ==
        0);
    CHECK(total(c.get("/time_entries.json")) == 11);
}

TEST_CASE("deep pages: the same statements at any offset, and the order of one sorted query") {
    Client c;
    // 2,000 more entries over the three projects, users and activities, with ties on spent_on and hours
    const long long n = 2000;
    for (long long start = 0; start < n; start += 250) {
        std::string sql =
            "INSERT INTO time_entries (project_id, user_id, author_id, issue_id, hours, comments, activity_id, "
            "spent_on, tyear, tmonth, tweek, created_on, updated_on) VALUES ";
        std::vector<db::Value> params;
        for (long long k = start; k < start + 250; ++k) {
            sql += k > start ? ", (?, ?, ?, ?, ?, 'deep', ?, ?, 2025, 1, 1, ?, ?)"
                             : "(?, ?, ?, ?, ?, 'deep', ?, ?, 2025, 1, 1, ?, ?)";
            const long long project = k % 3 + 1;
            const db::Value issue = project == 1 ? db::Value(k % 5 + 1) : db::Value(std::monostate{});
            const std::string day = "2025-01-" + std::string(k % 28 < 9 ? "0" : "") + std::to_string(k % 28 + 1);
            const std::string created = "2025-02-01 10:00:0" + std::to_string(k % 7);
            params.insert(params.end(), {project, k % 3 + 5, 1LL, issue, 0.5 * static_cast<double>(k % 4 + 1),
                                         k % 2 + 8LL, day, created, created});
        }
        c.exec(sql, params);
    }
    const long long total = n + 12;
    auto all_pages = [&](const std::string& query) {
        std::vector<long long> out;
        for (long long offset = 0; offset < total; offset += 100) {
            auto page = c.get("/time_entries.json?limit=100&offset=" + std::to_string(offset) + query);
            REQUIRE(page.status == 200);
            CHECK(json(page)["total_count"] == total);
            for (long long id : ids(page)) out.push_back(id);
        }
        return out;
    };
    auto reference = [&](const std::string& order) {
        std::vector<long long> out;
        auto conn = c.database().connect();
        for (const auto& r : conn->query(
                 "SELECT te.id FROM time_entries te JOIN users u ON u.id = te.user_id "
                 "LEFT JOIN enumerations e ON e.id = te.activity_id ORDER BY " + order))
            out.push_back(r.i(0));
        return out;
    };
    CHECK(all_pages("") == reference("te.spent_on DESC, te.created_on DESC, te.id ASC"));
    CHECK(all_pages("&sort=hours:desc,activity") ==
          reference("te.hours DESC, e.position ASC, te.id ASC"));
    CHECK(all_pages("&sort=user:desc,spent_on") ==
          reference("u.firstname DESC, u.lastname DESC, u.id DESC, te.spent_on ASC, te.created_on ASC, te.id ASC"));
    auto filtered = ids(c.get("/time_entries.json?limit=100&offset=600&sort=id&activity_id=8&project_id=webshop"));
    CHECK(filtered.size() == 71);  // 671 entries of Design in webshop and its subproject
    CHECK(c.scalar("SELECT COUNT(*) FROM time_entries WHERE activity_id = 8 AND project_id IN (1, 2) AND id < ?",
                   {filtered.front()}) == 600);

    // a deep page runs the statements of the first one
    auto statements = [&](long long offset) {
        const long long before = c.database().statements();
        auto r = c.get("/time_entries.json?limit=100&offset=" + std::to_string(offset), kJsmithKey);
        CHECK(r.status == 200);
        return c.database().statements() - before;
    };
    // (settings are cached for 2 s: measure again when a reload fell between the two)
    long long first = statements(0), deep = statements(1900);
    if (first != deep) first = statements(0), deep = statements(1900);
    CHECK(first == deep);
}
