// What the project-area controllers (projects, memberships, versions, issue categories) share:
// principal names, Redmine's member-role rules (inheritance through groups and subprojects) and
// the validation helpers they all use.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "resources/common.h"
#include "resources/users.h"

namespace resources {

struct PrincipalRef {
    long long id = 0;
    std::string type;  // User, Group, GroupAnonymous, GroupNonMember, AnonymousUser
    std::string name;
    int status = 1;
};

// Principals by id, in one query; a user's name follows the user_format setting.
std::map<long long, PrincipalRef> load_principals(Context& ctx, const std::vector<long long>& ids);

// "?, ?, ?" for an IN list, with the ids appended to params.
std::string in_list(const std::vector<long long>& ids, std::vector<db::Value>& params);

// 204 No Content, the answer to a successful PUT or DELETE.

// A JSON array (or a single value) as strings, as Rails' Array.wrap of params would give.
std::vector<std::string> string_list(const nlohmann::json& v);

// Member roles, as Redmine's Member/MemberRole callbacks maintain them.
namespace members {
long long find_or_create(db::Conn& c, long long project_id, long long principal_id);
// Adds a role; a group's role is given to its users and a role reaches the subprojects that
// inherit members, each as an inherited member role.
void add_role(db::Conn& c, long long member_id, long long role_id, std::optional<long long> inherited_from);
// Removes a member role and the roles inherited from it; a member left without roles goes too
// unless keep_member.
void remove_role(db::Conn& c, long long member_role_id, bool keep_member = false);
// Member#destroy: its roles (and what inherits from them), category and default assignee links.
void destroy(db::Conn& c, long long member_id);
// Project#add_inherited_member_roles / remove_inherited_member_roles.
void add_inherited_from_parent(db::Conn& c, long long project_id);
void remove_inherited(db::Conn& c, long long project_id);
}  // namespace members

// Issue.update_versions: issues whose target version belongs to another project, is not shared
// system-wide and is no longer among their project's shared versions lose it, each with a journal by
// the current user. Either the issues of one version (Version#update_issues_from_sharing_change) or
// those of, or fixed to a version of, the given projects (Issue.update_versions_from_hierarchy_change).
void unassign_unshared_versions(Context& ctx, std::optional<long long> version_id,
                                const std::vector<long long>& project_ids);

}  // namespace resources
