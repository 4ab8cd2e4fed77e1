// Issues as issues/index.api.rsb and issues/show.api.rsb render them.
#include <algorithm>
#include <set>

#include "resources/attachments.h"
#include "resources/custom_values.h"
#include "resources/issues.h"

namespace resources {

using issues_db::IssueRow;
using issues_db::Principal;

namespace {

// Principal#name: users by the user_format setting, groups and built-in principals by their name.
std::string principal_name(Context& ctx, const Principal& p) {
    if (p.type == "User") return user_name(ctx, p.firstname, p.lastname, p.login);
    if (p.type == "AnonymousUser") return "Anonymous";
    return p.lastname;
}

std::vector<long long> ids_of(const std::vector<IssueRow>& rows) {
    std::vector<long long> ids;
    for (const auto& r : rows) ids.push_back(r.id);
    return ids;
}

// Issue custom fields: which are available for a project and tracker, and which the user may see there.
class IssueCustomFields {
public:
    IssueCustomFields(Context& ctx, const std::vector<IssueRow>& rows) : ctx_(ctx) {
        fields_ = custom_fields_of(ctx.db(), "IssueCustomField");
        if (fields_.empty() || rows.empty()) return;
        for (const auto& r :
             ctx.db().query_cached("SELECT custom_field_id, tracker_id FROM custom_fields_trackers"))
            trackers_.insert({r.i(0), r.i(1)});
        for (const auto& r :
             ctx.db().query_cached("SELECT custom_field_id, project_id FROM custom_fields_projects"))
            projects_.insert({r.i(0), r.i(1)});
        for (const auto& r :
             ctx.db().query_cached("SELECT custom_field_id, role_id FROM custom_fields_roles"))
            roles_.insert({r.i(0), r.i(1)});
        values_ = load_custom_values(ctx.db(), "Issue", ids_of(rows));
    }

