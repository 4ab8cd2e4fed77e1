// Follow-up scheduling (precedes/follows with delay, working days), and what Journal#save and
// Issue#project= do besides the attributes: split private notes, auto-watching, cleared parents and
// custom values. Expected values were checked against the reference Redmine (scripts/compare-writes.py).
#include <doctest/doctest.h>

#include "spec/support.h"

using namespace spec;

namespace {

std::string details(Client& c, long long journal_id) {
    auto conn = c.database().connect();
    std::string out;
    for (const auto& r : conn->query("SELECT property, prop_key, old_value, value FROM journal_details "
                                     "WHERE journal_id = ? ORDER BY id",
                                     {journal_id}))
        out += r.s(0) + ":" + r.s(1) + ":" + (r.null(2) ? "nil" : r.s(2)) + ">" +
               (r.null(3) ? "nil" : r.s(3)) + ";";
    return out;
}

long long last_journal(Client& c, long long issue_id) {
    return c.scalar("SELECT MAX(id) FROM journals WHERE journalized_type = 'Issue' AND journalized_id = ?",
                    {issue_id});
}

std::string dates(Client& c, long long id) {
    auto r = json(c.get("/issues/" + std::to_string(id) + ".json"))["issue"];
    return r["start_date"].dump() + ".." + r["due_date"].dump();
}

}  // namespace

TEST_CASE("issue scheduling: a precedes relation moves the follower by working days, with journals") {
    Client c;
    // 2026-03-02 is a Monday, 03-06 a Friday
    REQUIRE(
        c.send("PUT", "/issues/12.json", R"({"issue":{"start_date":"2026-03-02","due_date":"2026-03-06"}})")
            .status == 204);
    auto r = c.send("POST", "/issues/12/relations.json",
                    R"({"relation":{"issue_to_id":13,"relation_type":"precedes","delay":2}})", kJsmithKey);
    REQUIRE(r.status == 201);
    CHECK(json(r)["relation"]["delay"] == 2);
    // Friday + 1 + 2 working days: Wednesday; a follower without due date keeps a zero duration
    CHECK(dates(c, 13) == R"("2026-03-11".."2026-03-11")");
    // the follower's rescheduling and the relation share one journal, written after the other side's
    CHECK(details(c, last_journal(c, 13)) ==
          "attr:due_date:nil>2026-03-11;attr:start_date:2026-11-22>2026-03-11;relation:follows:nil>12;");
    CHECK(details(c, last_journal(c, 12)) == "relation:precedes:nil>13;");
    CHECK(last_journal(c, 12) > last_journal(c, 13));

    // the preceding issue ends later: the follower moves with a journal by the same user
    REQUIRE(c.send("PUT", "/issues/12.json", R"({"issue":{"due_date":"2026-03-13"}})", kJsmithKey).status ==
            204);
    CHECK(dates(c, 13) == R"("2026-03-18".."2026-03-18")");
    CHECK(details(c, last_journal(c, 13)) ==
          "attr:due_date:2026-03-11>2026-03-18;attr:start_date:2026-03-11>2026-03-18;");
    CHECK(c.scalar("SELECT user_id FROM journals WHERE id = ?", {last_journal(c, 13)}) == 5);
    CHECK(last_journal(c, 13) < last_journal(c, 12));  // followers are saved before the issue's own journal

    // the follower cannot start before the soonest start its predecessors allow
    auto bad = c.send("PUT", "/issues/13.json", R"({"issue":{"start_date":"2026-03-17"}})");
    CHECK(bad.status == 422);
    CHECK(bad.body ==
          R"({"errors":["Start date cannot be earlier than 03/18/2026 because of preceding issues"]})");
    CHECK(c.send("PUT", "/issues/13.json", R"({"issue":{"start_date":"2026-03-19","due_date":"2026-03-24"}})")
              .status == 204);

    // follows is stored reversed; the follower moves to its soonest start, earlier too
    auto f = c.send("POST", "/issues/14/relations.xml",
                    "<relation><issue_to_id>12</issue_to_id><relation_type>follows</relation_type>"
                    "<delay>0</delay></relation>");
    REQUIRE(f.status == 201);
    CHECK(f.body.find("<issue_id>12</issue_id><issue_to_id>14</issue_to_id><relation_type>precedes"
                      "</relation_type><delay>0</delay>") != std::string::npos);
    CHECK(dates(c, 14) == R"("2026-03-16".."2026-03-16")");
}

TEST_CASE("issue scheduling: a relation other than precedes has no delay and moves nothing") {
    Client c;
    auto r = c.send("POST", "/issues/12/relations.json",
                    R"({"relation":{"issue_to_id":13,"relation_type":"blocks","delay":4}})");
    REQUIRE(r.status == 201);
    CHECK(json(r)["relation"]["delay"].is_null());
    CHECK(dates(c, 13) == R"("2026-11-22"..null)");
    auto bad = c.send("POST", "/issues/12/relations.json",
                      R"({"relation":{"issue_to_id":"","relation_type":"relates"}})");
    CHECK(bad.status == 422);
    CHECK(bad.body == R"({"errors":["Related issue cannot be blank"]})");
}

