// Wiki pages: create/update with locking, index, show, versions, delete, redirects, permissions.
#include <doctest/doctest.h>

#include "resources/common.h"
#include "spec/support.h"

using namespace spec;

namespace resources {
std::string wiki_titleize(const std::string& title);
}

namespace {

nlohmann::ordered_json ojson(const http::Response& r) { return nlohmann::ordered_json::parse(r.body); }

std::string stamp(Client& c, const std::string& sql, const std::vector<db::Value>& params) {
    auto conn = c.database().connect();
    return resources::api_time(conn->one(sql, params)->s(0));
}

std::string page_created(Client& c, const std::string& title) {
    return stamp(c, "SELECT created_on FROM wiki_pages WHERE title = ?", {title});
}

std::string content_updated(Client& c, const std::string& title) {
    return stamp(
        c, "SELECT c.updated_on FROM wiki_contents c JOIN wiki_pages p ON p.id = c.page_id WHERE p.title = ?",
        {title});
}

http::Response put(Client& c, const std::string& target, const std::string& body,
                   const std::string& key = kJsmithKey) {
    return c.send("PUT", target, body, key);
}

}  // namespace

TEST_CASE("wiki titles are normalised as Wiki.titleize") {
    CHECK(resources::wiki_titleize("my page") == "My_page");
    CHECK(resources::wiki_titleize("a  b\tc") == "A_b_c");
    CHECK(resources::wiki_titleize("v1.0, notes/draft?;|:x") == "V10_notesdraftx");
    CHECK(resources::wiki_titleize("\xC3\xA9t\xC3\xA9") == "\xC3\x89t\xC3\xA9");
    CHECK(resources::wiki_titleize("Already_Fine") == "Already_Fine");
}

TEST_CASE("wiki: create answers 201 with the page, then updates answer 204 with a new version") {
    Client c;
    auto created = put(c, "/projects/webshop/wiki/getting%20started.json",
                       R"({"wiki_page":{"text":"h1. Hello","comments":"first"}})");
    REQUIRE(created.status == 201);
    CHECK(header(created, "Location") == "/projects/webshop/wiki/Getting_started");
    CHECK(created.content_type == "application/json; charset=utf-8");
    const std::string created_on = page_created(c, "Getting_started");
    CHECK(created.body == R"({"wiki_page":{"title":"Getting_started","text":"h1. Hello","version":1,)"
                          R"("author":{"id":5,"name":"John Smith"},"comments":"first","created_on":")" +
                              created_on + R"(","updated_on":")" + content_updated(c, "Getting_started") +
                              R"("}})");
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_content_versions") == 1);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_content_versions WHERE data = 'h1. Hello' AND compression = '' "
                   "AND version = 1 AND author_id = 5") == 1);

    // update with the current version, then without one
    CHECK(put(c, "/projects/webshop/wiki/Getting_started.json",
              R"({"wiki_page":{"text":"v2","comments":"second","version":1}})", kDlopperKey)
              .status == 204);
    CHECK(put(c, "/projects/webshop/wiki/getting_started.xml",
              "<wiki_page><text>v3</text><comments>third</comments></wiki_page>")
              .status == 204);
    CHECK(c.scalar("SELECT version FROM wiki_contents") == 3);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_content_versions") == 3);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_pages") == 1);

    // a stale version: 409 and nothing written; the same text with a stale version is no change (204)
    auto stale =
        put(c, "/projects/webshop/wiki/Getting_started.json", R"({"wiki_page":{"text":"v4","version":2}})");
    CHECK(stale.status == 409);
    CHECK(stale.body.empty());
    CHECK(c.scalar("SELECT version FROM wiki_contents") == 3);
    CHECK(put(c, "/projects/webshop/wiki/Getting_started.json", R"({"wiki_page":{"text":"v3","version":1}})")
              .status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_content_versions") == 3);

    // the top-level `content` hash is read too
    CHECK(put(c, "/projects/webshop/wiki/Getting_started.json", R"({"content":{"text":"v4","version":3}})")
              .status == 204);

    // show: the current content, or one version
    auto show = c.get("/projects/webshop/wiki/Getting_started.json", kRhillKey);
    REQUIRE(show.status == 200);
    CHECK(show.body == R"({"wiki_page":{"title":"Getting_started","text":"v4","version":4,)"
                       R"("author":{"id":5,"name":"John Smith"},"comments":null,"created_on":")" +
                           created_on + R"(","updated_on":")" + content_updated(c, "Getting_started") +
                           R"("}})");
    auto v2 = c.get("/projects/webshop/wiki/Getting_started/2.xml", kRhillKey);
    REQUIRE(v2.status == 200);
    CHECK(v2.body.find("<wiki_page><title>Getting_started</title><text>v2</text><version>2</version>"
                       "<author id=\"6\" name=\"Dave Lopper\"/><comments>second</comments><created_on>" +
                       created_on + "</created_on>") != std::string::npos);
    CHECK(c.get("/projects/webshop/wiki/Getting_started/9.json").status == 404);
    CHECK(c.get("/projects/webshop/wiki/Getting_started/x.json").status == 404);
    // the start page ("Wiki") has no content yet
    CHECK(c.get("/projects/webshop/wiki.json").status == 404);
    CHECK(c.get("/projects/webshop/wiki/Nothing_here.json").status == 404);
}

