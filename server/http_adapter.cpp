// Connections: Pistache's TCP layer (listening socket, epoll reactors, non-blocking writes) carries
// the bytes; server/http1 frames them; a pool of worker threads runs the pipeline. Pistache's own
// HTTP layer is not used: it dropped pipelined requests, spun on oversized input and answered framing
// errors with exception text.
//
// Per connection one request is in work at a time: the next pipelined request is parsed only after
// the previous answer has been handed to the kernel, so answers go out in order and a client that
// does not read its answers stops being served instead of filling our memory.
#include "server/http_adapter.h"

#include <pistache/listener.h>
#include <pistache/peer.h>
#include <pistache/tcp.h>
#include <pistache/transport.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/app.h"
#include "server/http1.h"
#include "server/log.h"

namespace app {

using namespace Pistache;
using Clock = std::chrono::steady_clock;

namespace {

// After the last answer on a connection we stop writing and read (and drop) what the client still
// sends, for a while, as nginx's lingering close does: closing a socket with unread input resets the
// connection, and a reset destroys the answer before a client still busy sending has read it. The
// bounds keep a client that never stops sending from holding us.
constexpr auto kLinger = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 16 * 1024 * 1024;

class WorkerPool {
public:
    WorkerPool(size_t threads, size_t max_queue) : max_queue_(max_queue) {
        for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
    }
    ~WorkerPool() { stop(); }
    // False when the queue is full: the caller answers 503 rather than queueing without bound.
    bool post(std::function<void()> job) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_ || queue_.size() >= max_queue_) return false;
            queue_.push_back(std::move(job));
        }
        cv_.notify_one();
        return true;
    }
    // Drops what has not started and joins the threads.
    void stop() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
            queue_.clear();
        }
        cv_.notify_all();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    size_t queued() {
        std::lock_guard<std::mutex> lock(mutex_);
        return queue_.size();
    }

private:
    void run() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
                if (stopping_) return;
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

// The Date header, formatted once a second.
std::string current_date() {
    thread_local long long last = -1;
    thread_local std::string text;
    const long long now = static_cast<long long>(std::time(nullptr));
    if (now != last) {
        last = now;
        text = http1::http_date(now);
    }
    return text;
}

enum class Timer { None, Idle, Head, Body, Linger };

struct Conn {
    Conn(std::shared_ptr<Tcp::Peer> p, const http1::Limits& limits)
        : peer(std::move(p)), fd(peer->fd()), parser(limits), remote(peer->address().host()) {}
    std::mutex m;
    std::shared_ptr<Tcp::Peer> peer;
    const int fd;
    http1::RequestParser parser;
    const std::string remote;
    std::string pending;      // received, not yet parsed (pipelined requests wait here)
    bool busy = false;        // a request is in work, or its answer is being written
    bool closed = false;      // Pistache dropped the peer: its fd may already belong to another
    bool discarding = false;  // the request was refused: what arrives now is dropped
    bool half_closed = false; // our last answer is out; what arrives now is dropped too
    size_t discarded = 0;
    Timer timer = Timer::Idle;
    Clock::time_point deadline;
};
using ConnPtr = std::shared_ptr<Conn>;

struct Shared {
    App* app = nullptr;
    http1::Limits limits;
    size_t max_pending = 0;
    std::chrono::seconds header_timeout{10}, body_timeout{60}, keepalive_timeout{60};
    size_t max_connections = 0;
    std::unique_ptr<WorkerPool> pool;
    std::atomic<int> in_flight{0};  // requests with a worker or being written
    std::atomic<bool> draining{false};
    std::mutex registry_mutex;
    std::unordered_map<const Tcp::Peer*, ConnPtr> conns;

    ConnPtr find(const Tcp::Peer* peer) {
        std::lock_guard<std::mutex> lock(registry_mutex);
        auto it = conns.find(peer);
        return it == conns.end() ? nullptr : it->second;
    }

