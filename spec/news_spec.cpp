// News: lists, one item with attachments and comments, create/update/delete with permissions.
#include <doctest/doctest.h>

#include "resources/common.h"
#include "spec/support.h"

using namespace spec;

namespace {

// The body with its key order kept, for exact comparisons.
nlohmann::ordered_json ojson(const http::Response& r) { return nlohmann::ordered_json::parse(r.body); }

std::vector<long long> ids(const http::Response& r) {
    std::vector<long long> out;
    const auto body = json(r);  // kept alive for the loop
    for (const auto& n : body["news"]) out.push_back(n["id"].get<long long>());
    return out;
}

// A stored time as the API shows it (the seeded MySQL data has other times than the SQLite one).
std::string stamp(Client& c, long long news_id) {
    auto conn = c.database().connect();
    return resources::api_time(conn->one("SELECT created_on FROM news WHERE id = ?", {news_id})->s(0));
}

std::string news1(Client& c) {
    return R"({"id":1,"project":{"id":1,"name":"Web Shop"},"author":{"id":5,"name":"John Smith"},)"
           R"("title":"Web Shop 1.0 beta","summary":"The beta of version 1.0 is online",)"
           R"("description":"Please report any problem in the issue tracker.","created_on":")" +
           stamp(c, 1) + R"("})";
}

}  // namespace

TEST_CASE("news lists: newest first, paging, projects, visibility") {
    Client c;
    using V = std::vector<long long>;
    auto all = c.get("/news.json");
    CHECK(all.status == 200);
    CHECK(ids(all) == V{3, 2, 1});
    CHECK(ojson(all)["news"][2].dump() == news1(c));
    CHECK(json(all)["total_count"] == 3);
    auto page = c.get("/news.json?limit=1&offset=1");
    CHECK(page.body.substr(page.body.size() - 40) == R"(}],"total_count":3,"offset":1,"limit":1})");
    CHECK(ids(page) == V{2});
    CHECK(ids(c.get("/news.json?limit=1&page=3")) == V{1});
    // a project's own news only (no subprojects)
    CHECK(ids(c.get("/projects/webshop/news.json")) == V{2, 1});
    CHECK(ids(c.get("/projects/2/news.json")) == V{3});
    CHECK(ids(c.get("/news.json?project_id=webshop-mobile")) == V{3});
    CHECK(c.get("/projects/nosuch/news.json").status == 404);
    auto xml = c.get("/projects/webshop/news.xml?limit=1");
    CHECK(
        xml.body ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><news total_count=\"2\" offset=\"0\" limit=\"1\" "
        "type=\"array\">"
        "<news><id>2</id><project id=\"1\" name=\"Web Shop\"/><author id=\"5\" name=\"John "
        "Smith\"/><title>Search is "
        "coming in 1.1</title><summary>Product search with filters</summary><description>We are working on a "
        "*faceted* product search.</description><created_on>" +
            stamp(c, 2) + "</created_on></news></news>");

    // news of the private internal-tools are for its members
    c.exec(
        "INSERT INTO news (project_id, title, summary, description, author_id, created_on, comments_count) "
        "VALUES (3, 'Internal', '', 'Secret', 5, '2026-11-23 10:00:00', 0)");
    CHECK(ids(c.get("/news.json")) == V{4, 3, 2, 1});
    CHECK(ids(c.get("/news.json", kDlopperKey)) == V{4, 3, 2, 1});
    CHECK(ids(c.get("/news.json", kRhillKey)) == V{3, 2, 1});
    CHECK(ids(c.get("/news.json", "")) == V{3, 2, 1});
    CHECK(c.get("/projects/internal-tools/news.json", kRhillKey).status == 403);
    CHECK(c.get("/projects/internal-tools/news.json", "").status == 401);
    CHECK(c.get("/news/4.json", kRhillKey).status == 403);
    CHECK(c.get("/news/4.json", "").status == 401);
    // a disabled module
    c.exec("DELETE FROM enabled_modules WHERE project_id = 2 AND name = 'news'");
    CHECK(c.get("/projects/webshop-mobile/news.json").status == 403);
    CHECK(ids(c.get("/news.json")) == V{4, 2, 1});
    CHECK(c.get("/news/3.json").status == 403);
    // nobody may view news: 401 anonymous, 403 logged in
    c.exec("UPDATE roles SET permissions = ? WHERE builtin IN (1, 2)",
           {std::string("---\n- :view_issues\n")});
    CHECK(c.get("/news.json", "").status == 401);
    c.exec("DELETE FROM member_roles WHERE member_id IN (SELECT id FROM members WHERE user_id = 7)");
    CHECK(c.get("/news.json", kRhillKey).status == 403);
}

