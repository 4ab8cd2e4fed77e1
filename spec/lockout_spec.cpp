// The brute-force guard of password logins (server/password_login.h): the account lockout after
// consecutive wrong passwords, the per-address limit, both kept in the database for every instance.
#include <doctest/doctest.h>

#include <cstdlib>

#include "server/config.h"
#include "spec/support.h"

using namespace spec;

namespace {

const std::string kRight = "jsmith-pass-123";

http::Response as_basic(app::App& a, const std::string& user, const std::string& password,
                        const std::string& remote = "127.0.0.1") {
    Call call;
    call.target = "/users/current.json";
    call.headers["Authorization"] = basic(user, password);
    call.remote = remote;
    return spec::call(a, call);
}
http::Response as_basic(Client& c, const std::string& user, const std::string& password,
                        const std::string& remote = "127.0.0.1") {
    return as_basic(c.app(), user, password, remote);
}

long long failures_of(Client& c, long long user_id) {
    return c.scalar("SELECT COUNT(*) FROM tokens WHERE action = 'failed_login' AND user_id = ?", {user_id});
}

// Moves every recorded failure back in time, as if it had happened `ago` before now.
void age_failures(Client& c, std::chrono::seconds ago) {
    auto conn = c.database().connect();
    conn->exec("UPDATE tokens SET created_on = ? WHERE action = 'failed_login'",
               {conn->time_text(std::chrono::system_clock::now() - ago)});
}

void lock_jsmith(Client& c) {
    for (int i = 0; i < 3; ++i) REQUIRE(as_basic(c, "jsmith", "wrong").status == 401);
}

int retry_after(const http::Response& r) { return std::atoi(header(r, "Retry-After").c_str()); }

app::Config with_address_limit(int limit) {
    app::Config config;
    config.address_failure_limit = limit;
    return config;
}

}  // namespace

TEST_CASE("three wrong passwords lock an account's password logins, not its API key") {
    Client c;
    lock_jsmith(c);
    CHECK(failures_of(c, 5) == 3);
    auto r = as_basic(c, "jsmith", kRight);
    CHECK(r.status == 401);
    CHECK(header(r, "WWW-Authenticate") == "Basic realm=\"Redmine API\"");
    CHECK(r.body.empty());
    // The key, in the header or as Basic's user name, still works; other accounts are not locked.
    CHECK(c.get("/users/current.json", kJsmithKey).status == 200);
    auto by_key = as_basic(c, kJsmithKey, "anything");
    REQUIRE(by_key.status == 200);
    CHECK(json(by_key)["user"]["id"] == 5);
    CHECK(as_basic(c, "dlopper", "dlopper-pass-123").status == 200);
    // Attempts while locked out do not stretch the lock: they count for the address only.
    CHECK(failures_of(c, 5) == 3);
    CHECK(failures_of(c, 0) == 1);
    // A key used as Basic's user name is no failed login.
    CHECK(c.scalar("SELECT COUNT(*) FROM tokens WHERE action = 'failed_login'") == 4);
}

TEST_CASE("a right password before the limit starts the count afresh") {
    Client c;
    for (int round = 0; round < 2; ++round) {
        CHECK(as_basic(c, "jsmith", "wrong").status == 401);
        CHECK(as_basic(c, "JSmith", "wrong").status == 401);
        CHECK(failures_of(c, 5) == 2);
        CHECK(as_basic(c, "jsmith", kRight).status == 200);
        CHECK(failures_of(c, 5) == 0);
    }
}

TEST_CASE("the lock ends lockout_minutes after the last failure, and one more wrong password locks again") {
    Client c;
    lock_jsmith(c);
    age_failures(c, std::chrono::minutes(14));
    CHECK(as_basic(c, "jsmith", kRight).status == 401);
    age_failures(c, std::chrono::minutes(16));
    CHECK(as_basic(c, "jsmith", kRight).status == 200);
    CHECK(failures_of(c, 5) == 0);

    lock_jsmith(c);
    age_failures(c, std::chrono::minutes(16));
    CHECK(as_basic(c, "jsmith", "wrong").status == 401);
    CHECK(as_basic(c, "jsmith", kRight).status == 401);
}

TEST_CASE("failures older than a day are forgotten, as Redmine's token pruning forgets them") {
    Client c;
    lock_jsmith(c);
    age_failures(c, std::chrono::hours(25));
    CHECK(as_basic(c, "jsmith", "wrong").status == 401);
    CHECK(as_basic(c, "jsmith", kRight).status == 200);
    // Recording a failure drops the account's rows older than a day.
    lock_jsmith(c);
    age_failures(c, std::chrono::hours(25));
    CHECK(as_basic(c, "jsmith", "wrong").status == 401);
    CHECK(failures_of(c, 5) == 1);
}

