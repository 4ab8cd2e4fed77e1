#include "server/permissions.h"

#include <algorithm>

#include "db/yaml.h"
#include "server/context.h"

namespace app {

namespace {
// Redmine 5.0's lib/redmine/preparation.rb, in its order.
const std::vector<PermissionInfo> kPermissions = {
    {"view_project", "", true, true, ""},
    {"search_project", "", true, true, ""},
    {"add_project", "", false, false, "loggedin"},
    {"edit_project", "", false, false, "member"},
    {"close_project", "", false, true, "member"},
    {"delete_project", "", false, true, "member"},
    {"select_project_modules", "", false, false, "member"},
    {"view_members", "", true, true, ""},
    {"manage_members", "", false, false, "member"},
    {"manage_versions", "", false, false, "member"},
    {"add_subprojects", "", false, false, "member"},
    {"manage_public_queries", "", false, false, "member"},
    {"save_queries", "", false, false, "loggedin"},
    {"view_issues", "issue_tracking", false, true, ""},
    {"add_issues", "issue_tracking", false, false, ""},
    {"edit_issues", "issue_tracking", false, false, ""},
    {"edit_own_issues", "issue_tracking", false, false, ""},
    {"copy_issues", "issue_tracking", false, false, ""},
    {"manage_issue_relations", "issue_tracking", false, false, ""},
    {"manage_subtasks", "issue_tracking", false, false, ""},
    {"set_issues_private", "issue_tracking", false, false, ""},
    {"set_own_issues_private", "issue_tracking", false, false, "loggedin"},
    {"add_issue_notes", "issue_tracking", false, false, ""},
    {"edit_issue_notes", "issue_tracking", false, false, "loggedin"},
    {"edit_own_issue_notes", "issue_tracking", false, false, "loggedin"},
    {"view_private_notes", "issue_tracking", false, true, "member"},
    {"set_notes_private", "issue_tracking", false, false, "member"},
    {"delete_issues", "issue_tracking", false, false, "member"},
    {"view_issue_watchers", "issue_tracking", false, true, ""},
    {"add_issue_watchers", "issue_tracking", false, false, ""},
    {"delete_issue_watchers", "issue_tracking", false, false, ""},
    {"import_issues", "issue_tracking", false, false, ""},
    {"manage_categories", "issue_tracking", false, false, "member"},
    {"view_time_entries", "time_tracking", false, true, ""},
    {"log_time", "time_tracking", false, false, "loggedin"},
    {"edit_time_entries", "time_tracking", false, false, "member"},
    {"edit_own_time_entries", "time_tracking", false, false, "loggedin"},
    {"manage_project_activities", "time_tracking", false, false, "member"},
    {"log_time_for_other_users", "time_tracking", false, false, "member"},
    {"import_time_entries", "time_tracking", false, false, ""},
    {"view_news", "news", false, true, ""},
    {"manage_news", "news", false, false, "member"},
    {"comment_news", "news", false, false, ""},
    {"view_documents", "documents", false, true, ""},
    {"add_documents", "documents", false, false, "loggedin"},
    {"edit_documents", "documents", false, false, "loggedin"},
    {"delete_documents", "documents", false, false, "loggedin"},
    {"view_files", "files", false, true, ""},
    {"manage_files", "files", false, false, "loggedin"},
    {"view_wiki_pages", "wiki", false, true, ""},
    {"view_wiki_edits", "wiki", false, true, ""},
    {"export_wiki_pages", "wiki", false, true, ""},
    {"edit_wiki_pages", "wiki", false, false, ""},
    {"rename_wiki_pages", "wiki", false, false, "member"},
    {"delete_wiki_pages", "wiki", false, false, "member"},
    {"delete_wiki_pages_attachments", "wiki", false, false, ""},
    {"view_wiki_page_watchers", "wiki", false, true, ""},
    {"add_wiki_page_watchers", "wiki", false, false, ""},
    {"delete_wiki_page_watchers", "wiki", false, false, ""},
    {"protect_wiki_pages", "wiki", false, false, "member"},
    {"manage_wiki", "wiki", false, false, "member"},
    {"view_changesets", "repository", false, true, ""},
    {"browse_repository", "repository", false, true, ""},
    {"commit_access", "repository", false, false, ""},
    {"manage_related_issues", "repository", false, false, ""},
    {"manage_repository", "repository", false, false, "member"},
    {"view_messages", "boards", false, true, ""},
    {"add_messages", "boards", false, false, ""},
    {"edit_messages", "boards", false, false, "member"},
    {"edit_own_messages", "boards", false, false, "loggedin"},
    {"delete_messages", "boards", false, false, "member"},
    {"delete_own_messages", "boards", false, false, "loggedin"},
    {"view_message_watchers", "boards", false, true, ""},
    {"add_message_watchers", "boards", false, false, ""},
    {"delete_message_watchers", "boards", false, false, ""},
    {"manage_boards", "boards", false, false, "member"},
    {"view_calendar", "calendar", false, true, ""},
    {"view_gantt", "gantt", false, true, ""},
};
}  // namespace

const std::vector<PermissionInfo>& all_permissions() { return kPermissions; }

const PermissionInfo* find_permission(const std::string& name) {
    for (const auto& p : kPermissions)
        if (name == p.name) return &p;
    return nullptr;
}

std::vector<std::string> parse_permissions_yaml(const std::string& yaml) {
    std::vector<std::string> out = db::yaml_list(yaml);
    for (auto& p : out)
        if (!p.empty() && p[0] == ':') p.erase(0, 1);  // stored as symbols
    return out;
}

bool Role::has(const std::string& permission) const {
    if (const auto* p = find_permission(permission); p && p->is_public) return true;
    return std::find(permissions.begin(), permissions.end(), permission) != permissions.end();
}

bool ProjectInfo::allows(const std::string& permission) const {
    if (archived()) return false;
    const auto* p = find_permission(permission);
    if (!p) return false;
    if (status != kProjectActive && !p->read) return false;  // closed projects are read-only
    return *p->project_module == '\0' || modules.count(p->project_module) > 0;
}

const std::map<long long, Role>& Permissions::roles() {
    if (!roles_) {
        roles_.emplace();
        for (const auto& r : ctx_.db().query_cached(
                 "SELECT id, name, position, assignable, builtin, permissions, issues_visibility, users_visibility, "
                 "time_entries_visibility, all_roles_managed FROM roles ORDER BY position, id")) {
            Role role;
            role.id = r.i(0);
            role.name = r.s(1);
            role.position = static_cast<int>(r.i(2));
            role.assignable = r.b(3);
            role.builtin = static_cast<int>(r.i(4));
            role.permissions = parse_permissions_yaml(r.s(5));
            role.issues_visibility = r.s(6);
            role.users_visibility = r.s(7);
            role.time_entries_visibility = r.s(8);
            role.all_roles_managed = r.b(9);
            (*roles_)[role.id] = std::move(role);
        }
    }
    return *roles_;
}

const Role* Permissions::builtin_role() {
    const int want = ctx_.user.anonymous ? 2 : 1;
    for (const auto& [id, role] : roles())
        if (role.builtin == want) return &role;
    return nullptr;
}

void Permissions::load_projects() {
    if (projects_) return;
    projects_.emplace();
    for (const auto& r : ctx_.db().query_cached("SELECT id, status, is_public FROM projects"))
        (*projects_)[r.i(0)] = ProjectInfo{r.i(0), static_cast<int>(r.i(1)), r.b(2), {}};
    for (const auto& r : ctx_.db().query_cached("SELECT project_id, name FROM enabled_modules"))
        if (auto it = projects_->find(r.i(0)); it != projects_->end()) it->second.modules.insert(r.s(1));
}

const ProjectInfo* Permissions::project(long long id) {
    load_projects();
    auto it = projects_->find(id);
    return it == projects_->end() ? nullptr : &it->second;
}

void Permissions::load_memberships() {
    if (memberships_loaded_) return;
    memberships_loaded_ = true;
    auto& db = ctx_.db();
    if (!ctx_.user.anonymous) {
        for (const auto& r :
             db.query_cached("SELECT m.project_id, mr.role_id FROM members m "
                             "JOIN member_roles mr ON mr.member_id = m.id WHERE m.user_id = ? "
                             "ORDER BY m.project_id, mr.role_id",
                             {ctx_.user.id})) {
            auto& ids = member_roles_[r.i(0)];
            if (std::find(ids.begin(), ids.end(), r.i(1)) == ids.end()) ids.push_back(r.i(1));
        }
    }
    // A project may override the built-in role with roles given to the Non member/Anonymous group.
    const std::string group_type = ctx_.user.anonymous ? "GroupAnonymous" : "GroupNonMember";
    for (const auto& r : db.query_cached(
             "SELECT m.project_id, mr.role_id FROM members m "
             "JOIN member_roles mr ON mr.member_id = m.id "
             "JOIN users u ON u.id = m.user_id WHERE u.type = ? ORDER BY m.project_id, mr.role_id",
             {group_type})) {
        auto& ids = override_roles_[r.i(0)];
        if (std::find(ids.begin(), ids.end(), r.i(1)) == ids.end()) ids.push_back(r.i(1));
    }
}

bool Permissions::member_of(long long project_id) {
    load_memberships();
    return member_roles_.count(project_id) > 0;
}

std::vector<const Role*> Permissions::roles_for_project(const ProjectInfo& p) {
    std::vector<const Role*> out;
    if (p.archived()) return out;
    load_memberships();
    const auto& all = roles();
    auto add = [&](const std::vector<long long>& ids) {
        for (long long id : ids)
            if (auto it = all.find(id); it != all.end()) out.push_back(&it->second);
    };
    if (auto it = member_roles_.find(p.id); it != member_roles_.end()) {
        add(it->second);
    } else if (p.is_public) {
        if (auto o = override_roles_.find(p.id); o != override_roles_.end()) add(o->second);
        else if (const Role* b = builtin_role()) out.push_back(b);
    }
    return out;
}

bool Permissions::allowed_to(const std::string& permission, const ProjectInfo& p) {
    if (!p.allows(permission)) return false;
    if (ctx_.user.admin) return true;
    for (const Role* role : roles_for_project(p))
        if ((p.is_public || role->builtin == 0) && role->has(permission)) return true;
    return false;
}

bool Permissions::allowed_to(const std::string& permission, long long project_id) {
    const ProjectInfo* p = project(project_id);
    return p && allowed_to(permission, *p);
}

bool Permissions::allowed_globally(const std::string& permission) {
    if (ctx_.user.admin) return true;
    if (const Role* b = builtin_role(); b && b->has(permission)) return true;
    load_memberships();
    load_projects();
    const auto& all = roles();
    for (const auto& [project_id, ids] : member_roles_) {
        auto p = projects_->find(project_id);
        if (p == projects_->end() || p->second.status == kProjectArchived) continue;
        for (long long id : ids)
            if (auto it = all.find(id); it != all.end() && it->second.has(permission)) return true;
    }
    return false;
}

std::vector<long long> Permissions::allowed_project_ids(const std::string& permission) {
    load_projects();
    std::vector<long long> out;
    for (const auto& [id, p] : *projects_)
        if (allowed_to(permission, p)) out.push_back(id);
    return out;
}

}  // namespace app
