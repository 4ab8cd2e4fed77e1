// What the issue write side shares between its controllers (issues, watchers): Redmine's per-issue
// permission checks.
#pragma once

#include <optional>
#include <string>

#include "db/issue_writes.h"
#include "resources/common.h"

namespace resources::issue_writes {

// The user has `permission` on the project (admins always; a project that is not active allows read
// permissions only). With a tracker, as Issue#user_tracker_permission?: a role counts only when it grants the
// permission for that tracker.
bool issue_permission(Context& ctx, long long project_id, const std::string& permission,
                      std::optional<long long> tracker_id = std::nullopt);

// The issue with this route id, visible to the user: 404 when there is none, else deny_access.
issue_writes_db::Issue find_visible(Context& ctx, const std::string& id_text);

// Adds active users and groups as watchers of the issue (Watcher.create; duplicates and others skipped).
void add_watchers(Context& ctx, long long issue_id, const std::vector<long long>& user_ids);

// Writes that touch issue trees run READ COMMITTED on MySQL (call it right before the db::Tx): what is read
// after lock_trees() is then what the other writers committed, not the snapshot of the first read.
void read_committed(db::Conn& db);
// Issue#lock_nested_set: on MySQL, row locks on every issue of the trees of these issues, tree by tree in
// root_id order, so that concurrent writers of a tree queue instead of deadlocking. SQLite's write
// transaction is already exclusive. Call it first in the transaction, then read what the write depends on.
void lock_trees(db::Conn& db, const std::vector<long long>& issue_ids);

// Issue#recalculate_attributes_for up the ancestors from parent_id (dates, priority, done ratio), as the
// parent_issue_* settings say; saves a parent only when something changed.
void recalculate_ancestors(Context& ctx, std::optional<long long> parent_id, const std::string& now);

// Follow-up scheduling (resources/issue_scheduling.cpp). Issue#soonest_start: the earliest start the
// issue's preceding issues (and its parent's, when given) allow, as days since 1970-01-01.
std::optional<long long> soonest_start(Context& ctx, long long issue_id, std::optional<long long> parent_id);
// Redmine's add_working_days over the non_working_week_days setting (days since 1970-01-01).
long long add_working_days(Context& ctx, long long days, long long n);
// Issue#reschedule_on!(days, journal): moves the issue (or its leaves) to start on that day or the next
// working day, keeping its working duration, with the rescheduling that follows. With `journal` the
// moved issue gets a journal by the current user. Returns that journal's id.
std::optional<long long> reschedule_on(Context& ctx, long long issue_id, long long days, bool journal,
                                       const std::string& now);
// Issue#reschedule_following_issues: after the issue's dates changed, each `precedes` relation from it
// moves its follower (IssueRelation#set_issue_to_dates).
void reschedule_following(Context& ctx, long long issue_id, bool journal, const std::string& now);

// Journal#save by the current user (resources/issue_journaling.cpp): nothing when there are no details
// and the notes are blank; private notes with details become two journals (the changes first); the
// user starts watching the issue when allowed to and their auto-watch preference says so. Returns the
// id of the (last) journal written.
std::optional<long long> write_journal(Context& ctx, long long issue_id, std::optional<std::string> notes,
                                       bool private_notes,
                                       const std::vector<issue_writes_db::Detail>& details,
                                       const std::string& now);

}  // namespace resources::issue_writes

namespace resources {

// Blank as Ruby's String#blank? (empty or whitespace only).
bool blank_text(const std::string& s);

}  // namespace resources
