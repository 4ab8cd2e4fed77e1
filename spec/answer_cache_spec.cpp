// Answers a connection keeps (Conn::query_cached, scalar_cached, ids_cached) are reused only while the
// database is unchanged: another writer's commit (another process, as Redmine beside us), a write on
// the connection itself and a rolled-back transaction must all show in the next answer.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "spec/support.h"

using namespace spec;

namespace {

const std::string kName = "SELECT name FROM trackers WHERE id = ?";

std::string tracker_name(db::Conn& c) { return c.query_cached(kName, {1LL}).at(0).s(0); }

}  // namespace

TEST_CASE("kept answers are reused while nothing changes, and only on SQLite") {
    TestDb tdb(Data::Default);
    auto mine = tdb.open(1);
    auto c = mine->connect();
    CHECK(tracker_name(*c) == "Bug");
    const long long reused = mine->reused();
    CHECK(tracker_name(*c) == "Bug");
    CHECK(c->scalar_cached("SELECT COUNT(*) FROM trackers WHERE id > ?", {0LL}) == 3);
    CHECK(c->scalar_cached("SELECT COUNT(*) FROM trackers WHERE id > ?", {1LL}) == 2);  // other params
    CHECK(c->scalar_cached("SELECT COUNT(*) FROM trackers WHERE id > ?", {0LL}) == 3);
    CHECK(mine->reused() - reused == (mysql() ? 0 : 2));
}

TEST_CASE("kept answers follow another writer's commit") {
    TestDb tdb(Data::Default);
    auto mine = tdb.open(1);
    auto other = tdb.open(1);  // another connection, as another server process or Redmine would be
    auto c = mine->connect();
    CHECK(tracker_name(*c) == "Bug");
    const std::string ids_sql = "SELECT id FROM trackers ORDER BY position DESC, id";
    CHECK(*c->ids_cached(ids_sql) == std::vector<long long>{3, 2, 1});
    {
        auto o = other->connect();
        o->exec("UPDATE trackers SET name = ? WHERE id = ?", {std::string("Defect"), 1LL});
        o->exec("UPDATE trackers SET position = ? WHERE id = ?", {10LL, 1LL});
    }
    CHECK(tracker_name(*c) == "Defect");
    CHECK(*c->ids_cached(ids_sql) == std::vector<long long>{1, 3, 2});
}

TEST_CASE("kept answers follow this connection's writes and forget a rolled-back transaction") {
    TestDb tdb(Data::Default);
    auto mine = tdb.open(1);
    auto c = mine->connect();
    CHECK(tracker_name(*c) == "Bug");
    c->exec("UPDATE trackers SET name = ? WHERE id = ?", {std::string("Defect"), 1LL});
    CHECK(tracker_name(*c) == "Defect");
    {
        db::Tx tx(*c);
        c->exec("UPDATE trackers SET name = ? WHERE id = ?", {std::string("Fault"), 1LL});
        CHECK(tracker_name(*c) == "Fault");  // inside the transaction: its own uncommitted write
    }                                        // rolled back
    CHECK(tracker_name(*c) == "Defect");
    {
        db::Tx tx(*c);
        c->exec("UPDATE trackers SET name = ? WHERE id = ?", {std::string("Fault"), 1LL});
        tx.commit();
    }
    CHECK(tracker_name(*c) == "Fault");
}

TEST_CASE("issue and time-entry lists answer another writer's changes at once") {
    Client client;
    auto count = [&](const std::string& target) {
        auto r = client.get(target);
        REQUIRE(r.status == 200);
        return nlohmann::json::parse(r.body)["total_count"].get<long long>();
    };
    const long long open_issues = count("/issues.json?limit=1");
    const long long entries = count("/time_entries.json?limit=1");
    CHECK(open_issues ==
          client.scalar("SELECT COUNT(*) FROM issues i JOIN issue_statuses s ON s.id = i.status_id "
                        "WHERE s.is_closed = ?",
                        {0LL}));
    CHECK(count("/issues.json?limit=1") == open_issues);  // a kept count, on SQLite
    const long long open_id = client.scalar(
        "SELECT MIN(i.id) FROM issues i JOIN issue_statuses s ON s.id = i.status_id "
        "WHERE s.is_closed = ?",
        {0LL});
    const long long closed_status =
        client.scalar("SELECT MIN(id) FROM issue_statuses WHERE is_closed = ?", {1LL});
    {
        auto other = client.db().open(1);
        auto o = other->connect();
        o->exec("UPDATE issues SET status_id = ? WHERE id = ?", {closed_status, open_id});
        o->exec("DELETE FROM time_entries WHERE id = (SELECT MIN(id) FROM time_entries)");
    }
    CHECK(count("/issues.json?limit=1") == open_issues - 1);
    CHECK(count("/time_entries.json?limit=1") == entries - 1);
    CHECK(count("/time_entries.json?limit=1&offset=5") == entries - 1);
}
