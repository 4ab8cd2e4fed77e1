// The SQL of the issue write side (see db/issue_writes.h).
#include "db/issue_writes.h"

#include "db/issues.h"

namespace issue_writes_db {

namespace {

db::Value opt(const std::optional<long long>& v) {
    if (v) return *v;
    return std::monostate{};
}
db::Value opt(const std::optional<std::string>& v) {
    if (v) return *v;
    return std::monostate{};
}
db::Value opt(const std::optional<double>& v) {
    if (v) return *v;
    return std::monostate{};
}

}  // namespace

std::optional<Issue> load(db::Conn& c, long long id) {
    auto r = c.one(
        "SELECT id, project_id, tracker_id, status_id, author_id, priority_id, assigned_to_id, category_id, "
        "fixed_version_id, parent_id, subject, description, start_date, due_date, closed_on, done_ratio, "
        "estimated_hours, is_private, lock_version, root_id, lft, rgt FROM issues WHERE id = ?",
        {id});
    if (!r) return std::nullopt;
    Issue i;
    i.id = r->i(0);
    i.project_id = r->i(1);
    i.tracker_id = r->i(2);
    i.status_id = r->i(3);
    i.author_id = r->i(4);
    i.priority_id = r->oi(5);
    i.assigned_to_id = r->oi(6);
    i.category_id = r->oi(7);
    i.fixed_version_id = r->oi(8);
    i.parent_id = r->oi(9);
    i.subject = r->s(10);
    i.description = r->os(11);
    if (auto d = r->os(12)) i.start_date = d->substr(0, 10);
    if (auto d = r->os(13)) i.due_date = d->substr(0, 10);
    i.closed_on = r->os(14);
    i.done_ratio = r->i(15);
    i.estimated_hours = r->of(16);
    i.is_private = r->b(17);
    i.lock_version = r->i(18);
    i.root_id = r->i(19);
    i.lft = r->i(20);
    i.rgt = r->i(21);
    for (const auto& v :
         c.query("SELECT custom_field_id, value FROM custom_values WHERE customized_type = 'Issue' "
                 "AND customized_id = ? ORDER BY id",
                 {id}))
        i.custom[v.i(0)].push_back(v.s(1));
    return i;
}

long long insert(db::Conn& c, const Issue& i, const std::string& now) {
    return c.insert(
        "INSERT INTO issues (tracker_id, project_id, subject, description, due_date, category_id, status_id, "
        "assigned_to_id, priority_id, fixed_version_id, author_id, lock_version, created_on, updated_on, "
        "start_date, done_ratio, estimated_hours, parent_id, root_id, lft, rgt, is_private, closed_on) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {i.tracker_id,
         i.project_id,
         i.subject,
         opt(i.description),
         opt(i.due_date),
         opt(i.category_id),
         i.status_id,
         opt(i.assigned_to_id),
         opt(i.priority_id),
         opt(i.fixed_version_id),
         i.author_id,
         now,
         now,
         opt(i.start_date),
         i.done_ratio,
         opt(i.estimated_hours),
         opt(i.parent_id),
         opt(std::optional<long long>()),
         opt(std::optional<long long>()),
         opt(std::optional<long long>()),
         i.is_private ? 1LL : 0LL,
         opt(i.closed_on)},
        "issues");
}

void update(db::Conn& c, const Issue& i, const std::string& now) {
    c.exec(
        "UPDATE issues SET tracker_id = ?, project_id = ?, subject = ?, description = ?, due_date = ?, "
        "category_id = ?, status_id = ?, assigned_to_id = ?, priority_id = ?, fixed_version_id = ?, "
        "author_id = ?, lock_version = lock_version + 1, updated_on = ?, start_date = ?, done_ratio = ?, "
        "estimated_hours = ?, parent_id = ?, is_private = ?, closed_on = ? WHERE id = ?",
        {i.tracker_id, i.project_id, i.subject, opt(i.description), opt(i.due_date), opt(i.category_id),
         i.status_id, opt(i.assigned_to_id), opt(i.priority_id), opt(i.fixed_version_id), i.author_id, now,
         opt(i.start_date), i.done_ratio, opt(i.estimated_hours), opt(i.parent_id), i.is_private ? 1LL : 0LL,
         opt(i.closed_on), i.id});
}

