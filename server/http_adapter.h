// The HTTP endpoint: Pistache on its I/O threads, the pipeline on a pool of worker threads (a slow
// request never stalls a connection's I/O thread). The only code that includes Pistache headers.
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
    // Stops taking new work, waits up to `grace_seconds` for requests in flight, then shuts down.
    void stop(int grace_seconds = 30);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace app
