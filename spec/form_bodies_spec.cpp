// Creates and updates with urlencoded and multipart bodies, as shell scripts, CI jobs and Redmine's own
// API tests send them. Every request here was sent to Redmine 5.0.4 on the seeded data too
// (scripts/compare-forms.py replays them against both) and answered the same.
#include <doctest/doctest.h>

#include "spec/support.h"

using namespace spec;

namespace {

http::Response form(Client& c, const std::string& method, const std::string& target, const std::string& body,
                    const std::string& key = kAdminKey,
                    const std::string& content_type = "application/x-www-form-urlencoded") {
    Call call;
    call.method = method;
    call.target = target;
    call.body = body;
    if (!content_type.empty()) call.headers["Content-Type"] = content_type;
    if (!key.empty()) call.headers["X-Redmine-API-Key"] = key;
    return c.call(call);
}

std::string errors(const http::Response& r) { return json(r)["errors"].dump(); }

}  // namespace

TEST_CASE("form bodies: the time entry of `curl -d` is created") {
    Client c;
    auto r = form(c, "POST", "/time_entries.json?key=" + kAdminKey,
                  "time_entry[issue_id]=1&time_entry[hours]=1.5&time_entry[activity_id]=9", "");
    REQUIRE(r.status == 201);
    const auto e = json(r)["time_entry"];
    CHECK(e["issue"]["id"] == 1);
    CHECK(e["project"]["id"] == 1);
    CHECK(e["hours"] == 1.5);
    CHECK(e["activity"]["id"] == 9);
    const long long id = e["id"].get<long long>();
    CHECK(c.scalar("SELECT COUNT(*) FROM time_entries WHERE id = ? AND hours = 1.5 AND activity_id = 9", {id}) == 1);

    r = form(c, "PUT", "/time_entries/" + std::to_string(id) + ".json", "time_entry[hours]=3.25&time_entry[comments]=changed");
    CHECK(r.status == 204);
    CHECK(json(c.get("/time_entries/" + std::to_string(id) + ".json"))["time_entry"]["comments"] == "changed");
    // an invalid form update is refused as a JSON one is
    r = form(c, "PUT", "/time_entries/" + std::to_string(id) + ".json", "time_entry[hours]=-1");
    CHECK(r.status == 422);
    CHECK(errors(r) == R"(["Hours is invalid"])");
}

TEST_CASE("form bodies: issues with custom fields, watchers and uploads") {
    Client c;
    auto up = c.call({"POST", "/uploads.json?filename=a1.txt",
                      {{"Content-Type", "application/octet-stream"}, {"X-Redmine-API-Key", kAdminKey}}, "content a"});
    REQUIRE(up.status == 201);
    const std::string token = json(up)["upload"]["token"];
    auto r = form(c, "POST", "/issues.json",
                  "issue[project_id]=1&issue[tracker_id]=1&issue[subject]=Form+issue&issue[custom_fields][][id]=1&"
                  "issue[custom_fields][][value]=Major&issue[watcher_user_ids][]=5&issue[watcher_user_ids][]=7&"
                  "issue[is_private]=0&issue[estimated_hours]=2.5&issue[uploads][][token]=" + token +
                      "&issue[uploads][][filename]=a1.txt&issue[uploads][][description]=up+a");
    REQUIRE(r.status == 201);
    const long long id = json(r)["issue"]["id"].get<long long>();
    const auto issue = json(c.get("/issues/" + std::to_string(id) + ".json?include=watchers,attachments"))["issue"];
    CHECK(issue["subject"] == "Form issue");
    CHECK(issue["custom_fields"][0]["value"] == "Major");
    CHECK(issue["estimated_hours"] == 2.5);
    CHECK(issue["watchers"].size() == 2);
    REQUIRE(issue["attachments"].size() == 1);
    CHECK(issue["attachments"][0]["description"] == "up a");

    const std::string path = "/issues/" + std::to_string(id) + ".json";
    r = form(c, "PUT", path, "issue[subject]=Form+issue+2&issue[notes]=a+note&issue[private_notes]=1&"
                             "issue[custom_fields][][id]=1&issue[custom_fields][][value]=Minor&issue[done_ratio]=30");
    CHECK(r.status == 204);
    r = form(c, "PUT", path, "issue[custom_field_values][1]=Trivial&issue[is_private]=true");
    CHECK(r.status == 204);
    const auto updated = json(c.get(path + "?include=journals"))["issue"];
    CHECK(updated["subject"] == "Form issue 2");
    CHECK(updated["done_ratio"] == 30);
    CHECK(updated["is_private"] == true);
    CHECK(updated["custom_fields"][0]["value"] == "Trivial");
    // Redmine splits private notes from the changes: a journal for each
    REQUIRE(updated["journals"].size() == 3);
    CHECK(updated["journals"][0]["details"].size() == 3);
    CHECK(updated["journals"][1]["notes"] == "a note");
    CHECK(updated["journals"][1]["private_notes"] == true);
    // the 422 a JSON body gets
    r = form(c, "PUT", path, "issue[subject]=");
    CHECK(r.status == 422);
    CHECK(errors(r) == R"(["Subject cannot be blank"])");
}

