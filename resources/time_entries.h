// What the time entry files share (resources/time_entries.cpp reads, time_entry_writes.cpp writes,
// time_entry_filters.cpp builds the list's conditions).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "resources/common.h"
#include "resources/custom_values.h"

namespace resources::time_entries {

// Redmine's String#to_hours: "1.5", "1,5", "1:30", "1h30", "1h 30m", "45m", "2 hours"; nothing when it
// does not parse.
std::optional<double> to_hours(const std::string& text);

// Calendar days as a count since 1970-01-01, and back ("YYYY-MM-DD").
long long days_from_civil(int y, int m, int d);
std::string civil_from_days(long long days);
// A strict "YYYY-MM-DD" that names a real day, as days; nothing otherwise.
std::optional<long long> parse_iso_date(const std::string& text);
long long today_days();  // the server's (UTC) today, as Redmine's User#today without a time zone

// Which time entries of a project the current user sees: "all", "own" or "" (none), following
// TimeEntry.visible_condition (view_time_entries and each role's time_entries_visibility).
std::string entries_visibility(Context& ctx, const app::ProjectInfo& project);
// TimeEntry#visible?
bool entry_visible(Context& ctx, long long project_id, long long entry_user_id);
// TimeEntry#editable_by?
bool entry_editable(Context& ctx, long long project_id, long long entry_user_id);

// The TimeEntryCustomFields and the roles of the hidden ones (custom_fields_roles), loaded once.
struct EntryFields {
    std::vector<CustomFieldDef> all;
    std::map<long long, std::vector<long long>> roles;
};
EntryFields load_entry_fields(Context& ctx);
// The ones the user may see on a project (CustomField#visible_by?: visible, admin, or one of its roles).
std::vector<CustomFieldDef> visible_fields(Context& ctx, const EntryFields& fields, long long project_id);

// One time entry as the index and show views render it. `row` holds the columns of kEntryColumns.
extern const char* const kEntryColumns;
api::Node entry_node(Context& ctx, const db::Row& row, const std::vector<CustomFieldDef>& fields,
                     const CustomValues& values);

// The WHERE conditions of GET /time_entries from the query parameters (TimeEntryQuery#statement).
struct Conditions {
    std::string sql;  // "" when there are none
    std::vector<db::Value> params;
};
// The project a list is scoped to (/projects/:id/time_entries or project_id=).
struct ProjectScope {
    long long id = 0, lft = 0, rgt = 0;
    bool leaf = true;
};
// With a project, its Query#project_statement is included.
Conditions filter_conditions(Context& ctx, const ProjectScope* project);
// ORDER BY for the sort parameter (TimeEntryQuery#sort_clause, then te.id ASC).
std::string order_clause(Context& ctx);

void register_writes(app::Router& r);

}  // namespace resources::time_entries