    // The caller holds c.m. Pistache reads end-of-stream next and drops the peer.
    static void shut(Conn& c, int how) {
        if (!c.closed) ::shutdown(c.fd, how);
    }

    void set_timer(Conn& c, Timer t, std::chrono::seconds after) {
        c.timer = t;
        c.deadline = Clock::now() + after;
    }

    // What advance() found for the caller to do once the connection's lock is released.
    struct Next {
        enum { Nothing, Run, Refuse } what = Nothing;
        http::Request request;
        int status = 0;
        bool keep_alive = false, head = false, http10 = false;
    };

    // Parses what is pending while no request is in work. The caller holds c.m.
    Next advance(Conn& c) {
        Next next;
        if (c.busy || c.closed || c.half_closed) return next;
        while (!c.pending.empty()) {
            const size_t n = c.parser.feed(c.pending);
            c.pending.erase(0, n);
            if (c.parser.take_continue() && !c.closed)
                c.peer->send(RawBuffer(std::string("HTTP/1.1 100 Continue\r\n\r\n"), 25))
                    .then([](ssize_t) {}, Async::IgnoreException);
            if (c.parser.status() == http1::RequestParser::Status::Failed) {
                c.busy = true;
                c.discarding = true;
                c.pending.clear();
                next.what = Next::Refuse;
                next.status = c.parser.error_status();
                return next;
            }
            if (c.parser.status() == http1::RequestParser::Status::Ready) {
                c.busy = true;
                next.keep_alive = c.parser.keep_alive();
                next.head = c.parser.is_head();
                next.request = c.parser.take();
                next.http10 = c.parser.http10();
                next.what = Next::Run;
                return next;
            }
            if (n == 0) break;
        }
        switch (c.parser.phase()) {
            case http1::RequestParser::Phase::Idle:
                if (c.timer != Timer::Idle) set_timer(c, Timer::Idle, keepalive_timeout);
                break;
            case http1::RequestParser::Phase::Head:
                if (c.timer != Timer::Head) set_timer(c, Timer::Head, header_timeout);
                break;
            case http1::RequestParser::Phase::Body:
                set_timer(c, Timer::Body, body_timeout);  // renewed while bytes arrive
                break;
        }
        return next;
    }

    void pump(const ConnPtr& c) {
        Next next;
        {
            std::lock_guard<std::mutex> lock(c->m);
            next = advance(*c);
        }
        if (next.what == Next::Refuse) {
            http::Response r;
            r.status = next.status;
            r.content_type = "text/plain; charset=utf-8";
            r.body = std::string(http::reason_phrase(next.status)) + "\n";
            respond(c, r, false, false, false);
        } else if (next.what == Next::Run) {
            run(c, std::move(next));
        }
    }

    void run(const ConnPtr& c, Next next) {
        in_flight++;
        if (draining) {
            in_flight--;
            http::Response busy;
            busy.status = 503;
            respond(c, busy, false, next.head, false);
            return;
        }
        next.request.remote = c->remote;
        auto job = std::make_shared<Next>(std::move(next));
        const bool queued = pool->post([this, c, job] {
            // A client that hung up while its request waited (as clients do on their timeout) gets
            // no work done: under overload the queue drains at once.
            bool gone;
            {
                std::lock_guard<std::mutex> lock(c->m);
                gone = c->closed;
            }
            if (gone) {
                in_flight--;
                return;
            }
            http::Response res = app->handle(job->request);
            respond(c, res, job->keep_alive && !draining, job->head, job->http10);
            in_flight--;
        });
        if (!queued) {
            in_flight--;
            http::Response busy;
            busy.status = 503;
            busy.header("Retry-After", "1");
            respond(c, busy, false, next.head, false);
        }
    }

