// The SQL of the issue write side: an issue's stored attributes, its custom values, journals with
// their details, and the delete of a whole subtree with everything that hangs on it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace issue_writes_db {

// The journalized columns of an issue (Issue.column_names minus the bookkeeping ones), plus what the
// write side needs to nest and lock it.
struct Issue {
    long long id = 0, project_id = 0, tracker_id = 0, status_id = 0, author_id = 0;
    std::optional<long long> priority_id, assigned_to_id, category_id, fixed_version_id, parent_id;
    std::string subject;
    std::optional<std::string> description, start_date, due_date, closed_on;
    long long done_ratio = 0;
    std::optional<double> estimated_hours;
    bool is_private = false;
    long long lock_version = 0, root_id = 0, lft = 0, rgt = 0;
    std::map<long long, std::vector<std::string>> custom;  // custom_field_id -> values
};

std::optional<Issue> load(db::Conn& c, long long id);
// Inserts the row (id chosen by the database) and returns the id; nesting is the caller's.
long long insert(db::Conn& c, const Issue& i, const std::string& now);
void update(db::Conn& c, const Issue& i, const std::string& now);
void save_custom_values(db::Conn& c, long long issue_id,
                        const std::map<long long, std::vector<std::string>>& values, bool is_new);

struct Detail {
    std::string property, prop_key;
    std::optional<std::string> old_value, value;
};
// A journal on an issue with its details; returns its id.
long long add_journal(db::Conn& c, long long issue_id, long long user_id,
                      const std::optional<std::string>& notes, bool private_notes,
                      const std::vector<Detail>& details, const std::string& now);

// The ids of an issue and its descendants.
std::vector<long long> subtree_ids(db::Conn& c, const Issue& i);
// Deletes the issues and what depends on them (journals, relations, watchers, custom values,
// attachments, time entries and their custom values).
void delete_issues(db::Conn& c, const std::vector<long long>& ids);

}  // namespace issue_writes_db
