// /issues/:issue_id/relations (GET, POST) and /relations/:id (GET, DELETE): IssueRelationsController
// with IssueRelation's validations, reversal of the reverse types and the journals on both issues.
#include <algorithm>
#include <regex>

#include "db/issues.h"
#include "resources/issue_writes.h"
#include "resources/time_entries.h"

namespace resources::relations {

namespace {

using nlohmann::json;

struct Type {
    const char* name;
    int order;
    const char* sym;
    const char* reverse;  // "" when stored as is
};
const Type kTypes[] = {
    {"relates", 1, "relates", ""},
    {"duplicates", 2, "duplicated", ""},
    {"duplicated", 3, "duplicates", "duplicates"},
    {"blocks", 4, "blocked", ""},
    {"blocked", 5, "blocks", "blocks"},
    {"precedes", 6, "follows", ""},
    {"follows", 7, "precedes", "precedes"},
    {"copied_to", 8, "copied_from", ""},
    {"copied_from", 9, "copied_to", "copied_to"},
};
const Type* find_type(const std::string& name) {
    for (const auto& t : kTypes)
        if (name == t.name) return &t;
    return nullptr;
}

struct Relation {
    long long id = 0, from = 0, to = 0;
    std::string type;
    std::optional<long long> delay;
};

api::Node node(const Relation& r) {
    api::Node n = api::Node::object();
    n.set("id", r.id);
    n.set("issue_id", r.from);
    n.set("issue_to_id", r.to);
    n.set("relation_type", r.type);
    n.set("delay", r.delay ? api::Node(*r.delay) : api::Node());
    return n;
}

Relation from_row(const db::Row& r) { return {r.i(0), r.i(1), r.i(2), r.s(3), r.oi(4)}; }

std::optional<Relation> find(Context& ctx, long long id) {
    auto r = ctx.db().one(
        "SELECT id, issue_from_id, issue_to_id, relation_type, delay FROM issue_relations "
        "WHERE id = ?",
        {id});
    if (!r) return std::nullopt;
    return from_row(*r);
}

// IssueRelation#visible?: both issues (when they exist) are visible.
bool visible(Context& ctx, const Relation& r) {
    auto exists = [&](long long id) {
        return ctx.db().scalar("SELECT COUNT(*) FROM issues WHERE id = ?", {id}) > 0;
    };
    return (!exists(r.from) || issues_db::is_visible(ctx, r.from)) &&
           (!exists(r.to) || issues_db::is_visible(ctx, r.to));
}

long long project_of(Context& ctx, long long issue_id) {
    return ctx.db().scalar("SELECT project_id FROM issues WHERE id = ?", {issue_id});
}

// Journal details on both issues (Issue#relation_added / #relation_removed). `to_journal` is the journal
// the target issue already saved in this request (its rescheduling): the detail joins it.
void journalize(Context& ctx, const Relation& r, bool added, const std::string& now,
                std::optional<long long> to_journal = std::nullopt) {
    const Type* t = find_type(r.type);
    const std::pair<long long, long long> sides[] = {{r.from, r.to}, {r.to, r.from}};
    for (int n = 0; n < 2; ++n) {
        const auto [issue, other] = sides[n];
        if (ctx.db().scalar("SELECT COUNT(*) FROM issues WHERE id = ?", {issue}) == 0) continue;
        const std::string key = n == 0 ? r.type : (t ? t->sym : r.type);
        const std::string value = std::to_string(other);
        issue_writes_db::Detail d{"relation", key, added ? std::nullopt : std::optional(value),
                                  added ? std::optional(value) : std::nullopt};
        if (n == 1 && to_journal)
            ctx.db().insert(
                "INSERT INTO journal_details (journal_id, property, prop_key, old_value, value) "
                "VALUES (?, ?, ?, ?, ?)",
                {*to_journal, d.property, d.prop_key, db::Value(std::monostate{}), value}, "journal_details");
        else
            issue_writes::write_journal(ctx, issue, std::string(), false, {d}, now);
    }
}

// The issue of the route: Issue.find, then authorize on its project.
issue_writes_db::Issue route_issue(Context& ctx, const std::string& permission) {
    auto issue = issue_writes_db::load(ctx.db(), id_param(ctx.route_param("issue_id")));
    if (!issue) throw app::HttpError{404};
    authorize(ctx, find_project(ctx, std::to_string(issue->project_id)), permission);
    return *issue;
}

Response index(Context& ctx) {
    const auto issue = route_issue(ctx, "view_issues");
    std::vector<Relation> rows;
    for (const auto& r : ctx.db().query("SELECT id, issue_from_id, issue_to_id, relation_type, delay FROM "
                                        "issue_relations WHERE issue_from_id = ? OR issue_to_id = ?",
                                        {issue.id, issue.id}))
        rows.push_back(from_row(r));
    auto order = [](const Relation& r) {
        const Type* t = find_type(r.type);
        return std::make_pair(t ? t->order : 99, r.id);
    };
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return order(a) < order(b); });
    api::Node arr = api::Node::array("relation");
    for (const auto& r : rows) arr.push(node(r));
    return ctx.render({"relations", std::move(arr), {}});
}