    // Hands the answer to Pistache; once written, the next request is parsed or the connection closes.
    void respond(const ConnPtr& c, const http::Response& res, bool keep_alive, bool head, bool http10) {
        std::string bytes = http1::write_response(res, keep_alive, head, http10, current_date());
        std::optional<Async::Promise<ssize_t>> written;
        {
            std::lock_guard<std::mutex> lock(c->m);
            if (c->closed) return;
            const size_t size = bytes.size();
            written.emplace(c->peer->send(RawBuffer(std::move(bytes), size)));
        }
        // Attached outside the lock: the continuation may run at once, on this thread.
        written->then(
            [this, c, keep_alive](ssize_t) {
                if (keep_alive) {
                    {
                        std::lock_guard<std::mutex> lock(c->m);
                        c->busy = false;
                        c->timer = Timer::None;  // the keep-alive wait starts now
                    }
                    pump(c);
                    return;
                }
                std::lock_guard<std::mutex> lock(c->m);
                shut(*c, SHUT_WR);
                c->half_closed = true;
                c->timer = Timer::Linger;
                c->deadline = Clock::now() + kLinger;
            },
            [c](std::exception_ptr) {
                std::lock_guard<std::mutex> lock(c->m);
                shut(*c, SHUT_RDWR);
            });
    }

    void on_input(const ConnPtr& c, const char* data, size_t len) {
        {
            std::lock_guard<std::mutex> lock(c->m);
            if (c->closed) return;
            if (c->half_closed || c->discarding) {
                c->discarded += len;
                if (c->discarded > kLingerBytes) shut(*c, SHUT_RD);
                return;
            }
            if (c->pending.size() + len > max_pending) {  // far more than one request ahead
                shut(*c, SHUT_RDWR);
                return;
            }
            c->pending.append(data, len);
            if (c->busy) return;
        }
        pump(c);
    }

    // Closes connections whose timer ran out: idle keep-alive ones silently, unfinished requests with
    // 408, lingering ones for good. Draining closes idle connections at once.
    void sweep() {
        std::vector<ConnPtr> all;
        {
            std::lock_guard<std::mutex> lock(registry_mutex);
            all.reserve(conns.size());
            for (auto& [_, c] : conns) all.push_back(c);
        }
        const auto now = Clock::now();
        for (auto& c : all) {
            bool timed_out_request = false;
            {
                std::lock_guard<std::mutex> lock(c->m);
                if (c->closed || c->busy) continue;
                const bool expired = now >= c->deadline;
                switch (c->timer) {
                    case Timer::Idle:
                        if (expired || draining) shut(*c, SHUT_RDWR);
                        break;
                    case Timer::Linger:
                        if (expired) shut(*c, SHUT_RDWR);
                        break;
                    case Timer::Head:
                    case Timer::Body:
                        if (expired) {
                            c->busy = true;
                            timed_out_request = true;
                        }
                        break;
                    case Timer::None:
                        break;
                }
            }
            if (timed_out_request) {
                http::Response r;
                r.status = 408;
                respond(c, r, false, false, false);
            }
        }
    }
};

class Handler : public Tcp::Handler {
public:
    explicit Handler(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
    std::shared_ptr<Tcp::Handler> clone() const override { return std::make_shared<Handler>(shared_); }

    void onConnection(const std::shared_ptr<Tcp::Peer>& peer) override {
        auto c = std::make_shared<Conn>(peer, shared_->limits);
        bool refuse;
        {
            std::lock_guard<std::mutex> lock(shared_->registry_mutex);
            refuse = shared_->max_connections && shared_->conns.size() >= shared_->max_connections;
            shared_->conns.emplace(peer.get(), c);
        }
        std::lock_guard<std::mutex> lock(c->m);
        shared_->set_timer(*c, Timer::Idle, shared_->header_timeout);  // the first request is due soon
        if (refuse) Shared::shut(*c, SHUT_RDWR);
    }

    void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
        if (auto c = shared_->find(peer.get())) shared_->on_input(c, buffer, len);
    }