void save_custom_values(db::Conn& c, long long issue_id,
                        const std::map<long long, std::vector<std::string>>& values, bool is_new) {
    for (const auto& [field_id, list] : values) {
        if (!is_new)
            c.exec(
                "DELETE FROM custom_values WHERE customized_type = 'Issue' AND customized_id = ? AND "
                "custom_field_id = ?",
                {issue_id, field_id});
        const std::vector<std::string> rows = list.empty() ? std::vector<std::string>{""} : list;
        for (const auto& v : rows)
            c.exec(
                "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value) "
                "VALUES ('Issue', ?, ?, ?)",
                {issue_id, field_id, v});
    }
}

long long add_journal(db::Conn& c, long long issue_id, long long user_id,
                      const std::optional<std::string>& notes, bool private_notes,
                      const std::vector<Detail>& details, const std::string& now) {
    const long long id = c.insert(
        "INSERT INTO journals (journalized_id, journalized_type, user_id, notes, created_on, private_notes) "
        "VALUES (?, 'Issue', ?, ?, ?, ?)",
        {issue_id, user_id, opt(notes), now, private_notes ? 1LL : 0LL}, "journals");
    for (const auto& d : details)
        c.insert(
            "INSERT INTO journal_details (journal_id, property, prop_key, old_value, value) "
            "VALUES (?, ?, ?, ?, ?)",
            {id, d.property, d.prop_key, opt(d.old_value), opt(d.value)}, "journal_details");
    return id;
}

std::vector<long long> subtree_ids(db::Conn& c, const Issue& i) {
    std::vector<long long> out;
    for (const auto& r :
         c.query("SELECT id FROM issues WHERE root_id = ? AND lft >= ? AND rgt <= ? ORDER BY lft",
                 {i.root_id, i.lft, i.rgt}))
        out.push_back(r.i(0));
    if (out.empty()) out.push_back(i.id);
    return out;
}

void delete_issues(db::Conn& c, const std::vector<long long>& ids) {
    if (ids.empty()) return;
    auto in = [&](std::vector<db::Value>& p) { return issues_db::placeholders(ids, p); };
    std::vector<db::Value> p;
    std::string list = in(p);
    // time entries and their custom values
    std::vector<db::Value> p2;
    std::string list2 = in(p2);
    c.exec(
        "DELETE FROM custom_values WHERE customized_type = 'TimeEntry' AND customized_id IN "
        "(SELECT id FROM time_entries WHERE issue_id IN (" +
            list2 + "))",
        p2);
    c.exec("DELETE FROM time_entries WHERE issue_id IN (" + list + ")", p);
    c.exec(
        "DELETE FROM journal_details WHERE journal_id IN (SELECT id FROM journals WHERE "
        "journalized_type = 'Issue' AND journalized_id IN (" +
            list + "))",
        p);
    c.exec("DELETE FROM journals WHERE journalized_type = 'Issue' AND journalized_id IN (" + list + ")", p);
    c.exec("DELETE FROM watchers WHERE watchable_type = 'Issue' AND watchable_id IN (" + list + ")", p);
    c.exec("DELETE FROM custom_values WHERE customized_type = 'Issue' AND customized_id IN (" + list + ")",
           p);
    c.exec("DELETE FROM attachments WHERE container_type = 'Issue' AND container_id IN (" + list + ")", p);
    std::vector<db::Value> p3 = p;
    p3.insert(p3.end(), p.begin(), p.end());
    c.exec(
        "DELETE FROM issue_relations WHERE issue_from_id IN (" + list + ") OR issue_to_id IN (" + list + ")",
        p3);
    c.exec("DELETE FROM changesets_issues WHERE issue_id IN (" + list + ")", p);
    c.exec("DELETE FROM issues WHERE id IN (" + list + ")", p);
}

}  // namespace issue_writes_db
