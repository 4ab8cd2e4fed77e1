// The request pipeline every resource shares: formats, errors, bodies, ETags, JSONP, URLs behind a
// proxy, and the exception wall.
#include <doctest/doctest.h>

#include "server/context.h"
#include "spec/support.h"

using namespace spec;

TEST_CASE("the suffix chooses the format; others are not acceptable") {
    Client c;
    auto j = c.get("/issue_statuses.json");
    CHECK(j.status == 200);
    CHECK(j.content_type == "application/json; charset=utf-8");
    CHECK(j.body.rfind("{\"issue_statuses\":[{\"id\":1,\"name\":\"New\",\"is_closed\":false}", 0) == 0);
    auto x = c.get("/issue_statuses.xml");
    CHECK(x.content_type == "application/xml; charset=utf-8");
    CHECK(x.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?><issue_statuses type=\"array\"><issue_status>", 0) == 0);
    auto y = c.get("/issue_statuses.yaml");
    CHECK(y.status == 406);
    CHECK(y.body == "---\n:status: 406\n:error: Not Acceptable\n");
    CHECK(c.get("/issue_statuses.csv").status == 406);
    CHECK(c.get("/issue_statuses").status == 406);
}

TEST_CASE("unknown paths are 404 with an empty body") {
    Client c;
    auto r = c.get("/no_such_thing.json");
    CHECK(r.status == 404);
    CHECK(r.body.empty());
    CHECK(r.content_type == "application/json");
    CHECK(c.get("/roles/9999.xml").status == 404);
    CHECK(c.get("/roles/abc.xml").status == 404);
    CHECK(c.get("/roles/-1.json").status == 404);
    CHECK(c.get("/enumerations/nope.json").status == 404);
    CHECK(c.send("DELETE", "/issue_statuses.json", "").status == 404);
}

TEST_CASE("errors carry Redmine's statuses, bodies and content types") {
    Client c;
    auto unauthorized = c.get("/users/current.xml", "");
    CHECK(unauthorized.status == 401);
    CHECK(unauthorized.content_type == "application/xml");
    CHECK(unauthorized.body.empty());
    auto forbidden = c.get("/custom_fields.json", kRhillKey);
    CHECK(forbidden.status == 403);
    CHECK(forbidden.content_type == "application/json");
    CHECK(forbidden.body.empty());
    CHECK(header(forbidden, "WWW-Authenticate").empty());
    auto invalid = c.send("PUT", "/my/account.json", R"({"user":{"firstname":"","mail":"not-an-address"}})", kJsmithKey);
    CHECK(invalid.status == 422);
    CHECK(invalid.content_type == "application/json; charset=utf-8");
    CHECK(invalid.body == R"({"errors":["Email is invalid","First name cannot be blank"]})");
    auto invalid_xml = c.send("PUT", "/my/account.xml", "<user><lastname></lastname></user>", kJsmithKey);
    CHECK(invalid_xml.status == 422);
    CHECK(invalid_xml.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Last name cannot be blank</error>"
          "</errors>");
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 5 AND firstname = 'John' AND lastname = 'Smith'") == 1);
}

TEST_CASE("malformed bodies are 400 and change nothing") {
    Client c;
    auto bad_json = c.send("PUT", "/my/account.json", R"({"user":{"firstname":"X")", kJsmithKey);
    CHECK(bad_json.status == 400);
    // no Accept header: Rails' error page in the URL's format (spec/form_bodies_spec.cpp has the others)
    CHECK(bad_json.body == R"({"status":400,"error":"Bad Request"})");
    auto bad_xml = c.send("PUT", "/my/account.xml", "<user><firstname>X</user>", kJsmithKey);
    CHECK(bad_xml.status == 400);
    auto doctype = c.send("PUT", "/my/account.xml",
                          "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><user><firstname>&a;</firstname></user>", kJsmithKey);
    CHECK(doctype.status == 400);
    // Parsed before authentication, as Rails parses parameters first.
    CHECK(c.send("PUT", "/my/account.json", "{", "").status == 400);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 5 AND firstname = 'John'") == 1);
}

