#include "server/http_adapter.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "server/app.h"
#include "server/log.h"

namespace app {

using namespace Pistache;

namespace {

// Pistache drops headers added with addRaw (a trap of 0.0.5): a typed header with a runtime name.
class NamedHeader : public Http::Header::Header {
public:
    NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
    const char* name() const override { return name_.c_str(); }
#ifdef SAFE_HEADER_CAST
    // Never matched by Pistache's typed look-ups, which is what a header we only send wants.
    uint64_t hash() const override { return 0; }
#endif
    void write(std::ostream& os) const override { os << value_; }

private:
    std::string name_, value_;
};

class WorkerPool {
public:
    WorkerPool(size_t threads, size_t max_queue) : max_queue_(max_queue) {
        for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
    }
    ~WorkerPool() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
    }
    // False when the queue is full: the caller answers 503 rather than queueing without bound.
    bool post(std::function<void()> job) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (queue_.size() >= max_queue_) return false;
            queue_.push_back(std::move(job));
        }
        cv_.notify_one();
        return true;
    }

private:
    void run() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                job = std::move(queue_.front());
                queue_.pop_front();
            }
            job();
        }
    }
    size_t max_queue_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

struct Shared {
    App* app;
    WorkerPool* pool;
    std::atomic<int> in_flight{0};
    std::atomic<bool> draining{false};
};

bool connected(const Http::ResponseWriter& writer) {
    try {
        return writer.peer() != nullptr;
    } catch (const std::exception&) {  // Pistache throws when the peer is gone
        return false;
    }
}

void send(Http::ResponseWriter& writer, const http::Response& res, bool keep_alive) {
    auto& headers = writer.headers();
    if (!res.content_type.empty()) headers.add(std::make_shared<NamedHeader>("Content-Type", res.content_type));
    for (const auto& [name, value] : res.headers) headers.add(std::make_shared<NamedHeader>(name, value));
    if (res.status < 400 || res.status == 422) {
        headers.add(std::make_shared<NamedHeader>("X-Content-Type-Options", "nosniff"));
        headers.add(std::make_shared<NamedHeader>("X-Frame-Options", "SAMEORIGIN"));
    }
    // Pistache closes HTTP/1.1 connections unless told otherwise (a trap of 0.0.5), and add() does
    // not replace the header it set itself.
    headers.remove<Http::Header::Connection>();
    headers.add<Http::Header::Connection>(keep_alive ? Http::ConnectionControl::KeepAlive
                                                     : Http::ConnectionControl::Close);
    writer.send(static_cast<Http::Code>(res.status), res.body);
}

http::Request to_request(const Http::Request& req) {
    http::Request r;
    r.method = Http::methodString(req.method());
    r.target = req.resource() + req.query().as_str();
    http::parse_target(r);
    for (const auto& h : req.headers().list()) {
        std::ostringstream os;
        h->write(os);
        std::string name = h->name();
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = os.str();
    }
    for (const auto& [name, raw] : req.headers().rawList()) {
        std::string lower = name;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[lower] = raw.value();
    }
    r.body = req.body();
    r.remote = req.address().host();
    return r;
}

class Handler : public Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)
    explicit Handler(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

    void onRequest(const Http::Request& req, Http::ResponseWriter writer) override {
        bool keep_alive = req.version() == Http::Version::Http11;
        if (auto c = req.headers().tryGet<Http::Header::Connection>())
            keep_alive = c->control() == Http::ConnectionControl::KeepAlive ||
                         (keep_alive && c->control() != Http::ConnectionControl::Close);
        if (shared_->draining) {
            http::Response busy;
            busy.status = 503;
            send(writer, busy, false);
            return;
        }
        auto out = std::make_shared<Http::ResponseWriter>(std::move(writer));
        auto request = std::make_shared<http::Request>(to_request(req));
        auto shared = shared_;
        shared->in_flight++;
        bool queued = shared->pool->post([shared, out, request, keep_alive] {
            // A client that gave up while its request waited in the queue (it closed the connection, as
            // clients do on their timeout) gets no work done: under overload the queue drains at once.
            if (!connected(*out)) {
                shared->in_flight--;
                return;
            }
            http::Response res = shared->app->handle(*request);
            if (request->method == "HEAD") res.body.clear();
            try {
                send(*out, res, keep_alive);
            } catch (const std::exception& e) {
                logx::warn(std::string("could not send a response: ") + e.what());
            }
            shared->in_flight--;
        });
        if (!queued) {
            shared->in_flight--;
            http::Response busy;
            busy.status = 503;
            send(*out, busy, false);
        }
    }

    void onTimeout(const Http::Request&, Http::ResponseWriter writer) override {
        writer.send(Http::Code::Request_Timeout).then([](ssize_t) {}, Async::IgnoreException);
    }

private:
    std::shared_ptr<Shared> shared_;
};

}  // namespace

struct HttpServer::Impl {
    App& app;
    std::unique_ptr<WorkerPool> pool;
    std::shared_ptr<Shared> shared = std::make_shared<Shared>();
    std::unique_ptr<Http::Endpoint> endpoint;
    bool running = false;
    explicit Impl(App& a) : app(a) {}
};

HttpServer::HttpServer(App& app) : impl_(std::make_unique<Impl>(app)) {}

HttpServer::~HttpServer() {
    if (impl_->running) stop(5);
}

void HttpServer::start() {
    const Config& c = impl_->app.config();
    impl_->pool = std::make_unique<WorkerPool>(c.workers, c.workers * 64);
    impl_->shared->app = &impl_->app;
    impl_->shared->pool = impl_->pool.get();
    Address addr(c.address, Port(static_cast<uint16_t>(c.port)));
    impl_->endpoint = std::make_unique<Http::Endpoint>(addr);
    auto opts = Http::Endpoint::options()
                    .threads(static_cast<int>(c.io_threads))
                    .flags(Tcp::Options::ReuseAddr)
                    .maxRequestSize(c.max_body_bytes + 64 * 1024)
                    .maxResponseSize(256 * 1024 * 1024)
                    .headerTimeout(std::chrono::seconds(c.header_timeout_s))
                    .bodyTimeout(std::chrono::seconds(c.body_timeout_s))
                    .keepaliveTimeout(std::chrono::seconds(60));
    impl_->endpoint->init(opts);
    impl_->endpoint->setHandler(Http::make_handler<Handler>(impl_->shared));
    impl_->endpoint->serveThreaded();
    impl_->running = true;
}

std::uint16_t HttpServer::port() const { return static_cast<std::uint16_t>(impl_->endpoint->getPort()); }

void HttpServer::stop(int grace_seconds) {
    if (!impl_->running) return;
    impl_->shared->draining = true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
    while (impl_->shared->in_flight > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    impl_->endpoint->shutdown();
    impl_->pool.reset();
    impl_->running = false;
}

}  // namespace app