TEST_CASE("wiki: index lists pages by title with parent, version and times") {
    Client c;
    REQUIRE(put(c, "/projects/webshop/wiki/Zeta.json", R"({"wiki_page":{"text":"z"}})").status == 201);
    REQUIRE(put(c, "/projects/webshop/wiki/alpha.json", R"({"wiki_page":{"text":"a","parent_title":"Zeta"}})")
                .status == 201);
    auto index = c.get("/projects/webshop/wiki/index.json", "");
    REQUIRE(index.status == 200);
    CHECK(index.body ==
          R"({"wiki_pages":[{"title":"Alpha","parent":{"title":"Zeta"},"version":1,"created_on":")" +
              page_created(c, "Alpha") + R"(","updated_on":")" + content_updated(c, "Alpha") +
              R"("},{"title":"Zeta","version":1,"created_on":")" + page_created(c, "Zeta") +
              R"(","updated_on":")" + content_updated(c, "Zeta") + R"("}]})");
    auto xml = c.get("/projects/webshop/wiki/index.xml");
    CHECK(xml.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?><wiki_pages type=\"array\"><wiki_page>"
                         "<title>Alpha</title><parent title=\"Zeta\"/><version>1</version>",
                         0) == 0);
    auto show = c.get("/projects/webshop/wiki/Alpha.json");
    CHECK(ojson(show)["wiki_page"]["parent"].dump() == R"({"title":"Zeta"})");
    CHECK(c.get("/projects/webshop-mobile/wiki/index.json").body == R"({"wiki_pages":[]})");
}

TEST_CASE("wiki: validation messages are the content's") {
    Client c;
    auto blank = put(c, "/projects/webshop/wiki/Empty.json", R"({"wiki_page":{"text":""}})");
    CHECK(blank.status == 422);
    CHECK(blank.body == R"({"errors":["Text field cannot be blank"]})");
    auto long_comment =
        put(c, "/projects/webshop/wiki/Long.xml",
            "<wiki_page><text>x</text><comments>" + std::string(1025, 'c') + "</comments></wiki_page>");
    CHECK(long_comment.status == 422);
    CHECK(long_comment.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Comment is too "
          "long (maximum is 1024 characters)</error></errors>");
    // a page error (unknown parent) is not shown: the content has none
    auto parent =
        put(c, "/projects/webshop/wiki/Child.json", R"({"wiki_page":{"text":"x","parent_title":"Nope"}})");
    CHECK(parent.status == 422);
    CHECK(parent.body == R"({"errors":[]})");
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_pages") == 0);
    // an existing page: removing the text is validated with the page
    REQUIRE(put(c, "/projects/webshop/wiki/Page.json", R"({"wiki_page":{"text":"x"}})").status == 201);
    auto removed = put(c, "/projects/webshop/wiki/Page.json", R"({"wiki_page":{"comments":"no text"}})");
    CHECK(removed.status == 422);
    CHECK(removed.body == R"({"errors":["Text field cannot be blank"]})");
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_content_versions") == 1);
}

