// The one custom value validator (resources/custom_values.h): every field format Redmine 5.0
// validates, with its messages, on a time entry, an issue and a user.
#include <doctest/doctest.h>

#include "resources/custom_values.h"
#include "spec/support.h"

using namespace spec;

namespace {

std::string errors(const http::Response& r) { return nlohmann::ordered_json::parse(r.body)["errors"].dump(); }

// A custom field of `type`; `regexp` is a reserved word in MySQL.
void field(Client& c, long long id, const std::string& type, const std::string& name, const std::string& format,
           const std::string& extra_columns = "", const std::vector<db::Value>& extra = {}) {
    std::string columns = "id, type, name, field_format, position, visible, is_for_all";
    std::string values = "?, ?, ?, ?, ?, 1, 1";
    std::vector<db::Value> params = {id, type, name, format, id};
    if (!extra_columns.empty()) {
        columns += ", " + extra_columns;
        for (size_t i = 0; i < extra.size(); ++i) values += ", ?";
        params.insert(params.end(), extra.begin(), extra.end());
    }
    c.exec("INSERT INTO custom_fields (" + columns + ") VALUES (" + values + ")", params);
    if (type == "IssueCustomField")
        for (long long tracker : {1LL, 2LL, 3LL})
            c.exec("INSERT INTO custom_fields_trackers (custom_field_id, tracker_id) VALUES (?, ?)", {id, tracker});
}

std::string regexp_column() { return mysql() ? "`regexp`" : "regexp"; }

// One field of every format on `type`, as numbered below.
void every_format(Client& c, const std::string& type, long long base) {
    field(c, base, type, "Ticket", "string", regexp_column() + ", min_length, max_length",
          {std::string("^[A-Z]+-\\d+$"), 3LL, 10LL});
    field(c, base + 1, type, "Units", "int");
    field(c, base + 2, type, "Rate", "float");
    field(c, base + 3, type, "Billed on", "date");
    field(c, base + 4, type, "Billable", "bool", "is_required", {1LL});
    field(c, base + 5, type, "Cost Centre", "list", "possible_values, multiple",
          {std::string("---\n- a\n- b\n- c\n"), 1LL});
    field(c, base + 6, type, "Home page", "link", "max_length", {20LL});
    field(c, base + 7, type, "Notes", "text", "min_length", {2LL});
}

// The record list formats (not for users).
void record_formats(Client& c, const std::string& type, long long base) {
    field(c, base, type, "Phase", "enumeration");
    c.exec("INSERT INTO custom_field_enumerations (id, custom_field_id, name, active, position) VALUES "
           "(?, ?, 'Alpha', ?, 1), (?, ?, 'Beta', ?, 2)",
           {base * 10 + 1, base, true, base * 10 + 2, base, false});
    field(c, base + 1, type, "Reviewer", "user", "format_store",
          {std::string("--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nuser_role:\n- '3'\n"
                       "edit_tag_style: ''\n")});
    field(c, base + 2, type, "Release", "version", "format_store",
          {std::string("--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nversion_status:\n- open\n")});
}

const std::string kBadValues =
    R"([{"id":B0,"value":"ab"},{"id":B1,"value":"1.5"},{"id":B2,"value":"x"},{"id":B3,"value":"2026-02-30"},)"
    R"({"id":B4,"value":""},{"id":B5,"value":["a","z"]},{"id":B6,"value":"http://example.com/a/long/path"},)"
    R"({"id":B7,"value":"x"}])";

std::string with_base(std::string s, long long base) {
    for (int i = 0; i < 8; ++i) {
        const std::string from = "B" + std::to_string(i), to = std::to_string(base + i);
        for (size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, from.size(), to);
    }
    return s;
}

const std::string kBadMessages =
    R"x(["Ticket is invalid","Ticket is too short (minimum is 3 characters)","Units is not a number",)x"
    R"x("Rate is invalid","Billed on is not a valid date","Billable cannot be blank",)x"
    R"x("Cost centre is not included in the list","Home page is too long (maximum is 20 characters)",)x"
    R"x("Notes is too short (minimum is 2 characters)"])x";

}  // namespace

TEST_CASE("humanize names fields as Rails' full messages do") {
    CHECK(resources::humanize("Cost Centre") == "Cost centre");
    CHECK(resources::humanize("__customer_id") == "Customer");
    CHECK(resources::humanize("Severity") == "Severity");
    CHECK(resources::humanize("SLA level 2") == "Sla level 2");
}

