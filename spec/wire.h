// What the socket-level specs share: the real server started in-process on an ephemeral loopback port,
// and a raw HTTP/1.1 client that writes exactly the bytes it is given.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/app.h"
#include "server/http_adapter.h"
#include "spec/support.h"

namespace spec {

// The App and its HttpServer over a TestDb, listening on 127.0.0.1:<some free port>.
class LiveServer {
public:
    // `tune` adjusts the configuration (limits, timeouts, threads) before the server starts.
    explicit LiveServer(Data data = Data::Seeded, const std::function<void(app::Config&)>& tune = {});
    ~LiveServer();
    uint16_t port() const { return http_->port(); }
    app::App& app() { return *app_; }
    app::HttpServer& http() { return *http_; }
    const TestDb& db() const { return *db_; }
    long long scalar(const std::string& sql);

private:
    std::unique_ptr<TestDb> db_;
    std::unique_ptr<app::App> app_;
    std::unique_ptr<app::HttpServer> http_;
};

// One TCP connection. Reads give up after `timeout_s` seconds without data.
class Wire {
public:
    explicit Wire(uint16_t port, int timeout_s = 5);
    ~Wire();
    Wire(const Wire&) = delete;
    Wire& operator=(const Wire&) = delete;
    bool ok() const { return fd_ >= 0; }
    // False when the peer stopped taking bytes (it closed or reset the connection).
    bool write(const std::string& data);
    // One response: the status line and headers, then Content-Length bytes of body ("" when the
    // connection ended first). A 100 Continue interim answer is returned on its own. The answer to a
    // HEAD request has no body whatever its Content-Length: say so with no_body.
    std::string read_response(bool no_body = false);
    // The status code of a response read by read_response (0 for "").
    static int status(const std::string& response);
    // True when the peer closes the connection (end of stream or reset) before the timeout.
    bool closed_by_peer();
    void shutdown_write();

private:
    bool fill();
    int fd_ = -1;
    std::string buf_;
};

// A GET with the admin's key.
std::string get_request(const std::string& target, const std::string& extra_headers = "");

}  // namespace spec