TEST_CASE("wiki: permissions, protected pages, missing wiki or module") {
    Client c;
    // Reporter may not edit; anonymous must log in; Developer may edit
    CHECK(put(c, "/projects/webshop/wiki/Page.json", R"({"wiki_page":{"text":"x"}})", kRhillKey).status ==
          403);
    CHECK(put(c, "/projects/webshop/wiki/Page.json", R"({"wiki_page":{"text":"x"}})", "").status == 401);
    CHECK(put(c, "/projects/webshop/wiki/Page.json", R"({"wiki_page":{"text":"x"}})", kDlopperKey).status ==
          201);
    // a private project: 403 for a non-member, 401 for anonymous
    REQUIRE(put(c, "/projects/internal-tools/wiki/Secret.json", R"({"wiki_page":{"text":"s"}})").status ==
            201);
    CHECK(c.get("/projects/internal-tools/wiki/Secret.json", kRhillKey).status == 403);
    CHECK(c.get("/projects/internal-tools/wiki/Secret.json", "").status == 401);
    CHECK(c.get("/projects/internal-tools/wiki/Secret.json", kDlopperKey).status == 200);
    CHECK(c.get("/projects/nosuch/wiki/Secret.json").status == 404);
    // versions need view_wiki_edits
    c.exec("UPDATE roles SET permissions = ? WHERE id = 2", {std::string("---\n- :view_wiki_pages\n")});
    CHECK(c.get("/projects/webshop/wiki/Page.json", "").status == 200);
    CHECK(c.get("/projects/webshop/wiki/Page/1.json", "").status == 401);
    // Sidebar is protected from its creation: protect_wiki_pages (Manager) only
    CHECK(
        put(c, "/projects/webshop/wiki/sidebar.json", R"({"wiki_page":{"text":"s"}})", kDlopperKey).status ==
        403);
    CHECK(put(c, "/projects/webshop/wiki/sidebar.json", R"({"wiki_page":{"text":"s"}})").status == 201);
    CHECK(c.scalar("SELECT protected FROM wiki_pages WHERE title = 'Sidebar'") == 1);
    CHECK(
        put(c, "/projects/webshop/wiki/Sidebar.json", R"({"wiki_page":{"text":"t"}})", kDlopperKey).status ==
        403);
    CHECK(c.send("DELETE", "/projects/webshop/wiki/Sidebar.json", "", kDlopperKey).status == 403);
    // no wiki row: 404 even for a write; the module disabled: 403
    c.exec("DELETE FROM wikis WHERE project_id = 2");
    CHECK(c.get("/projects/webshop-mobile/wiki/index.json").status == 404);
    CHECK(put(c, "/projects/webshop-mobile/wiki/Page.json", R"({"wiki_page":{"text":"x"}})").status == 404);
    c.exec("DELETE FROM enabled_modules WHERE project_id = 1 AND name = 'wiki'");
    CHECK(c.get("/projects/webshop/wiki/Page.json", kDlopperKey).status == 403);
}

TEST_CASE("wiki: renames leave a redirect that GET answers with 302") {
    Client c;
    REQUIRE(put(c, "/projects/webshop/wiki/Old_name.json", R"({"wiki_page":{"text":"x"}})").status == 201);
    // Developer may not rename: the title is ignored, the text saved
    CHECK(put(c, "/projects/webshop/wiki/Old_name.json", R"({"wiki_page":{"text":"y","title":"Other"}})",
              kDlopperKey)
              .status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_pages WHERE title = 'Old_name'") == 1);
    CHECK(put(c, "/projects/webshop/wiki/Old_name.json", R"({"wiki_page":{"text":"y","title":"new name"}})")
              .status == 204);
    CHECK(c.scalar(
              "SELECT COUNT(*) FROM wiki_redirects WHERE title = 'Old_name' AND redirects_to = 'New_name'") ==
          1);
    auto moved = c.get("/projects/webshop/wiki/old_name.json");
    CHECK(moved.status == 302);
    CHECK(header(moved, "Location") == "http://127.0.0.1:3000/projects/webshop/wiki/New_name");
    CHECK(moved.body ==
          "<html><body>You are being <a "
          "href=\"http://127.0.0.1:3000/projects/webshop/wiki/New_name\">redirected</a>."
          "</body></html>");
    CHECK(c.get("/projects/webshop/wiki/New_name.json").status == 200);
    // a write to the old title edits the renamed page
    CHECK(put(c, "/projects/webshop/wiki/Old_name.json", R"({"wiki_page":{"text":"z"}})").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_contents WHERE text = 'z'") == 1);
    // deleting the page drops the redirects to it
    CHECK(c.send("DELETE", "/projects/webshop/wiki/New_name.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_redirects") == 0);
}

TEST_CASE("wiki: delete nullifies children by default, or destroys or reassigns them") {
    Client c;
    for (const char* t : {"Root", "Other"})
        REQUIRE(put(c, std::string("/projects/webshop/wiki/") + t + ".json", R"({"wiki_page":{"text":"x"}})")
                    .status == 201);
    for (const char* t : {"Kid", "Kid2"})
        REQUIRE(put(c, std::string("/projects/webshop/wiki/") + t + ".json",
                    R"({"wiki_page":{"text":"x","parent_title":"Root"}})")
                    .status == 201);
    REQUIRE(
        put(c, "/projects/webshop/wiki/Grandkid.json", R"({"wiki_page":{"text":"x","parent_title":"Kid"}})")
            .status == 201);
    CHECK(c.send("DELETE", "/projects/webshop/wiki/Root.json", "", kRhillKey).status == 403);
    CHECK(c.send("DELETE", "/projects/webshop/wiki/Root.json", "", "").status == 401);
    CHECK(c.send("DELETE", "/projects/webshop/wiki/Nope.json", "").status == 404);
    // reassign to an unknown page: 404 and nothing deleted
    CHECK(c.send("DELETE", "/projects/webshop/wiki/Kid.json?todo=reassign&reassign_to_id=999", "").status ==
          404);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_pages") == 5);
    const long long other = c.scalar("SELECT id FROM wiki_pages WHERE title = 'Other'");
    CHECK(c.send("DELETE",
                 "/projects/webshop/wiki/Kid.json?todo=reassign&reassign_to_id=" + std::to_string(other), "")
              .status == 204);
    CHECK(c.scalar("SELECT parent_id FROM wiki_pages WHERE title = 'Grandkid'") == other);
    // the API default: children become root pages
    CHECK(c.send("DELETE", "/projects/webshop/wiki/Root.xml", "", kDlopperKey).status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_pages WHERE title = 'Kid2' AND parent_id IS NULL") == 1);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_contents") == 3);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_content_versions") == 3);
    // todo=destroy takes the descendants along
    CHECK(c.send("DELETE", "/projects/webshop/wiki/Other.json", R"({"todo":"destroy"})").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_pages") == 1);
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_contents") == 1);
}

TEST_CASE("wiki: a new page without text is saved without content") {
    Client c;
    auto r = put(c, "/projects/webshop/wiki/Bare.json", R"({"wiki_page":{"comments":"c"}})");
    REQUIRE(r.status == 201);
    CHECK(r.body ==
          R"({"wiki_page":{"title":"Bare","text":null,"version":1,"author":{"id":5,"name":"John Smith"},)"
          R"("comments":"c","created_on":")" +
              page_created(c, "Bare") + R"(","updated_on":null}})");
    CHECK(c.scalar("SELECT COUNT(*) FROM wiki_contents") == 0);
    CHECK(c.get("/projects/webshop/wiki/Bare.json").status == 404);
    CHECK(put(c, "/projects/webshop/wiki/Bare.json", R"({"wiki_page":{"text":"now"}})").status == 204);
    CHECK(c.get("/projects/webshop/wiki/Bare.json").status == 200);
}

