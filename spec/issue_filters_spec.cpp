// Redmine 5.0.4's issue filters operator by operator, checked against the reference Redmine: the relative
// date operators with dates set relative to the clock at test time (weeks start on the language's first
// day, days are the user's), filters and sorts of core fields disabled on every tracker, custom fields of
// the records a custom field names (cf_N.cf_M), and the exact ids of each core filter and sort.
#include <doctest/doctest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "spec/support.h"

using namespace spec;

namespace {

using Ids = std::vector<long long>;

std::string ids_text(const Ids& v) {
    std::string out = "{";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
    return out + "}";
}

// The ids of a list (or its status when not 200, as a one-element list of -status).
Ids fetch(Client& c, const std::string& target, const std::string& key,
          const std::map<std::string, std::string>& headers = {}) {
    Call call;
    call.target = target;
    call.headers = headers;
    if (!key.empty()) call.headers["X-Redmine-API-Key"] = key;
    auto r = c.call(call);
    if (r.status != 200) return {-r.status};
    Ids out;
    const auto body = json(r);  // (kept: a range over a member of a temporary would dangle)
    for (const auto& i : body.at("issues")) out.push_back(i.at("id").get<long long>());
    return out;
}

long long now_utc() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Days since 1970-01-01 of the instant in a zone `offset` seconds east of UTC; waits when the day is about
// to change there, so that the server's today is the test's.
long long today_in(long long offset) {
    const long long left = 86400 - (now_utc() + offset) % 86400;
    if (left < 90) std::this_thread::sleep_for(std::chrono::seconds(left + 1));
    return (now_utc() + offset) / 86400;
}

std::string day_text(long long day) {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string time_text(long long t) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " %02lld:%02lld:%02lld", t % 86400 / 3600, t % 3600 / 60, t % 60);
    return day_text(t / 86400) + buf;
}

// The day offsets (from today) of issues 1..30, and the time of day of their creation.
const std::vector<long long> kOffsets = {-400, -366, -45, -31, -20, -15, -14, -13, -8,  -7,
                                         -6,   -5,   -3,  -2,  -1,  0,   1,   2,   3,   5,
                                         6,    7,    8,   13,  14,  20,  31,  45,  366, 400};
const std::vector<long long> kSeconds = {0, 86399, 43200, 54000, 53999};

// An issue custom field of the given format, for all projects and trackers.
void issue_field(Client& c, long long id, const std::string& name, const std::string& format) {
    c.exec(
        "INSERT INTO custom_fields (id, type, name, field_format, is_for_all, is_filter, position, visible, "
        "multiple) VALUES (?, 'IssueCustomField', ?, ?, 1, 1, ?, 1, 0)",
        {id, name, format, id});
    for (long long t = 1; t <= 3; ++t)
        c.exec("INSERT INTO custom_fields_trackers (custom_field_id, tracker_id) VALUES (?, ?)", {id, t});
}

void value(Client& c, const std::string& type, long long id, long long field, const std::string& v) {
    c.exec(
        "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) VALUES (?, ?, ?, "
        "?)",
        {type, id, field, v});
}

// Issue 1..30 due on today + kOffsets, starting the day before, created that day (the user's) at kSeconds,
// with a date custom field (3) of the offsets in reverse.
void relative_dates(Client& c, long long today, long long offset) {
    for (long long i = 1; i <= 30; ++i) {
        const long long day = today + kOffsets[i - 1];
        c.exec("UPDATE issues SET due_date = ?, start_date = ?, created_on = ? WHERE id = ?",
               {day_text(day), day_text(day - 1), time_text(day * 86400 - offset + kSeconds[i % 5]), i});
    }
    c.exec("DELETE FROM custom_values WHERE custom_field_id = 3");
    for (long long i = 1; i <= 30; ++i) value(c, "Issue", i, 3, day_text(today + kOffsets[30 - i]));
}

// Query#sql_for_field's relative operators as day ranges from today (first and last, either open).
struct Range {
    std::optional<long long> from, to;
};

Range range_of(const std::string& op, long long n, long long today, unsigned first_day_of_week) {
    const unsigned cwday =
        std::chrono::weekday{std::chrono::sys_days{std::chrono::days{today}}}.iso_encoding();
    const long long days_ago = (cwday + 7 - first_day_of_week) % 7;
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{today}}};
    auto month = [&](int delta) {
        auto ym = std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months{delta};
        const long long first = std::chrono::sys_days{ym / 1}.time_since_epoch().count();
        const long long last = std::chrono::sys_days{ym / std::chrono::last}.time_since_epoch().count();
        return Range{first - today, last - today};
    };
    if (op == "t") return {0, 0};
    if (op == "ld") return {-1, -1};
    if (op == "nd") return {1, 1};
    if (op == "w") return {-days_ago, 6 - days_ago};
    if (op == "lw") return {-days_ago - 7, -days_ago - 1};
    if (op == "l2w") return {-days_ago - 14, -days_ago - 1};
    if (op == "nw") return {7 - days_ago, 13 - days_ago};
    if (op == "m") return month(0);
    if (op == "lm") return month(-1);
    if (op == "nm") return month(1);
    if (op == "y") {
        const long long jan1 = std::chrono::sys_days{ymd.year() / 1 / 1}.time_since_epoch().count();
        const long long dec31 = std::chrono::sys_days{ymd.year() / 12 / 31}.time_since_epoch().count();
        return {jan1 - today, dec31 - today};
    }
    if (op == ">t-") return {-n, std::nullopt};
    if (op == "<t-") return {std::nullopt, -n};
    if (op == "><t-") return {-n, 0};
    if (op == "t-") return {-n, -n};
    if (op == ">t+") return {n, std::nullopt};
    if (op == "<t+") return {std::nullopt, n};
    if (op == "><t+") return {0, n};
    if (op == "t+") return {n, n};
    FAIL("no range for " << op);
    return {};
}

// The issues (ids descending) whose day, as an offset from today, falls in the range.
Ids expected_in(const Range& r, const std::function<long long(long long)>& day_of,
                const std::set<long long>& among = {}) {
    Ids out;
    for (long long i = 30; i >= 1; --i) {
        const long long d = day_of(i);
        if ((!r.from || d >= *r.from) && (!r.to || d <= *r.to) && (among.empty() || among.count(i)))
            out.push_back(i);
    }
    return out;
}

std::string encode(const std::string& s) {
    std::string out;
    for (unsigned char ch : s) {
        if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
            out += static_cast<char>(ch);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", ch);
            out += buf;
        }
    }
    return out;
}

const std::vector<std::string> kNoValue = {"t", "ld", "nd", "w", "lw", "l2w", "nw", "m", "lm", "nm", "y"};
const std::vector<std::string> kWithDays = {">t-", "<t-", "><t-", "t-", ">t+", "<t+", "><t+", "t+"};
// operators_by_filter_type[:date_past]
const std::set<std::string> kPast = {"t", "ld", "w", "lw", "l2w", "m", "lm", "y", ">t-", "<t-", "><t-", "t-"};

}  // namespace