TEST_CASE("custom_value_errors: each format's checks") {
    using resources::CustomFieldDef;
    using resources::custom_value_errors;
    using V = std::vector<std::string>;
    auto one = [](const std::string& v) { return resources::CustomValueInput{{v}, false}; };
    auto list = [](const V& v) { return resources::CustomValueInput{v, true}; };
    CustomFieldDef f;
    f.name = "F";
    f.field_format = "int";
    CHECK(custom_value_errors(f, one(" 12 ")).empty());
    CHECK(custom_value_errors(f, one("-3")).empty());
    CHECK(custom_value_errors(f, one("1e3")) == V{"F is not a number"});
    CHECK(custom_value_errors(f, list({"1", "2"})) == V{"F is invalid"});  // a list for a single value
    f.field_format = "float";
    for (const char* ok : {"1.5", ".5", "0x1A", "1_000", "-2e3", " 3 "}) CHECK(custom_value_errors(f, one(ok)).empty());
    for (const char* bad : {"1.", "1e", "abc", "1__0"}) CHECK(custom_value_errors(f, one(bad)) == V{"F is invalid"});
    f.field_format = "date";
    CHECK(custom_value_errors(f, one("2024-02-29")).empty());
    CHECK(custom_value_errors(f, one("2023-02-29")) == V{"F is not a valid date"});
    CHECK(custom_value_errors(f, one("2023-2-1")) == V{"F is not a valid date"});
    f.field_format = "bool";  // Redmine checks no bool value
    CHECK(custom_value_errors(f, one("maybe")).empty());
    f.is_required = true;
    CHECK(custom_value_errors(f, one(" ")) == V{"F cannot be blank"});
    CHECK(custom_value_errors(f, list({""})) == V{"F is invalid", "F cannot be blank"});
    f.is_required = false;
    f.field_format = "string";
    f.regexp = "\\A[a-z]+\\z";
    CHECK(custom_value_errors(f, one("abc")).empty());
    CHECK(custom_value_errors(f, one("abc1")) == V{"F is invalid"});
    f.regexp.clear();
    f.max_length = 3;
    CHECK(custom_value_errors(f, one("äöü")).empty());  // characters, not bytes
    CHECK(custom_value_errors(f, one("abcd")) == V{"F is too long (maximum is 3 characters)"});
    f.field_format = "list";
    f.multiple = true;
    f.possible_values = {"a", "b"};
    CHECK(custom_value_errors(f, list({"a", "b"})).empty());
    CHECK(custom_value_errors(f, list({"a", "x"})) == V{"F is not included in the list"});
    CHECK(custom_value_errors(f, one("x"), {"x"}).empty());  // a value stored before stays valid
    f.field_format = "user";  // record lists are checked once their ids are loaded
    f.possible_values.clear();
    CHECK(custom_value_errors(f, one("5")).empty());
    f.record_ids_loaded = true;
    CHECK(custom_value_errors(f, one("5")) == V{"F is not included in the list"});
}

TEST_CASE("custom values of every format on a time entry") {
    Client c;
    every_format(c, "TimeEntryCustomField", 20);
    record_formats(c, "TimeEntryCustomField", 30);
    c.exec("UPDATE versions SET status = 'closed' WHERE id = 1");
    auto post = [&](const std::string& fields, const std::string& key = kAdminKey) {
        return c.send("POST", "/time_entries.json",
                      R"({"time_entry":{"issue_id":1,"hours":1,"activity_id":9,"custom_fields":)" + fields + "}}",
                      key);
    };
    auto r = post(with_base(kBadValues, 20));
    CHECK(r.status == 422);
    CHECK(errors(r) == kBadMessages);
    r = post(R"([{"id":24,"value":"1"},{"id":30,"value":"302"},{"id":31,"value":"6"},{"id":32,"value":"1"}])");
    CHECK(r.status == 422);
    CHECK(errors(r) == R"(["Phase is not included in the list","Reviewer is not included in the list",)"
                       R"("Release is not included in the list"])");
    r = post(R"([{"id":24,"value":"1"},{"id":20,"value":"AB-12"},{"id":21,"value":"7"},{"id":22,"value":"2.5"},)"
             R"({"id":23,"value":"2026-01-31"},{"id":25,"value":["a","c"]},{"id":30,"value":"301"},)"
             R"({"id":31,"value":"5"},{"id":32,"value":"2"}])");
    REQUIRE(r.status == 201);
    const long long id = json(r)["time_entry"]["id"].get<long long>();
    CHECK(c.scalar("SELECT COUNT(*) FROM custom_values WHERE customized_type = 'TimeEntry' AND customized_id = ? "
                   "AND custom_field_id = 25",
                   {id}) == 2);
    // an update validates every field once one is assigned; a single-value field refuses a list
    auto put = c.send("PUT", "/time_entries/" + std::to_string(id) + ".xml",
                      "<time_entry><custom_fields type=\"array\"><custom_field id=\"21\"><value type=\"array\">"
                      "<value>1</value><value>2</value></value></custom_field></custom_fields></time_entry>");
    CHECK(put.status == 422);
    CHECK(put.body.find("<error>Units is invalid</error>") != std::string::npos);
    CHECK(c.send("PUT", "/time_entries/" + std::to_string(id) + ".json",
                 R"({"time_entry":{"custom_fields":[{"id":21,"value":"8"}]}})")
              .status == 204);
    CHECK(c.send("PUT", "/time_entries/" + std::to_string(id) + ".json",
                 R"({"time_entry":{"custom_fields":[{"id":24,"value":""}]}})")
              .body == R"({"errors":["Billable cannot be blank"]})");
}

