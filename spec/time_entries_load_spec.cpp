// The CI-bot load test of issue 8: the real server (a loopback socket, the worker pool,
// the connection pool) takes 10,000 time entries from 32 concurrent keep-alive connections, JSON and
// XML, several users, projects and issues; every answer must be 201 and the database must then hold
// exactly the posted rows and hours. SPEC_LOAD_COUNT changes the count (e.g. for sanitizer builds).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "spec/wire.h"

using namespace spec;

namespace {

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

    LiveServer server(Data::Seeded, [](app::Config& c) {
        c.workers = 8;
        c.pool_size = 8;
    });
    auto check_db = server.db().open(1);
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
            auto conn = std::make_unique<Wire>(server.port(), 60);
            for (long long k; (k = next++) < count;) {
                int status = conn->ok() && conn->write(request_for(k)) ? Wire::status(conn->read_response()) : 0;
                if (status == 201) {
                    created++;
                    continue;
                }
                std::lock_guard<std::mutex> lock(failures_mutex);
                failures[status]++;
                if (status == 0) conn = std::make_unique<Wire>(server.port(), 60);  // broken: reconnect
            }
        });
    for (auto& t : threads) t.join();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    server.http().stop(5);
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