TEST_CASE("issue filters: every relative date operator on dates, times and date custom fields") {
    Client c;
    issue_field(c, 3, "Deadline", "date");
    for (const auto& item_ :
         std::vector<std::pair<std::string, long long>>{{"UTC", 0}, {"Tokyo", 9 * 3600}}) {
        const auto& zone = std::get<0>(item_);  // no structured bindings: clang 14 lambdas (CAPTURE) cannot capture them
        const auto& offset = std::get<1>(item_);
        CAPTURE(zone);
        c.exec("UPDATE user_preferences SET time_zone = ? WHERE user_id = 1", {zone});
        const long long today = today_in(offset);
        relative_dates(c, today, offset);
        // (the issues' day: created_on is a time, the user's day of it)
        const std::vector<std::pair<std::string, std::function<long long(long long)>>> columns = {
            {"due_date", [](long long i) { return kOffsets[i - 1]; }},
            {"start_date", [](long long i) { return kOffsets[i - 1] - 1; }},
            {"created_on", [](long long i) { return kOffsets[i - 1]; }},
            {"cf_3", [](long long i) { return kOffsets[30 - i]; }},
        };
        for (const auto& item_ : columns) {
            const auto& field = std::get<0>(item_);
            const auto& day_of = std::get<1>(item_);
            auto check = [&](const std::string& op, long long n) {
                const std::string value = n < 0 ? "" : std::to_string(n);
                const Ids want = expected_in(range_of(op, n, today, 7), day_of);
                const std::string target = "/issues.json?limit=100&f[]=" + field + "&op[" + field +
                                           "]=" + encode(op) + "&v[" + field + "][]=" + value;
                CAPTURE(target);
                CHECK(ids_text(fetch(c, target, kAdminKey)) == ids_text(want));
                // the short form takes the operators of the filter's type only
                const std::string short_form =
                    "/issues.json?status_id=*&limit=100&" + field + "=" + encode(op + value);
                CAPTURE(short_form);
                // created_on: "t+3" is t with a value, the others of type date are no operators (422)
                Ids short_want = want;
                if (field == "created_on" && op == "t+")
                    short_want = expected_in(range_of("t", 0, today, 7), day_of);
                else if (field == "created_on" && !kPast.count(op))
                    short_want = {-422};
                CHECK(ids_text(fetch(c, short_form, kAdminKey)) == ids_text(short_want));
            };
            for (const auto& op : kNoValue) check(op, -1);
            for (const auto& op : kWithDays)
                for (long long n : {0, 3, 7, 14, 40}) check(op, n);
        }
        // the same without the oracle
        const std::vector<std::pair<std::string, Ids>> fixed = {{"t", {16}},
                                                                {"ld", {15}},
                                                                {"nd", {17}},
                                                                {"t-3", {13}},
                                                                {"t%2B3", {19}},
                                                                {"><t-2", {16, 15, 14}},
                                                                {"><t%2B1", {17, 16}},
                                                                {">t%2B45", {30, 29, 28}},
                                                                {"<t-45", {3, 2, 1}},
                                                                {"*", {}},
                                                                {"!*", {}}};
        for (const auto& item_ : fixed) {
            const auto& expr = std::get<0>(item_);
            const auto& want = std::get<1>(item_);
            CAPTURE(expr);
            auto got = fetch(c, "/issues.json?status_id=*&limit=100&due_date=" + expr, kAdminKey);
            if (expr == "*")
                CHECK(got.size() == 30);
            else
                CHECK(ids_text(got) == ids_text(want));
            if (expr != "nd" && expr.find("%2B") == std::string::npos && expr[0] != '*' && expr[0] != '!')
                CHECK(ids_text(fetch(c, "/issues.json?status_id=*&limit=100&created_on=" + expr,
                                     kAdminKey)) == ids_text(want));
        }
    }
    auto r = c.get("/issues.json?created_on=nw");
    CHECK(r.status == 422);
    CHECK(json(r)["errors"] == nlohmann::json::parse(R"(["Created is invalid"])"));
    r = c.get("/issues.json?due_date=%3Et-x&cf_3=t%2Bz");
    CHECK(r.status == 422);
    CHECK(json(r)["errors"] == nlohmann::json::parse(R"(["Due date is invalid","Deadline is invalid"])"));
}

TEST_CASE("issue filters: weeks start on the first day of the week of the request's language") {
    Client c;
    // (settings are cached for a moment: set before the first request)
    c.exec("INSERT INTO settings (name, value, updated_on) VALUES ('default_users_time_zone', 'UTC', ?)",
           {time_text(now_utc())});
    c.exec("UPDATE user_preferences SET time_zone = 'UTC'");
    const long long today = today_in(0);
    relative_dates(c, today, 0);
    struct Case {
        std::string key, language, accept;
        unsigned first;  // Date#cwday: 7 Sunday (en), 1 Monday (de, fr), 2 Tuesday (ro), 6 Saturday (fa)
    };
    const std::vector<Case> cases = {
        {kAdminKey, "", "", 7},
        {kAdminKey, "de", "", 1},
        {kAdminKey, "PT-br", "", 1},
        {kAdminKey, "", "ro", 2},
        {kAdminKey, "", "fr-CA, en;q=0.5", 1},  // no fr-CA: fr
        {kAdminKey, "", "en;q=0.5, fa", 6},
        {kAdminKey, "", "xx", 7},     // unknown: the default language
        {kAdminKey, "fa", "de", 6},   // the user's own language first
        {kAdminKey, "zz", "de", 1},   // unless it is unknown
        {"", "", "de;q=0.3, ro", 2},  // anonymous
    };
    // what anonymous sees: public projects, no private issues
    const std::set<long long> anonymous = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                           13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 30};
    for (const auto& k : cases) {
        CAPTURE(k.language);
        CAPTURE(k.accept);
        c.exec("UPDATE users SET language = ? WHERE id = 1", {k.language});
        std::map<std::string, std::string> headers;
        if (!k.accept.empty()) headers["Accept-Language"] = k.accept;
        for (const std::string op : {"w", "lw", "l2w", "nw"}) {
            CAPTURE(op);
            const Ids want = expected_in(
                range_of(op, 0, today, k.first), [](long long i) { return kOffsets[i - 1]; },
                k.key.empty() ? anonymous : std::set<long long>{});
            CHECK(ids_text(fetch(c, "/issues.json?status_id=*&limit=100&due_date=" + op, k.key, headers)) ==
                  ids_text(want));
        }
    }
}

