// Search (tokens, kinds, scopes, options, visibility, paging) and linking changesets to issues.
#include <doctest/doctest.h>

#include "resources/common.h"
#include "spec/support.h"

using namespace spec;

namespace resources {
std::vector<std::string> search_tokens(const std::string& question);
}

namespace {

using Titles = std::vector<std::string>;

Titles titles(const http::Response& r) {
    Titles out;
    const auto body = json(r);
    for (const auto& n : body["results"]) out.push_back(n["title"].get<std::string>());
    return out;
}

Titles search(Client& c, const std::string& query, const std::string& key = kAdminKey) {
    auto r = c.get(query, key);
    REQUIRE(r.status == 200);
    return titles(r);
}

std::string created(Client& c, const std::string& table, long long id) {
    auto conn = c.database().connect();
    return resources::api_time(conn->one("SELECT created_on FROM " + table + " WHERE id = ?", {id})->s(0));
}

void add_changeset(Client& c) {
    c.exec(
        "INSERT INTO repositories (id, project_id, url, type, identifier, is_default, created_on) "
        "VALUES (1, 1, '/srv/git/shop.git', 'Repository::Git', 'main', 1, '2026-11-22 16:00:00')");
    c.exec(
        "INSERT INTO changesets (id, repository_id, revision, committer, committed_on, comments, "
        "commit_date, scmid) "
        "VALUES (1, 1, 'abcdef0123456789', 'jsmith', '2030-01-01 10:00:00', ?, '2030-01-01', "
        "'abcdef0123456789')",
        {std::string("Fix checkout rounding\n\n  Totals are now rounded once.  ")});
}

}  // namespace

TEST_CASE("search tokens are split as Redmine::Search::Tokenizer") {
    using V = std::vector<std::string>;
    CHECK(resources::search_tokens("hello \"bye bye\"") == V{"hello", "bye bye"});
    CHECK(resources::search_tokens("a bb a bb cc dd ee ff gg") == V{"bb", "cc", "dd", "ee", "ff"});
    CHECK(resources::search_tokens("\xE4\xB8\xAD x") == V{"\xE4\xB8\xAD"});
    CHECK(resources::search_tokens("\"unterminated quote") == V{"unterminated", "quote"});
    CHECK(resources::search_tokens("\"a b\" \"cc dd\"") == V{"a b", "cc", "dd"});
    CHECK(resources::search_tokens("  ").empty());
}

TEST_CASE("search: the golden checkout query, JSON and XML") {
    Client c;
    auto r = c.get("/search.json?q=checkout");
    REQUIRE(r.status == 200);
    CHECK(
        r.body ==
        R"({"results":[{"id":3,"title":"Feature #3 (In Progress): Guest checkout: order confirmation )"
        R"(email","type":"issue","url":"http://127.0.0.1:3000/issues/3",)"
        R"("description":"Send the confirmation to the )"
        R"(address entered at checkout.","datetime":")" +
            created(c, "issues", 3) +
            R"("},{"id":2,"title":"Feature #2 (Resolved): Guest checkout: address form","type":"issue",)"
            R"("url":"http://127.0.0.1:3000/issues/2",)"
            R"("description":"Form for shipping and billing address.",)"
            R"("datetime":")" +
            created(c, "issues", 2) +
            R"("},{"id":1,"title":"Feature #1 (In Progress): Checkout: support guest checkout",)"
            R"("type":"issue",)"
            R"("url":"http://127.0.0.1:3000/issues/1","description":"Customers must be able to buy without )"
            R"(creating an account.","datetime":")" +
            created(c, "issues", 1) + R"("}],"total_count":3,"offset":0,"limit":25})");
    auto xml = c.get("/search.xml?q=checkout&limit=1&offset=1");
    CHECK(xml.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><results total_count=\"3\" offset=\"1\" limit=\"1\" "
          "type=\"array\"><result><id>2</id><title>Feature #2 (Resolved): Guest checkout: address form"
          "</title><type>issue</type><url>http://127.0.0.1:3000/issues/2</url><description>Form for "
          "shipping and billing address.</description><datetime>" +
              created(c, "issues", 2) + "</datetime></result></results>");
}

