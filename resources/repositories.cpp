// /projects/:id/repository/:repository_id/revisions/:rev/issues: the API side of RepositoriesController
// (add_related_issue, remove_related_issue), which links changesets to issues.
#include "db/issues.h"
#include "resources/common.h"

namespace resources {

namespace {

struct Changeset {
    long long id = 0;
    ProjectRef project;
};

// find_project_repository, find_changeset (404 with no body for each), then authorize
Changeset find_changeset(Context& ctx) {
    Changeset c;
    c.project = find_project(ctx, ctx.route_param("id"));
    const std::string& repo = ctx.route_param("repository_id");
    std::optional<db::Row> r;
    auto& db = ctx.db();
    if (repo.find_first_not_of("0123456789") == std::string::npos)
        r = db.one("SELECT id, type FROM repositories WHERE project_id = ? AND id = ?",
                   {c.project.id, app::ruby_to_i(repo)});
    else
        r = db.one(
            "SELECT id, type FROM repositories WHERE project_id = ? AND identifier = ? ORDER BY id LIMIT 1",
            {c.project.id, repo});
    if (!r) throw app::HttpError{404};
    const long long repository_id = r->i(0);
    const std::string type = r->s(1);
    // Repository#find_changeset_by_name (Git and Mercurial also match scmid prefixes)
    std::string rev = ctx.route_param("rev");
    const auto b = rev.find_first_not_of(" \t\r\n\f\v");
    rev = b == std::string::npos ? "" : rev.substr(b, rev.find_last_not_of(" \t\r\n\f\v") - b + 1);
    if (rev.empty()) throw app::HttpError{404};
    const bool digits = rev.find_first_not_of("0123456789") == std::string::npos;
    // Redmine passes the name to LIKE as it is (a bound parameter here too)
    const std::string like = rev + "%";
    std::optional<db::Row> cs;
    if (type == "Repository::Git") {
        cs = db.one("SELECT id FROM changesets WHERE repository_id = ? AND revision = ? ORDER BY id LIMIT 1",
                    {repository_id, rev});
        if (!cs)
            cs = db.one(
                "SELECT id FROM changesets WHERE repository_id = ? AND scmid LIKE ?"
                " ORDER BY committed_on DESC, id DESC LIMIT 1",
                {repository_id, like});
    } else if (type == "Repository::Mercurial") {
        if (!digits || rev.size() > 8)
            cs = db.one(
                "SELECT id FROM changesets WHERE repository_id = ? AND scmid = ? ORDER BY committed_on DESC, "
                "id DESC LIMIT 1",
                {repository_id, rev});
        else
            cs = db.one("SELECT id FROM changesets WHERE repository_id = ? AND revision = ? LIMIT 1",
                        {repository_id, rev});
        if (!cs)
            cs = db.one(
                "SELECT id FROM changesets WHERE repository_id = ? AND scmid LIKE ?"
                " ORDER BY committed_on DESC, id DESC LIMIT 1",
                {repository_id, like});
    } else if (digits) {
        cs = db.one("SELECT id FROM changesets WHERE repository_id = ? AND revision = ? LIMIT 1",
                    {repository_id, rev});
    } else {
        cs = db.one(
            "SELECT id FROM changesets WHERE repository_id = ? AND revision LIKE ?"
            " ORDER BY committed_on DESC, id DESC LIMIT 1",
            {repository_id, like});
    }
    if (!cs) throw app::HttpError{404};
    c.id = cs->i(0);
    authorize(ctx, c.project, "manage_related_issues");
    return c;
}

Response add_related_issue(Context& ctx) {
    const Changeset c = find_changeset(ctx);
    std::string text = ctx.param("issue_id").value_or("");
    if (!text.empty() && text[0] == '#') text.erase(0, 1);
    auto& db = ctx.db();
    // Changeset#find_referenced_issue_by_id
    std::optional<long long> issue;
    if (text.find_first_not_of(" \t\r\n\f\v") != std::string::npos) {
        auto r = db.one(
            "SELECT i.id, p.lft, p.rgt FROM issues i INNER JOIN projects p ON p.id = i.project_id "
            "WHERE i.id = ?",
            {app::ruby_to_i(text)});
        if (r) {
            bool ok = ctx.setting_enabled("commit_cross_project_ref");
            if (!ok) {
                auto own = db.one("SELECT lft, rgt FROM projects WHERE id = ?", {c.project.id});
                // the repository's project, one of its ancestors or one of its descendants
                ok = own && ((r->i(1) >= own->i(0) && r->i(2) <= own->i(1)) ||
                             (r->i(1) < own->i(0) && r->i(2) > own->i(1)));
            }
            if (ok) issue = r->i(0);
        }
    }
    if (issue && (!issues_db::is_visible(ctx, *issue) ||
                  db.scalar("SELECT COUNT(*) FROM changesets_issues WHERE changeset_id = ? AND issue_id = ?",
                            {c.id, *issue}) > 0))
        issue.reset();
    if (!issue) throw app::ValidationError{{"Issue is invalid"}};
    db::Tx tx(db);
    db.exec("INSERT INTO changesets_issues (changeset_id, issue_id) VALUES (?, ?)", {c.id, *issue});
    tx.commit();
    return no_content();
}

Response remove_related_issue(Context& ctx) {
    const Changeset c = find_changeset(ctx);
    const auto id = parse_id(ctx.route_param("issue_id"));
    // Issue.visible.find_by_id: nothing to do for an unknown or invisible issue
    if (id && issues_db::is_visible(ctx, *id)) {
        auto& db = ctx.db();
        db::Tx tx(db);
        db.exec("DELETE FROM changesets_issues WHERE changeset_id = ? AND issue_id = ?", {c.id, *id});
        tx.commit();
    }
    return no_content();
}

}  // namespace

void register_repositories(app::Router& r) {
    r.add("POST", "/projects/:id/repository/:repository_id/revisions/:rev/issues", add_related_issue);
    r.add("DELETE", "/projects/:id/repository/:repository_id/revisions/:rev/issues/:issue_id",
          remove_related_issue);
}

}  // namespace resources