    void onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) override {
        ConnPtr c;
        {
            std::lock_guard<std::mutex> lock(shared_->registry_mutex);
            auto it = shared_->conns.find(peer.get());
            if (it == shared_->conns.end()) return;
            c = it->second;
            shared_->conns.erase(it);
        }
        {
            std::lock_guard<std::mutex> lock(c->m);
            c->closed = true;  // from here on nothing is sent on this fd
        }
        // Pistache closes the fd next, and a new connection may get the same number: answers still
        // queued for this one are written now, to this peer, not later to that one.
        transport()->flush();
    }

private:
    std::shared_ptr<Shared> shared_;
};

}  // namespace

struct HttpServer::Impl {
    App& app;
    std::shared_ptr<Shared> shared = std::make_shared<Shared>();
    std::unique_ptr<Tcp::Listener> listener;
    std::thread janitor;
    std::atomic<bool> stop_janitor{false};
    bool running = false;
    std::uint16_t port = 0;
    explicit Impl(App& a) : app(a) {}
};

HttpServer::HttpServer(App& app) : impl_(std::make_unique<Impl>(app)) {}

HttpServer::~HttpServer() {
    if (impl_->running) stop(5);
}

void HttpServer::start() {
    const Config& c = impl_->app.config();
    auto& s = *impl_->shared;
    s.app = &impl_->app;
    s.limits.max_request_line = c.max_request_line_bytes;
    s.limits.max_header_bytes = c.max_header_bytes;
    s.limits.max_headers = c.max_headers;
    s.limits.max_body = c.max_body_bytes;
    s.max_pending = c.max_body_bytes + c.max_header_bytes + c.max_request_line_bytes;
    s.header_timeout = std::chrono::seconds(c.header_timeout_s);
    s.body_timeout = std::chrono::seconds(c.body_timeout_s);
    s.keepalive_timeout = std::chrono::seconds(c.keepalive_timeout_s);
    s.max_connections = c.max_connections;
    s.pool = std::make_unique<WorkerPool>(c.workers, c.workers * 64);

    Address addr(c.address, Port(static_cast<uint16_t>(c.port)));
    impl_->listener = std::make_unique<Tcp::Listener>(addr);
    impl_->listener->init(c.io_threads, Flags<Tcp::Options>(Tcp::Options::ReuseAddr) | Tcp::Options::NoDelay);
    impl_->listener->setHandler(std::make_shared<Handler>(impl_->shared));
    impl_->listener->bind();
    impl_->port = static_cast<std::uint16_t>(impl_->listener->getPort());
    impl_->listener->runThreaded();
    impl_->janitor = std::thread([impl = impl_.get()] {
        while (!impl->stop_janitor) {
            impl->shared->sweep();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    impl_->running = true;
}

std::uint16_t HttpServer::port() const { return impl_->port; }

bool HttpServer::stop(int grace_seconds) {
    if (!impl_->running) return true;
    auto& s = *impl_->shared;
    s.draining = true;  // idle connections close at the next sweep; new requests get 503
    const auto deadline = Clock::now() + std::chrono::seconds(grace_seconds);
    while (s.in_flight > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const bool drained = s.in_flight == 0;
    impl_->stop_janitor = true;
    impl_->janitor.join();
    if (!drained) {
        impl_->running = false;
        return false;  // a request is stuck (a hung database): the caller exits without waiting
    }
    impl_->listener->shutdown();
    s.pool->stop();
    impl_->listener.reset();
    // The reactors are gone; the connections still open are ours to close.
    std::lock_guard<std::mutex> lock(s.registry_mutex);
    for (auto& [_, c] : s.conns) {
        std::lock_guard<std::mutex> conn_lock(c->m);
        if (!c->closed) ::close(c->fd);
        c->closed = true;
    }
    s.conns.clear();
    impl_->running = false;
    return true;
}

}  // namespace app
