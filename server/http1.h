// HTTP/1.1 on the wire (RFC 9112): a connection's bytes cut into requests by libhttp-parser, and a
// response written as bytes. No sockets here, so the framing is tested and fuzzed on its own;
// server/http_adapter.cpp moves the bytes.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "server/request.h"

namespace http1 {

struct Limits {
    size_t max_request_line = 8 * 1024;   // longer: 414
    size_t max_header_bytes = 32 * 1024;  // the header block after the request line; larger: 431
    size_t max_headers = 100;             // more: 431
    size_t max_body = 10 * 1024 * 1024;   // a larger declared or chunked body: 413
};

// One connection's incoming stream. feed() stops after each complete request, so pipelined requests
// come out one at a time, in order; what it did not consume is fed again after the answer.
class RequestParser {
public:
    enum class Status {
        NeedMore,  // no complete request yet
        Ready,     // a request is complete: take() it
        Failed,    // the stream is not HTTP/1.1 we accept: answer error_status() and close
    };
    enum class Phase { Idle, Head, Body };  // where the parser is in the current message

    explicit RequestParser(Limits limits);
    ~RequestParser();
    RequestParser(const RequestParser&) = delete;
    RequestParser& operator=(const RequestParser&) = delete;

    // Consumes bytes up to the end of one request at most; returns how many it consumed.
    size_t feed(std::string_view data);
    Status status() const { return status_; }
    Phase phase() const { return phase_; }
    int error_status() const { return error_status_; }  // 400, 413, 414, 417 or 431
    // True once per request when the client sent `Expect: 100-continue` and the body may follow.
    bool take_continue();
    // The completed request; the parser then waits for the next one.
    http::Request take();
    bool keep_alive() const { return keep_alive_; }  // of the request just taken
    bool is_head() const { return is_head_; }
    bool http10() const { return http10_; }  // an HTTP/1.0 client: keep-alive must be said

private:
    struct State;
    std::unique_ptr<State> s_;
    Status status_ = Status::NeedMore;
    Phase phase_ = Phase::Idle;
    int error_status_ = 0;
    bool keep_alive_ = false;
    bool is_head_ = false;
    bool http10_ = false;
};

// The response as bytes: status line, headers (control characters removed from every value and
// headers with a name that is not a token left out, so no data can add a header line), Date,
// Content-Length, Connection, then the body (none for HEAD, 204, 304). An HTTP/1.0 client that asked
// to keep the connection is told it is kept.
std::string write_response(const http::Response& res, bool keep_alive, bool head, bool http10,
                           std::string_view date);
// An IMF-fixdate for the Date header ("Sun, 06 Nov 1994 08:49:37 GMT") of a time_t.
std::string http_date(long long unix_seconds);

}  // namespace http1
