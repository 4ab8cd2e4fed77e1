// PUT /journals/:id (JournalsController#update): edits a note; a journal left with no note and no
// details is deleted.
#include "db/issues.h"
#include "resources/issue_writes.h"

namespace resources::journals {

namespace {

Response update(Context& ctx) {
    const long long id = id_param(ctx.route_param("id"));
    auto& db = ctx.db();
    auto j = db.one(
        "SELECT j.id, j.journalized_id, j.user_id, j.notes, j.private_notes, i.project_id FROM journals j "
        "JOIN issues i ON i.id = j.journalized_id WHERE j.id = ? AND j.journalized_type = 'Issue'",
        {id});
    // Journal.visible: the issue is visible, and a private note only to its author or view_private_notes
    if (!j || !issues_db::is_visible(ctx, j->i(1)) ||
        (j->b(4) && !(j->i(2) == ctx.user.id && !ctx.user.anonymous) &&
         !ctx.perms().allowed_to("view_private_notes", j->i(5))))
        throw app::HttpError{404};
    const long long project_id = j->i(5);
    const ProjectRef project = find_project(ctx, std::to_string(project_id));
    if (!ctx.perms().allowed_to("edit_issue_notes", *project.info) &&
        !ctx.perms().allowed_to("edit_own_issue_notes", *project.info))
        authorize(ctx, project, "edit_issue_notes");
    // editable_by?
    const bool own = !ctx.user.anonymous && j->i(2) == ctx.user.id;
    if (ctx.user.anonymous || !(ctx.perms().allowed_to("edit_issue_notes", project_id) ||
                                (own && ctx.perms().allowed_to("edit_own_issue_notes", project_id))))
        throw app::HttpError{403, false};
    nlohmann::json attrs = nlohmann::json::object();
    if (ctx.params().is_object())
        if (auto it = ctx.params().find("journal"); it != ctx.params().end() && it->is_object()) attrs = *it;
    std::optional<std::string> notes = j->os(3);
    bool private_notes = j->b(4);
    if (attrs.contains("notes")) notes = body_string(attrs, "notes");
    if (attrs.contains("private_notes") && ctx.perms().allowed_to("set_notes_private", project_id)) {
        const auto v = body_string(attrs, "private_notes").value_or("");
        private_notes = !(v.empty() || v == "0" || v == "false" || v == "f" || v == "off");
    }
    db::Tx tx(db);
    db.exec("UPDATE journals SET notes = ?, private_notes = ? WHERE id = ?",
            {notes ? db::Value(*notes) : db::Value(std::monostate{}), private_notes ? 1LL : 0LL, id});
    if (blank_text(notes.value_or("")) &&
        db.scalar("SELECT COUNT(*) FROM journal_details WHERE journal_id = ?", {id}) == 0)
        db.exec("DELETE FROM journals WHERE id = ?", {id});
    tx.commit();
    return no_content();
}

}  // namespace

}  // namespace resources::journals

namespace resources {

void register_journals(app::Router& r) {
    r.add("PUT", "/journals/:id", journals::update);
    r.add("PATCH", "/journals/:id", journals::update);
}

}  // namespace resources