TEST_CASE("wiki: uploads are attached on PUT and shown with include=attachments; delete removes them") {
    Client c;
    Call up;
    up.method = "POST";
    up.target = "/uploads.json?filename=plan.txt";
    up.body = "the plan";
    up.headers["Content-Type"] = "application/octet-stream";
    up.headers["X-Redmine-API-Key"] = kJsmithKey;
    auto uploaded = c.call(up);
    REQUIRE(uploaded.status == 201);
    const std::string token = json(uploaded)["upload"]["token"].get<std::string>();
    auto r = put(c, "/projects/webshop/wiki/Plans.json",
                 R"({"wiki_page":{"text":"see file","uploads":[{"token":")" + token +
                     R"(","filename":"plan.txt","description":"The plan","content_type":"text/plain"}]}})");
    REQUIRE(r.status == 201);
    const long long page = c.scalar("SELECT id FROM wiki_pages WHERE title = 'Plans'");
    CHECK(c.scalar("SELECT COUNT(*) FROM attachments WHERE container_type = 'WikiPage' AND container_id = ?",
                   {page}) == 1);
    auto show = c.get("/projects/webshop/wiki/Plans.json?include=attachments");
    const auto body = json(show);
    REQUIRE(body["wiki_page"]["attachments"].size() == 1);
    CHECK(body["wiki_page"]["attachments"][0]["filename"] == "plan.txt");
    CHECK(body["wiki_page"]["attachments"][0]["description"] == "The plan");
    CHECK(show.body.find(R"("updated_on":")") < show.body.find(R"("attachments":[)"));
    CHECK(c.get("/projects/webshop/wiki/Plans.xml?include=attachments")
              .body.find("<attachments type=\"array\"><attachment><id>") != std::string::npos);
    CHECK(json(c.get("/projects/webshop/wiki/Plans.json"))["wiki_page"].contains("attachments") == false);
    // an unknown token is only a warning: the text is still saved
    CHECK(put(c, "/projects/webshop/wiki/Plans.json",
              R"({"wiki_page":{"text":"v2","uploads":[{"token":"99.nope","filename":"x.txt"}]}})")
              .status == 204);
    CHECK(c.scalar("SELECT version FROM wiki_contents") == 2);
    CHECK(c.send("DELETE", "/projects/webshop/wiki/Plans.json", "").status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM attachments WHERE container_type = 'WikiPage'") == 0);
}