TEST_CASE("search: options all_words, titles_only, open_issues, attachments, phrases, LIKE escaping") {
    Client c;
    CHECK(search(c, "/search.json?q=checkout%20email") ==
          Titles{"Feature #3 (In Progress): Guest checkout: order confirmation email"});
    // any word: "email" is also in #10's subject
    CHECK(search(c, "/search.json?q=checkout%20email&all_words=").size() == 4);
    // "address" is in 2's subject, 3's description and a note on 1
    CHECK(search(c, "/search.json?q=address").size() == 3);
    CHECK(search(c, "/search.json?q=address&titles_only=1") ==
          Titles{"Feature #2 (Resolved): Guest checkout: address form"});
    CHECK(search(c, "/search.json?q=%22address%20form%22") ==
          Titles{"Feature #2 (Resolved): Guest checkout: address form",
                 "Feature #1 (In Progress): Checkout: support guest checkout"});
    auto closed = c.get("/search.json?q=coupon");
    CHECK(json(closed)["results"][0]["type"] == "issue-closed");
    CHECK(titles(closed) == Titles{"Bug #4 (Closed): Cart total is wrong when a coupon is removed"});
    CHECK(search(c, "/search.json?q=coupon&open_issues=1").empty());
    CHECK(search(c, "/search.json?q=cart.log").empty());
    CHECK(search(c, "/search.json?q=cart.log&attachments=1").size() == 1);
    CHECK(search(c, "/search.json?q=cart.log&attachments=only&titles_only=1").size() == 1);
    CHECK(search(c, "/search.json?q=coupon&attachments=only").empty());
    // % and _ are literal
    CHECK(search(c, "/search.json?q=e_mail").empty());
    CHECK(search(c, "/search.json?q=100%25").empty());
    // a question without a usable token
    auto none = c.get("/search.json?q=a");
    CHECK(json(none)["results"].empty());
}

TEST_CASE("search: kinds, custom values, projects, news, wiki pages and changesets") {
    Client c;
    CHECK(search(c, "/search.json?q=search&issues=1") ==
          Titles{"Feature #9 (New): Search: filter by brand",
                 "Feature #8 (New): Search: filter by price range",
                 "Feature #7 (New): Product search with filters"});
    auto news = c.get("/search.json?q=search&news=1");
    CHECK(json(news)["results"][0].dump() ==
          R"({"datetime":")" + created(c, "news", 2) +
              R"(","description":"We are working on a *faceted* product search.",)"
              R"("id":2,"title":"Search is coming in 1.1","type":"news",)"
              R"("url":"http://127.0.0.1:3000/news/2"})");
    // searchable custom values (Severity), newest first
    CHECK(search(c, "/search.json?q=critical") ==
          Titles{"Bug #29 (In Progress): Order history shows orders of other customers",
                 "Bug #19 (Feedback): App crashes on startup on Android 9",
                 "Bug #10 (In Progress): Login page returns 500 when the email contains a plus sign"});
    CHECK(search(c, "/search.json?q=acme&projects=1", "") ==
          Titles{"Project: Web Shop Mobile", "Project: Web Shop"});
    auto project = c.get("/search.json?q=acme&projects=1");
    CHECK(json(project)["results"][1]["url"] == "http://127.0.0.1:3000/projects/webshop");
    CHECK(json(project)["results"][1]["type"] == "project");

    REQUIRE(c.send("PUT", "/projects/webshop/wiki/Shipping_rates.json",
                   R"({"wiki_page":{"text":"Rates for parcels abroad."}})", kJsmithKey)
                .status == 201);
    auto wiki = c.get("/search.json?q=parcels");
    REQUIRE(titles(wiki) == Titles{"Wiki: Shipping_rates"});
    CHECK(json(wiki)["results"][0]["type"] == "wiki-page");
    CHECK(json(wiki)["results"][0]["url"] == "http://127.0.0.1:3000/projects/webshop/wiki/Shipping_rates");
    CHECK(json(wiki)["results"][0]["description"] == "Rates for parcels abroad.");
    CHECK(search(c, "/search.json?q=parcels&titles_only=1").empty());
    CHECK(search(c, "/search.json?q=parcels", "") == Titles{"Wiki: Shipping_rates"});

    add_changeset(c);
    auto cs = c.get("/search.json?q=rounding&changesets=1");
    REQUIRE(titles(cs) == Titles{"Revision abcdef01 (main): Fix checkout rounding"});
    CHECK(json(cs)["results"][0]["url"] ==
          "http://127.0.0.1:3000/projects/webshop/repository/main/revisions/abcdef0123456789");
    CHECK(json(cs)["results"][0]["description"] == "Totals are now rounded once.");
    CHECK(json(cs)["results"][0]["datetime"] == "2030-01-01T10:00:00Z");
    // the checkout query now also finds the changeset (newest first)
    CHECK(search(c, "/search.json?q=checkout").front() == "Revision abcdef01 (main): Fix checkout rounding");
}

