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

}  // namespace resources::issue_writes

namespace resources {

// Blank as Ruby's String#blank? (empty or whitespace only).
bool blank_text(const std::string& s);

}  // namespace resources