TEST_CASE("issue filters: core fields disabled on every tracker of the query are neither filters nor sorts") {
    Client c;
    // a project with the Support tracker only; issues 6 and 13 move there
    c.exec(
        "INSERT INTO projects (id, name, identifier, is_public, status, lft, rgt, created_on, updated_on) "
        "VALUES "
        "(4, 'Ops', 'ops', 1, 1, 7, 8, '2026-01-01 00:00:00', '2026-01-01 00:00:00')");
    c.exec("INSERT INTO enabled_modules (project_id, name) VALUES (4, 'issue_tracking')");
    c.exec("INSERT INTO projects_trackers (project_id, tracker_id) VALUES (4, 3)");
    c.exec("UPDATE issues SET project_id = 4 WHERE id IN (6, 13)");
    c.exec(
        "UPDATE issues SET due_date = '2026-01-01', start_date = '2025-12-01', estimated_hours = 1, "
        "done_ratio = "
        "10 WHERE id = 6");
    c.exec(
        "UPDATE issues SET due_date = '2026-02-01', start_date = '2025-12-02', estimated_hours = 2, "
        "done_ratio = "
        "20 WHERE id = 13");
    const std::vector<std::pair<std::string, Ids>> filters = {
        {"due_date=>=2026-01-15", {13}},
        {"start_date=<=2025-12-01", {6}},
        {"assigned_to_id=7", {}},
        {"category_id=1", {}},
        {"fixed_version_id=1", {}},
        {"estimated_hours=>=1.5", {13}},
        {"done_ratio=<=15", {6}},
        {"description=~zzz", {}},
        {"parent_id=*", {}},
        {"sort=due_date:desc,id", {13, 6}},
        {"sort=start_date:desc,id", {13, 6}},
        {"sort=estimated_hours:desc,id", {13, 6}},
        {"sort=total_estimated_hours:desc,id", {13, 6}},
        {"sort=done_ratio:desc,id", {13, 6}},
        {"sort=parent:desc,id", {13, 6}},
    };
    for (const auto& item_ : filters) {
        const auto& query = std::get<0>(item_);
        const auto& want = std::get<1>(item_);
        CAPTURE(query);
        CHECK(ids_text(fetch(c, "/projects/ops/issues.json?status_id=*&" + query, kAdminKey)) ==
              ids_text(want));
    }
    // Tracker::CORE_FIELDS: all 9 off for Support, the project's only tracker; the others keep them
    c.exec("UPDATE trackers SET fields_bits = 511 WHERE id = 3");
    for (const auto& item_ : filters) {
        const auto& query = std::get<0>(item_);
        const auto& want = std::get<1>(item_);
        CAPTURE(query);
        // parent_issue_id names no filter and no column: parent_id and the parent sort stay
        const bool stays = query.find("parent") != std::string::npos;
        const Ids ignored = query.rfind("sort=", 0) == 0 ? Ids{6, 13} : Ids{13, 6};
        CHECK(ids_text(fetch(c, "/projects/ops/issues.json?status_id=*&" + query, kAdminKey)) ==
              ids_text(stays ? want : ignored));
        CHECK(ids_text(fetch(c, "/issues.json?status_id=*&project_id=4&" + query, kAdminKey)) ==
              ids_text(stays ? want : ignored));
        // (category_id is a filter of a project's issues only)
        const bool category = query.rfind("category_id", 0) == 0;
        CHECK(ids_text(fetch(c, "/issues.json?status_id=*&issue_id=6,13&" + query, kAdminKey)) ==
              ids_text(category ? Ids{13, 6} : want));
    }
    // an invalid value of a filter that is not there is no error
    CHECK(ids_text(fetch(c, "/projects/ops/issues.json?status_id=*&estimated_hours=>=x", kAdminKey)) ==
          "{13, 6}");
    CHECK(fetch(c, "/issues.json?status_id=*&estimated_hours=>=x", kAdminKey) == Ids{-422});
    // disabled for every tracker: due_date (bit 5) everywhere, start_date (bit 4) not on Bug
    c.exec("UPDATE trackers SET fields_bits = 48 WHERE id = 2");
    c.exec("UPDATE trackers SET fields_bits = 32 WHERE id = 1");
    CHECK(ids_text(fetch(c, "/issues.json?status_id=*&issue_id=6,13&due_date=>=2026-01-15", kAdminKey)) ==
          "{13, 6}");
    CHECK(ids_text(fetch(c, "/issues.json?status_id=*&issue_id=6,13&start_date=<=2025-12-01", kAdminKey)) ==
          "{6}");
    CHECK(ids_text(fetch(c, "/issues.json?status_id=*&issue_id=6,13&sort=due_date:desc,id", kAdminKey)) ==
          "{6, 13}");
    // the project's trackers count: Bug's start date is no Ops tracker's
    CHECK(ids_text(fetch(c, "/projects/ops/issues.json?status_id=*&start_date=<=2025-12-01", kAdminKey)) ==
          "{13, 6}");
    // and only those the user may view issues of (Tracker.visible): a Reporter sees Support issues only
    c.exec(
        "UPDATE roles SET settings = ? WHERE id = 5",
        {"--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\npermissions_all_trackers: "
         "!ruby/hash:ActiveSupport::HashWithIndifferentAccess\n  view_issues: '0'\npermissions_tracker_ids: "
         "!ruby/hash:ActiveSupport::HashWithIndifferentAccess\n  view_issues:\n  - '3'\n"});
    CHECK(ids_text(fetch(c, "/issues.json?status_id=*&start_date=<=2025-12-01", kRhillKey)) == "{21, 13, 6}");
    CHECK(ids_text(fetch(c, "/issues.json?status_id=*&sort=due_date:desc,id", kRhillKey)) == "{6, 13, 21}");
    CHECK(ids_text(fetch(c, "/issues.json?status_id=*&start_date=<=2025-12-01", kDlopperKey)) == "{6}");
    // a saved query's filters apply whether available or not (not those on dates, which Redmine compares
    // as numbers then); its order takes the available columns only
    c.exec(
        "INSERT INTO queries (id, name, filters, user_id, sort_criteria, type, visibility) VALUES (8, 'Due', "
        "?, 1, ?, 'IssueQuery', 2), (9, 'Estimated', ?, 1, ?, 'IssueQuery', 2)",
        {"---\nstatus_id:\n  :operator: \"*\"\n  :values:\n  - ''\ndue_date:\n  :operator: \">=\"\n  "
         ":values:\n  - '2026-01-15'\n",
         "---\n- - due_date\n  - asc\n",
         "---\nstatus_id:\n  :operator: \"*\"\n  :values:\n  - ''\nestimated_hours:\n  :operator: "
         "\"<=\"\n  :values:\n  - '1'\n",
         "---\n- - estimated_hours\n  - desc\n"});
    CHECK(ids_text(fetch(c, "/projects/ops/issues.json?query_id=8", kAdminKey)) == "{13, 6}");
    CHECK(ids_text(fetch(c, "/projects/ops/issues.json?query_id=9", kAdminKey)) == "{6}");
    CHECK(ids_text(fetch(c, "/issues.json?query_id=9", kRhillKey)) == "{6}");
}

