// HTTP/1.1 framing without a socket: what the parser accepts, refuses, and how a response is written.
#include <doctest/doctest.h>

#include <string>

#include "server/http1.h"

using http1::RequestParser;

namespace {

http1::Limits small_limits() {
    http1::Limits l;
    l.max_request_line = 100;
    l.max_header_bytes = 400;
    l.max_headers = 10;
    l.max_body = 1000;
    return l;
}

// Feeds the wire as a connection does (what was not consumed is presented again with what follows),
// all at once or a byte at a time, and returns the parser's state after the first request.
struct Fed {
    RequestParser::Status status;
    int error = 0;
    size_t consumed = 0;
};
Fed feed_all(RequestParser& p, const std::string& wire, bool byte_by_byte = false) {
    Fed f;
    std::string pending;
    size_t next = 0;
    while (next < wire.size() && p.status() == RequestParser::Status::NeedMore) {
        const size_t len = byte_by_byte ? 1 : wire.size() - next;
        pending.append(wire, next, len);
        next += len;
        const size_t n = p.feed(pending);
        pending.erase(0, n);
        f.consumed += n;
    }
    f.status = p.status();
    f.error = p.error_status();
    return f;
}

int refusal(const std::string& wire, http1::Limits limits = small_limits()) {
    RequestParser p(limits);
    auto f = feed_all(p, wire);
    return f.status == RequestParser::Status::Failed ? f.error : 0;
}

}  // namespace

TEST_CASE("a request is read whole, byte by byte as at once") {
    const std::string wire =
        "POST /issues.json?a=1&a=2 HTTP/1.1\r\nHost: x\r\nX-Thing: one\r\nx-thing: two\r\n"
        "Content-Type: application/json\r\nContent-Length: 5\r\n\r\nhello";
    for (bool bytewise : {false, true}) {
        RequestParser p(small_limits());
        auto f = feed_all(p, wire, bytewise);
        REQUIRE(f.status == RequestParser::Status::Ready);
        CHECK(f.consumed == wire.size());
        CHECK(p.keep_alive());
        http::Request r = p.take();
        CHECK(r.method == "POST");
        CHECK(r.target == "/issues.json?a=1&a=2");
        CHECK(r.body == "hello");
        CHECK(r.headers.at("x-thing") == "one, two");
        CHECK(r.headers.at("content-type") == "application/json");
    }
}

TEST_CASE("pipelined requests come out one at a time, in order") {
    std::string wire;
    for (int i = 0; i < 5; ++i) wire += "GET /r" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    RequestParser p(small_limits());
    size_t at = 0;
    for (int i = 0; i < 5; ++i) {
        at += p.feed(std::string_view(wire).substr(at));
        REQUIRE(p.status() == RequestParser::Status::Ready);
        CHECK(p.take().target == "/r" + std::to_string(i));
    }
    CHECK(at == wire.size());
    CHECK(p.phase() == RequestParser::Phase::Idle);
}

TEST_CASE("chunked bodies are joined") {
    RequestParser p(small_limits());
    auto f = feed_all(p, "PUT /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n");
    REQUIRE(f.status == RequestParser::Status::Ready);
    CHECK(p.take().body == "abcde");
}

TEST_CASE("framing a proxy could read differently is refused with 400") {
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 75, 80\r\n\r\n") == 400);
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") == 400);
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == 400);
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n") == 400);
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n") == 400);
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n") == 400);
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n") == 400);
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc") == 400);
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc") == 400);
}