TEST_CASE("search: visibility of private issues and private notes") {
    Client c;
    // a private note (issue 10) and news of the mobile project
    CHECK(search(c, "/search.json?q=e-mail") ==
          Titles{"Mobile beta program",
                 "Bug #10 (In Progress): Login page returns 500 when the email contains a plus sign"});
    CHECK(search(c, "/search.json?q=e-mail", kJsmithKey).size() == 2);
    CHECK(search(c, "/search.json?q=e-mail", kRhillKey) == Titles{"Mobile beta program"});
    // private issue 29, private project 3
    CHECK(search(c, "/search.json?q=critical", kRhillKey).size() == 2);
    CHECK(search(c, "/search.json?q=vpn") == Titles{"Bug #28 (New): VPN disconnects every 30 minutes"});
    CHECK(search(c, "/search.json?q=vpn", kRhillKey).empty());
    CHECK(search(c, "/search.json?q=vpn", "").empty());
}

TEST_CASE("search: project scopes and errors") {
    Client c;
    const Titles push{"Feature #18 (New): Push notifications: iOS",
                      "Feature #17 (In Progress): Push notifications: Android",
                      "Feature #16 (In Progress): Mobile app: push notifications for order status"};
    CHECK(search(c, "/projects/webshop-mobile/search.json?q=push") == push);
    CHECK(search(c, "/projects/webshop/search.json?q=push").empty());
    CHECK(search(c, "/projects/webshop/search.json?q=push&scope=subprojects") == push);
    CHECK(search(c, "/projects/webshop/search.json?q=push&scope=all") == push);
    // a project's own search never lists projects; scope=all does
    CHECK(search(c, "/projects/webshop/search.json?q=acme").empty());
    CHECK(search(c, "/projects/webshop/search.json?q=acme&scope=all").size() == 2);
    CHECK(search(c, "/search.json?q=report&scope=my_projects", kJsmithKey) ==
          Titles{"Web Shop 1.0 beta", "Feature #23 (In Progress): Automate the weekly sales report"});
    CHECK(search(c, "/search.json?q=report&scope=my_projects", kRhillKey) == Titles{"Web Shop 1.0 beta"});
    CHECK(search(c, "/search.json?q=report&scope=my_projects").empty());
    CHECK(search(c, "/search.json?q=report&scope=my_projects", "").empty());
    CHECK(c.get("/projects/nosuch/search.json?q=push").status == 404);
    CHECK(c.get("/projects/internal-tools/search.json?q=vpn", kRhillKey).status == 403);
    CHECK(c.get("/projects/internal-tools/search.json?q=vpn", "").status == 401);
    c.exec("UPDATE projects SET status = 9 WHERE id = 2");
    CHECK(c.get("/projects/webshop-mobile/search.json?q=push").status == 403);
}