namespace {

// Custom fields of users, groups and versions, and issue custom fields naming users and versions, with
// values (the data the reference answered the cases below on).
void record_fields(Client& c) {
    const long long today = now_utc() / 86400;
    issue_field(c, 4, "Reviewer", "user");
    issue_field(c, 6, "Milestone", "version");
    issue_field(c, 10, "Points", "int");
    issue_field(c, 11, "Ratio", "float");
    issue_field(c, 12, "Notes2", "text");
    const std::vector<std::tuple<long long, std::string, std::string, std::string>> others = {
        {5, "UserCustomField", "City", "string"},
        {7, "VersionCustomField", "Release", "date"},
        {8, "VersionCustomField", "Codename", "string"},
        {9, "GroupCustomField", "Dept", "string"}};
    for (const auto& [id, type, name, format] : others)
        c.exec(
            "INSERT INTO custom_fields (id, type, name, field_format, is_for_all, is_filter, position, "
            "visible, "
            "multiple) VALUES (?, ?, ?, ?, 1, 1, ?, 1, 0)",
            {id, type, name, format, id});
    for (const auto& [issue, v] : std::map<long long, std::string>{
             {1, "5"}, {2, "6"}, {3, "7"}, {4, "5"}, {5, ""}, {6, "8"}, {7, "6"}, {8, "7"}})
        value(c, "Issue", issue, 4, v);
    for (const auto& [user, v] : std::map<long long, std::string>{{5, "Paris"}, {6, "Lyon"}, {7, "Paris"}})
        value(c, "Principal", user, 5, v);
    value(c, "Principal", 8, 9, "Sales");
    for (const auto& [issue, v] :
         std::map<long long, std::string>{{1, "1"}, {2, "2"}, {3, "2"}, {4, ""}, {9, "1"}})
        value(c, "Issue", issue, 6, v);
    value(c, "Version", 1, 7, day_text(today + 3));
    value(c, "Version", 2, 7, day_text(today - 10));
    value(c, "Version", 1, 8, "Alpha");
    value(c, "Version", 2, 8, "Beta");
    for (const auto& [issue, v] :
         std::map<long long, std::string>{{1, "10"}, {2, "-3"}, {3, ""}, {4, "7"}, {5, "10"}})
        value(c, "Issue", issue, 10, v);
    for (const auto& [issue, v] :
         std::map<long long, std::string>{{1, "1.5"}, {2, "2.25"}, {3, ""}, {4, "-1"}})
        value(c, "Issue", issue, 11, v);
    for (const auto& [issue, v] :
         std::map<long long, std::string>{{1, "hello world"}, {2, "World peace"}, {3, ""}})
        value(c, "Issue", issue, 12, v);
}

}  // namespace