TEST_CASE("one news item, with attachments and comments") {
    Client c;
    CHECK(c.get("/news/1.json").body == R"({"news":)" + news1(c) + "}");
    CHECK(c.get("/news/999.json").status == 404);
    CHECK(c.get("/news/1.json", "").status == 200);
    c.exec("UPDATE news SET summary = '' WHERE id = 2");
    CHECK(json(c.get("/news/2.json"))["news"].contains("summary") == false);  // a blank summary is left out

    c.exec(
        "INSERT INTO comments (id, commented_type, commented_id, author_id, content, created_on, updated_on) "
        "VALUES (1, 'News', 1, 6, 'Great', '2026-11-22 16:00:00', '2026-11-22 16:00:00')");
    c.exec(
        "INSERT INTO comments (id, commented_type, commented_id, author_id, content, created_on, updated_on) "
        "VALUES (2, 'News', 1, 7, 'Thanks', '2026-11-22 17:00:00', '2026-11-22 17:00:00')");
    c.exec(
        "INSERT INTO attachments (id, container_id, container_type, filename, disk_filename, filesize, "
        "content_type, "
        "digest, downloads, author_id, created_on, description, disk_directory) VALUES (7, 1, 'News', 'shot "
        "1.png', "
        "'x_shot.png', 12, 'image/png', '', 0, 5, '2026-11-22 16:30:00', 'Screen', '2026/11')");
    auto full = c.get("/news/1.json?include=attachments,comments");
    CHECK(
        ojson(full)["news"]["attachments"].dump() ==
        R"([{"id":7,"filename":"shot 1.png","filesize":12,"content_type":"image/png","description":"Screen",)"
        R"("content_url":"http://127.0.0.1:3000/attachments/download/7/shot%201.png",)"
        R"("thumbnail_url":"http://127.0.0.1:3000/attachments/thumbnail/7",)"
        R"("author":{"id":5,"name":"John Smith"},)"
        R"("created_on":"2026-11-22T16:30:00Z"}])");
    CHECK(ojson(full)["news"]["comments"].dump() ==
          R"([{"id":1,"author":{"id":6,"name":"Dave Lopper"},"content":"Great"},)"
          R"({"id":2,"author":{"id":7,"name":"Robert Hill"},"content":"Thanks"}])");
    auto xml = c.get("/news/1.xml?include=comments");
    CHECK(
        xml.body.find(
            "<comments type=\"array\"><comment id=\"1\"><author id=\"6\" name=\"Dave Lopper\"/><content>Great"
            "</content></comment><comment id=\"2\">") != std::string::npos);
    CHECK(xml.body.find("<attachments") == std::string::npos);
    // a user who wants comments newest first
    c.exec("UPDATE user_preferences SET others = ? WHERE user_id = 5",
           {std::string("---\n:no_self_notified: '1'\n:comments_sorting: desc\n")});
    CHECK(json(c.get("/news/1.json?include=comments", kJsmithKey))["news"]["comments"][0]["id"] == 2);
}