TEST_CASE("lockout_failures and lockout_minutes are settings; 0 failures turns the lockout off") {
    app::Config five;
    five.lockout_failures = 5;
    five.lockout_minutes = 60;
    Client c(Data::Seeded, five);
    for (int i = 0; i < 4; ++i) CHECK(as_basic(c, "jsmith", "wrong").status == 401);
    CHECK(as_basic(c, "jsmith", kRight).status == 200);
    for (int i = 0; i < 5; ++i) CHECK(as_basic(c, "jsmith", "wrong").status == 401);
    age_failures(c, std::chrono::minutes(30));
    CHECK(as_basic(c, "jsmith", kRight).status == 401);

    app::Config off;
    off.lockout_failures = 0;
    Client d(Data::Seeded, off);
    for (int i = 0; i < 6; ++i) CHECK(as_basic(d, "jsmith", "wrong").status == 401);
    CHECK(as_basic(d, "jsmith", kRight).status == 200);
}

TEST_CASE("the count survives a restart and holds across instances on one database") {
    Client c;
    app::Config config;
    config.database = c.db().url();
    config.pool_size = 1;
    auto other = std::make_unique<app::App>(config);
    CHECK(as_basic(c, "jsmith", "wrong").status == 401);
    CHECK(as_basic(*other, "jsmith", "wrong").status == 401);
    CHECK(as_basic(c, "jsmith", "wrong").status == 401);
    CHECK(as_basic(*other, "jsmith", kRight).status == 401);
    CHECK(as_basic(c, "jsmith", kRight).status == 401);
    other = std::make_unique<app::App>(config);  // a restart
    CHECK(as_basic(*other, "jsmith", kRight).status == 401);
    // An unlock through one instance is seen by the other.
    Call unlock;
    unlock.method = "PUT";
    unlock.target = "/users/5.json";
    unlock.body = R"({"user":{"status":1}})";
    unlock.headers = {{"Content-Type", "application/json"}, {"X-Redmine-API-Key", kAdminKey}};
    CHECK(spec::call(*other, unlock).status == 204);
    CHECK(as_basic(c, "jsmith", kRight).status == 200);
}

TEST_CASE("an admin unlocks with PUT /users/:id status 1 or a new password; nobody else can") {
    Client c;
    lock_jsmith(c);
    CHECK(c.send("PUT", "/users/5.json", R"({"user":{"status":1}})", kDlopperKey).status == 403);
    CHECK(c.send("PUT", "/users/5.json", R"({"user":{"firstname":"John"}})").status == 204);
    CHECK(as_basic(c, "jsmith", kRight).status == 401);  // other changes leave the lock
    CHECK(c.send("PUT", "/users/5.json", R"({"user":{"status":1}})").status == 204);
    CHECK(failures_of(c, 5) == 0);
    CHECK(as_basic(c, "jsmith", kRight).status == 200);

    lock_jsmith(c);
    CHECK(c.send("PUT", "/users/5.json", R"({"user":{"password":"brand-new-pass-1"}})").status == 204);
    CHECK(as_basic(c, "jsmith", "brand-new-pass-1").status == 200);
}

TEST_CASE("an address over address_failure_limit refused logins gets 429 with Retry-After") {
    Client c(Data::Seeded, with_address_limit(3));
    const std::string bad = "10.0.0.1";
    CHECK(as_basic(c, "nobody", "x", bad).status == 401);
    CHECK(as_basic(c, "jsmith", "wrong", bad).status == 401);
    CHECK(as_basic(c, "dlopper", "wrong", bad).status == 401);
    auto r = as_basic(c, "jsmith", kRight, bad);
    CHECK(r.status == 429);
    CHECK(r.body.empty());
    CHECK(header(r, "WWW-Authenticate").empty());
    CHECK(retry_after(r) >= 1);
    CHECK(retry_after(r) <= 60);
    // Refused unchecked, it counts for nothing; API keys from that address still work.
    CHECK(c.scalar("SELECT COUNT(*) FROM tokens WHERE action = 'failed_login'") == 3);
    CHECK(c.get("/users/current.json", kJsmithKey).status == 200);
    CHECK(as_basic(c, kJsmithKey, "x", bad).status == 200);
    // Other addresses are not limited.
    CHECK(as_basic(c, "jsmith", kRight, "10.0.0.2").status == 200);
    // Retry-After counts down to the moment the oldest counted failure leaves the window.
    age_failures(c, std::chrono::seconds(50));
    r = as_basic(c, "jsmith", kRight, bad);
    CHECK(r.status == 429);
    CHECK(retry_after(r) >= 5);
    CHECK(retry_after(r) <= 10);
    age_failures(c, std::chrono::seconds(61));
    CHECK(as_basic(c, "jsmith", kRight, bad).status == 200);
}