TEST_CASE("changesets: relating issues to a revision") {
    Client c;
    add_changeset(c);
    const std::string base = "/projects/webshop/repository/main/revisions/abcdef01/issues";
    CHECK(c.send("POST", base + ".json", R"({"issue_id":"#4"})", kJsmithKey).status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM changesets_issues WHERE changeset_id = 1 AND issue_id = 4") == 1);
    // already related, another project tree, unknown: "Issue is invalid"
    auto again = c.send("POST", base + ".json", R"({"issue_id":4})", kJsmithKey);
    CHECK(again.status == 422);
    CHECK(again.body == R"({"errors":["Issue is invalid"]})");
    auto other = c.send("POST", base + ".xml", "<issue_id>23</issue_id>", kJsmithKey);
    CHECK(other.status == 422);
    CHECK(other.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Issue is invalid"
          "</error></errors>");
    CHECK(c.send("POST", base + ".json?issue_id=999", "", kJsmithKey).status == 422);
    // a subproject's issue is fine; include=changesets shows the link
    CHECK(c.send("POST", "/projects/1/repository/1/revisions/abcdef0123456789/issues.json?issue_id=16", "",
                 kDlopperKey)
              .status == 204);
    auto issue = c.get("/issues/16.json?include=changesets");
    CHECK(json(issue)["issue"]["changesets"][0]["revision"] == "abcdef0123456789");
    // permissions and lookups
    CHECK(c.send("POST", base + ".json", R"({"issue_id":5})", kRhillKey).status == 403);
    CHECK(c.send("POST", base + ".json", R"({"issue_id":5})", "").status == 401);
    CHECK(c.send("POST", "/projects/webshop/repository/main/revisions/ffff/issues.json", R"({"issue_id":5})")
              .status == 404);
    CHECK(c.send("POST", "/projects/webshop/repository/other/revisions/abcdef01/issues.json",
                 R"({"issue_id":5})")
              .status == 404);
    // remove: 204, also for an issue that is not related
    CHECK(c.send("DELETE", base + "/4.json", "", kJsmithKey).status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM changesets_issues WHERE issue_id = 4") == 0);
    CHECK(c.send("DELETE", base + "/999.json", "", kJsmithKey).status == 204);
    CHECK(c.send("DELETE", base + "/16.xml", "", kRhillKey).status == 403);
    CHECK(c.scalar("SELECT COUNT(*) FROM changesets_issues") == 1);
}

TEST_CASE("search: forum messages and documents as their events show them") {
    Client c;
    c.exec("INSERT INTO boards (id, project_id, name, description, position) VALUES (1, 1, 'Help', 'Ask', 1)");
    c.exec("INSERT INTO messages (id, board_id, parent_id, subject, content, author_id, created_on, updated_on) "
           "VALUES (1, 1, NULL, 'Gift wrapping?', 'Can you wrap parcels?', 7, '2030-01-01 10:00:00', "
           "'2030-01-01 10:00:00')");
    c.exec("INSERT INTO messages (id, board_id, parent_id, subject, content, author_id, created_on, updated_on) "
           "VALUES (2, 1, 1, 'RE: Gift wrapping?', 'Yes, wrapping is free.', 5, '2030-01-02 10:00:00', "
           "'2030-01-02 10:00:00')");
    c.exec("INSERT INTO documents (id, project_id, category_id, title, description, created_on) "
           "VALUES (1, 1, 0, 'Wrapping guide', 'How to wrap', '2029-01-01 10:00:00')");
    auto r = c.get("/search.json?q=wrap");
    REQUIRE(r.status == 200);
    const auto body = json(r);
    REQUIRE(body["results"].size() == 3);
    CHECK(body["results"][0]["title"] == "Help: RE: Gift wrapping?");
    CHECK(body["results"][0]["type"] == "reply");
    CHECK(body["results"][0]["url"] == "http://127.0.0.1:3000/boards/1/topics/1?r=2#message-2");
    CHECK(body["results"][1]["title"] == "Help: Gift wrapping?");
    CHECK(body["results"][1]["type"] == "message");
    CHECK(body["results"][1]["url"] == "http://127.0.0.1:3000/boards/1/topics/1");
    CHECK(body["results"][2]["title"] == "Document: Wrapping guide");
    CHECK(body["results"][2]["type"] == "document");
    CHECK(body["results"][2]["url"] == "http://127.0.0.1:3000/documents/1");
    CHECK(search(c, "/search.json?q=wrap&documents=1") == Titles{"Document: Wrapping guide"});
    // internal-tools has neither module: its own search leaves both kinds out
    c.exec("UPDATE boards SET project_id = 3");
    c.exec("UPDATE documents SET project_id = 3");
    CHECK(search(c, "/projects/internal-tools/search.json?q=wrap").empty());
}