TEST_CASE("form bodies: watchers, relations and journals") {
    Client c;
    CHECK(form(c, "POST", "/issues/2/watchers.json", "user_id=6").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_type = 'Issue' AND watchable_id = 2 AND user_id = 6") == 1);
    auto r = form(c, "POST", "/issues/2/relations.json",
                  "relation[issue_to_id]=3&relation[relation_type]=precedes&relation[delay]=2");
    REQUIRE(r.status == 201);
    CHECK(json(r)["relation"]["delay"] == 2);
    r = form(c, "POST", "/issues/1/relations.json", "relation[issue_to_id]=3&relation[relation_type]=bogus");
    CHECK(r.status == 422);
    const long long journal = c.scalar("SELECT MIN(id) FROM journals WHERE notes <> ''");
    CHECK(form(c, "PUT", "/journals/" + std::to_string(journal) + ".json",
               "journal[notes]=edited+via+form&journal[private_notes]=1").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE id = ? AND notes = 'edited via form' AND private_notes = ?",
                   {journal, true}) == 1);
}

TEST_CASE("form bodies: projects, versions, categories and memberships") {
    Client c;
    auto r = form(c, "POST", "/projects.json",
                  "project[name]=Form+proj&project[identifier]=form-proj&project[tracker_ids][]=1&"
                  "project[tracker_ids][]=2&project[enabled_module_names][]=issue_tracking&"
                  "project[enabled_module_names][]=wiki&project[is_public]=0&project[custom_fields][][id]=2&"
                  "project[custom_fields][][value]=ACME");
    REQUIRE(r.status == 201);
    auto p = json(c.get("/projects/form-proj.json?include=trackers,enabled_modules"))["project"];
    CHECK(p["is_public"] == false);
    CHECK(p["trackers"].size() == 2);
    CHECK(p["enabled_modules"].size() == 2);
    CHECK(p["custom_fields"][0]["value"] == "ACME");
    CHECK(form(c, "PUT", "/projects/form-proj.json",
               "project[description]=form+desc&project[tracker_ids][]=3&project[enabled_module_names][]=issue_tracking")
              .status == 204);
    p = json(c.get("/projects/form-proj.json?include=trackers,enabled_modules"))["project"];
    CHECK(p["description"] == "form desc");
    CHECK(p["trackers"].dump() == R"([{"id":3,"name":"Support"}])");
    CHECK(p["enabled_modules"].size() == 1);
    r = form(c, "PUT", "/projects/form-proj.json", "project[name]=");
    CHECK(r.status == 422);

    r = form(c, "POST", "/projects/form-proj/versions.json",
             "version[name]=v-form&version[status]=locked&version[sharing]=descendants&version[due_date]=2026-12-01");
    REQUIRE(r.status == 201);
    const std::string version = "/versions/" + std::to_string(json(r)["version"]["id"].get<long long>()) + ".json";
    CHECK(form(c, "PUT", version, "version[description]=vdesc&version[status]=closed").status == 204);
    CHECK(json(c.get(version))["version"]["status"] == "closed");
    CHECK(form(c, "POST", "/projects/form-proj/versions.json", "version[name]=&version[status]=open").status == 422);

    r = form(c, "POST", "/projects/form-proj/issue_categories.json",
             "issue_category[name]=cat-form&issue_category[assigned_to_id]=1");
    REQUIRE(r.status == 201);
    const std::string category =
        "/issue_categories/" + std::to_string(json(r)["issue_category"]["id"].get<long long>()) + ".json";
    CHECK(form(c, "PUT", category, "issue_category[name]=cat-form2").status == 204);
    CHECK(json(c.get(category))["issue_category"]["name"] == "cat-form2");

    r = form(c, "POST", "/projects/form-proj/memberships.json",
             "membership[user_id]=5&membership[role_ids][]=3&membership[role_ids][]=4");
    REQUIRE(r.status == 201);
    CHECK(json(r)["membership"]["roles"].size() == 2);
    // Redmine empties the roles of a membership it then refuses, and keeps the membership
    const std::string member =
        "/memberships/" + std::to_string(json(r)["membership"]["id"].get<long long>()) + ".json";
    r = form(c, "PUT", member, "membership[role_ids][]=");
    CHECK(r.status == 422);
    CHECK(errors(r) == R"(["Role cannot be empty"])");
    r = c.get(member);
    REQUIRE(r.status == 200);
    CHECK(json(r)["membership"]["roles"] == nlohmann::json::array());
    CHECK(form(c, "PUT", member, "membership[role_ids][]=5").status == 204);
    CHECK(json(c.get(member))["membership"]["roles"].size() == 1);
}