TEST_CASE("garbage, a missing or doubled Host and control characters are refused with 400") {
    CHECK(refusal("\x01\x02\x03\r\n\r\n") == 400);
    CHECK(refusal("GET\r\n\r\n") == 400);
    CHECK(refusal("GET / HTTP/1.1\nHost: x\n\n") == 400);  // bare LF: RFC 9112 2.2 lets us refuse it
    CHECK(refusal("GET / HTTP/1.1\r\n\r\n") == 400);
    CHECK(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
    CHECK(refusal(std::string("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 36)) == 400);
    CHECK(refusal("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7f\r\n\r\n") == 400);
    CHECK(refusal("GET / HTTP/1.1\r\nHost: x\r\nBad Name: a\r\n\r\n") == 400);
    CHECK(refusal("GET / HTTP/2.0\r\nHost: x\r\n\r\n") == 400);
    CHECK(refusal("GET / HTTP/1.0\r\n\r\n") == 0);  // 1.0 needs no Host
    CHECK(refusal("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n") == 0);  // empty lines before a request
}

TEST_CASE("the size limits: 414, 431 and 413 before the body is read") {
    CHECK(refusal("GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n") == 414);
    CHECK(refusal("GET /" + std::string(99, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n") == 0);
    CHECK(refusal("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(500, 'b') + "\r\n\r\n") == 431);
    std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 11; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
    CHECK(refusal(many + "\r\n") == 431);
    // A declared body over the limit is refused as soon as the headers are read.
    RequestParser p(small_limits());
    const std::string head = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n";
    auto f = feed_all(p, head);
    CHECK(f.status == RequestParser::Status::Failed);
    CHECK(f.error == 413);
    // A chunked body that grows past it.
    std::string chunked = "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i) chunked += "64\r\n" + std::string(100, 'c') + "\r\n";
    CHECK(refusal(chunked) == 413);
    // With the default limits, a 2 MB request line is refused without reading it all.
    RequestParser d(http1::Limits{});
    const std::string line = "GET /" + std::string(2 * 1024 * 1024, 'a');
    const size_t eaten = d.feed(line);
    CHECK(d.status() == RequestParser::Status::Failed);
    CHECK(d.error_status() == 414);
    CHECK(eaten < 64 * 1024);
}

TEST_CASE("Expect: 100-continue is offered once, and other expectations are refused") {
    RequestParser p(small_limits());
    p.feed("POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n");
    CHECK(p.take_continue());
    CHECK_FALSE(p.take_continue());
    p.feed("abc");
    CHECK(p.status() == RequestParser::Status::Ready);
    CHECK(refusal("POST /x HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 3\r\n\r\nabc") == 417);
}

TEST_CASE("keep-alive follows the version and the Connection header; absolute targets become paths") {
    {
        RequestParser p(small_limits());
        feed_all(p, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        CHECK_FALSE(p.keep_alive());
    }
    {
        RequestParser p(small_limits());
        feed_all(p, "GET / HTTP/1.0\r\n\r\n");
        CHECK_FALSE(p.keep_alive());
    }
    {
        RequestParser p(small_limits());
        feed_all(p, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        CHECK(p.keep_alive());
        CHECK(p.http10());
    }
    {
        RequestParser p(small_limits());
        feed_all(p, "GET http://example.org/issues.json?x=1 HTTP/1.1\r\nHost: example.org\r\n\r\n");
        CHECK(p.take().target == "/issues.json?x=1");
    }
}

TEST_CASE("a response never carries a header line made from data") {
    http::Response r;
    r.status = 200;
    r.content_type = "text/html\r\nSet-Cookie: x=1";
    r.header("Content-Disposition", "attachment; filename=\"a\nb\"");
    r.header("Bad Name\r\nX-Evil", "1");
    r.body = "hello";
    const std::string out = http1::write_response(r, true, false, false, "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(out.find("\r\nSet-Cookie") == std::string::npos);
    CHECK(out.find("X-Evil") == std::string::npos);
    CHECK(out.find("Content-Type: text/htmlSet-Cookie: x=1\r\n") != std::string::npos);
    CHECK(out.find("filename=\"ab\"") != std::string::npos);
    CHECK(out.find("Content-Length: 5\r\n") != std::string::npos);
    CHECK(out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(out.substr(out.size() - 9) == "\r\n\r\nhello");
}

TEST_CASE("HEAD keeps the length without the body; 204 and 304 have neither; closing is said") {
    http::Response r;
    r.body = "0123456789";
    const std::string head = http1::write_response(r, true, true, false, "");
    CHECK(head.find("Content-Length: 10\r\n") != std::string::npos);
    CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
    http::Response none;
    none.status = 204;
    const std::string no_content = http1::write_response(none, false, false, false, "");
    CHECK(no_content.find("Content-Length") == std::string::npos);
    CHECK(no_content.find("Connection: close\r\n") != std::string::npos);
    const std::string old = http1::write_response(r, true, false, true, "");
    CHECK(old.find("Connection: keep-alive\r\n") != std::string::npos);
}

TEST_CASE("the Date header is an IMF-fixdate") {
    CHECK(http1::http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
}