TEST_CASE("a body is read by its Content-Type; JSON without one is ignored") {
    Client c;
    Call call;
    call.method = "PUT";
    call.target = "/my/account.json";
    call.headers["X-Redmine-API-Key"] = kJsmithKey;
    call.body = R"({"user":{"firstname":"Ignored"}})";
    CHECK(c.call(call).status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 5 AND firstname = 'John'") == 1);
    call.headers["Content-Type"] = "application/json; charset=utf-8";
    CHECK(c.call(call).status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 5 AND firstname = 'Ignored'") == 1);
    // ActiveResource's dashed XML tags.
    call.headers["Content-Type"] = "application/xml";
    call.target = "/my/account.xml";
    call.body = "<user><first-name>x</first-name><lastname>Dashed</lastname></user>";
    CHECK(c.call(call).status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM users WHERE id = 5 AND lastname = 'Dashed'") == 1);
}

TEST_CASE("GET answers carry a weak ETag; a matching If-None-Match gives 304") {
    Client c;
    auto first = c.get("/trackers.json");
    const std::string etag = header(first, "ETag");
    REQUIRE(etag.size() == 36);
    CHECK(etag.rfind("W/\"", 0) == 0);
    CHECK(header(c.get("/trackers.json"), "ETag") == etag);
    CHECK(header(c.get("/trackers.xml"), "ETag") != etag);
    Call call;
    call.target = "/trackers.json";
    call.headers["X-Redmine-API-Key"] = kAdminKey;
    call.headers["If-None-Match"] = etag;
    auto cached = c.call(call);
    CHECK(cached.status == 304);
    CHECK(cached.body.empty());
    CHECK(cached.content_type.empty());
    call.headers["If-None-Match"] = "W/\"other\"";
    CHECK(c.call(call).status == 200);
}

TEST_CASE("JSONP only where the jsonp_enabled setting allows it") {
    Client c;
    CHECK(c.get("/issue_statuses.json?callback=cb").body.rfind("{", 0) == 0);
    c.exec("INSERT INTO settings (name, value, updated_on) VALUES ('jsonp_enabled', '1', '2026-01-01 00:00:00')");
    auto r = c.get("/issue_statuses.json?callback=my.cb%3Calert%3E");
    CHECK(r.body.rfind("my.cbalert({\"issue_statuses\":", 0) == 0);
    CHECK(r.body.back() == ')');
    CHECK(r.content_type == "application/javascript; charset=utf-8");
    CHECK(c.get("/issue_statuses.xml?callback=cb").body.rfind("<?xml", 0) == 0);
}

TEST_CASE("a failing action gives a clean 500 with nothing internal in it") {
    Client c;
    c.app().router().add("GET", "/boom", [](app::Context& ctx) -> http::Response {
        ctx.db().query("SELECT secret_column FROM no_such_table");
        return {};
    });
    auto r = c.get("/boom.json");
    CHECK(r.status == 500);
    CHECK(r.body.empty());
    CHECK(r.headers.empty());
}

TEST_CASE("absolute URLs honour the base URL, and forwarded headers only from trusted proxies") {
    app::Config config;
    config.trusted_proxies = {"10.0.0.1"};
    Client c(Data::Seeded, config);
    c.app().router().add("GET", "/where", [](app::Context& ctx) {
        http::Response r;
        r.body = ctx.url_for("/issues/1");
        return r;
    });
    Call call;
    call.target = "/where.json";
    call.headers["Host"] = "redmine.local:8080";
    call.headers["X-Forwarded-Host"] = "evil.example";
    call.headers["X-Forwarded-Proto"] = "https";
    CHECK(c.call(call).body == "http://redmine.local:8080/issues/1");
    call.remote = "10.0.0.1";
    CHECK(c.call(call).body == "https://evil.example/issues/1");

    app::Config based;
    based.base_url = "https://intranet.example.com/redmine/";
    Client b(Data::Seeded, based);
    b.app().router().add("GET", "/where", [](app::Context& ctx) {
        http::Response r;
        r.body = ctx.url_for("/issues/1");
        return r;
    });
    CHECK(b.get("/where.json").body == "https://intranet.example.com/redmine/issues/1");
}

TEST_CASE("query values are percent-decoded") {
    http::Request r;
    r.target = "/issues.json?subject=%7Efoo+bar&status_id=%2A&cf_1=a%7Cb&empty&x=%zz";
    http::parse_target(r);
    CHECK(r.param("subject") == "~foo bar");
    CHECK(r.param("status_id") == "*");
    CHECK(r.param("cf_1") == "a|b");
    CHECK(r.param("empty") == "");
    CHECK(r.param("x") == "%zz");
    CHECK(r.path == "/issues.json");
}

TEST_CASE("the access log never shows an API key or a password") {
    http::Request r;
    r.target = "/users.json?key=" + kAdminKey + "&user%5Bpassword%5D=s3cret&limit=2&name=a%0Ab";
    http::parse_target(r);
    const std::string line = app::loggable_target(r);
    CHECK(line == "/users.json?key=[FILTERED]&user[password]=[FILTERED]&limit=2&name=a?b");
}
