// Journal#save for issues as Redmine 5.0 does it: empty journals are not saved, private notes with
// changes are split in two journals, and the author starts watching the issue (Journal#add_watcher).
#include <sstream>

#include "resources/issue_writes.h"

namespace resources::issue_writes {

namespace {

// UserPreference#auto_watch_on?('issue_contributed_to'): a user without a preference row gets the
// default options (which include it); a stored preference without the key has none.
bool auto_watches_contributions(Context& ctx, long long user_id) {
    auto r =
        ctx.db().one("SELECT others FROM user_preferences WHERE user_id = ? ORDER BY id LIMIT 1", {user_id});
    if (!r) return true;
    std::istringstream in(r->s(0));
    std::string line;
    bool in_list = false;
    while (std::getline(in, line)) {
        if (line.rfind(":auto_watch_on:", 0) == 0) {
            in_list = true;
            if (line.find("issue_contributed_to") != std::string::npos) return true;
            continue;
        }
        if (!in_list) continue;
        if (line.rfind("- ", 0) != 0) break;
        if (line.find("issue_contributed_to") != std::string::npos) return true;
    }
    return false;
}

// Journal#add_watcher (before_create).
void add_contributor_watcher(Context& ctx, long long issue_id, long long user_id) {
    if (ctx.user.anonymous || user_id != ctx.user.id) return;
    const long long project_id = ctx.db().scalar("SELECT project_id FROM issues WHERE id = ?", {issue_id});
    if (!ctx.perms().allowed_to("add_issue_watchers", project_id)) return;
    if (ctx.db().scalar("SELECT COUNT(*) FROM watchers WHERE watchable_type = 'Issue' AND watchable_id = ? "
                        "AND user_id = ?",
                        {issue_id, user_id}) > 0)
        return;
    if (!auto_watches_contributions(ctx, user_id)) return;
    add_watchers(ctx, issue_id, {user_id});
}

}  // namespace

std::optional<long long> write_journal(Context& ctx, long long issue_id, std::optional<std::string> notes,
                                       bool private_notes,
                                       const std::vector<issue_writes_db::Detail>& details,
                                       const std::string& now) {
    const bool blank_notes = blank_text(notes.value_or(""));
    if (details.empty() && blank_notes) return std::nullopt;  // an empty journal is not saved
    auto& db = ctx.db();
    if (private_notes && blank_notes) private_notes = false;  // blank notes are never private
    if (private_notes && !details.empty()) {
        // split_private_notes: the changes go to a public journal of their own, saved first
        add_contributor_watcher(ctx, issue_id, ctx.user.id);
        issue_writes_db::add_journal(db, issue_id, ctx.user.id, std::nullopt, false, details, now);
        return issue_writes_db::add_journal(db, issue_id, ctx.user.id, notes, true, {}, now);
    }
    add_contributor_watcher(ctx, issue_id, ctx.user.id);
    return issue_writes_db::add_journal(db, issue_id, ctx.user.id, notes, private_notes, details, now);
}

}  // namespace resources::issue_writes
