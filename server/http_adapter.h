// The HTTP endpoint: Pistache's TCP layer on its I/O threads, HTTP/1.1 framing by server/http1, the
// pipeline on a pool of worker threads (a slow request never stalls an I/O thread). The only code
// that includes Pistache headers.
#pragma once

#include <cstdint>
#include <memory>

namespace app {

class App;

class HttpServer {
public:
    explicit HttpServer(App& app);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    void start();           // binds and serves in the background
    std::uint16_t port() const;  // the bound port (useful with port 0)
    // Stops taking new work (new requests get 503, idle connections close), waits up to
    // `grace_seconds` for the requests in flight, then shuts down. False when some were still in
    // work: the caller should exit without tearing down what they use.
    bool stop(int grace_seconds = 30);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace app
