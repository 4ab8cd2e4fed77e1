// Through a real socket: the server started in-process on an ephemeral loopback port, spoken to byte
// by byte. Framing, pipelining, limits, timeouts and shutdown as RFC 9112 and the limits in
// config/redmine.conf say.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "server/context.h"
#include "spec/wire.h"

using namespace spec;

namespace {

std::string post_issue(const std::string& framing_headers, const std::string& body) {
    return "POST /issues.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Redmine-API-Key: " + kAdminKey +
           "\r\n" + framing_headers + "\r\n" + body;
}

const std::string kIssueBody = R"({"issue":{"project_id":1,"subject":"smuggled"}})";

// The body as one chunk, its size in hex, then the last chunk; `after_data` replaces the CRLF that
// must follow the chunk's data.
std::string one_chunk(const std::string& body, const std::string& after_data = "\r\n") {
    char size[32];
    std::snprintf(size, sizeof size, "%zx", body.size());
    return std::string(size) + "\r\n" + body + after_data + "0\r\n\r\n";
}

// After whatever happened on other connections, a fresh one is served.
void still_serving(LiveServer& s) {
    Wire c(s.port());
    REQUIRE(c.write(get_request("/issue_statuses.json")));
    CHECK(Wire::status(c.read_response()) == 200);
}

}  // namespace

