// offset/limit/page, include lists and nometa exactly as Redmine's api_offset_and_limit and api_meta.
#include <doctest/doctest.h>

#include "serializers/body.h"
#include "server/paging.h"
#include "spec/support.h"

using namespace spec;

namespace {
app::Paging paging(const std::string& query) {
    http::Request r;
    r.target = "/x.json?" + query;
    http::parse_target(r);
    return app::parse_paging(api::query_parameters(r.query));
}
}  // namespace

TEST_CASE("limit defaults to 25, caps at 100 and falls back on bad values") {
    CHECK(paging("").limit == 25);
    CHECK(paging("limit=10").limit == 10);
    CHECK(paging("limit=100").limit == 100);
    CHECK(paging("limit=101").limit == 100);
    CHECK(paging("limit=1000").limit == 100);
    CHECK(paging("limit=0").limit == 25);
    CHECK(paging("limit=-5").limit == 25);
    CHECK(paging("limit=abc").limit == 25);
    CHECK(paging("limit=7abc").limit == 7);  // Ruby's to_i reads the leading digits
    CHECK(paging("limit=99999999999999999999999").limit == 100);
}

TEST_CASE("a repeated parameter counts with its last value, as Rack reads a query") {
    CHECK(paging("limit=5&limit=100").limit == 100);
    CHECK(paging("limit=100&offset=2&limit=5").limit == 5);
    Client c;
    auto r = c.get("/issues.json?limit=1&status_id=closed&status_id=*&limit=3");
    REQUIRE(r.status == 200);
    const auto body = json(r);
    CHECK(body["limit"] == 3);
    CHECK(body["issues"].size() == 3);
    // status_id=* (every status), not closed
    CHECK(body["total_count"] == json(c.get("/issues.json?status_id=*&limit=1"))["total_count"]);
    CHECK(body["total_count"] != json(c.get("/issues.json?status_id=closed&limit=1"))["total_count"]);
}

TEST_CASE("offset falls back to 0; page becomes an offset only without offset") {
    CHECK(paging("offset=3").offset == 3);
    CHECK(paging("offset=-5").offset == 0);
    CHECK(paging("offset=abc").offset == 0);
    CHECK(paging("page=3&limit=10").offset == 20);
    CHECK(paging("page=3").offset == 50);
    CHECK(paging("page=0").offset == 0);
    CHECK(paging("page=-2").offset == 0);
    CHECK(paging("page=3&offset=1").offset == 1);
    CHECK(paging("page=2&limit=1000").offset == 100);
}

TEST_CASE("includes are a comma list") {
    http::Request r;
    r.target = "/x.json?include=journals,%20relations,,watchers";
    http::parse_target(r);
    const auto params = api::query_parameters(r.query);
    CHECK(app::includes(params) == std::vector<std::string>{"journals", "relations", "watchers"});
    CHECK(app::has_include(params, "relations"));
    CHECK_FALSE(app::has_include(params, "children"));
}

TEST_CASE("lists carry total_count, offset and limit unless nometa is asked for") {
    Client c;
    auto r = c.get("/queries.json?limit=2&offset=1");
    CHECK(r.body ==
          "{\"queries\":[{\"id\":2,\"name\":\"Reported issues\",\"is_public\":true,\"project_id\":null},"
          "{\"id\":3,\"name\":\"Updated issues\",\"is_public\":true,\"project_id\":null}],"
          "\"total_count\":4,\"offset\":1,\"limit\":2}");
    auto x = c.get("/queries.xml?limit=1&page=2");
    CHECK(x.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><queries total_count=\"4\" offset=\"1\" limit=\"1\" "
          "type=\"array\"><query><id>2</id><name>Reported issues</name><is_public>true</is_public><project_id/>"
          "</query></queries>");
    CHECK(json(c.get("/queries.json?nometa=1")).contains("total_count") == false);
    Call call;
    call.target = "/queries.xml";
    call.headers["X-Redmine-API-Key"] = kAdminKey;
    call.headers["X-Redmine-Nometa"] = "1";
    auto n = c.call(call);
    CHECK(n.body.find("total_count") == std::string::npos);
    CHECK(n.body.find("<queries type=\"array\">") != std::string::npos);
}