TEST_CASE("form bodies: users, groups, my account") {
    Client c;
    auto r = form(c, "POST", "/users.json",
                  "user[login]=formuser&user[firstname]=Form&user[lastname]=User&user[mail]=form%40example.net&"
                  "user[password]=formpass123&user[admin]=0&user[mail_notification]=none&send_information=0");
    REQUIRE(r.status == 201);
    const std::string user = "/users/" + std::to_string(json(r)["user"]["id"].get<long long>()) + ".json";
    CHECK(form(c, "PUT", user, "user[firstname]=Formed&user[admin]=1").status == 204);
    auto u = json(c.get(user))["user"];
    CHECK(u["firstname"] == "Formed");
    CHECK(u["admin"] == true);
    CHECK(form(c, "PUT", user, "user[mail]=bad").status == 422);

    r = form(c, "POST", "/groups.json", "group[name]=Form+group&group[user_ids][]=5&group[user_ids][]=6");
    REQUIRE(r.status == 201);
    const std::string group = "/groups/" + std::to_string(json(r)["group"]["id"].get<long long>());
    CHECK(form(c, "POST", group + "/users.json", "user_id=7").status == 204);
    CHECK(json(c.get(group + ".json?include=users"))["group"]["users"].size() == 3);
    CHECK(form(c, "PUT", group + ".json", "group[name]=").status == 422);

    CHECK(form(c, "PUT", "/my/account.json", "user[firstname]=Johnny", kJsmithKey).status == 204);
    CHECK(json(c.get("/my/account.json", kJsmithKey))["user"]["firstname"] == "Johnny");
}

