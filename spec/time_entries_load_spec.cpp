// The CI-bot load test of issue 8: the real server (Pistache over a loopback socket, the worker pool,
// the connection pool) takes 10,000 time entries from 32 concurrent keep-alive connections, JSON and
// XML, several users, projects and issues; every answer must be 201 and the database must then hold
// exactly the posted rows and hours. SPEC_LOAD_COUNT changes the count (e.g. for sanitizer builds).
#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/context.h"
#include "server/http_adapter.h"
#include "spec/support.h"

using namespace spec;

namespace {

// One keep-alive HTTP/1.1 connection with blocking sockets.
class LoadConnection {
public:
    explicit LoadConnection(uint16_t port) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{60, 0};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~LoadConnection() { close(fd_); }
    LoadConnection(const LoadConnection&) = delete;
    LoadConnection& operator=(const LoadConnection&) = delete;
    bool ok() const { return ok_; }

    // Sends one request and returns the status of its answer (0 when the connection broke).
    int exchange(const std::string& request) {
        size_t sent = 0;
        while (sent < request.size()) {
            ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return 0;
            sent += static_cast<size_t>(n);
        }
        size_t header_end;
        while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos)
            if (!fill()) return 0;
        size_t length = 0;
        const std::string head = buf_.substr(0, header_end);
        if (auto cl = head.find("Content-Length: "); cl != std::string::npos)
            length = std::stoul(head.substr(cl + 16));
        while (buf_.size() < header_end + 4 + length)
            if (!fill()) return 0;
        buf_.erase(0, header_end + 4 + length);
        if (head.rfind("HTTP/1.1 ", 0) != 0) return 0;
        return std::atoi(head.c_str() + 9);
    }

private:
    bool fill() {
        char chunk[8192];
        ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buf_.append(chunk, static_cast<size_t>(n));
        return true;
    }
    int fd_ = -1;
    bool ok_ = false;
    std::string buf_;
};

// Who posts where: each user logs time on projects and issues where one of their roles has log_time.
struct Poster {
    std::string key;
    long long project_id;
    long long issue_id;  // 0: on the project only
};
const std::vector<Poster> kPosters = {
    {kAdminKey, 1, 2},  {kAdminKey, 3, 0},   {kJsmithKey, 1, 3},  {kJsmithKey, 2, 16},
    {kJsmithKey, 3, 23}, {kDlopperKey, 1, 4}, {kDlopperKey, 2, 0}, {kDlopperKey, 3, 24},
    {kRhillKey, 1, 0},  {kRhillKey, 2, 17},
};

std::string request_for(long long k) {
    const Poster& p = kPosters[static_cast<size_t>(k) % kPosters.size()];
    // hours are multiples of 0.25, exact in binary (and in MySQL's FLOAT), so the sums compare exactly
    const std::string hours = std::to_string(0.25 * static_cast<double>(k % 16 + 1));
    const std::string day = "2026-01-" + std::string(k % 28 < 9 ? "0" : "") + std::to_string(k % 28 + 1);
    const std::string activity = k % 3 ? "9" : "8";
    const std::string target = p.issue_id ? "issue_id" : "project_id";
    const long long target_id = p.issue_id ? p.issue_id : p.project_id;
    std::string body, path;
    if (k % 2) {
        path = "/time_entries.xml";
        body = "<time_entry><" + target + ">" + std::to_string(target_id) + "</" + target + "><hours>" + hours +
               "</hours><spent_on>" + day + "</spent_on><activity_id>" + activity +
               "</activity_id><comments>load " + std::to_string(k) + "</comments></time_entry>";
    } else {
        path = "/time_entries.json";
        body = "{\"time_entry\":{\"" + target + "\":" + std::to_string(target_id) + ",\"hours\":" + hours +
               ",\"spent_on\":\"" + day + "\",\"activity_id\":" + activity + ",\"comments\":\"load " +
               std::to_string(k) + "\"}}";
    }
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Redmine-API-Key: " + p.key +
           "\r\nContent-Type: application/" + (k % 2 ? "xml" : "json") +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

double sum_hours(db::Conn& c, long long after_id) {
    auto r = c.one("SELECT SUM(hours) FROM time_entries WHERE id > ?", {after_id});
    return r && !r->null(0) ? r->f(0) : 0.0;
}

}  // namespace

TEST_CASE("load: 10,000 time entries over 32 keep-alive connections, all stored") {
    long long count = 10000;
    if (const char* env = std::getenv("SPEC_LOAD_COUNT"); env && std::atoll(env) > 0) count = std::atoll(env);
    const int connections = 32;

    TestDb db(Data::Seeded);
    app::Config config;
    config.database = db.url();
    config.port = 0;
    config.workers = 8;
    config.pool_size = 8;
    config.log_level = "error";
    app::App application(config);
    app::HttpServer http(application);
    http.start();

    auto check_db = db.open(1);
    long long max_before = 0, rows_before = 0;
    {
        auto c = check_db->connect();
        max_before = c->scalar("SELECT COALESCE(MAX(id), 0) FROM time_entries");
        rows_before = c->scalar("SELECT COUNT(*) FROM time_entries");
    }
    double expected_hours = 0;
    for (long long k = 0; k < count; ++k) expected_hours += 0.25 * static_cast<double>(k % 16 + 1);

    std::atomic<long long> next{0}, created{0};
    std::mutex failures_mutex;
    std::map<int, long long> failures;  // status -> how many
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < connections; ++t)
        threads.emplace_back([&] {
            auto conn = std::make_unique<LoadConnection>(http.port());
            for (long long k; (k = next++) < count;) {
                int status = conn->ok() ? conn->exchange(request_for(k)) : 0;
                if (status == 201) {
                    created++;
                    continue;
                }
                std::lock_guard<std::mutex> lock(failures_mutex);
                failures[status]++;
                if (status == 0) conn = std::make_unique<LoadConnection>(http.port());  // broken: reconnect
            }
        });
    for (auto& t : threads) t.join();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    http.stop(5);
    MESSAGE(count << " time entries over " << connections << " connections on " << std::string(mysql() ? "MariaDB" : "SQLite")
                  << " in " << elapsed.count() << " s (" << static_cast<double>(count) / elapsed.count()
                  << " req/s)");

    for (const auto& [status, n] : failures) MESSAGE("status " << status << ": " << n << " answers");
    CHECK(failures.empty());
    CHECK(created == count);
    auto c = check_db->connect();
    CHECK(c->scalar("SELECT COUNT(*) FROM time_entries") - rows_before == count);
    CHECK(c->scalar("SELECT COUNT(*) FROM time_entries WHERE id > ?", {max_before}) == count);
    CHECK(sum_hours(*c, max_before) == expected_hours);
    // what each poster wrote landed where it was sent
    CHECK(c->scalar("SELECT COUNT(*) FROM time_entries WHERE id > ? AND issue_id = ?", {max_before, 16LL}) ==
          (count + 6) / 10);
}