Response show(Context& ctx) {
    auto r = find(ctx, id_param(ctx.route_param("id")));
    if (!r) throw app::HttpError{404};
    if (!visible(ctx, *r)) ctx.deny();
    return ctx.render({"relation", node(*r), {}});
}

// IssueRelation's validations, in Rails' order.
std::vector<std::string> validate(Context& ctx, const issue_writes_db::Issue& from,
                                  const std::optional<issue_writes_db::Issue>& to, const std::string& type,
                                  bool delay_invalid) {
    std::vector<std::string> errors;
    if (!to) errors.push_back("Related issue cannot be blank");
    if (blank_text(type)) errors.push_back("Relation type cannot be blank");
    if (!find_type(type)) errors.push_back("Relation type is not included in the list");
    if (delay_invalid) errors.push_back("Delay is not a number");
    if (to &&
        ctx.db().scalar("SELECT COUNT(*) FROM issue_relations WHERE issue_from_id = ? AND issue_to_id = ?",
                        {from.id, to->id}) > 0)
        errors.push_back("Related issue has already been taken");
    if (to) {
        if (from.id == to->id) errors.push_back("Related issue is invalid");
        if (from.project_id != to->project_id && !ctx.setting_enabled("cross_project_issue_relations"))
            errors.push_back("Related issue doesn't belong to the same project");
        bool circular = false;
        if (type == "relates")
            circular = ctx.db().scalar(
                           "SELECT COUNT(*) FROM issue_relations WHERE issue_from_id = ? AND "
                           "issue_to_id = ?",
                           {to->id, from.id}) > 0;
        else if (type == "blocks" || type == "blocked" || type == "precedes" || type == "follows") {
            // a chain of the same kind back from the target to the source
            const bool forward = type == "blocks" || type == "precedes";
            const std::string kind = (type == "blocks" || type == "blocked") ? "blocks" : "precedes";
            const long long start = forward ? to->id : from.id, goal = forward ? from.id : to->id;
            std::vector<long long> frontier{start}, seen{start};
            while (!frontier.empty() && !circular) {
                std::vector<db::Value> p{kind};
                const std::string list = issues_db::placeholders(frontier, p);
                frontier.clear();
                for (const auto& r :
                     ctx.db().query("SELECT issue_to_id FROM issue_relations WHERE relation_type = ? "
                                    "AND issue_from_id IN (" +
                                        list + ")",
                                    p)) {
                    if (r.i(0) == goal) circular = true;
                    if (std::find(seen.begin(), seen.end(), r.i(0)) == seen.end()) {
                        seen.push_back(r.i(0));
                        frontier.push_back(r.i(0));
                    }
                }
            }
        }
        if (circular) errors.push_back("This relation would create a circular dependency");
        if (from.root_id == to->root_id &&
            ((from.lft > to->lft && from.rgt < to->rgt) || (from.lft < to->lft && from.rgt > to->rgt)))
            errors.push_back("An issue cannot be linked to one of its subtasks");
    }
    return errors;
}

