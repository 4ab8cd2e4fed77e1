// Every resource's routes, in one place: resources/X.cpp handles /X...
#include "resources/common.h"

namespace resources {

void register_issue_statuses(app::Router& r);
void register_trackers(app::Router& r);
void register_enumerations(app::Router& r);
void register_roles(app::Router& r);
void register_custom_fields(app::Router& r);
void register_queries(app::Router& r);
void register_users(app::Router& r);
void register_my_account(app::Router& r);
// projects, memberships, versions, issue categories (issue 4)
void register_projects(app::Router& r);
void register_memberships(app::Router& r);
void register_versions(app::Router& r);
void register_issue_categories(app::Router& r);
// issues read side (issue 5)
void register_issues(app::Router& r);
// issues write side (issue 6)
void register_issue_write_routes(app::Router& r);
// users and groups (issue 7)
void register_groups(app::Router& r);
// time entries and news (issue 8)
void register_time_entries(app::Router& r);
void register_news(app::Router& r);
// attachments, uploads, project files (issue 10)
void register_attachments(app::Router& r);
void register_uploads(app::Router& r);
void register_files(app::Router& r);
// wiki, search, changesets (issue 10)
void register_wiki(app::Router& r);
void register_search(app::Router& r);
void register_repositories(app::Router& r);

void register_all(app::Router& r) {
    register_issue_statuses(r);
    register_trackers(r);
    register_enumerations(r);
    register_roles(r);
    register_custom_fields(r);
    register_queries(r);
    register_users(r);
    register_my_account(r);
    // projects, memberships, versions, issue categories (issue 4)
    register_projects(r);
    register_memberships(r);
    register_versions(r);
    register_issue_categories(r);
    // issues read side (issue 5)
    register_issues(r);
    // issues write side (issue 6)
    register_issue_write_routes(r);
    // users and groups (issue 7)
    register_groups(r);
    // time entries and news (issue 8)
    register_time_entries(r);
    register_news(r);
    // attachments, uploads, project files (issue 10)
    register_attachments(r);
    register_uploads(r);
    register_files(r);
    // wiki, search, changesets (issue 10)
    register_wiki(r);
    register_search(r);
    register_repositories(r);
}

}  // namespace resources