TEST_CASE("issue writes: private notes with changes become two journals; contributors watch the issue") {
    Client c;
    REQUIRE(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_id = 12 AND watchable_type = 'Issue'") ==
            0);
    const long long before = c.scalar("SELECT MAX(id) FROM journals");
    REQUIRE(c.send("PUT", "/issues/12.json",
                   R"({"issue":{"subject":"Split","notes":"secret","private_notes":true}})", kJsmithKey)
                .status == 204);
    const long long notes = last_journal(c, 12);
    CHECK(notes == before + 2);
    CHECK(details(c, notes - 1) == "attr:subject:Wishlist>Split;");
    CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE id = ? AND notes IS NULL AND private_notes = ?",
                   {notes - 1, 0LL}) == 1);
    CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE id = ? AND notes = 'secret' AND private_notes = ?",
                   {notes, 1LL}) == 1);
    CHECK(details(c, notes) == "");
    // Journal#add_watcher: jsmith may add watchers and auto-watches what he contributes to
    CHECK(c.scalar("SELECT COUNT(*) FROM watchers WHERE watchable_id = 12 AND user_id = 5") == 1);
    // blank private notes are not private, and nothing to say writes no journal
    REQUIRE(c.send("PUT", "/issues/12.json", R"({"issue":{"notes":" ","private_notes":true}})").status ==
            204);
    CHECK(last_journal(c, 12) == notes);
    // every PUT saves the row (lock_version) even without a change
    const long long lock = c.scalar("SELECT lock_version FROM issues WHERE id = 12");
    REQUIRE(c.send("PUT", "/issues/12.json", R"({"issue":{}})").status == 204);
    CHECK(c.scalar("SELECT lock_version FROM issues WHERE id = 12") == lock + 1);
}

TEST_CASE("issue writes: a move to another project clears an invalid parent and unavailable custom values") {
    Client c;
    REQUIRE(
        c.scalar(
            "SELECT COUNT(*) FROM custom_values WHERE customized_type = 'Issue' AND customized_id = 17") ==
        1);
    REQUIRE(c.send("PUT", "/issues/17.json", R"({"issue":{"project_id":"internal-tools"}})").status == 204);
    CHECK(c.scalar(
              "SELECT COUNT(*) FROM issues WHERE id = 17 AND parent_id IS NULL AND root_id = 17 AND lft = 1 "
              "AND rgt = 2 AND project_id = 3") == 1);
    CHECK(details(c, last_journal(c, 17)) == "attr:project_id:2>3;attr:parent_id:16>nil;");
    CHECK(details(c, last_journal(c, 16)) == "attr:child_id:17>nil;");
    CHECK(c.scalar(
              "SELECT COUNT(*) FROM custom_values WHERE customized_type = 'Issue' AND customized_id = 17") ==
          0);
    CHECK(c.scalar("SELECT rgt FROM issues WHERE id = 16") == 4);
    // a new root created through the API starts at lock_version 1, a new subtask at 0
    auto root = json(c.send("POST", "/issues.json", R"({"issue":{"project_id":1,"subject":"root"}})"));
    CHECK(c.scalar("SELECT lock_version FROM issues WHERE id = ?", {root["issue"]["id"].get<long long>()}) ==
          1);
    auto child = json(c.send("POST", "/issues.json",
                             R"({"issue":{"project_id":1,"subject":"child","parent_issue_id":12}})"));
    CHECK(c.scalar("SELECT lock_version FROM issues WHERE id = ?", {child["issue"]["id"].get<long long>()}) ==
          0);
}

TEST_CASE("issue writes: a subtask joins its new parent among the siblings in id order") {
    Client c;
    // #1 has subtasks #2 (2-3) and #3 (4-5); #2 leaves and comes back: it goes before #3 again
    REQUIRE(c.send("PUT", "/issues/2.json", R"({"issue":{"parent_issue_id":""}})").status == 204);
    CHECK(c.scalar("SELECT lft FROM issues WHERE id = 3") == 2);
    REQUIRE(c.send("PUT", "/issues/2.json", R"({"issue":{"parent_issue_id":1}})").status == 204);
    CHECK(c.scalar("SELECT lft * 100 + rgt FROM issues WHERE id = 2") == 203);
    CHECK(c.scalar("SELECT lft * 100 + rgt FROM issues WHERE id = 3") == 405);
    CHECK(c.scalar("SELECT lft * 100 + rgt FROM issues WHERE id = 1") == 106);
}