TEST_CASE("form bodies: news, wiki pages, attachments and project files") {
    Client c;
    auto r = form(c, "POST", "/projects/webshop/news.json", "news[title]=Form+news&news[summary]=sum&news[description]=desc");
    CHECK(r.status == 204);
    CHECK(json(c.get("/projects/webshop/news.json?limit=1"))["news"][0]["title"] == "Form news");
    CHECK(form(c, "PUT", "/news/1.json", "news[title]=").status == 422);

    CHECK(form(c, "PUT", "/projects/webshop/wiki/FormPage.json", "wiki_page[text]=h1.+Form&wiki_page[comments]=c").status == 201);
    CHECK(json(c.get("/projects/webshop/wiki/FormPage.json"))["wiki_page"]["text"] == "h1. Form");

    CHECK(form(c, "PATCH", "/attachments/1.json", "attachment[filename]=renamed.log&attachment[description]=form").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM attachments WHERE id = 1 AND filename = 'renamed.log' AND description = 'form'") == 1);

    auto up = c.call({"POST", "/uploads.json?filename=d1.txt",
                      {{"Content-Type", "application/octet-stream"}, {"X-Redmine-API-Key", kAdminKey}}, "content d"});
    REQUIRE(up.status == 201);
    const std::string token = json(up)["upload"]["token"];
    CHECK(form(c, "POST", "/projects/webshop/files.json", "file[token]=" + token + "&file[filename]=d1.txt").status == 204);
    CHECK(json(c.get("/projects/webshop/files.json"))["files"].size() == 1);
}

TEST_CASE("form bodies: any encoding, any format, the query over the body, and _method") {
    Client c;
    // multipart, as curl -F sends it
    auto r = form(c, "POST", "/issues.json",
                  "--XyZ\r\nContent-Disposition: form-data; name=\"issue[subject]\"\r\n\r\nmulti\r\n"
                  "--XyZ\r\nContent-Disposition: form-data; name=\"issue[project_id]\"\r\n\r\n1\r\n--XyZ--\r\n",
                  kAdminKey, "multipart/form-data; boundary=XyZ");
    REQUIRE(r.status == 201);
    CHECK(json(r)["issue"]["subject"] == "multi");
    // a form body on an .xml URL
    r = form(c, "POST", "/issues.xml", "issue[project_id]=1&issue[subject]=xml+via+form");
    CHECK(r.status == 201);
    CHECK(r.body.find("<subject>xml via form</subject>") != std::string::npos);
    // a POST without a Content-Type is a form; a PUT without one has no body
    r = form(c, "POST", "/issues.json", "issue[project_id]=1&issue[subject]=no+ct", kAdminKey, "");
    CHECK(r.status == 201);
    CHECK(form(c, "PUT", "/issues/1.json", "issue[subject]=", kAdminKey, "").status == 204);
    // the key in the body authenticates
    r = form(c, "POST", "/time_entries.json",
             "key=" + kJsmithKey + "&time_entry[issue_id]=1&time_entry[hours]=1&time_entry[activity_id]=9", "");
    REQUIRE(r.status == 201);
    CHECK(json(r)["time_entry"]["user"]["id"] == 5);
    // a query's time_entry replaces the whole time_entry of a JSON body (Rails merges the top level)
    r = c.send("POST", "/time_entries.json?time_entry[comments]=q",
               R"({"time_entry":{"issue_id":1,"hours":1,"activity_id":9}})");
    CHECK(r.status == 422);
    // Rack::MethodOverride
    r = form(c, "POST", "/issues/1.json", "_method=put&issue[notes]=via+override");
    CHECK(r.status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE journalized_id = 1 AND notes = 'via override'") == 1);
    Call del;
    del.method = "POST";
    del.target = "/issues/2.json";
    del.headers = {{"X-HTTP-Method-Override", "DELETE"}, {"X-Redmine-API-Key", kAdminKey}};
    CHECK(c.call(del).status == 204);
    CHECK(c.get("/issues/2.json").status == 404);
    // what Rails refuses
    CHECK(form(c, "PUT", "/issues/1.json", "issue[subject]=a&issue[subject][]=b").status == 400);
    CHECK(form(c, "PUT", "/issues/1.json", "issue[subject]=%ff").status == 400);
    CHECK(form(c, "PUT", "/issues/1.json", "x=1", kAdminKey, "foo").status == 406);
    CHECK(c.get("/issues.json?a=%ff").status == 400);

    // Rails renders its 400 page in the request's format: Accept first unless missing or */*, then the URL's
    Call bad;
    bad.target = "/issues.json?a=%ff";
    auto page = c.call(bad);
    CHECK(page.content_type == "application/json; charset=utf-8");
    CHECK(page.body == R"({"status":400,"error":"Bad Request"})");
    bad.headers["Accept"] = "*/*";
    page = c.call(bad);
    CHECK(page.content_type == "text/html; charset=utf-8");
    CHECK(page.body.empty());
    bad.headers["Accept"] = "application/json;q=0.5, application/xml";
    page = c.call(bad);
    CHECK(page.content_type == "application/xml; charset=utf-8");
    CHECK(page.body == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hash>\n  <status type=\"integer\">400</status>\n"
                       "  <error>Bad Request</error>\n</hash>\n");
}