TEST_CASE("custom values of every format on an issue") {
    Client c;
    every_format(c, "IssueCustomField", 20);
    record_formats(c, "IssueCustomField", 30);
    c.exec("UPDATE versions SET status = 'closed' WHERE id = 1");
    auto post = [&](const std::string& fields) {
        return c.send("POST", "/issues.json",
                      R"({"issue":{"project_id":1,"tracker_id":2,"subject":"CF","custom_fields":)" + fields + "}}");
    };
    // the issue writes report each field's first message
    auto r = post(with_base(kBadValues, 20));
    CHECK(r.status == 422);
    const std::string body = errors(r);
    for (const char* m : {"Ticket is invalid", "Units is not a number", "Rate is invalid",
                          "Billed on is not a valid date", "Billable cannot be blank",
                          "Cost centre is not included in the list",
                          "Home page is too long (maximum is 20 characters)",
                          "Notes is too short (minimum is 2 characters)"})
        CHECK_MESSAGE(body.find(m) != std::string::npos, m);
    r = post(R"([{"id":24,"value":"1"},{"id":30,"value":"302"},{"id":31,"value":"6"},{"id":32,"value":"1"}])");
    CHECK(r.status == 422);
    CHECK(errors(r) == R"(["Phase is not included in the list","Reviewer is not included in the list",)"
                       R"("Release is not included in the list"])");
    r = post(R"([{"id":24,"value":"1"},{"id":20,"value":"AB-12"},{"id":21,"value":"7"},{"id":22,"value":"2.5"},)"
             R"({"id":23,"value":"2026-01-31"},{"id":25,"value":["a","c"]},{"id":30,"value":"301"},)"
             R"({"id":31,"value":"5"},{"id":32,"value":"2"}])");
    CHECK(r.status == 201);
}

TEST_CASE("custom values of every format on a user") {
    Client c;
    every_format(c, "UserCustomField", 20);
    auto post = [&](const std::string& fields) {
        return c.send("POST", "/users.json",
                      R"({"user":{"login":"cfuser","firstname":"C","lastname":"F","mail":"cf@example.net",)"
                      R"("password":"secret-pass-1","custom_fields":)" +
                          fields + "}}");
    };
    auto r = post(with_base(kBadValues, 20));
    CHECK(r.status == 422);
    CHECK(errors(r) == kBadMessages);
    r = post(R"([{"id":24,"value":"1"},{"id":21,"value":["1","2"]}])");
    CHECK(errors(r) == R"(["Units is invalid"])");
    r = post(R"([{"id":24,"value":"0"},{"id":20,"value":"AB-12"},{"id":25,"value":["a","c"]},)"
             R"({"id":26,"value":"example.net"}])");
    REQUIRE(r.status == 201);
    const long long id = json(r)["user"]["id"].get<long long>();
    auto put = c.send("PUT", "/users/" + std::to_string(id) + ".json",
                      R"({"user":{"custom_fields":[{"id":22,"value":"1,5"}]}})");
    CHECK(put.body == R"({"errors":["Rate is invalid"]})");
}
