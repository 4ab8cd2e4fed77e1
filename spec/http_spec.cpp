// Through a real socket: the Pistache endpoint started in-process on an ephemeral loopback port.
#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "server/context.h"
#include "server/http_adapter.h"
#include "spec/support.h"

using namespace spec;

namespace {

class Connection {
public:
    explicit Connection(uint16_t port) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{5, 0};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~Connection() { close(fd_); }
    void write(const std::string& data) {
        size_t sent = 0;
        while (sent < data.size()) {
            ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<size_t>(n);
        }
    }
    // One response: headers, then Content-Length bytes of body.
    std::string read_response() {
        std::string buf;
        char chunk[4096];
        size_t header_end = std::string::npos;
        while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
            ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) return buf;
            buf.append(chunk, static_cast<size_t>(n));
        }
        size_t length = 0;
        auto cl = buf.find("Content-Length: ");
        if (cl != std::string::npos && cl < header_end) length = std::stoul(buf.substr(cl + 16));
        while (buf.size() < header_end + 4 + length) {
            ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) break;
            buf.append(chunk, static_cast<size_t>(n));
        }
        return buf;
    }
    bool closed_by_peer() {
        char c;
        return recv(fd_, &c, 1, 0) == 0;
    }

private:
    int fd_ = -1;
};

struct Server {
    TestDb db{Data::Seeded};
    std::unique_ptr<app::App> application;
    std::unique_ptr<app::HttpServer> http;
    explicit Server(size_t max_body = 1024 * 1024) {
        app::Config config;
        config.database = db.url();
        config.port = 0;
        config.workers = 2;
        config.pool_size = 2;
        config.max_body_bytes = max_body;
        config.log_level = "error";
        application = std::make_unique<app::App>(config);
        http = std::make_unique<app::HttpServer>(*application);
        http->start();
    }
    ~Server() { http->stop(5); }
    uint16_t port() const { return http->port(); }
};

std::string get(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Redmine-API-Key: " + kAdminKey + "\r\n" + extra + "\r\n";
}

}  // namespace

TEST_CASE("HTTP/1.1 connections are kept alive across requests") {
    Server s;
    Connection c(s.port());
    c.write(get("/issue_statuses.json"));
    auto first = c.read_response();
    CHECK(first.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(first.find("Connection: Keep-Alive") != std::string::npos);
    CHECK(first.find("Content-Type: application/json; charset=utf-8") != std::string::npos);
    CHECK(first.find("{\"issue_statuses\":[") != std::string::npos);
    c.write(get("/trackers.xml"));
    auto second = c.read_response();
    CHECK(second.find("<trackers type=\"array\">") != std::string::npos);
    c.write(get("/roles.json", "Connection: close\r\n"));
    auto third = c.read_response();
    CHECK(third.find("Connection: Close") != std::string::npos);
}

TEST_CASE("errors through the socket: 401 with its challenge, 404, percent-decoded queries") {
    Server s;
    Connection c(s.port());
    c.write("GET /users/current.json HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.rfind("HTTP/1.1 401", 0) == 0);
    CHECK(r.find("WWW-Authenticate: Basic realm=\"Redmine API\"") != std::string::npos);
    c.write(get("/nothing_here.json"));
    CHECK(c.read_response().rfind("HTTP/1.1 404", 0) == 0);
    c.write(get("/queries.json?limit=%31&offset=%32"));
    auto q = c.read_response();
    CHECK(q.find("\"total_count\":4,\"offset\":2,\"limit\":1") != std::string::npos);
    c.write(get("/queries.json?key=" + kRhillKey + "&nometa=1"));
    CHECK(c.read_response().find("total_count") == std::string::npos);
}

TEST_CASE("an oversized body is refused with 413 and changes nothing") {
    Server s(4096);
    Connection c(s.port());
    const std::string body = R"({"user":{"firstname":")" + std::string(100000, 'x') + "\"}}";
    c.write("PUT /my/account.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Redmine-API-Key: " +
            kJsmithKey + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    auto r = c.read_response();
    CHECK(r.rfind("HTTP/1.1 413", 0) == 0);
    auto check = s.application->database().connect();
    CHECK(check->scalar("SELECT COUNT(*) FROM users WHERE id = 5 AND firstname = 'John'") == 1);
}

TEST_CASE("GET /health answers without authentication") {
    Server s;
    Connection c(s.port());
    c.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(r.substr(r.size() - 3) == "ok\n");
}

TEST_CASE("garbage on the wire never takes the server down") {
    Server s;
    for (const char* junk : {"\x01\x02\x03\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
                             "POST /my/account.json HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                             "GET /users/current.json HTTP/1.1\r\nAuthorization: Basic !!!!\r\n\r\n"}) {
        Connection c(s.port());
        c.write(junk);
        c.read_response();
    }
    Connection c(s.port());
    c.write(get("/issue_statuses.json"));
    CHECK(c.read_response().rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("stopping drains the requests in flight") {
    Server s;
    std::atomic<bool> started{false};
    s.application->router().add("GET", "/slow", [&started](app::Context& ctx) {
        started = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return ctx.render({"slow", api::Node(true), {}});
    });
    Connection c(s.port());
    c.write(get("/slow.json"));
    for (int i = 0; i < 500 && !started; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(started);
    std::thread stopper([&] { s.http->stop(5); });
    auto r = c.read_response();
    stopper.join();
    CHECK(r.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(r.find("{\"slow\":true}") != std::string::npos);
}