TEST_CASE("address_failure_window_s is a setting; a limit of 0 turns the address limit off") {
    app::Config config = with_address_limit(2);
    config.address_failure_window_s = 600;
    Client c(Data::Seeded, config);
    CHECK(as_basic(c, "nobody", "x").status == 401);
    CHECK(as_basic(c, "nobody", "x").status == 401);
    age_failures(c, std::chrono::seconds(300));
    auto r = as_basic(c, "jsmith", kRight);
    CHECK(r.status == 429);
    CHECK(retry_after(r) > 60);
    CHECK(retry_after(r) <= 300);

    Client d(Data::Seeded, with_address_limit(0));
    for (int i = 0; i < 25; ++i) REQUIRE(as_basic(d, "nobody", "x").status == 401);
    CHECK(as_basic(d, "jsmith", kRight).status == 200);
}

TEST_CASE("behind a trusted proxy the forwarded client address is the one counted") {
    app::Config config = with_address_limit(2);
    config.trusted_proxies = {"10.9.9.9"};
    Client c(Data::Seeded, config);
    auto attempt = [&](const std::string& remote, const std::string& forwarded, const std::string& password) {
        Call call;
        call.target = "/users/current.json";
        call.headers["Authorization"] = basic("jsmith", password);
        call.headers["X-Forwarded-For"] = forwarded;
        call.remote = remote;
        return c.call(call).status;
    };
    CHECK(attempt("10.9.9.9", "203.0.113.5", "wrong") == 401);
    CHECK(attempt("10.9.9.9", "198.51.100.1, 203.0.113.5, 10.9.9.9", "wrong") == 401);
    CHECK(attempt("10.9.9.9", "203.0.113.5", kRight) == 429);
    CHECK(attempt("10.9.9.9", "203.0.113.6", kRight) == 200);
    // An untrusted peer's header is ignored: its own address counts.
    CHECK(attempt("10.0.0.7", "203.0.113.5", kRight) == 200);
}

TEST_CASE("failed logins are stored as Redmine token rows that Redmine does not use") {
    Client c;
    CHECK(as_basic(c, "jsmith", "wrong").status == 401);
    CHECK(as_basic(c, "nobody", "x").status == 401);
    auto conn = c.database().connect();
    const auto rows = conn->query(
        "SELECT user_id, value, created_on FROM tokens WHERE action = 'failed_login' ORDER BY id");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].i(0) == 5);
    CHECK(rows[1].i(0) == 0);
    for (const auto& r : rows) {
        CHECK(r.s(1).size() == 40);
        CHECK(r.s(1).find_first_not_of("0123456789abcdef") == std::string::npos);
    }
    // Both rows come from one address: the same 20 leading digits; another address has others.
    CHECK(rows[0].s(1).substr(0, 20) == rows[1].s(1).substr(0, 20));
    CHECK(as_basic(c, "nobody", "x", "192.0.2.1").status == 401);
    CHECK(conn->query("SELECT value FROM tokens WHERE action = 'failed_login' ORDER BY id DESC LIMIT 1")[0]
              .s(0)
              .substr(0, 20) != rows[0].s(1).substr(0, 20));
}

TEST_CASE("the guard's settings come from the file and REDMINE_ environment variables") {
    app::Config d;
    CHECK(d.lockout_failures == 3);
    CHECK(d.lockout_minutes == 15);
    CHECK(d.address_failure_limit == 20);
    CHECK(d.address_failure_window_s == 60);
    setenv("REDMINE_LOCKOUT_FAILURES", "7", 1);
    setenv("REDMINE_LOCKOUT_MINUTES", "30", 1);
    setenv("REDMINE_ADDRESS_FAILURE_LIMIT", "0", 1);
    setenv("REDMINE_ADDRESS_FAILURE_WINDOW_S", "120", 1);
    const app::Config e = app::load_config("");
    CHECK(e.lockout_failures == 7);
    CHECK(e.lockout_minutes == 30);
    CHECK(e.address_failure_limit == 0);
    CHECK(e.address_failure_window_s == 120);
    setenv("REDMINE_LOCKOUT_MINUTES", "2000", 1);  // beyond the day the failures are kept
    CHECK_THROWS_AS(app::load_config(""), std::runtime_error);
    for (const char* v : {"REDMINE_LOCKOUT_FAILURES", "REDMINE_LOCKOUT_MINUTES",
                          "REDMINE_ADDRESS_FAILURE_LIMIT", "REDMINE_ADDRESS_FAILURE_WINDOW_S"})
        unsetenv(v);
}
