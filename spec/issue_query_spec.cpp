// Redmine 5.0.4's IssueQuery filters and sorts over the API, each with the exact issues it gives on the
// seeded reference data (../shared/reference/README.md). Expected ids are in the answer's order.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>

#include "resources/user_time_zone.h"
#include "spec/support.h"

using namespace spec;

namespace doctest {
template <>
struct StringMaker<std::vector<long long>> {
    static String convert(const std::vector<long long>& v) {
        std::string out = "{";
        for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
        return (out + "}").c_str();
    }
};
}  // namespace doctest

namespace {

using Ids = std::vector<long long>;

Ids list_ids(Client& c, const std::string& query, const std::string& key = kAdminKey) {
    auto r = c.get("/issues.json?" + query, key);
    INFO(query);
    REQUIRE(r.status == 200);
    const auto body = json(r);
    Ids out;
    for (const auto& i : body.at("issues")) out.push_back(i.at("id").get<long long>());
    return out;
}

long long total(Client& c, const std::string& query, const std::string& key = kAdminKey) {
    auto r = c.get("/issues.json?" + query, key);
    INFO(query);
    REQUIRE(r.status == 200);
    return json(r).at("total_count").get<long long>();
}

struct Case {
    std::string query;
    Ids expected;
};

void check_all(Client& c, const std::vector<Case>& cases, const std::string& key = kAdminKey) {
    for (const auto& k : cases) {
        CAPTURE(k.query);
        CHECK(list_ids(c, k.query + "&status_id=*&limit=100", key) == k.expected);
    }
}

// An issue custom field of the given format, for all projects and trackers, with values per issue.
void issue_field(Client& c, long long id, const std::string& format,
                 const std::map<long long, std::string>& values, bool multiple = false) {
    c.exec(
        "INSERT INTO custom_fields (id, type, name, field_format, is_for_all, is_filter, position, visible, "
        "multiple) VALUES (?, 'IssueCustomField', ?, ?, 1, 1, ?, 1, ?)",
        {id, "Field " + std::to_string(id), format, id, multiple ? 1LL : 0LL});
    for (long long t = 1; t <= 3; ++t)
        c.exec("INSERT INTO custom_fields_trackers (custom_field_id, tracker_id) VALUES (?, ?)", {id, t});
    for (const auto& [issue, value] : values)
        c.exec(
            "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) VALUES "
            "('Issue', ?, ?, ?)",
            {issue, id, value});
}

}  // namespace

