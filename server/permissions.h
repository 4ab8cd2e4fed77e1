// The one permission check every controller uses, following Redmine's model: admin; memberships
// with roles (direct and through groups); the built-in Non member and Anonymous roles (and a
// project's overrides of them); role permissions; modules enabled per project; public, closed
// and archived projects. Loaded once per request, a few queries, then answered from memory.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace app {

class Context;

// Redmine's project statuses (5.0).
constexpr int kProjectActive = 1;
constexpr int kProjectClosed = 5;
constexpr int kProjectArchived = 9;

// One entry of Redmine::AccessControl.
struct PermissionInfo {
    const char* name;
    const char* project_module;  // "" when the permission belongs to no module
    bool is_public;
    bool read;
    const char* require;  // "", "loggedin" or "member"
};
const PermissionInfo* find_permission(const std::string& name);
const std::vector<PermissionInfo>& all_permissions();

struct Role {
    long long id = 0;
    std::string name;
    int position = 0;
    bool assignable = true;
    int builtin = 0;  // 0 givable, 1 Non member, 2 Anonymous
    std::vector<std::string> permissions;  // in stored order
    std::string issues_visibility, users_visibility, time_entries_visibility;
    bool all_roles_managed = true;
    bool has(const std::string& permission) const;  // Role#allowed_to? (public ones included)
};

// Role#permissions from the YAML Redmine stores ("---\n- :view_issues\n...").
std::vector<std::string> parse_permissions_yaml(const std::string& yaml);

struct ProjectInfo {
    long long id = 0;
    int status = kProjectActive;
    bool is_public = true;
    std::set<std::string> modules;
    bool archived() const { return status != kProjectActive && status != kProjectClosed; }
    bool allows(const std::string& permission) const;  // Project#allows_to?
};

class Permissions {
public:
    explicit Permissions(Context& ctx) : ctx_(ctx) {}

    const std::map<long long, Role>& roles();
    const Role* builtin_role();  // Anonymous for the anonymous user, Non member otherwise
    const ProjectInfo* project(long long id);  // nullptr when there is no such project
    std::vector<const Role*> roles_for_project(const ProjectInfo& p);
    bool member_of(long long project_id);

    // User#allowed_to?(permission, project)
    bool allowed_to(const std::string& permission, const ProjectInfo& p);
    bool allowed_to(const std::string& permission, long long project_id);
    // User#allowed_to_globally?
    bool allowed_globally(const std::string& permission);
    // Project.allowed_to_condition as the ids it admits, ascending.
    std::vector<long long> allowed_project_ids(const std::string& permission);
    // Project#visible? (view_project)
    bool project_visible(long long project_id) { return allowed_to("view_project", project_id); }

private:
    void load_projects();
    void load_memberships();
    Context& ctx_;
    std::optional<std::map<long long, Role>> roles_;
    std::optional<std::map<long long, ProjectInfo>> projects_;
    bool memberships_loaded_ = false;
    std::map<long long, std::vector<long long>> member_roles_;    // project -> the user's role ids
    std::map<long long, std::vector<long long>> override_roles_;  // project -> builtin group's role ids
};

}  // namespace app