TEST_CASE("HTTP/1.1 connections are kept alive across requests") {
    LiveServer s;
    Wire c(s.port());
    c.write(get_request("/issue_statuses.json"));
    auto first = c.read_response();
    CHECK(first.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(first.find("Connection: close") == std::string::npos);  // HTTP/1.1 keeps it by default
    CHECK(first.find("Content-Type: application/json; charset=utf-8") != std::string::npos);
    CHECK(first.find("{\"issue_statuses\":[") != std::string::npos);
    c.write(get_request("/trackers.xml"));
    auto second = c.read_response();
    CHECK(second.find("<trackers type=\"array\">") != std::string::npos);
    c.write(get_request("/roles.json", "Connection: close\r\n"));
    auto third = c.read_response();
    CHECK(third.find("Connection: close") != std::string::npos);
    CHECK(c.closed_by_peer());
}

TEST_CASE("errors through the socket: 401 with its challenge, 404, percent-decoded queries") {
    LiveServer s;
    Wire c(s.port());
    c.write("GET /users/current.json HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.rfind("HTTP/1.1 401", 0) == 0);
    CHECK(r.find("WWW-Authenticate: Basic realm=\"Redmine API\"") != std::string::npos);
    c.write(get_request("/nothing_here.json"));
    CHECK(Wire::status(c.read_response()) == 404);
    c.write(get_request("/queries.json?limit=%31&offset=%32"));
    auto q = c.read_response();
    CHECK(q.find("\"total_count\":4,\"offset\":2,\"limit\":1") != std::string::npos);
    c.write(get_request("/queries.json?key=" + kRhillKey + "&nometa=1"));
    CHECK(c.read_response().find("total_count") == std::string::npos);
}

TEST_CASE("repeated query keys reach the application, all of them, in order") {
    LiveServer s;
    Wire c(s.port());
    // status_id=1 then status_id=* : Rack keeps the last one, so closed issues are listed too.
    c.write(get_request("/issues.json?status_id=1&status_id=*&limit=1"));
    auto all = c.read_response();
    c.write(get_request("/issues.json?status_id=*&status_id=1&limit=1"));
    auto open = c.read_response();
    CHECK(all.find("\"total_count\":30") != std::string::npos);
    CHECK(open.find("\"total_count\":30") == std::string::npos);
}

TEST_CASE("pipelined requests are all answered, in order") {
    LiveServer s;
    Wire c(s.port());
    std::string burst;
    for (int id = 1; id <= 100; ++id) burst += get_request("/issues/" + std::to_string(id) + ".json");
    REQUIRE(c.write(burst));
    for (int id = 1; id <= 100; ++id) {
        auto r = c.read_response();
        const int status = Wire::status(r);
        if (id <= 30) {
            REQUIRE(status == 200);
            CHECK(r.find("{\"issue\":{\"id\":" + std::to_string(id) + ",") != std::string::npos);
        } else {
            REQUIRE(status == 404);
        }
    }
    // Two in one write, the second with a body.
    const std::string body = R"({"user":{"firstname":"Piped"}})";
    c.write(get_request("/users/current.json") + "PUT /my/account.json HTTP/1.1\r\nHost: x\r\nX-Redmine-API-Key: " +
            kJsmithKey + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body);
    CHECK(Wire::status(c.read_response()) == 200);
    CHECK(Wire::status(c.read_response()) == 204);
    CHECK(s.scalar("SELECT COUNT(*) FROM users WHERE id = 5 AND firstname = 'Piped'") == 1);
}

TEST_CASE("framing a proxy could read differently: 400, the connection closed, nothing written") {
    LiveServer s;
    const long long before = s.scalar("SELECT COUNT(*) FROM issues");
    const std::vector<std::string> attacks = {
        post_issue("Content-Length: 48, 80\r\n", kIssueBody),
        post_issue("Content-Length: 48\r\nContent-Length: 80\r\n", kIssueBody),
        post_issue("Content-Length: 48\r\nTransfer-Encoding: chunked\r\n", kIssueBody),
        post_issue("Transfer-Encoding: chunked\r\n", one_chunk(kIssueBody, "XX")),
        post_issue("Transfer-Encoding: identity\r\n", kIssueBody),
        post_issue("Content-Length: -1\r\n", kIssueBody),
        post_issue("Content-Length: 18446744073709551617\r\n", kIssueBody),
    };
    for (const auto& attack : attacks) {
        Wire c(s.port());
        c.write(attack + get_request("/issue_statuses.json"));
        auto r = c.read_response();
        CHECK(Wire::status(r) == 400);
        CHECK(r.find("Connection: close") != std::string::npos);
        CHECK(r.find("stoull") == std::string::npos);
        CHECK(c.closed_by_peer());  // the request behind it is never read
    }
    CHECK(s.scalar("SELECT COUNT(*) FROM issues") == before);
    // The same issue, framed properly, is created: the refusals above were about framing.
    Wire ok(s.port());
    ok.write(post_issue("Content-Length: " + std::to_string(kIssueBody.size()) + "\r\n", kIssueBody));
    CHECK(Wire::status(ok.read_response()) == 201);
    ok.write(post_issue("Transfer-Encoding: chunked\r\n", one_chunk(kIssueBody)));
    CHECK(Wire::status(ok.read_response()) == 201);
    CHECK(s.scalar("SELECT COUNT(*) FROM issues") == before + 2);
}

TEST_CASE("garbage on the wire gets 400 and a closed connection, never a crash") {
    LiveServer s;
    for (const char* junk : {"\x01\x02\x03\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
                             "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", "GET / HTTP/1.1\n\n",
                             "GET /users/current.json HTTP/1.1\r\nHost: x\r\nAuthorization: Basic !!!!\r\n\r\n"}) {
        Wire c(s.port());
        c.write(junk);
        const int status = Wire::status(c.read_response());
        CHECK((status == 400 || status == 401));
    }
    still_serving(s);
}

TEST_CASE("size limits: 414, 431 and 413 at once, without reading what was declared") {
    LiveServer s(Data::Seeded, [](app::Config& c) { c.max_body_bytes = 4096; });
    {
        Wire c(s.port());
        c.write("GET /" + std::string(2 * 1024 * 1024, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = c.read_response();
        CHECK(Wire::status(r) == 414);
        CHECK(c.closed_by_peer());
    }
    {
        Wire c(s.port());
        c.write("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(40 * 1024, 'b') + "\r\n\r\n");
        CHECK(Wire::status(c.read_response()) == 431);
    }
    {
        std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 101; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
        Wire c(s.port());
        c.write(many + "\r\n");
        CHECK(Wire::status(c.read_response()) == 431);
    }
    {
        // 50 MB declared: refused on the headers; the client never has to send them.
        Wire c(s.port());
        c.write("PUT /my/account.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Redmine-API-Key: " +
                kJsmithKey + "\r\nContent-Length: 52428800\r\n\r\n");
        auto r = c.read_response();
        CHECK(Wire::status(r) == 413);
        CHECK(c.closed_by_peer());
    }
    {
        // 50 MB really sent: the answer comes while the client is still writing, then the server stops reading.
        Wire c(s.port());
        std::atomic<bool> stopped{false};
        std::thread writer([&] {
            c.write("PUT /my/account.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Redmine-API-Key: " +
                    kJsmithKey + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            const std::string chunk = "10000\r\n" + std::string(65536, 'z') + "\r\n";
            for (int i = 0; i < 800 && c.write(chunk); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            stopped = true;
        });
        auto r = c.read_response();
        CHECK(Wire::status(r) == 413);
        writer.join();
        CHECK(stopped);
    }
    CHECK(s.scalar("SELECT COUNT(*) FROM users WHERE id = 5 AND firstname = 'John'") == 1);
    still_serving(s);
}

TEST_CASE("Expect: 100-continue is answered before the body is sent") {
    LiveServer s;
    const std::string body = R"({"user":{"firstname":"Continued"}})";
    Wire c(s.port());
    c.write("PUT /my/account.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Redmine-API-Key: " +
            kJsmithKey + "\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    CHECK(c.read_response().rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0);
    c.write(body);
    CHECK(Wire::status(c.read_response()) == 204);
    CHECK(s.scalar("SELECT COUNT(*) FROM users WHERE id = 5 AND firstname = 'Continued'") == 1);
}

TEST_CASE("HEAD answers the headers of GET, its Content-Length included, without the body") {
    LiveServer s;
    Wire c(s.port());
    c.write(get_request("/trackers.json"));
    auto got = c.read_response();
    c.write("HEAD /trackers.json HTTP/1.1\r\nHost: x\r\nX-Redmine-API-Key: " + kAdminKey + "\r\n\r\n");
    auto head = c.read_response(true);
    CHECK(Wire::status(head) == 200);
    const auto length = [](const std::string& r) { return r.substr(r.find("Content-Length: "), r.find("\r\n", r.find("Content-Length: ")) - r.find("Content-Length: ")); };
    CHECK(length(head) == length(got));
    CHECK(length(got) != "Content-Length: 0");
    c.write(get_request("/trackers.json"));  // the connection is still in step
    auto again = c.read_response();
    CHECK(again.substr(again.find("\r\n\r\n")) == got.substr(got.find("\r\n\r\n")));
}

TEST_CASE("slow or silent clients time out: 408 for an unfinished request, idle connections closed") {
    LiveServer s(Data::Seeded, [](app::Config& c) {
        c.header_timeout_s = 1;
        c.body_timeout_s = 1;
        c.keepalive_timeout_s = 1;
    });
    {
        Wire c(s.port());
        c.write("GET /issue_statuses.json HTTP/1.1\r\nHost: x\r\n");  // the headers never end
        CHECK(Wire::status(c.read_response()) == 408);
        CHECK(c.closed_by_peer());
    }
    {
        Wire c(s.port());
        c.write("PUT /my/account.json HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");  // the body stops
        CHECK(Wire::status(c.read_response()) == 408);
    }
    {
        Wire c(s.port());
        c.write(get_request("/issue_statuses.json"));
        CHECK(Wire::status(c.read_response()) == 200);
        CHECK(c.closed_by_peer());  // then nothing: closed after the keep-alive timeout
    }
    still_serving(s);
}

TEST_CASE("connections over max_connections are closed at once; the rest are served") {
    LiveServer s(Data::Seeded, [](app::Config& c) { c.max_connections = 16; });
    std::vector<std::unique_ptr<Wire>> held;
    for (int i = 0; i < 16; ++i) held.push_back(std::make_unique<Wire>(s.port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Wire extra(s.port());
    CHECK(extra.closed_by_peer());
    held.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    still_serving(s);
}

TEST_CASE("GET /health answers without authentication") {
    LiveServer s;
    Wire c(s.port());
    c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(r.substr(r.size() - 3) == "ok\n");
}

TEST_CASE("stopping drains the requests in flight") {
    LiveServer s;
    std::atomic<bool> started{false};
    s.app().router().add("GET", "/slow", [&started](app::Context& ctx) {
        started = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return ctx.render({"slow", api::Node(true), {}});
    });
    Wire c(s.port());
    c.write(get_request("/slow.json"));
    for (int i = 0; i < 500 && !started; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(started);
    std::thread stopper([&] { CHECK(s.http().stop(5)); });
    auto r = c.read_response();
    stopper.join();
    CHECK(r.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(r.find("{\"slow\":true}") != std::string::npos);
}

TEST_CASE("stopping under a steady stream of requests finishes within the grace period") {
    LiveServer s;
    std::atomic<bool> done{false};
    std::atomic<int> answered{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t)
        clients.emplace_back([&] {
            while (!done) {
                Wire c(s.port(), 2);
                while (!done && c.write(get_request("/issue_statuses.json"))) {
                    if (Wire::status(c.read_response()) == 0) break;
                    answered++;
                }
            }
        });
    while (answered < 50) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(s.http().stop(5));
    done = true;
    for (auto& t : clients) t.join();
}