Response create(Context& ctx) {
    const auto issue = route_issue(ctx, "manage_issue_relations");
    json attrs = json::object();
    if (ctx.params().is_object())
        if (auto it = ctx.params().find("relation"); it != ctx.params().end() && it->is_object()) attrs = *it;
    // relation_issues_to_id: a comma-separated list, or one integer
    std::vector<std::string> targets;
    if (auto it = attrs.find("issue_to_id"); it != attrs.end() && !it->is_null()) {
        if (it->is_string()) {
            std::string s = it->get<std::string>(), cur;
            for (char c : s + ",")
                if (c == ',') {
                    if (!blank_text(cur)) targets.push_back(cur);
                    cur.clear();
                } else {
                    cur += c;
                }
        } else {
            targets.push_back(it->is_number() ? std::to_string(it->get<long long>()) : it->dump());
        }
    }
    // a missing or blank issue_to_id (ParameterMissing) still runs once, to fail validation
    if (targets.empty()) targets.push_back("");
    const std::string type =
        attrs.contains("relation_type") ? body_string(attrs, "relation_type").value_or("") : "";
    std::optional<long long> delay;
    bool delay_invalid = false;
    if (auto d = body_string(attrs, "delay"); d && !blank_text(*d)) {
        if (std::regex_match(*d, std::regex(R"(^\s*[+-]?\d+(\.\d+)?\s*$)")))
            delay = app::ruby_to_i(*d);
        else
            delay_invalid = true;
    }
    auto& db = ctx.db();
    issue_writes::read_committed(db);
    db::Tx tx(db);
    std::optional<Relation> saved;
    std::vector<std::string> last_errors;
    for (const auto& target : targets) {
        std::optional<issue_writes_db::Issue> to;
        std::smatch m;
        static const std::regex re(R"(^#?(\d+)$)");
        std::string t = target;
        t.erase(0, t.find_first_not_of(" \t\r\n"));
        t.erase(t.find_last_not_of(" \t\r\n") + 1);
        if (std::regex_match(t, m, re) && issues_db::is_visible(ctx, std::stoll(m[1].str())))
            to = issue_writes_db::load(db, std::stoll(m[1].str()));
        auto errors = validate(ctx, issue, to, type, delay_invalid);
        if (!errors.empty()) {
            last_errors = errors;
            saved.reset();
            continue;
        }
        Relation r{0, issue.id, to->id, type, delay};
        if (const Type* ty = find_type(type); ty && *ty->reverse) {
            std::swap(r.from, r.to);
            r.type = ty->reverse;
        } else if (type == "relates" && r.from > r.to) {
            std::swap(r.from, r.to);
        }
        if (r.type == "precedes")
            r.delay = r.delay.value_or(0);
        else
            r.delay.reset();
        if (db.scalar("SELECT COUNT(*) FROM issue_relations WHERE issue_from_id = ? AND issue_to_id = ?",
                      {r.from, r.to}) > 0) {
            last_errors = {"Related issue has already been taken"};  // RecordNotUnique
            saved.reset();
            continue;
        }
        r.id = db.insert(
            "INSERT INTO issue_relations (issue_from_id, issue_to_id, relation_type, delay) "
            "VALUES (?, ?, ?, ?)",
            {r.from, r.to, r.type, r.delay ? db::Value(*r.delay) : db::Value(std::monostate{})},
            "issue_relations");
        // before_save: IssueRelation#set_issue_to_dates moves the follower (its journal is already started)
        const std::string now = db.now();
        std::optional<long long> to_journal;
        if (r.type == "precedes") {
            issue_writes::lock_trees(db, {r.from, r.to});
            auto from = issue_writes_db::load(db, r.from);
            auto base = from->due_date ? from->due_date : from->start_date;
            if (base)
                to_journal = issue_writes::reschedule_on(
                    ctx, r.to,
                    issue_writes::add_working_days(ctx, *time_entries::parse_iso_date(*base), 1 + *r.delay),
                    true, now);
        }
        journalize(ctx, r, true, now, to_journal);
        saved = r;
        last_errors.clear();
    }
    tx.commit();
    if (!saved) throw app::ValidationError{last_errors};
    Response resp = ctx.render({"relation", node(*saved), {}}, 201);
    resp.header("Location", ctx.url_for("/relations/" + std::to_string(saved->id)));
    return resp;
}

Response destroy(Context& ctx) {
    auto r = find(ctx, id_param(ctx.route_param("id")));
    if (!r) throw app::HttpError{404};
    const bool deletable =
        visible(ctx, *r) && (ctx.perms().allowed_to("manage_issue_relations", project_of(ctx, r->from)) ||
                             ctx.perms().allowed_to("manage_issue_relations", project_of(ctx, r->to)));
    if (!deletable) ctx.deny();
    auto& db = ctx.db();
    issue_writes::read_committed(db);
    db::Tx tx(db);
    db.exec("DELETE FROM issue_relations WHERE id = ?", {r->id});
    journalize(ctx, *r, false, db.now());
    tx.commit();
    return no_content();
}

}  // namespace

}  // namespace resources::relations

namespace resources {

void register_relations(app::Router& r) {
    r.add("GET", "/issues/:issue_id/relations", relations::index);
    r.add("POST", "/issues/:issue_id/relations", relations::create);
    r.add("GET", "/relations/:id", relations::show);
    r.add("DELETE", "/relations/:id", relations::destroy);
}

}  // namespace resources