    std::optional<api::Node> node(const IssueRow& issue) {
        std::vector<CustomFieldDef> shown;
        for (const auto& f : fields_) {
            if (!trackers_.count({f.id, issue.tracker_id})) continue;
            if (!f.is_for_all && !projects_.count({f.id, issue.project_id})) continue;
            if (!visible_by(f, issue.project_id)) continue;
            shown.push_back(f);
        }
        if (shown.empty()) return std::nullopt;
        return custom_fields_node(shown, values_, issue.id);
    }

private:
    // IssueCustomField#visible_by?
    bool visible_by(const CustomFieldDef& f, long long project_id) {
        if (f.visible || ctx_.user.admin) return true;
        const auto* p = ctx_.perms().project(project_id);
        if (!p) return false;
        for (const auto* role : ctx_.perms().roles_for_project(*p))
            if (roles_.count({f.id, role->id})) return true;
        return false;
    }
    Context& ctx_;
    std::vector<CustomFieldDef> fields_;
    std::set<std::pair<long long, long long>> trackers_, projects_, roles_;
    CustomValues values_;
};

api::Node relation_node(const issues_db::Relation& r) {
    api::Node n = api::Node::object();
    n.attr("id", r.id).attr("issue_id", r.from).attr("issue_to_id", r.to).attr("relation_type", r.type);
    n.attr("delay", r.delay ? api::Node(*r.delay) : api::Node());
    return n;
}

struct Sums {
    std::map<long long, double> spent, total_spent, total_estimated;
};

Sums load_sums(Context& ctx, const std::vector<IssueRow>& rows) {
    Sums s;
    std::vector<long long> parents;
    for (const auto& r : rows)
        if (!r.leaf()) parents.push_back(r.id);
    s.total_estimated = issues_db::total_estimated_hours(ctx, parents);
    // Issue.load_visible_spent_hours when the user may view time entries somewhere
    if (ctx.perms().allowed_globally("view_time_entries")) {
        const auto ids = ids_of(rows);
        s.spent = issues_db::spent_hours(ctx, ids);
        s.total_spent = issues_db::total_spent_hours(ctx, ids);
    }
    return s;
}

// The members both views share, up to closed_on.
api::Node issue_common(Context& ctx, const IssueRow& i, const Sums& sums, IssueCustomFields& cfs) {
    api::Node n = api::Node::object();
    n.set("id", i.id);
    n.set("project", ref(i.project_id, i.project_name));
    if (i.has_tracker) n.set("tracker", ref(i.tracker_id, i.tracker_name));
    if (i.has_status) {
        api::Node s = ref(i.status_id, i.status_name);
        s.attr("is_closed", i.status_closed);
        n.set("status", std::move(s));
    }
    if (i.has_priority) n.set("priority", ref(i.priority_id, i.priority_name));
    if (i.author) n.set("author", ref(i.author->id, principal_name(ctx, *i.author)));
    if (i.assigned_to) n.set("assigned_to", ref(i.assigned_to->id, principal_name(ctx, *i.assigned_to)));
    if (i.category_id) n.set("category", ref(*i.category_id, i.category_name));
    if (i.fixed_version_id) n.set("fixed_version", ref(*i.fixed_version_id, i.fixed_version_name));
    if (i.parent_id) {
        api::Node p = api::Node::object();
        p.attr("id", *i.parent_id);
        n.set("parent", std::move(p));
    }
    using issues_db::RawCol;
    n.set("subject", i.subject);
    n.set("description", str_at(i.raw, RawCol::kDescription));
    n.set("start_date", date_at(i.raw, RawCol::kStartDate));
    n.set("due_date", date_at(i.raw, RawCol::kDueDate));
    n.set("done_ratio", int_at(i.raw, RawCol::kDoneRatio));
    n.set("is_private", i.is_private);
    n.set("estimated_hours", i.estimated_hours ? api::Node(*i.estimated_hours) : api::Node());
    if (i.leaf()) {
        n.set("total_estimated_hours", i.estimated_hours ? api::Node(*i.estimated_hours) : api::Node());
    } else {
        auto it = sums.total_estimated.find(i.id);
        n.set("total_estimated_hours", it == sums.total_estimated.end() ? 0.0 : it->second);
    }
    if (ctx.perms().allowed_to("view_time_entries", i.project_id)) {
        auto s = sums.spent.find(i.id);
        auto t = sums.total_spent.find(i.id);
        n.set("spent_hours", s == sums.spent.end() ? 0.0 : s->second);
        n.set("total_spent_hours", t == sums.total_spent.end() ? 0.0 : t->second);
    }
    if (auto cf = cfs.node(i)) n.set("custom_fields", std::move(*cf));
    n.set("created_on", time_at(i.raw, RawCol::kCreatedOn));
    n.set("updated_on", time_at(i.raw, RawCol::kUpdatedOn));
    n.set("closed_on", time_at(i.raw, RawCol::kClosedOn));
    return n;
}

}  // namespace

api::Node issue_list_items(Context& ctx, const std::vector<IssueRow>& rows) {
    const bool with_attachments = app::has_include(ctx.params(), "attachments");
    const bool with_relations = app::has_include(ctx.params(), "relations");
    const auto ids = ids_of(rows);
    Sums sums = load_sums(ctx, rows);
    IssueCustomFields cfs(ctx, rows);
    std::map<long long, std::vector<AttachmentRow>> attachments;
    if (with_attachments) attachments = load_attachments(ctx, "Issue", ids);
    std::map<long long, std::vector<issues_db::Relation>> relations;
    if (with_relations)
        for (auto& r : issues_db::visible_relations(ctx, ids)) relations[r.owner].push_back(std::move(r));
    api::Node list = api::Node::array("issue");
    for (const auto& i : rows) {
        api::Node n = issue_common(ctx, i, sums, cfs);
        if (with_attachments) n.set("attachments", attachments_array(ctx, attachments[i.id]));
        if (with_relations) {
            api::Node arr = api::Node::array("relation");
            for (const auto& r : relations[i.id]) arr.push(relation_node(r));
            n.set("relations", std::move(arr));
        }
        list.push(std::move(n));
    }
    return list;
}

namespace {

struct Child {
    long long id = 0, parent = 0;
    std::optional<long long> tracker_id;
    std::string tracker_name, subject;
};

// render_api_issue_children: nothing for a leaf, else the children (all of them, by lft) recursively.
std::optional<api::Node> children_node(const std::vector<Child>& all, long long parent) {
    api::Node arr = api::Node::array("issue");
    bool any = false;
    for (const auto& c : all) {
        if (c.parent != parent) continue;
        any = true;
        api::Node n = api::Node::object();
        n.attr("id", c.id);
        if (c.tracker_id) n.set("tracker", ref(*c.tracker_id, c.tracker_name));
        n.set("subject", c.subject);
        if (auto sub = children_node(all, c.id)) n.set("children", std::move(*sub));
        arr.push(std::move(n));
    }
    if (!any) return std::nullopt;
    return arr;
}

// The user's comments_sorting preference ("desc" shows journals newest first).
bool comments_reversed(Context& ctx) {
    if (ctx.user.anonymous) return false;
    auto r = ctx.db().one("SELECT others FROM user_preferences WHERE user_id = ? ORDER BY id LIMIT 1",
                          {ctx.user.id});
    if (!r) return false;
    const std::string others = r->s(0);
    auto pos = others.find("comments_sorting:");
    if (pos == std::string::npos) return false;
    auto eol = others.find('\n', pos);
    std::string v = others.substr(pos + 17, eol == std::string::npos ? std::string::npos : eol - pos - 17);
    return v.find("desc") != std::string::npos;
}

api::Node journals_node(Context& ctx, const IssueRow& issue) {
    auto& db = ctx.db();
    struct Detail {
        std::string property, name;
        std::optional<std::string> old_value, value;
    };
    std::map<long long, std::vector<Detail>> details;
    std::vector<long long> related;
    std::set<long long> cf_ids;
    for (const auto& r :
         db.query("SELECT d.journal_id, d.property, d.prop_key, d.old_value, d.value FROM journal_details d "
                  "INNER JOIN journals j ON j.id = d.journal_id WHERE j.journalized_type = 'Issue' AND "
                  "j.journalized_id = ? ORDER BY d.id",
                  {issue.id})) {
        Detail d{r.s(1), r.s(2), r.os(3), r.os(4)};
        if (d.property == "relation") {
            auto other = d.value ? d.value : d.old_value;
            if (other) related.push_back(app::ruby_to_i(*other));
        }
        details[r.i(0)].push_back(std::move(d));
    }
    const auto visible_related = issues_db::visible_ids(ctx, related);
    // custom fields of cf details: known and visible to the user in this project
    std::map<long long, bool> cf_visible;
    {
        const auto* p = ctx.perms().project(issue.project_id);
        std::set<long long> my_roles;
        if (p)
            for (const auto* role : ctx.perms().roles_for_project(*p)) my_roles.insert(role->id);
        std::map<long long, std::set<long long>> cf_roles;
        for (const auto& r : db.query("SELECT custom_field_id, role_id FROM custom_fields_roles"))
            cf_roles[r.i(0)].insert(r.i(1));
        for (const auto& r : db.query("SELECT id, visible FROM custom_fields")) {
            bool v = r.b(1) || ctx.user.admin;
            for (long long role : cf_roles[r.i(0)]) v = v || my_roles.count(role) > 0;
            cf_visible[r.i(0)] = v;
        }
    }
    const bool private_ok = ctx.perms().allowed_to("view_private_notes", issue.project_id);
    api::Node arr = api::Node::array("journal");
    std::vector<api::Node> items;
    for (const auto& r :
         db.query("SELECT j.id, j.user_id, u.type, u.firstname, u.lastname, u.login, j.notes, "
                  "j.created_on, j.private_notes FROM journals j LEFT OUTER JOIN users u ON u.id = "
                  "j.user_id WHERE j.journalized_type = 'Issue' AND j.journalized_id = ? "
                  "ORDER BY j.created_on, j.id",
                  {issue.id})) {
        const bool is_private = r.b(8);
        if (is_private && !private_ok && (ctx.user.anonymous || r.i(1) != ctx.user.id)) continue;
        api::Node list = api::Node::array("detail");
        bool any_detail = false;
        for (const auto& d : details[r.i(0)]) {
            if (d.property == "cf") {
                auto it = cf_visible.find(app::ruby_to_i(d.name));
                if (it == cf_visible.end() || !it->second) continue;
            } else if (d.property == "relation") {
                auto other = d.value ? d.value : d.old_value;
                if (!other || !visible_related.count(app::ruby_to_i(*other))) continue;
            }
            api::Node n = api::Node::object();
            n.attr("property", d.property).attr("name", d.name);
            n.set("old_value", d.old_value ? api::Node(*d.old_value) : api::Node());
            n.set("new_value", d.value ? api::Node(*d.value) : api::Node());
            list.push(std::move(n));
            any_detail = true;
        }
        const std::string notes = r.s(6);
        if (notes.find_first_not_of(" \t\r\n") == std::string::npos && !any_detail) continue;
        api::Node j = api::Node::object();
        j.attr("id", r.i(0));
        if (!r.null(2))
            j.set("user", ref(r.i(1), principal_name(ctx, {r.i(1), r.s(2), r.s(3), r.s(4), r.s(5)})));
        j.set("notes", str_at(r, 6));
        j.set("created_on", time_at(r, 7));
        j.set("private_notes", is_private);
        j.set("details", std::move(list));
        items.push_back(std::move(j));
    }
    if (comments_reversed(ctx)) std::reverse(items.begin(), items.end());
    for (auto& j : items) arr.push(std::move(j));
    return arr;
}

// Issue#new_statuses_allowed_to(User.current) for a saved issue.
api::Node allowed_statuses_node(Context& ctx, const IssueRow& issue) {
    auto& db = ctx.db();
    std::vector<long long> role_ids;
    if (ctx.user.admin) {
        for (const auto& [id, role] : ctx.perms().roles()) role_ids.push_back(id);
    } else if (const auto* p = ctx.perms().project(issue.project_id)) {
        for (const auto* role : ctx.perms().roles_for_project(*p)) role_ids.push_back(role->id);
    }
    struct Status {
        long long id;
        std::string name;
        bool closed;
        long long position;
    };
    std::vector<Status> statuses;
    if (!role_ids.empty() && issue.has_tracker) {
        const bool author = !ctx.user.anonymous && issue.author && issue.author->id == ctx.user.id;
        bool assignee = false;
        if (issue.assigned_to && !ctx.user.anonymous) {
            assignee = issue.assigned_to->id == ctx.user.id;
            for (long long g : issues_db::group_ids(ctx)) assignee = assignee || g == issue.assigned_to->id;
        }
        std::vector<db::Value> params{issue.status_id, issue.tracker_id};
        std::string sql =
            "SELECT DISTINCT s.id, s.name, s.is_closed, s.position FROM issue_statuses s INNER JOIN "
            "workflows w ON w.new_status_id = s.id AND w.type = 'WorkflowTransition' WHERE "
            "w.old_status_id = ? AND w.tracker_id = ? AND w.role_id IN (" +
            issues_db::placeholders(role_ids, params) + ")";
        if (!(author && assignee)) {
            if (author || assignee) {
                sql += " AND (w.author = ? OR w.assignee = ?)";
                params.emplace_back(author ? 1LL : 0LL);
                params.emplace_back(assignee ? 1LL : 0LL);
            } else {
                sql += " AND w.author = ? AND w.assignee = ?";
                params.emplace_back(0LL);
                params.emplace_back(0LL);
            }
        }
        for (const auto& r : db.query(sql, params)) statuses.push_back({r.i(0), r.s(1), r.b(2), r.i(3)});
        if (!statuses.empty() && issue.has_status)
            if (auto r = db.one("SELECT id, name, is_closed, position FROM issue_statuses WHERE id = ?",
                                {issue.status_id}))
                statuses.push_back({r->i(0), r->s(1), r->b(2), r->i(3)});
    }
    std::stable_sort(statuses.begin(), statuses.end(),
                     [](const Status& a, const Status& b) { return a.position < b.position; });
    std::vector<Status> unique;
    for (const auto& s : statuses)
        if (std::none_of(unique.begin(), unique.end(), [&](const Status& u) { return u.id == s.id; }))
            unique.push_back(s);
    // closable?: no open descendants and not blocked by an open issue; reopenable?: no closed ancestor
    const bool closable =
        db.scalar(
            "SELECT COUNT(*) FROM issues d INNER JOIN issue_statuses s ON s.id = d.status_id WHERE d.root_id "
            "= ? "
            "AND d.lft > ? AND d.rgt < ? AND s.is_closed = ?",
            {issue.root_id, issue.lft, issue.rgt, 0LL}) == 0 &&
        db.scalar(
            "SELECT COUNT(*) FROM issue_relations r INNER JOIN issues f ON f.id = r.issue_from_id INNER JOIN "
            "issue_statuses s ON s.id = f.status_id WHERE r.issue_to_id = ? AND r.relation_type = 'blocks' "
            "AND "
            "s.is_closed = ?",
            {issue.id, 0LL}) == 0;
    const bool reopenable = db.scalar(
                                "SELECT COUNT(*) FROM issues a INNER JOIN issue_statuses s ON s.id = "
                                "a.status_id WHERE a.root_id = ? "
                                "AND a.lft < ? AND a.rgt > ? AND s.is_closed = ?",
                                {issue.root_id, issue.lft, issue.rgt, 1LL}) == 0;
    api::Node arr = api::Node::array("status");
    for (const auto& s : unique) {
        if (!closable && s.closed) continue;
        if (!reopenable && !s.closed) continue;
        api::Node n = ref(s.id, s.name);
        n.attr("is_closed", s.closed);
        arr.push(std::move(n));
    }
    return arr;
}

}  // namespace

api::Document issue_show_document(Context& ctx, long long id) {
    auto found = issues_db::find_issue(ctx, id);
    if (!found) throw app::HttpError{404};
    if (!issues_db::is_visible(ctx, id)) ctx.deny();
    const IssueRow& issue = *found;
    auto& db = ctx.db();
    const std::vector<IssueRow> rows{issue};
    Sums sums;
    if (!issue.leaf()) sums.total_estimated = issues_db::total_estimated_hours(ctx, {id});
    if (ctx.perms().allowed_to("view_time_entries", issue.project_id)) {
        sums.spent = issues_db::spent_hours(ctx, {id});
        sums.total_spent = issues_db::total_spent_hours(ctx, {id});
    }
    IssueCustomFields cfs(ctx, rows);
    api::Node n = issue_common(ctx, issue, sums, cfs);

    if (app::has_include(ctx.params(), "children") && !issue.leaf()) {
        std::vector<Child> all;
        for (const auto& r :
             db.query("SELECT i.id, i.parent_id, i.tracker_id, t.name, i.subject FROM issues i "
                      "LEFT OUTER JOIN trackers t ON t.id = i.tracker_id WHERE i.root_id = ? AND "
                      "i.lft > ? AND i.rgt < ? ORDER BY i.lft",
                      {issue.root_id, issue.lft, issue.rgt}))
            all.push_back({r.i(0), r.i(1), r.null(3) ? std::nullopt : r.oi(2), r.s(3), r.s(4)});
        if (auto c = children_node(all, id)) n.set("children", std::move(*c));
    }
    if (app::has_include(ctx.params(), "attachments"))
        n.set("attachments", attachments_array(ctx, load_attachments(ctx, "Issue", {id})[id]));
    if (app::has_include(ctx.params(), "relations")) {
        auto relations = issues_db::visible_relations(ctx, {id});
        if (!relations.empty()) {
            api::Node arr = api::Node::array("relation");
            for (const auto& r : relations) arr.push(relation_node(r));
            n.set("relations", std::move(arr));
        }
    }
    if (app::has_include(ctx.params(), "changesets")) {
        api::Node arr = api::Node::array("changeset");
        const auto allowed = ctx.perms().allowed_project_ids("view_changesets");
        if (!allowed.empty()) {
            std::vector<db::Value> params{id};
            std::string sql =
                "SELECT c.revision, c.user_id, u.type, u.firstname, u.lastname, u.login, c.comments, "
                "c.committed_on FROM changesets c INNER JOIN changesets_issues ci ON ci.changeset_id = "
                "c.id INNER JOIN repositories r ON r.id = c.repository_id LEFT OUTER JOIN users u ON "
                "u.id = c.user_id WHERE ci.issue_id = ? AND r.project_id IN (" +
                issues_db::placeholders(allowed, params) + ") ORDER BY c.committed_on, c.id";
            std::vector<api::Node> items;
            for (const auto& r : db.query(sql, params)) {
                api::Node c = api::Node::object();
                c.attr("revision", str_at(r, 0));
                if (!r.null(2))
                    c.set("user", ref(r.i(1), principal_name(ctx, {r.i(1), r.s(2), r.s(3), r.s(4), r.s(5)})));
                c.set("comments", str_at(r, 6));
                c.set("committed_on", time_at(r, 7));
                items.push_back(std::move(c));
            }
            if (comments_reversed(ctx)) std::reverse(items.begin(), items.end());
            for (auto& c : items) arr.push(std::move(c));
        }
        n.set("changesets", std::move(arr));
    }
    if (app::has_include(ctx.params(), "journals")) n.set("journals", journals_node(ctx, issue));
    if (app::has_include(ctx.params(), "watchers") &&
        ctx.perms().allowed_to("view_issue_watchers", issue.project_id)) {
        api::Node arr = api::Node::array("user");
        for (const auto& r :
             db.query("SELECT u.id, u.type, u.firstname, u.lastname, u.login FROM watchers w INNER JOIN "
                      "users u ON u.id = w.user_id WHERE w.watchable_type = 'Issue' AND "
                      "w.watchable_id = ? ORDER BY w.id",
                      {id}))
            arr.push(ref(r.i(0), principal_name(ctx, {r.i(0), r.s(1), r.s(2), r.s(3), r.s(4)})));
        n.set("watchers", std::move(arr));
    }
    if (app::has_include(ctx.params(), "allowed_statuses"))
        n.set("allowed_statuses", allowed_statuses_node(ctx, issue));
    return {"issue", std::move(n), {}};
}

}  // namespace resources