TEST_CASE("creating news answers 204") {
    Client c;
    auto r = c.send("POST", "/projects/webshop/news.json",
                    R"({"news":{"title":"Release 1.0","summary":"Out now","description":"Download it."}})");
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    CHECK(r.content_type.empty());
    CHECK(header(r, "Location").empty());
    const long long id = c.scalar("SELECT MAX(id) FROM news");
    CHECK(id == 4);
    auto n = json(c.get("/news/4.json"))["news"];
    CHECK(n["title"] == "Release 1.0");
    CHECK(n["summary"] == "Out now");
    CHECK(n["author"]["id"] == 1);
    CHECK(n["project"]["id"] == 1);
    CHECK(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_type = 'News' AND watchable_id = 4 AND "
                   "user_id = 1") == 1);
    CHECK(ids(c.get("/news.json"))[0] == 4);

    auto xml = c.send("POST", "/projects/2/news.xml",
                      "<news><title>Mobile</title><description>Text</description></news>", kJsmithKey);
    CHECK(xml.status == 204);
    CHECK(json(c.get("/news/5.json"))["news"]["author"]["id"] == 5);

    auto bad = c.send("POST", "/projects/webshop/news.json", R"({"news":{"title":" "}})");
    CHECK(bad.status == 422);
    CHECK(bad.body == R"({"errors":["Title cannot be blank","Description cannot be blank"]})");
    bad = c.send("POST", "/projects/webshop/news.json",
                 R"({"news":{"title":")" + std::string(61, 't') + R"(","summary":")" + std::string(256, 's') +
                     R"(","description":"d"}})");
    CHECK(bad.body == R"x({"errors":["Title is too long (maximum is 60 characters)",)x"
                      R"x("Summary is too long (maximum is 255 characters)"]})x");
    auto bad_xml = c.send("POST", "/projects/webshop/news.xml", "<news><description>d</description></news>");
    CHECK(bad_xml.status == 422);
    CHECK(bad_xml.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Title cannot be blank"
          "</error></errors>");

    const std::string body = R"({"news":{"title":"T","description":"D"}})";
    CHECK(c.send("POST", "/projects/webshop/news.json", body, kDlopperKey).status == 403);  // no manage_news
    CHECK(c.send("POST", "/projects/webshop/news.json", body, "").status == 401);
    CHECK(c.send("POST", "/projects/internal-tools/news.json", body, kRhillKey).status == 403);
    CHECK(c.send("POST", "/projects/nosuch/news.json", body).status == 404);
    CHECK(c.scalar("SELECT COUNT(*) FROM news") == 5);
}

TEST_CASE("updating and deleting news") {
    Client c;
    auto r = c.send("PUT", "/news/1.json", R"({"news":{"title":"Web Shop 1.0 final","summary":""}})");
    CHECK(r.status == 204);
    auto n = json(c.get("/news/1.json"))["news"];
    CHECK(n["title"] == "Web Shop 1.0 final");
    CHECK(n.contains("summary") == false);
    CHECK(n["description"] == "Please report any problem in the issue tracker.");
    auto bad = c.send("PUT", "/news/1.xml", "<news><description></description></news>");
    CHECK(bad.status == 422);
    CHECK(bad.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Description cannot be "
          "blank</error></errors>");
    CHECK(c.send("PUT", "/news/1.json", R"({"news":{"title":"x"}})", kDlopperKey).status == 403);
    CHECK(c.send("PUT", "/news/1.json", R"({"news":{"title":"x"}})", "").status == 401);
    CHECK(c.send("PUT", "/news/999.json", R"({"news":{"title":"x"}})").status == 404);

    c.exec(
        "INSERT INTO comments (id, commented_type, commented_id, author_id, content, created_on, updated_on) "
        "VALUES (1, 'News', 2, 6, 'Great', '2026-11-22 16:00:00', '2026-11-22 16:00:00')");
    c.exec("INSERT INTO watchers (watchable_type, watchable_id, user_id) VALUES ('News', 2, 6)");
    CHECK(c.send("DELETE", "/news/2.json", "", kRhillKey).status == 403);
    auto del = c.send("DELETE", "/news/2.json", "", kJsmithKey);
    CHECK(del.status == 204);
    CHECK(c.get("/news/2.json").status == 404);
    CHECK(c.scalar("SELECT COUNT(*) FROM comments WHERE commented_type = 'News' AND commented_id = 2") == 0);
    CHECK(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_type = 'News' AND watchable_id = 2") == 0);
    CHECK(c.send("DELETE", "/news/2.json", "").status == 404);
    CHECK(json(c.get("/news.json"))["total_count"] == 2);
}