TEST_CASE("issue filters: target version attributes") {
    Client c;
    check_all(c, {
                     {"fixed_version.due_date=<=2026-04-30", {29, 14, 10, 4, 3, 2, 1}},
                     {"fixed_version.due_date=><2026-06-01|2026-07-01", {30, 16, 12, 9, 8, 7}},
                     {"fixed_version.due_date=2026-03-31", {29, 14, 10, 4, 3, 2, 1}},
                     {"fixed_version.due_date=!*",
                      {28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 15, 13, 11, 6, 5}},
                     {"fixed_version.due_date=*&project_id=2", {16}},
                     {"fixed_version.status=open&project_id=2", {16}},
                     {"fixed_version.status=closed", {}},
                     {"fixed_version.status=!open",
                      {28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 15, 13, 11, 6, 5}},
                 });
    // a project sees its own and its shared versions: 1.1 is shared with the subproject, 1.0 is not
    CHECK(json(c.get(
              "/projects/webshop-mobile/issues.json?fixed_version.due_date=*&status_id=*"))["total_count"] ==
          1);
    c.exec("UPDATE versions SET status = 'closed' WHERE id = 2");
    check_all(c, {{"fixed_version.status=closed", {30, 16, 12, 9, 8, 7}},
                  {"fixed_version.status=!closed&project_id=3", {28, 27, 26, 25, 24, 23}}});
    auto r = c.get("/issues.json?fixed_version.due_date=>=2026-02-30");
    CHECK(r.status == 422);
    CHECK(json(r)["errors"] == nlohmann::json::parse(R"(["Target version's Due date is invalid"])"));
}

TEST_CASE("issue filters: attachments, notes and journals") {
    Client c;
    check_all(c, {
                     {"attachment=*", {4}},
                     {"attachment=~cart", {4}},
                     {"attachment=^cart", {4}},
                     {"attachment=$.log", {4}},
                     {"attachment=$.txt", {}},
                     {"attachment=!~cart&issue_id=3,4,5", {5, 3}},
                     {"attachment_description=~log", {4}},
                     {"attachment_description=*", {4}},
                     {"attachment_description=!*", {}},
                     {"attachment_description=^Server", {4}},
                     {"attachment_description=$Server", {}},
                     {"attachment_description=!~server", {}},
                     {"attachment_description=!~zzz", {4}},
                     {"updated_by=7", {19, 6, 4}},
                     {"updated_by=!5&issue_id=4,5,6,7", {7}},
                     {"last_updated_by=6", {26, 24, 23, 17, 7, 3, 2, 1}},
                     {"last_updated_by=!6&issue_id=1,4,5", {5, 4}},
                     {"notes=~root cause", {10}},
                     {"notes=!~root cause&issue_id=10,11", {11}},
                 });
    CHECK(total(c, "attachment=!*&status_id=*") == 29);
    // journal 20 is a private note: not for the Reporter; its author and the Developers see it
    CHECK(list_ids(c, "notes=~root cause&status_id=*", kRhillKey).empty());
    CHECK(list_ids(c, "notes=~root cause&status_id=*", kDlopperKey) == Ids{10});
    // the last journal the user may see decides: a private last note on 10 hides it from rhill
    c.exec("UPDATE journals SET private_notes = 1 WHERE id = 38");
    CHECK(list_ids(c, "last_updated_by=6&status_id=*") == Ids{26, 24, 23, 17, 7, 3, 2, 1});
    CHECK(list_ids(c, "last_updated_by=6&status_id=*", kRhillKey) == Ids{17, 10, 7, 3, 2, 1});
    CHECK(list_ids(c, "updated_by=1&status_id=*", kRhillKey) == Ids{14, 4});
}

TEST_CASE("issue filters: assignee groups and roles, watchers, spent time, project status") {
    Client c;
    c.exec("INSERT INTO watchers (watchable_type, watchable_id, user_id) VALUES ('Issue', 20, 8)");
    check_all(c, {
                     {"member_of_group=8&project_id=2", {19, 18, 17, 16}},
                     {"member_of_group=!*", {30, 28, 27, 25, 22, 21, 20, 15, 13, 12, 11, 9, 8, 6}},
                     {"member_of_group=*&project_id=3", {26, 24, 23}},
                     {"member_of_group=!8&project_id=3", {28, 27, 25}},
                     {"assigned_to_role=5", {26, 24, 23, 19, 18, 17, 16, 5}},
                     {"assigned_to_role=!4&project_id=3", {28, 27, 25}},
                     {"assigned_to_role=*&project_id=2", {21, 19, 18, 17, 16}},
                     {"assigned_to_role=!*&project_id=2", {22, 20}},
                     {"assigned_to_id=5&project_id=1", {21, 13, 6}},  // with its subproject
                     {"watcher_id=8", {20}},
                     {"watcher_id=5|7&issue_id=1,4,5", {5, 4, 1}},
                     {"watcher_id=!5&issue_id=1,2,4", {2}},
                     {"spent_time=>=3", {23, 17, 4, 2}},
                     {"spent_time=><1|2", {24, 16, 10, 3}},
                     {"spent_time=2.5", {1}},
                     {"spent_time=*&project_id=2", {17, 16}},
                     {"spent_time=!*&project_id=2", {22, 21, 20, 19, 18}},
                     {"project.status=1&project_id=3", {28, 27, 26, 25, 24, 23}},
                     {"project.status=5", {}},
                     {"updated_on=!*&issue_id=7,8,9,10", {9, 8}},
                     {"updated_on=*&issue_id=7,8,9,10", {10, 7}},
                 });
    // `me` takes rhill's group too, whose watchers need view_issue_watchers (a Reporter lacks it)
    CHECK(list_ids(c, "watcher_id=me&status_id=*", kRhillKey) == Ids{1});
    CHECK(list_ids(c, "watcher_id=8&status_id=*", kJsmithKey) == Ids{20});
    c.exec("UPDATE projects SET status = 5 WHERE id = 3");
    CHECK(list_ids(c, "project.status=5&status_id=*") == Ids{28, 27, 26, 25, 24, 23});
}

TEST_CASE("issue filters: ids, relations and the issue tree") {
    Client c;
    check_all(c, {
                     {"issue_id=>=28", {30, 29, 28}},
                     {"issue_id=<=2", {2, 1}},
                     {"issue_id=><3|5", {5, 4, 3}},
                     {"issue_id=!*", {}},
                     {"relates=4", {14}},
                     {"relates=!4&issue_id=4,14,15", {15, 4}},
                     {"relates=!*&issue_id=4,14,15", {15}},
                     {"blocks=29", {10}},
                     {"blocked=10", {29}},
                     {"blocks=*", {10}},
                     {"blocks=*o", {10}},
                     {"blocked=*o", {29}},
                     {"blocks=!o&issue_id=9,10,11", {11, 9}},
                     {"blocks==p1", {10}},
                     {"blocks==!p1", {}},
                     {"blocks==!p2", {10}},
                     {"blocked==p1", {29}},
                     {"blocks=!p1&issue_id=9,10,11", {11, 9}},
                     {"relates=*o", {4}},
                     {"precedes=*", {}},
                     {"duplicates=!*&issue_id=1,2", {2, 1}},
                     {"parent_id=~16", {18, 17}},
                     {"parent_id=~99", {}},
                     {"parent_id=*&project_id=3", {27}},
                     {"child_id=~17", {16}},
                     {"child_id=2,17", {16, 1}},
                     {"child_id=!*&project_id=3", {28, 27, 25, 24, 23}},
                 });
    CHECK(total(c, "issue_id=*&status_id=*") == 30);
    // 14 relates to 4, which is closed: relates=*o holds for 4 (14 is open), not for 14
    c.exec("UPDATE issues SET status_id = 5 WHERE id = 14");
    CHECK(list_ids(c, "relates=*o&status_id=*").empty());
    CHECK(list_ids(c, "relates=!o&issue_id=4,14&status_id=*") == Ids{14, 4});
}

TEST_CASE("issue filters: custom fields of the project, the author and the assignee") {
    Client c;
    c.exec(
        "INSERT INTO custom_fields (id, type, name, field_format, is_filter, position, visible) VALUES "
        "(3, 'UserCustomField', 'City', 'string', 1, 1, 1)");
    c.exec(
        "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) VALUES "
        "('Principal', 5, 3, 'Paris'), ('Principal', 7, 3, 'Lyon')");
    check_all(c, {
                     {"project.cf_2=ACME%20Corp&project_id=2", {22, 21, 20, 19, 18, 17, 16}},
                     {"project.cf_2=!*", {28, 27, 26, 25, 24, 23}},
                     {"project.cf_2=!ACME%20Corp&tracker_id=3", {25}},
                     {"author.cf_3=Paris&project_id=2", {21, 16}},
                     {"author.cf_3=~par&project_id=3", {28, 26, 25, 23}},
                     {"assigned_to.cf_3=Lyon", {5}},
                     {"assigned_to.cf_3=Paris|Lyon&project_id=2", {21}},
                     {"assigned_to.cf_3=!*&project_id=2", {19, 18, 17, 16}},  // an assignee without a value
                 });
    CHECK(total(c, "project.cf_2=~acme&status_id=*") == 24);
    // a field that is not visible is no filter for a non-admin and is ignored
    c.exec("UPDATE custom_fields SET visible = 0 WHERE id = 3");
    CHECK(total(c, "author.cf_3=Paris&status_id=*", kJsmithKey) == 30);
    CHECK(total(c, "author.cf_3=Paris&status_id=*") == 13);
}

TEST_CASE("issue filters: a custom field visible to some roles only filters in their projects") {
    Client c;
    // Severity visible to Developers only: dlopper filters on it where he is a Developer
    c.exec("UPDATE custom_fields SET visible = 0 WHERE id = 1");
    c.exec("INSERT INTO custom_fields_roles (custom_field_id, role_id) VALUES (1, 4)");
    CHECK(list_ids(c, "cf_1=Critical&status_id=*", kDlopperKey) == Ids{29, 19, 10});
    // rhill (Reporter) has no such filter: it is ignored
    CHECK(total(c, "cf_1=Critical&status_id=*", kRhillKey) == 23);
    // jsmith, a Manager, has a filter on the field (through no role of his it is visible) only when admin
    CHECK(total(c, "cf_1=Critical&status_id=*", kJsmithKey) == 30);
}

TEST_CASE("issue sorts: custom fields by their format") {
    Client c;
    const std::string four = "&status_id=*&issue_id=4,5,10,11,19,20,29,30";
    CHECK(list_ids(c, "sort=cf_1" + four) == Ids{30, 29, 19, 10, 4, 20, 5, 11});
    CHECK(list_ids(c, "sort=cf_1:desc" + four) == Ids{11, 20, 5, 4, 29, 19, 10, 30});
    CHECK(list_ids(c, "sort=cf_1:desc,id" + four) == Ids{11, 5, 20, 4, 10, 19, 29, 30});
    issue_field(c, 3, "int", {{1, "10"}, {2, "9"}, {3, ""}, {4, "-1"}});
    issue_field(c, 4, "float", {{1, "10.25"}, {2, "2.5"}, {4, "-0.5"}});
    issue_field(c, 5, "date", {{1, "2026-02-01"}, {2, "2025-12-31"}, {3, "2026-01-15"}});
    issue_field(c, 6, "bool", {{1, "1"}, {2, "0"}, {3, "1"}});
    issue_field(c, 7, "user", {{1, "7"}, {2, "5"}, {3, "6"}});
    issue_field(c, 8, "version", {{1, "2"}, {2, "1"}});
    issue_field(c, 9, "enumeration", {{1, "2"}, {2, "1"}, {3, "3"}});
    c.exec(
        "INSERT INTO custom_field_enumerations (id, custom_field_id, name, active, position) VALUES "
        "(1, 9, 'Low', 1, 3), (2, 9, 'High', 1, 1), (3, 9, 'Mid', 1, 2)");
    issue_field(c, 10, "string", {{1, "b"}, {2, "a"}, {3, "c"}});
    issue_field(c, 11, "list", {{1, "x"}, {2, "y"}}, true);
    const std::string ids = "&status_id=*&issue_id=1,2,3,4";
    std::vector<Case> cases = {
        {"sort=cf_3", {3, 4, 2, 1}},  // numeric, blank first
        {"sort=cf_3:desc", {1, 2, 4, 3}},
        {"sort=cf_4", {3, 4, 2, 1}},
        {"sort=cf_4:desc", {1, 2, 4, 3}},
        {"sort=cf_5", {4, 2, 3, 1}},  // as text
        {"sort=cf_6", {4, 2, 3, 1}},
        {"sort=cf_6:desc", {3, 1, 2, 4}},
        {"sort=cf_8", {2, 1, 4, 3}},  // by version date; no version last
        {"sort=cf_8:desc", {4, 3, 1, 2}},
        {"sort=cf_9", {4, 1, 3, 2}},  // by the value's position: High, Mid, Low
        {"sort=cf_10:desc", {3, 1, 2, 4}},
        {"sort=cf_11", {4, 3, 2, 1}},  // multiple values: not sortable, the default order
        {"sort=cf_99", {4, 3, 2, 1}},
        {"sort=cf_3x", {4, 3, 2, 1}},
    };
    for (const auto& k : cases) {
        CAPTURE(k.query);
        CHECK(list_ids(c, k.query + ids) == k.expected);
    }
    // by the user's name, firstname first: Dave (6), John (5), Robert (7)
    CHECK(list_ids(c, "sort=cf_7" + ids) == Ids{4, 3, 2, 1});
}

TEST_CASE("issue sorts: last updated by, private, computed columns and several keys") {
    Client c;
    // last journals: 1 and 7 Dave, 4 Redmine Admin, 5 John, 8 none
    CHECK(list_ids(c, "sort=last_updated_by&status_id=*&issue_id=1,4,5,7,8") == Ids{8, 7, 1, 5, 4});
    CHECK(list_ids(c, "sort=last_updated_by:desc&status_id=*&issue_id=1,4,5,7,8") == Ids{4, 5, 7, 1, 8});
    CHECK(list_ids(c, "sort=is_private:desc,id&status_id=*&limit=3") == Ids{28, 29, 1});
    // only those who may set issues private can sort on it
    CHECK(list_ids(c, "sort=is_private:desc&status_id=*&limit=3", kDlopperKey) == Ids{30, 29, 27});
    CHECK(list_ids(c, "sort=fixed_version,id&status_id=*&issue_id=1,7,5,29") == Ids{1, 29, 7, 5});
    CHECK(list_ids(c, "sort=category:desc&status_id=*&issue_id=1,2,5,11") == Ids{11, 2, 1, 5});
    CHECK(list_ids(c, "sort=tracker,status:desc&status_id=*&project_id=2") ==
          Ids{19, 20, 17, 16, 22, 18, 21});
    CHECK(list_ids(c, "sort=project:desc,author,done_ratio:desc&status_id=*&limit=4") == Ids{22, 18, 17, 21});
    CHECK(list_ids(c, "sort=start_date,due_date:desc&status_id=*&limit=3") == Ids{1, 2, 3});
    CHECK(list_ids(c, "sort=estimated_hours:desc&status_id=*&limit=3") == Ids{7, 1, 26});
    // (times that differ by a second at least, also on MariaDB which keeps whole seconds)
    CHECK(list_ids(c, "sort=closed_on:desc,id&status_id=c&issue_id=4,6,21") == Ids{21, 6, 4});
    CHECK(list_ids(c, "sort=created_on&status_id=*&issue_id=8,1,3") == Ids{1, 3, 8});
    CHECK(list_ids(c, "sort=updated_on:desc&status_id=*&issue_id=7,10,4") == Ids{4, 10, 7});
    // a fourth key is dropped, as is a repeated one
    CHECK(list_ids(c, "sort=tracker,tracker:desc,priority:desc,status,id&status_id=*&project_id=2") ==
          Ids{19, 20, 18, 17, 16, 22, 21});
    CHECK(list_ids(c, "sort=spent_hours:desc&status_id=*&limit=2", kRhillKey) == Ids{17, 2});
    // spent time needs view_time_entries on the project: else the sort is ignored
    c.exec("UPDATE roles SET permissions = REPLACE(permissions, '- :view_time_entries\n', '') WHERE id = 5");
    CHECK(list_ids(c, "sort=spent_hours:desc&status_id=*&limit=2", kRhillKey) == Ids{30, 22});
    auto r = c.get("/projects/webshop/issues.json?sort=spent_hours:desc&status_id=*&limit=2", kRhillKey);
    CHECK(json(r)["issues"][0]["id"] == 30);
}

namespace {

std::string utc_text(long long t) {
    const auto s = std::chrono::sys_seconds{std::chrono::seconds{t}};
    const auto day = std::chrono::floor<std::chrono::days>(s);
    const std::chrono::year_month_day ymd{day};
    const long long secs = (s - day).count();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld:%02lld", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), secs / 3600,
                  secs / 60 % 60, secs % 60);
    return buf;
}

long long utc_of(int y, unsigned m, unsigned d, long long seconds = 0) {
    return std::chrono::sys_seconds{std::chrono::sys_days{std::chrono::year{y} / m / d}}
               .time_since_epoch()
               .count() +
           seconds;
}

}  // namespace

TEST_CASE("time zones: Rails zone names over the tz database") {
    using resources::TimeZone;
    auto tokyo = TimeZone::find("Tokyo");
    REQUIRE(tokyo);
    CHECK(tokyo->offset_at(utc_of(2026, 1, 5)) == 9 * 3600);
    CHECK(tokyo->to_utc(utc_of(2026, 1, 5, 86399)) == utc_of(2026, 1, 5, 86399 - 9 * 3600));
    auto ny = TimeZone::find("Eastern Time (US & Canada)");
    REQUIRE(ny);
    CHECK(ny->offset_at(utc_of(2026, 7, 1)) == -4 * 3600);
    CHECK(ny->offset_at(utc_of(2026, 1, 1)) == -5 * 3600);
    CHECK(ny->offset_at(utc_of(2100, 7, 1)) == -4 * 3600);  // past the transitions: the POSIX rule
    CHECK(ny->offset_at(utc_of(2100, 12, 1)) == -5 * 3600);
    // 01:30 on 1 Nov 2026 happens twice: daylight saving time is taken; 02:30 on 8 Mar 2026 never happens
    CHECK(ny->to_utc(utc_of(2026, 11, 1, 5400)) == utc_of(2026, 11, 1, 5400 + 4 * 3600));
    CHECK(ny->to_utc(utc_of(2026, 3, 8, 9000)) == utc_of(2026, 3, 8, 9000 + 3600 + 4 * 3600));
    auto sydney = TimeZone::find("Sydney");
    REQUIRE(sydney);
    CHECK(sydney->offset_at(utc_of(2026, 1, 15)) == 11 * 3600);
    CHECK(sydney->offset_at(utc_of(2026, 7, 1)) == 10 * 3600);
    CHECK(sydney->offset_at(utc_of(2090, 1, 15)) == 11 * 3600);
    REQUIRE(TimeZone::find("Europe/Paris"));
    CHECK(TimeZone::find("Europe/Paris")->offset_at(utc_of(2026, 7, 1)) == 2 * 3600);
    CHECK_FALSE(TimeZone::find(""));
    CHECK_FALSE(TimeZone::find("Nowhere"));
    CHECK_FALSE(TimeZone::find("../../etc/passwd"));
    REQUIRE(TimeZone::from_rule("<+0530>-5:30"));
    CHECK(TimeZone::from_rule("<+0530>-5:30")->offset_at(0) == 19800);
    CHECK(TimeZone::from_rule("AEST-10AEDT,M10.1.0,M4.1.0/3")->offset_at(utc_of(2030, 1, 1)) == 11 * 3600);
}

TEST_CASE("issue filters: dates and times in the user's time zone") {
    Client c;
    // (settings are cached for a moment: set before the first request)
    c.exec("DELETE FROM user_preferences WHERE user_id = 7");
    c.exec("INSERT INTO settings (name, value, updated_on) VALUES ('default_users_time_zone', 'Tokyo', ?)",
           {utc_text(utc_of(2026, 11, 22))});
    // the seeded issues were created on 2026-11-22 between 15:28 and 16:28 UTC: the 23rd in Tokyo
    CHECK(total(c, "created_on=2026-11-22&status_id=*") == 30);
    c.exec("UPDATE user_preferences SET time_zone = 'Tokyo' WHERE user_id = 1");
    CHECK(total(c, "created_on=2026-11-22&status_id=*") == 0);
    CHECK(total(c, "created_on=2026-11-23&status_id=*") == 30);
    CHECK(total(c, "created_on=<=2026-11-22&status_id=*") == 0);
    CHECK(total(c, "created_on=><2026-11-23|2026-11-24&status_id=*") == 30);
    // a time is the server's (UTC here) whatever the user's zone
    CHECK(list_ids(c, "created_on=>=2026-11-22T23:00:00Z&status_id=*").empty());
    CHECK(total(c, "created_on=<=2026-11-22T23:00:00&status_id=*") == 30);
    c.exec("UPDATE user_preferences SET time_zone = 'Hawaii' WHERE user_id = 1");
    CHECK(total(c, "created_on=2026-11-22&status_id=*") == 30);
    // a user without preferences takes the default setting
    CHECK(total(c, "created_on=2026-11-23&status_id=*", kRhillKey) == 23);
    CHECK(total(c, "created_on=2026-11-23&status_id=*", kDlopperKey) == 0);  // his own (blank) zone
    // relative dates count from the user's today: one issue just before Tokyo's midnight, one after
    const long long now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const long long tokyo_midnight = (now + 9 * 3600) / 86400 * 86400 - 9 * 3600;
    c.exec("UPDATE issues SET created_on = ? WHERE id = 2", {utc_text(tokyo_midnight - 60)});
    c.exec("UPDATE issues SET created_on = ? WHERE id = 3", {utc_text(tokyo_midnight + 60)});
    c.exec("UPDATE user_preferences SET time_zone = 'Tokyo' WHERE user_id = 1");
    CHECK(list_ids(c, "created_on=t&status_id=*&issue_id=2,3") == Ids{3});
    CHECK(list_ids(c, "created_on=ld&status_id=*&issue_id=2,3") == Ids{2});
    CHECK(list_ids(c, "created_on=>t-1&status_id=*&issue_id=2,3") == Ids{3, 2});
    CHECK(list_ids(c, "created_on=y&status_id=*&issue_id=2,3").size() >= 1);
    // an unknown zone name is the server's zone
    c.exec("UPDATE user_preferences SET time_zone = 'Atlantis' WHERE user_id = 1");
    CHECK(total(c, "created_on=2026-11-22&status_id=*&issue_id=4,5") == 2);
}