TEST_CASE("issue filters and sorts: every filter and sort key with the reference's exact answers") {
    Client c;
    record_fields(c);
    struct Case {
        std::string key, target;
        int status;
        Ids ids;
    };
    // (all statuses unless a status is given; cf_6.cf_7=t+3 is ours: the others are the reference's)
    const std::vector<Case> cases = {
        {"", "/issues.json?due_date=*", 200, {3, 2, 1}},
        {kAdminKey, "/issues.json?cf_4.cf_5=Paris", 200, {8, 4, 3, 1}},
        {kAdminKey, "/issues.json?cf_4.cf_5=!Paris", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22,
                                                           21, 20, 19, 18, 17, 16, 15, 14, 13,
                                                           12, 11, 10, 9,  7,  6,  5,  2}},
        {kAdminKey, "/issues.json?cf_4.cf_5=~ly", 200, {7, 2}},
        {kAdminKey, "/issues.json?cf_4.cf_5=!*", 200, {8, 7, 6, 4, 3, 2, 1}},
        {kAdminKey, "/issues.json?cf_4.cf_5=*", 200, {8, 7, 4, 3, 2, 1}},
        {kAdminKey, "/issues.json?cf_4.cf_9=Sales", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                          20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                          10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?cf_4=5", 200, {4, 1}},
        {kAdminKey, "/issues.json?cf_4=!5", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                                                  16, 15, 14, 13, 12, 11, 10, 9,  8,  7,  6,  5,  3,  2}},
        {kAdminKey, "/issues.json?cf_4=me", 200, {}},
        {kAdminKey, "/issues.json?cf_4=!*", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
                                                  18, 17, 16, 15, 14, 13, 12, 11, 10, 9,  5}},
        {kAdminKey, "/issues.json?cf_4=*", 200, {8, 7, 6, 4, 3, 2, 1}},
        {kJsmithKey, "/issues.json?cf_4=me", 200, {4, 1}},
        {kAdminKey, "/issues.json?cf_6=1", 200, {9, 1}},
        {kAdminKey, "/issues.json?cf_6=!*", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
                                                  17, 16, 15, 14, 13, 12, 11, 10, 8,  7,  6,  5,  4}},
        {kAdminKey, "/issues.json?cf_6.cf_7=t%2B3", 200, {9, 1}},
        {kAdminKey, "/issues.json?cf_6.cf_7=>t-20", 200, {9, 3, 2, 1}},
        {kAdminKey, "/issues.json?cf_6.cf_7=<t-20", 200, {}},
        {kAdminKey, "/issues.json?cf_6.cf_7=*", 200, {9, 3, 2, 1}},
        {kAdminKey, "/issues.json?cf_6.cf_7=!*", 200, {9, 3, 2, 1}},
        {kAdminKey, "/issues.json?cf_6.cf_8=Alpha", 200, {9, 1}},
        {kAdminKey, "/issues.json?cf_6.cf_8=~a", 200, {9, 3, 2, 1}},
        {kAdminKey, "/issues.json?cf_6.cf_8=!Alpha", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                           20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                           10, 8,  7,  6,  5,  4,  3,  2}},
        {kAdminKey, "/issues.json?cf_6.due_date=2026-03-31", 200, {9, 1}},
        {kAdminKey, "/issues.json?cf_6.due_date=>=2026-04-01", 200, {3, 2}},
        {kAdminKey, "/issues.json?cf_6.due_date=!*", 200, {}},
        {kAdminKey, "/issues.json?cf_6.due_date=*", 200, {9, 3, 2, 1}},
        {kAdminKey, "/issues.json?cf_6.status=open", 200, {9, 3, 2, 1}},
        {kAdminKey, "/issues.json?cf_6.status=closed", 200, {}},
        {kAdminKey, "/issues.json?cf_6.status=!open", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22,
                                                            21, 20, 19, 18, 17, 16, 15, 14, 13,
                                                            12, 11, 10, 8,  7,  6,  5,  4}},
        {kAdminKey,
         "/issues.json?fixed_version.cf_7=>t-20",
         200,
         {30, 29, 16, 14, 12, 10, 9, 8, 7, 4, 3, 2, 1}},
        {kAdminKey, "/issues.json?fixed_version.cf_7=*", 200, {30, 29, 16, 14, 12, 10, 9, 8, 7, 4, 3, 2, 1}},
        {kAdminKey, "/issues.json?fixed_version.cf_8=Beta", 200, {30, 16, 12, 9, 8, 7}},
        {kAdminKey, "/issues.json?fixed_version.cf_8=!Beta", 200, {29, 28, 27, 26, 25, 24, 23, 22,
                                                                   21, 20, 19, 18, 17, 15, 14, 13,
                                                                   11, 10, 6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?fixed_version.cf_8=!*", 200, {}},
        {kAdminKey, "/issues.json?fixed_version.due_date=>=2026-04-01", 200, {30, 16, 12, 9, 8, 7}},
        {kAdminKey,
         "/issues.json?fixed_version.status=open",
         200,
         {30, 29, 16, 14, 12, 10, 9, 8, 7, 4, 3, 2, 1}},
        {kAdminKey, "/issues.json?author.cf_5=Paris", 200, {30, 29, 28, 26, 25, 23, 21, 20, 19, 16,
                                                            15, 14, 12, 11, 10, 7,  6,  5,  4,  1}},
        {kAdminKey, "/issues.json?author.cf_5=!Paris", 200, {27, 24, 22, 18, 17, 13, 9, 8, 3, 2}},
        {kAdminKey, "/issues.json?author.cf_5=!*", 200, {}},
        {kAdminKey,
         "/issues.json?assigned_to.cf_5=Lyon",
         200,
         {29, 26, 24, 23, 19, 18, 17, 16, 14, 10, 7, 4, 3, 2, 1}},
        {kAdminKey, "/issues.json?assigned_to.cf_5=!*", 200, {}},
        {kAdminKey, "/issues.json?assigned_to.cf_9=Sales", 200, {}},
        {kAdminKey, "/issues.json?assigned_to.cf_9=!Sales", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                                  20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                                  10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?author.cf_9=Sales", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                            20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                            10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?project.cf_2=*", 200, {30, 29, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13,
                                                         12, 11, 10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?project.cf_2=!*", 200, {28, 27, 26, 25, 24, 23}},
        {kAdminKey, "/issues.json?project.cf_7=x", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                         20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                         10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?cf_5=Paris", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                     20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                     10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?cf_4.cf_7=x", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                      20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                      10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?cf_6.cf_5=x", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                      20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                      10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?cf_4.due_date=*", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                          20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                          10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?cf_4.status=open", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                           20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                           10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?cf_10=10", 200, {5, 1}},
        {kAdminKey, "/issues.json?cf_10=!10", 422, {}},
        {kAdminKey, "/issues.json?cf_10=>=0", 200, {5, 4, 1}},
        {kAdminKey, "/issues.json?cf_10=<=7", 200, {4, 2}},
        {kAdminKey, "/issues.json?cf_10=><-5|8", 200, {4, 2}},
        {kAdminKey, "/issues.json?cf_10=*", 200, {5, 4, 2, 1}},
        {kAdminKey, "/issues.json?cf_10=!*", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
                                                   17, 16, 15, 14, 13, 12, 11, 10, 9,  8,  7,  6,  3}},
        {kAdminKey, "/issues.json?cf_10=abc", 422, {}},
        {kAdminKey, "/issues.json?cf_11=1.5", 200, {1}},
        {kAdminKey, "/issues.json?cf_11=>=2", 200, {2}},
        {kAdminKey, "/issues.json?cf_11=<=1.5", 200, {4, 1}},
        {kAdminKey, "/issues.json?cf_11=><0|2", 200, {1}},
        {kAdminKey, "/issues.json?cf_11=!*", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                                                   16, 15, 14, 13, 12, 11, 10, 9,  8,  7,  6,  5,  3}},
        {kAdminKey, "/issues.json?cf_12=~world", 200, {2, 1}},
        {kAdminKey, "/issues.json?cf_12=!~world", 200, {3}},
        {kAdminKey, "/issues.json?cf_12=^hello", 200, {1}},
        {kAdminKey, "/issues.json?cf_12=$peace", 200, {2}},
        {kAdminKey, "/issues.json?cf_12=*", 200, {2, 1}},
        {kAdminKey, "/issues.json?cf_12=!*", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                                                   16, 15, 14, 13, 12, 11, 10, 9,  8,  7,  6,  5,  4,  3}},
        {kAdminKey, "/issues.json?status_id=o", 200, {30, 29, 28, 27, 26, 24, 23, 22, 20, 19, 18, 17, 16,
                                                      15, 14, 13, 12, 10, 9,  8,  7,  5,  3,  2,  1}},
        {kAdminKey, "/issues.json?status_id=c", 200, {25, 21, 11, 6, 4}},
        {kAdminKey, "/issues.json?status_id=!1|2", 200, {25, 24, 21, 19, 14, 13, 11, 6, 5, 4, 2}},
        {kAdminKey, "/issues.json?status_id=!5", 200, {30, 29, 28, 27, 26, 24, 23, 22, 20, 19, 18, 17, 16,
                                                       15, 14, 13, 12, 11, 10, 9,  8,  7,  5,  3,  2,  1}},
        {kAdminKey, "/issues.json?tracker_id=!1", 200, {30, 27, 26, 25, 23, 22, 21, 18, 17, 16,
                                                        15, 13, 12, 9,  8,  7,  6,  3,  2,  1}},
        {kAdminKey, "/issues.json?tracker_id=2|3&project_id=2", 200, {22, 21, 18, 17, 16}},
        {kAdminKey, "/issues.json?priority_id=!2", 200, {29, 28, 24, 22, 19, 15, 11, 10, 6, 4}},
        {kAdminKey, "/issues.json?priority_id=1", 200, {22, 15, 11, 6}},
        {kAdminKey, "/issues.json?author_id=me", 200, {}},
        {kJsmithKey, "/issues.json?author_id=me", 200, {30, 29, 28, 26, 25, 23, 21, 16, 15, 14, 12, 7, 1}},
        {kAdminKey,
         "/issues.json?author_id=!5",
         200,
         {27, 24, 22, 20, 19, 18, 17, 13, 11, 10, 9, 8, 6, 5, 4, 3, 2}},
        {kAdminKey, "/issues.json?author_id=5|7&project_id=2", 200, {21, 20, 19, 16}},
        {kAdminKey, "/issues.json?assigned_to_id=me", 200, {}},
        {kDlopperKey,
         "/issues.json?assigned_to_id=me",
         200,
         {29, 26, 24, 23, 19, 18, 17, 16, 14, 10, 7, 4, 3, 2, 1}},
        {kRhillKey, "/issues.json?assigned_to_id=me", 200, {5}},
        {kAdminKey, "/issues.json?assigned_to_id=8", 200, {}},
        {kAdminKey,
         "/issues.json?assigned_to_id=!6",
         200,
         {30, 28, 27, 25, 22, 21, 20, 15, 13, 12, 11, 9, 8, 6, 5}},
        {kAdminKey, "/issues.json?assigned_to_id=*&project_id=3", 200, {26, 25, 24, 23}},
        {kAdminKey,
         "/issues.json?assigned_to_id=6|me",
         200,
         {29, 26, 24, 23, 19, 18, 17, 16, 14, 10, 7, 4, 3, 2, 1}},
        {kAdminKey, "/projects/webshop/issues.json?category_id=1", 200, {29, 14, 7, 4, 3, 1}},
        {kAdminKey,
         "/projects/webshop/issues.json?category_id=!1",
         200,
         {30, 22, 21, 20, 19, 18, 17, 16, 15, 13, 12, 11, 10, 9, 8, 6, 5, 2}},
        {kAdminKey, "/projects/webshop/issues.json?category_id=*", 200, {29, 15, 14, 11, 7, 4, 3, 2, 1}},
        {kAdminKey,
         "/projects/webshop/issues.json?category_id=!*",
         200,
         {30, 22, 21, 20, 19, 18, 17, 16, 13, 12, 10, 9, 8, 6, 5}},
        {kAdminKey, "/projects/webshop/issues.json?category_id=1|2", 200, {29, 15, 14, 11, 7, 4, 3, 2, 1}},
        {kAdminKey, "/issues.json?category_id=1", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                        20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                        10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?fixed_version_id=1", 200, {29, 14, 10, 4, 3, 2, 1}},
        {kAdminKey, "/issues.json?fixed_version_id=!2", 200, {29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
                                                              17, 15, 14, 13, 11, 10, 6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?fixed_version_id=*", 200, {30, 29, 16, 14, 12, 10, 9, 8, 7, 4, 3, 2, 1}},
        {kAdminKey,
         "/issues.json?fixed_version_id=!*&project_id=1",
         200,
         {22, 21, 20, 19, 18, 17, 15, 13, 11, 6, 5}},
        {kAdminKey, "/issues.json?project_id=mine", 404, {}},
        {kDlopperKey, "/issues.json?project_id=mine", 404, {}},
        {kRhillKey, "/issues.json?project_id=mine", 404, {}},
        {kAdminKey, "/issues.json?project_id=!1", 404, {}},
        {kAdminKey, "/issues.json?project_id=webshop-mobile|3", 404, {}},
        {kAdminKey, "/issues.json?project_id=internal-tools", 200, {28, 27, 26, 25, 24, 23}},
        {kAdminKey, "/projects/webshop/issues.json?subproject_id=*", 200, {30, 29, 22, 21, 20, 19, 18, 17,
                                                                           16, 15, 14, 13, 12, 11, 10, 9,
                                                                           8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey,
         "/projects/webshop/issues.json?subproject_id=!*",
         200,
         {30, 29, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
        {kAdminKey, "/projects/webshop/issues.json?subproject_id=2", 200, {30, 29, 22, 21, 20, 19, 18, 17,
                                                                           16, 15, 14, 13, 12, 11, 10, 9,
                                                                           8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey,
         "/projects/webshop/issues.json?subproject_id=!2",
         200,
         {30, 29, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
        {kAdminKey,
         "/projects/webshop-mobile/issues.json?subproject_id=!*",
         200,
         {22, 21, 20, 19, 18, 17, 16}},
        {kAdminKey, "/issues.json?subject=~cart", 200, {20, 4}},
        {kAdminKey, "/issues.json?subject=!~cart", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                         19, 18, 17, 16, 15, 14, 13, 12, 11, 10,
                                                         9,  8,  7,  6,  5,  3,  2,  1}},
        {kAdminKey, "/issues.json?subject=^add", 200, {}},
        {kAdminKey, "/issues.json?subject=$page", 200, {11}},
        {kAdminKey, "/issues.json?subject=*", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                    20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                    10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?subject=!*", 200, {}},
        {kAdminKey, "/issues.json?subject=Add%20to%20cart", 200, {}},
        {kAdminKey, "/issues.json?description=~the", 200, {24, 23, 19, 16, 14, 13, 6, 5, 4, 3}},
        {kAdminKey, "/issues.json?description=!~the", 200, {30, 29, 28, 25, 20, 12, 11, 10, 7, 2, 1}},
        {kAdminKey, "/issues.json?description=^as", 200, {}},
        {kAdminKey, "/issues.json?description=$.", 200, {30, 29, 28, 25, 24, 23, 20, 19, 16, 14, 13,
                                                         12, 11, 10, 7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?description=*", 200, {30, 29, 28, 25, 24, 23, 20, 19, 16, 14, 13,
                                                        12, 11, 10, 7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?description=!*", 200, {27, 26, 22, 21, 18, 17, 15, 9, 8}},
        {kAdminKey, "/issues.json?done_ratio=0", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 20, 19, 18,
                                                       17, 16, 15, 13, 12, 11, 9,  8,  7,  6,  5,  3}},
        {kAdminKey, "/issues.json?done_ratio=<=20", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 20, 19, 18, 17,
                                                          16, 15, 13, 12, 11, 10, 9,  8,  7,  6,  5,  3}},
        {kAdminKey, "/issues.json?done_ratio=><10|50", 200, {10}},
        {kAdminKey, "/issues.json?done_ratio=!*", 200, {}},
        {kAdminKey, "/issues.json?done_ratio=*", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                       20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                       10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?done_ratio=30,40", 200, {}},
        {kAdminKey, "/issues.json?estimated_hours=8", 200, {9, 8}},
        {kAdminKey, "/issues.json?estimated_hours=>=8", 200, {26, 16, 9, 8, 7, 1}},
        {kAdminKey, "/issues.json?estimated_hours=<=2.5", 200, {}},
        {kAdminKey,
         "/issues.json?estimated_hours=!*",
         200,
         {30, 29, 28, 27, 25, 24, 22, 21, 20, 19, 15, 14, 13, 12, 11, 10, 6, 5, 4}},
        {kAdminKey, "/issues.json?estimated_hours=*", 200, {26, 23, 18, 17, 16, 9, 8, 7, 3, 2, 1}},
        {kAdminKey, "/issues.json?is_private=0", 200, {30, 27, 26, 25, 24, 23, 22, 21, 20, 19,
                                                       18, 17, 16, 15, 14, 13, 12, 11, 10, 9,
                                                       8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?is_private=!1", 200, {30, 27, 26, 25, 24, 23, 22, 21, 20, 19,
                                                        18, 17, 16, 15, 14, 13, 12, 11, 10, 9,
                                                        8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?is_private=1|0", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                         20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                         10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kJsmithKey, "/issues.json?is_private=!0", 200, {29, 28}},
        {kAdminKey, "/issues.json?watcher_id=!7", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                        20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                        10, 9,  8,  7,  6,  5,  4,  3,  2}},
        {kAdminKey, "/issues.json?watcher_id=5", 200, {30, 29, 28, 25, 21, 16, 13, 11, 10, 6, 5, 4, 1}},
        {kJsmithKey, "/issues.json?watcher_id=me", 200, {30, 29, 28, 25, 21, 16, 13, 11, 10, 6, 5, 4, 1}},
        {kAdminKey, "/issues.json?issue_id=3,5,7", 200, {7, 5, 3}},
        {kAdminKey, "/issues.json?issue_id=5", 200, {5}},
        {kAdminKey, "/issues.json?issue_id=>=25", 200, {30, 29, 28, 27, 26, 25}},
        {kAdminKey, "/issues.json?issue_id=*", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                     20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                     10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?issue_id=!*", 200, {}},
        {kAdminKey, "/issues.json?parent_id=1", 200, {3, 2}},
        {kAdminKey, "/issues.json?parent_id=~1", 200, {3, 2}},
        {kAdminKey,
         "/issues.json?parent_id=!*&project_id=1",
         200,
         {30, 29, 22, 21, 20, 19, 16, 15, 14, 13, 12, 11, 10, 7, 6, 5, 4, 1}},
        {kAdminKey, "/issues.json?parent_id=*", 200, {27, 18, 17, 9, 8, 3, 2}},
        {kAdminKey, "/issues.json?closed_on=<=2026-11-22", 200, {25, 21, 11, 6, 4}},
        {kAdminKey, "/issues.json?closed_on=2026-11-22", 200, {25, 21, 11, 6, 4}},
        {kAdminKey, "/issues.json?start_date=!*", 200, {}},
        {kAdminKey, "/issues.json?start_date=>=2026-01-21", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                                  20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                                  10, 9,  8,  7,  6,  5,  4,  3}},
        {kAdminKey, "/issues.json?due_date=<=2026-01-31", 200, {2}},
        {kAdminKey, "/issues.json?due_date=!*&issue_id=1,2,3,4", 200, {4}},
        {kAdminKey,
         "/issues.json?cf_1=!*",
         200,
         {30, 22, 21, 18, 17, 16, 15, 14, 13, 12, 9, 8, 7, 6, 3, 2, 1}},
        {kAdminKey, "/issues.json?cf_1=*", 200, {29, 20, 19, 11, 10, 5, 4}},
        {kAdminKey, "/issues.json?cf_1=Major|Minor", 200, {20, 5, 4}},
        {kAdminKey, "/issues.json?sort=id", 200, {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                  11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                                  21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
        {kAdminKey, "/issues.json?sort=subject:desc", 200, {12, 28, 11, 8,  9,  18, 17, 21, 7,  5,
                                                            20, 14, 29, 15, 27, 16, 26, 10, 13, 6,
                                                            3,  2,  30, 22, 25, 1,  4,  24, 23, 19}},
        {kAdminKey, "/issues.json?sort=status,id", 200, {7,  8,  9, 12, 15, 18, 20, 22, 26, 27,
                                                         28, 30, 1, 3,  10, 16, 17, 23, 29, 2,
                                                         14, 24, 5, 13, 19, 4,  6,  21, 25, 11}},
        {kAdminKey, "/issues.json?sort=status:desc,id", 200, {11, 4,  6,  21, 25, 5,  13, 19, 2,  14,
                                                              24, 1,  3,  10, 16, 17, 23, 29, 7,  8,
                                                              9,  12, 15, 18, 20, 22, 26, 27, 28, 30}},
        {kAdminKey, "/issues.json?sort=priority,id", 200, {6,  11, 15, 22, 1,  2,  3,  5,  7,  8,
                                                           9,  12, 13, 14, 16, 17, 18, 20, 21, 23,
                                                           25, 26, 27, 30, 4,  24, 28, 10, 19, 29}},
        {kAdminKey, "/issues.json?sort=tracker:desc,id", 200, {6,  13, 21, 25, 1,  2,  3,  7,  8,  9,
                                                               12, 15, 16, 17, 18, 22, 23, 26, 27, 30,
                                                               4,  5,  10, 11, 14, 19, 20, 24, 28, 29}},
        {kAdminKey, "/issues.json?sort=author,id", 200, {2,  3,  8,  9,  13, 17, 18, 22, 24, 27,
                                                         1,  7,  12, 14, 15, 16, 21, 23, 25, 26,
                                                         28, 29, 30, 4,  5,  6,  10, 11, 19, 20}},
        {kAdminKey, "/issues.json?sort=author:desc,id", 200, {4,  5,  6,  10, 11, 19, 20, 1,  7,  12,
                                                              14, 15, 16, 21, 23, 25, 26, 28, 29, 30,
                                                              2,  3,  8,  9,  13, 17, 18, 22, 24, 27}},
        {kAdminKey, "/issues.json?sort=assigned_to,id", 200, {8,  9,  11, 12, 15, 20, 22, 27, 28, 30,
                                                              1,  2,  3,  4,  7,  10, 14, 16, 17, 18,
                                                              19, 23, 24, 26, 29, 6,  13, 21, 25, 5}},
        {kAdminKey, "/issues.json?sort=assigned_to:desc,id", 200, {5,  6,  13, 21, 25, 1,  2,  3,  4,  7,
                                                                   10, 14, 16, 17, 18, 19, 23, 24, 26, 29,
                                                                   8,  9,  11, 12, 15, 20, 22, 27, 28, 30}},
        {kAdminKey, "/issues.json?sort=project,id", 200, {23, 24, 25, 26, 27, 28, 1,  2,  3,  4,
                                                          5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                                                          15, 29, 30, 16, 17, 18, 19, 20, 21, 22}},
        {kAdminKey, "/issues.json?sort=category,id", 200, {5,  6,  8,  9,  10, 12, 13, 16, 17, 18,
                                                           19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                                                           30, 1,  3,  4,  7,  14, 29, 2,  11, 15}},
        {kAdminKey, "/issues.json?sort=fixed_version:desc,id", 200, {5,  6,  11, 13, 15, 17, 18, 19, 20, 21,
                                                                     22, 23, 24, 25, 26, 27, 28, 7,  8,  9,
                                                                     12, 16, 30, 1,  2,  3,  4,  10, 14, 29}},
        {kAdminKey, "/issues.json?sort=start_date:desc,id", 200, {4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                                                                  14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
                                                                  24, 25, 26, 27, 28, 29, 30, 3,  1,  2}},
        {kAdminKey, "/issues.json?sort=due_date,id", 200, {4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                                                           14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
                                                           24, 25, 26, 27, 28, 29, 30, 2,  1,  3}},
        {kAdminKey, "/issues.json?sort=due_date:desc,id", 200, {1,  3,  2,  4,  5,  6,  7,  8,  9,  10,
                                                                11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                                                21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
        {kAdminKey, "/issues.json?sort=estimated_hours,id", 200, {4,  5,  6,  10, 11, 12, 13, 14, 15, 19,
                                                                  20, 21, 22, 24, 25, 27, 28, 29, 30, 3,
                                                                  17, 18, 2,  23, 8,  9,  16, 26, 1,  7}},
        {kAdminKey, "/issues.json?sort=done_ratio,id", 200, {3,  5,  6,  7,  8,  9,  11, 12, 13, 15,
                                                             16, 17, 18, 19, 20, 22, 23, 24, 25, 26,
                                                             27, 28, 29, 30, 10, 1,  2,  4,  14, 21}},
        {kAdminKey, "/issues.json?sort=created_on:desc", 200, {30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
                                                               20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
                                                               10, 9,  8,  7,  6,  5,  4,  3,  2,  1}},
        {kAdminKey, "/issues.json?sort=closed_on,id", 200, {1,  2,  3,  5,  7,  8,  9,  10, 12, 13,
                                                            14, 15, 16, 17, 18, 19, 20, 22, 23, 24,
                                                            26, 27, 28, 29, 30, 4,  6,  11, 21, 25}},
        {kAdminKey, "/issues.json?sort=parent,id", 200, {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                         11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                                         21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
        {kAdminKey, "/issues.json?sort=parent:desc,id:desc", 200, {30, 29, 28, 26, 27, 25, 24, 23, 22, 21,
                                                                   20, 19, 16, 17, 18, 15, 14, 13, 12, 11,
                                                                   10, 7,  8,  9,  6,  5,  4,  1,  2,  3}},
        {kAdminKey, "/issues.json?sort=total_spent_hours,id", 200, {5,  7,  8,  9,  11, 12, 13, 14, 15, 18,
                                                                    19, 20, 21, 22, 25, 26, 27, 28, 29, 30,
                                                                    6,  3,  24, 10, 23, 4,  2,  17, 16, 1}},
        {kAdminKey, "/issues.json?sort=spent_hours,id", 200, {5,  7,  8,  9,  11, 12, 13, 14, 15, 18,
                                                              19, 20, 21, 22, 25, 26, 27, 28, 29, 30,
                                                              6,  16, 3,  24, 10, 1,  23, 4,  2,  17}},
        {kAdminKey, "/issues.json?sort=total_estimated_hours,id", 200, {4,  5,  6,  10, 11, 12, 13, 14,
                                                                        15, 19, 20, 21, 22, 24, 25, 27,
                                                                        28, 29, 30, 3,  17, 18, 2,  23,
                                                                        8,  9,  26, 16, 1,  7}},
        {kAdminKey, "/issues.json?sort=is_private:desc,id", 200, {28, 29, 1,  2,  3,  4,  5,  6,  7,  8,
                                                                  9,  10, 11, 12, 13, 14, 15, 16, 17, 18,
                                                                  19, 20, 21, 22, 23, 24, 25, 26, 27, 30}},
        {kAdminKey, "/issues.json?sort=relations,id", 200, {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                            11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                                            21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
        {kAdminKey, "/issues.json?sort=description,id", 200, {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                              11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                                              21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
        {kAdminKey, "/issues.json?sort=cf_4,id", 200, {5,  9,  10, 11, 12, 13, 14, 15, 16, 17,
                                                       18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                                                       28, 29, 30, 6,  2,  7,  1,  4,  3,  8}},
        {kAdminKey, "/issues.json?sort=cf_6:desc,id", 200, {4,  5,  6,  7,  8,  10, 11, 12, 13, 14,
                                                            15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                                                            25, 26, 27, 28, 29, 30, 2,  3,  1,  9}},
        {kAdminKey, "/issues.json?sort=cf_10,id", 200, {3,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                                                        15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                                                        25, 26, 27, 28, 29, 30, 2,  4,  1,  5}},
        {kAdminKey, "/issues.json?sort=cf_11:desc,id", 200, {2,  1,  4,  3,  5,  6,  7,  8,  9,  10,
                                                             11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                                             21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
        {kAdminKey, "/issues.json?sort=cf_12,id", 200, {3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                                        13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                                        23, 24, 25, 26, 27, 28, 29, 30, 2,  1}},
        {kAdminKey, "/issues.json?sort=last_updated_by,id", 200, {8,  9,  12, 15, 18, 20, 22, 27, 1,  2,
                                                                  3,  7,  17, 23, 24, 26, 5,  6,  11, 13,
                                                                  16, 21, 25, 28, 30, 4,  10, 14, 29, 19}},
        {kAdminKey, "/issues.json?sort=watcher,id", 200, {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                          11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                                          21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
        {kAdminKey, "/issues.json?sort=id,subject", 200, {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                                          11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                                          21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
    };
    // text sorts follow the collation: MySQL's is case-insensitive
    const Ids notes2 = mysql() ? Ids{1, 2} : Ids{2, 1};
    for (const auto& k : cases) {
        const bool all =
            k.target.find("status_id") == std::string::npos && k.target.find("f[]") == std::string::npos;
        const std::string target = k.target + (all ? "&status_id=*" : "") + "&limit=100";
        CAPTURE(target);
        CAPTURE(k.key);
        Ids want = k.status == 200 ? k.ids : Ids{-k.status};
        if (k.target.find("sort=cf_12") != std::string::npos)
            std::copy(notes2.begin(), notes2.end(), want.end() - 2);
        CHECK(ids_text(fetch(c, target, k.key)) == ids_text(want));
    }
}

TEST_CASE("issue filters: a project's subprojects without display_subprojects_issues") {
    Client c;
    // (settings are cached for a moment: set before the first request)
    c.exec("INSERT INTO settings (name, value, updated_on) VALUES ('display_subprojects_issues', '0', ?)",
           {time_text(now_utc())});
    const std::vector<std::pair<std::string, size_t>> cases = {
        {"/projects/webshop/issues.json?status_id=*", 17},
        {"/issues.json?project_id=1&status_id=*", 17},
        {"/projects/webshop/issues.json?status_id=*&subproject_id=*", 24},
        {"/projects/webshop/issues.json?status_id=*&subproject_id=2", 24},
        {"/projects/webshop/issues.json?status_id=*&subproject_id=!2", 17},
        {"/projects/webshop/issues.json?status_id=*&subproject_id=!*", 17},
        {"/projects/webshop-mobile/issues.json?status_id=*&subproject_id=!*", 7},
    };
    for (const auto& item_ : cases) {
        const auto& target = std::get<0>(item_);
        const auto& count = std::get<1>(item_);
        CAPTURE(target);
        CHECK(fetch(c, target + "&limit=100", kAdminKey).size() == count);
    }
    CHECK(ids_text(fetch(c, "/projects/webshop/issues.json?status_id=*&subproject_id=2&tracker_id=3",
                         kAdminKey)) == "{21, 13, 6}");
    CHECK(ids_text(fetch(c, "/projects/webshop/issues.json?status_id=*&tracker_id=3", kAdminKey)) ==
          "{13, 6}");
    // the project_id filter names projects, without their subprojects; "mine" the user's memberships
    CHECK(fetch(c, "/issues.json?f[]=project_id&op[project_id]==&v[project_id][]=1&limit=100", kAdminKey)
              .size() == 17);
    CHECK(ids_text(fetch(c, "/issues.json?f[]=project_id&op[project_id]=!&v[project_id][]=1", kAdminKey)) ==
          "{28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16}");
    CHECK(fetch(c, "/issues.json?f[]=project_id&op[project_id]==&v[project_id][]=mine", kAdminKey).empty());
    CHECK(fetch(c, "/issues.json?f[]=project_id&op[project_id]==&v[project_id][]=mine&limit=100", kRhillKey)
              .size() == 23);
}
