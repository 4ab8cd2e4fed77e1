// The SQL for issues, batched: one statement for a page of issues (with everything the API shows
// of their project, tracker, status, priority, author, assignee, category, version), then one
// statement per kind of extra data for the whole page (custom values, relations, spent hours,
// subtree sums; attachments: resources/attachments.h). Visibility follows Redmine's
// Issue.visible_condition.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/database.h"
#include "server/context.h"

namespace issues_db {

// A WHERE fragment with its `?` parameters, in order.
struct Cond {
    std::string sql;
    std::vector<db::Value> params;

    Cond() = default;
    Cond(std::string s, std::vector<db::Value> p = {}) : sql(std::move(s)), params(std::move(p)) {}
    // "(a) AND (b)"; an empty side is left out.
    Cond& and_(const Cond& other);
};

// `?, ?, ?` for n values (n > 0), appending the values to params.
std::string placeholders(const std::vector<long long>& ids, std::vector<db::Value>& params);
std::string placeholders(const std::vector<std::string>& values, std::vector<db::Value>& params);

// The groups the current user belongs to (Redmine's user.group_ids); empty for anonymous.
std::vector<long long> group_ids(app::Context& ctx);

// Issue.visible_condition(User.current) on the issues table named `table` (its project_id column).
Cond visible_condition(app::Context& ctx, const std::string& table = "issues");
// TimeEntry.visible_condition(User.current) on the time entries table named `table`.
Cond time_entry_visible_condition(app::Context& ctx, const std::string& table = "time_entries");

// Role#permissions_all_trackers?(permission) || Role#permissions_tracker_ids?(permission, tracker_id), read
// from the role's stored settings (issue write side).
bool role_allows_tracker(const std::string& settings_yaml, const std::string& permission,
                         long long tracker_id);

struct Principal {
    long long id = 0;
    std::string type, firstname, lastname, login;
};

struct IssueRow {
    long long id = 0, project_id = 0, tracker_id = 0, status_id = 0, priority_id = 0;
    std::string project_name, tracker_name, status_name, priority_name;
    bool status_closed = false, has_tracker = false, has_status = false, has_priority = false;
    std::optional<Principal> author, assigned_to;
    std::optional<long long> category_id, fixed_version_id, parent_id;
    std::string category_name, fixed_version_name;
    std::string subject;
    db::Row raw;  // description .. closed_on, read by the renderer (see the column constants)
    bool is_private = false;
    std::optional<double> estimated_hours;
    long long root_id = 0, lft = 0, rgt = 0;
    bool leaf() const { return rgt - lft <= 1; }
};
// Columns of IssueRow::raw.
enum RawCol : size_t {
    kDescription = 0,
    kStartDate,
    kDueDate,
    kDoneRatio,
    kCreatedOn,
    kUpdatedOn,
    kClosedOn
};

struct IssuePage {
    long long total = 0;
    std::vector<IssueRow> rows;
};
// A page of the visible issues matching `where`, in `order` (SQL made from a whitelist of sortable
// columns, with its own parameters), and how many match in all: the list endpoints' one call.
IssuePage page_issues(app::Context& ctx, const Cond& where, const Cond& order, long long limit, long long offset);
// One issue by id, whether visible or not (the caller checks visibility with is_visible).
std::optional<IssueRow> find_issue(app::Context& ctx, long long id);
bool is_visible(app::Context& ctx, long long issue_id);
// The subset of ids that are visible.
std::set<long long> visible_ids(app::Context& ctx, const std::vector<long long>& ids);

// Sums of visible time entries: per issue, and per issue over its subtree (lft/rgt within root_id).
std::map<long long, double> spent_hours(app::Context& ctx, const std::vector<long long>& ids);
std::map<long long, double> total_spent_hours(app::Context& ctx, const std::vector<long long>& ids);
// Sum of estimated_hours over the visible subtree of each given (non-leaf) issue; absent when NULL.
std::map<long long, double> total_estimated_hours(app::Context& ctx, const std::vector<long long>& ids);

struct Relation {
    long long id = 0, from = 0, to = 0;
    std::string type;
    std::optional<long long> delay;
    long long owner = 0;      // which of the given issues this row is for
    long long order() const;  // IssueRelation#<=>: by type (TYPES order), then id
};
// Relations of the given issues whose other issue is visible, one row per (relation, given issue).
std::vector<Relation> visible_relations(app::Context& ctx, const std::vector<long long>& ids);

}  // namespace issues_db
