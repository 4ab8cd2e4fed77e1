// /search and /projects/:project_id/search: SearchController's API, following Redmine::Search
// (Tokenizer, Fetcher: ranks are [created_on in whole seconds, id], highest first) and each model's
// acts_as_searchable (columns, visibility, custom values, journals, attachments) and acts_as_event
// (title, type, url, description, datetime). One statement per searched kind, one per shown kind.
#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "db/issues.h"
#include "resources/common.h"
#include "resources/text.h"

namespace resources {

namespace {

bool space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The code points of a UTF-8 string.
std::vector<unsigned> code_points(const std::string& s) {
    std::vector<unsigned> out;
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        unsigned cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < len && i + k < s.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(cp);
        i += len;
    }
    return out;
}

// \p{Han}
bool han(unsigned cp) {
    return (cp >= 0x2E80 && cp <= 0x2E99) || (cp >= 0x2E9B && cp <= 0x2EF3) ||
           (cp >= 0x2F00 && cp <= 0x2FD5) || cp == 0x3005 || cp == 0x3007 || (cp >= 0x3021 && cp <= 0x3029) ||
           (cp >= 0x3038 && cp <= 0x303B) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x3134F);
}

// gsub(/(^\s*"\s*|\s*"\s*$)/, '') on one token
std::string strip_quotes(std::string t) {
    size_t i = 0;
    while (i < t.size() && space(t[i])) ++i;
    if (i < t.size() && t[i] == '"') {
        ++i;
        while (i < t.size() && space(t[i])) ++i;
        t = t.substr(i);
    }
    size_t j = t.size();
    while (j > 0 && space(t[j - 1])) --j;
    if (j > 0 && t[j - 1] == '"') {
        --j;
        while (j > 0 && space(t[j - 1])) --j;
        t = t.substr(0, j);
    }
    return t;
}

}  // namespace

// Redmine::Search::Tokenizer: `hello "bye bye"` gives ["hello", "bye bye"]; tokens of at least two
// characters (or with a Han character), without repeats, at most 5.
std::vector<std::string> search_tokens(const std::string& question) {
    const std::string& s = question;
    const size_t n = s.size();
    std::vector<std::string> raw;
    size_t i = 0;
    while (i < n) {
        // (\s|^)"[^"]+"(\s|$)
        size_t quote = std::string::npos;
        if (space(s[i]) && i + 1 < n && s[i + 1] == '"')
            quote = i + 1;
        else if ((i == 0 || s[i - 1] == '\n') && s[i] == '"')
            quote = i;
        if (quote != std::string::npos) {
            const size_t close = s.find('"', quote + 1);
            if (close != std::string::npos && close > quote + 1) {
                const size_t end = close + 1;
                if (end == n || s[end] == '\n' || space(s[end])) {
                    const size_t stop = end == n ? end : end + 1;
                    raw.push_back(s.substr(i, stop - i));
                    i = stop;
                    continue;
                }
            }
        }
        // \S+
        if (!space(s[i])) {
            size_t j = i;
            while (j < n && !space(s[j])) ++j;
            raw.push_back(s.substr(i, j - i));
            i = j;
            continue;
        }
        ++i;
    }
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (auto& t : raw) {
        std::string token = strip_quotes(t);
        if (!seen.insert(token).second) continue;
        const auto cps = code_points(token);
        if (cps.size() > 1 || std::any_of(cps.begin(), cps.end(), han)) out.push_back(token);
        if (out.size() == 5) break;
    }
    return out;
}

namespace {

using issues_db::Cond;
using issues_db::placeholders;

const std::vector<std::string> kTypes = {"issues",     "news",     "documents", "changesets",
                                         "wiki_pages", "messages", "projects"};

struct Options {
    bool all_words = true, titles_only = false, open_issues = false;
    std::string attachments = "0";
};

// What acts_as_searchable declares per model.
struct Searchable {
    std::string from;   // the scope's joins
    std::string table;  // the model's table
    std::string klass;  // container / customized / journalized type
    std::string date_column;
    std::vector<std::string> columns;
    std::string project_key;
    std::string permission;  // for Project.allowed_to_condition (issues use Issue.visible)
    bool custom_fields = false, journals = false, attachments = true;
};

Searchable searchable(const std::string& type) {
    if (type == "issues")
        return {"issues INNER JOIN projects ON projects.id = issues.project_id",
                "issues",
                "Issue",
                "issues.created_on",
                {"issues.subject", "issues.description"},
                "issues.project_id",
                "view_issues",
                true,
                true,
                true};
    if (type == "news")
        return {"news INNER JOIN projects ON projects.id = news.project_id",
                "news",
                "News",
                "news.created_on",
                {"news.title", "news.summary", "news.description"},
                "news.project_id",
                "view_news",
                false,
                false,
                true};
    if (type == "documents")
        return {"documents INNER JOIN projects ON projects.id = documents.project_id",
                "documents",
                "Document",
                "documents.created_on",
                {"documents.title", "documents.description"},
                "documents.project_id",
                "view_documents",
                true,
                false,
                true};
    if (type == "changesets")
        return {
            "changesets INNER JOIN repositories ON repositories.id = changesets.repository_id "
            "INNER JOIN projects ON projects.id = repositories.project_id",
            "changesets",
            "Changeset",
            "changesets.committed_on",
            {"changesets.comments"},
            "repositories.project_id",
            "view_changesets",
            false,
            false,
            false};
    if (type == "wiki_pages")
        return {
            "wiki_pages INNER JOIN wiki_contents ON wiki_contents.page_id = wiki_pages.id "
            "INNER JOIN wikis ON wikis.id = wiki_pages.wiki_id INNER JOIN projects ON projects.id = "
            "wikis.project_id",
            "wiki_pages",
            "WikiPage",
            "wiki_pages.created_on",
            {"wiki_pages.title", "wiki_contents.text"},
            "wikis.project_id",
            "view_wiki_pages",
            false,
            false,
            true};
    if (type == "messages")
        return {
            "messages INNER JOIN boards ON boards.id = messages.board_id "
            "INNER JOIN projects ON projects.id = boards.project_id",
            "messages",
            "Message",
            "messages.created_on",
            {"messages.subject", "messages.content"},
            "boards.project_id",
            "view_messages",
            false,
            false,
            true};
    return {"projects",
            "projects",
            "Project",
            "projects.created_on",
            {"projects.name", "projects.identifier", "projects.description"},
            "projects.id",
            "view_project",
            true,
            false,
            true};
}

// sanitize_sql_like
std::string escape_like(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == '%' || c == '_') out += '\\';
        out += c;
    }
    return out;
}

// search_tokens_condition with Redmine::Database.like
Cond tokens_condition(Context& ctx, const std::vector<std::string>& columns,
                      const std::vector<std::string>& tokens, bool all_words) {
    const std::string escape = ctx.db().backend() == db::Backend::Sqlite ? " ESCAPE '\\'" : "";
    Cond c;
    for (size_t t = 0; t < tokens.size(); ++t) {
        std::string clause;
        for (const auto& column : columns) {
            clause += (clause.empty() ? "(" : " OR ") + column + " LIKE ?" + escape;
            c.params.emplace_back("%" + escape_like(tokens[t]) + "%");
        }
        c.sql += (t ? (all_words ? " AND " : " OR ") : "") + clause + ")";
    }
    c.sql = "(" + c.sql + ")";
    return c;
}

Cond ids_condition(const std::string& column, const std::vector<long long>& ids) {
    if (ids.empty()) return Cond("1=0");
    Cond c;
    c.sql = column + " IN (" + placeholders(ids, c.params) + ")";
    return c;
}

// CustomField#visibility_by_project_condition (and IssueCustomField's), per searchable field.
Cond custom_field_visibility(Context& ctx, const Searchable& s, const db::Row& field) {
    const long long id = field.i(0);
    Cond c("1=1");
    if (!field.b(1) && !ctx.user.admin) {
        if (ctx.user.anonymous) {
            c = Cond("1=0");
        } else {
            c = Cond(s.project_key +
                         " IN (SELECT DISTINCT m.project_id FROM members m INNER JOIN member_roles mr ON "
                         "mr.member_id = m.id INNER JOIN custom_fields_roles cfr ON cfr.role_id = mr.role_id "
                         "WHERE m.user_id = ? AND cfr.custom_field_id = ?)",
                     {ctx.user.id, id});
        }
    }
    if (s.table == "issues") {
        c.and_(Cond(
            "issues.tracker_id IN (SELECT tracker_id FROM custom_fields_trackers WHERE custom_field_id = ?)",
            {id}));
        c.and_(Cond(
            "(EXISTS (SELECT 1 FROM custom_fields ifa WHERE ifa.is_for_all = ? AND ifa.id = ?) OR "
            "issues.project_id IN (SELECT project_id FROM custom_fields_projects WHERE custom_field_id = ?))",
            {1LL, id, id}));
        c.and_(issues_db::visible_condition(ctx, "issues"));
    }
    Cond out("custom_values.custom_field_id = ?", {id});
    out.and_(c);
    return out;
}

using Rank = std::pair<long long, long long>;  // [timestamp.to_i, id]

long long epoch_seconds(const std::string& stored) {
    std::tm tm{};
    if (std::sscanf(stored.c_str(), "%d-%d-%d%*c%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec) < 3)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<long long>(timegm(&tm));
}

// Model.search_result_ranks_and_ids
std::vector<Rank> ranks_and_ids(Context& ctx, const std::string& type, const std::vector<std::string>& tokens,
                                const std::optional<std::vector<long long>>& projects, const Options& o) {
    if (projects && projects->empty()) return {};
    const Searchable s = searchable(type);
    // search_scope: the model's scope, its visibility, the projects searched
    std::string from = s.from;
    Cond scope;
    if (type == "issues") {
        scope = issues_db::visible_condition(ctx, "issues");
        if (o.open_issues) {
            from += " INNER JOIN issue_statuses ON issue_statuses.id = issues.status_id";
            scope.and_(Cond("issue_statuses.is_closed = ?", {0LL}));
        }
    } else {
        scope = ids_condition("projects.id", ctx.perms().allowed_project_ids(s.permission));
    }
    if (projects) scope.and_(ids_condition(s.project_key, *projects));

    auto& db = ctx.db();
    std::set<Rank> ranks;
    auto fetch = [&](const std::string& joins, const Cond& where) {
        Cond all = scope;
        all.and_(where);
        for (const auto& r : db.query("SELECT DISTINCT " + s.date_column + ", " + s.table + ".id FROM " +
                                          from + joins + " WHERE " + all.sql,
                                      all.params))
            ranks.insert({epoch_seconds(r.s(0)), r.i(1)});
    };
    if (o.attachments != "only") {
        std::vector<std::string> columns = s.columns;
        if (o.titles_only) columns.resize(1);
        fetch("", tokens_condition(ctx, columns, tokens, o.all_words));
        if (!o.titles_only && s.custom_fields) {
            const auto fields = db.query(
                "SELECT id, visible FROM custom_fields WHERE type = ? AND searchable = ? ORDER BY position, "
                "id",
                {s.klass + "CustomField", 1LL});
            if (!fields.empty()) {
                Cond visibility;
                for (const auto& f : fields) {
                    Cond one = custom_field_visibility(ctx, s, f);
                    visibility.sql += (visibility.sql.empty() ? "(" : " OR (") + one.sql + ")";
                    visibility.params.insert(visibility.params.end(), one.params.begin(), one.params.end());
                }
                visibility.sql = "(" + visibility.sql + ")";
                Cond where = visibility;
                where.and_(tokens_condition(ctx, {"custom_values.value"}, tokens, o.all_words));
                fetch(" INNER JOIN custom_values ON custom_values.customized_id = " + s.table +
                          ".id AND custom_values.customized_type = '" + s.klass + "'",
                      where);
            }
        }
        if (!o.titles_only && s.journals) {
            Cond where;
            where.params.emplace_back(0LL);
            const auto allowed = ctx.perms().allowed_project_ids("view_private_notes");
            where.sql = "(journals.private_notes = ? OR (" +
                        (allowed.empty() ? std::string("1=0")
                                         : "projects.id IN (" + placeholders(allowed, where.params) + ")") +
                        "))";
            where.and_(tokens_condition(ctx, {"journals.notes"}, tokens, o.all_words));
            fetch(
                " INNER JOIN journals ON journals.journalized_id = issues.id AND journals.journalized_type = "
                "'Issue'",
                where);
        }
    }
    if (s.attachments && (o.titles_only ? o.attachments == "only" : o.attachments != "0")) {
        fetch(
            " INNER JOIN attachments ON attachments.container_id = " + s.table +
                ".id AND attachments.container_type = '" + s.klass + "'",
            tokens_condition(ctx, {"attachments.filename", "attachments.description"}, tokens, o.all_words));
    }
    return {ranks.rbegin(), ranks.rend()};
}

struct Result {
    long long id = 0;
    api::Node title, type, url, description, datetime;
};

std::string in_list(const std::vector<long long>& ids, std::vector<db::Value>& params) {
    return placeholders(ids, params);
}

// Changeset#split_comments: the first line, and the rest stripped.
std::pair<std::optional<std::string>, std::string> split_comments(
    const std::optional<std::string>& comments) {
    if (!comments) return {std::nullopt, ""};
    const std::string& c = *comments;
    const size_t nl = c.size() > 1 ? c.find('\n', 1) : std::string::npos;
    if (nl == std::string::npos) return {c, ""};
    std::string first = c.substr(0, nl);
    if (first.size() > 1 && first.back() == '\r') first.pop_back();
    std::string rest = c.substr(nl + 1);
    const size_t b = rest.find_first_not_of(" \t\r\n\f\v");
    if (b == std::string::npos) return {first, ""};
    rest = rest.substr(b, rest.find_last_not_of(" \t\r\n\f\v") - b + 1);
    return {first, rest};
}

// acts_as_event of each kind, for the ids to show (one statement per kind).
std::map<long long, Result> load(Context& ctx, const std::string& type, const std::vector<long long>& ids) {
    std::map<long long, Result> out;
    std::vector<db::Value> params;
    const std::string in = in_list(ids, params);
    auto& db = ctx.db();
    auto url = [&](const std::string& path) { return api::Node(ctx.url_for(path)); };
    if (type == "issues") {
        for (const auto& r :
             db.query("SELECT i.id, t.name, s.name, s.is_closed, i.subject, i.description, "
                      "i.created_on FROM issues i LEFT JOIN trackers t ON t.id = i.tracker_id "
                      "LEFT JOIN issue_statuses s ON s.id = i.status_id WHERE i.id IN (" +
                          in + ")",
                      params)) {
            const std::string id = std::to_string(r.i(0));
            out[r.i(0)] = {r.i(0),
                           r.s(1) + " #" + id + " (" + r.s(2) + "): " + r.s(4),
                           r.b(3) ? "issue-closed" : "issue",
                           url("/issues/" + id),
                           str_at(r, 5),
                           time_at(r, 6)};
        }
    } else if (type == "news") {
        for (const auto& r :
             db.query("SELECT id, title, description, created_on FROM news WHERE id IN (" + in + ")", params))
            out[r.i(0)] = {r.i(0),       str_at(r, 1), "news", url("/news/" + std::to_string(r.i(0))),
                           str_at(r, 2), time_at(r, 3)};
    } else if (type == "documents") {
        for (const auto& r : db.query(
                 "SELECT id, title, description, created_on FROM documents WHERE id IN (" + in + ")", params))
            out[r.i(0)] = {r.i(0),       "Document: " + r.s(1),
                           "document",   url("/documents/" + std::to_string(r.i(0))),
                           str_at(r, 2), time_at(r, 3)};
    } else if (type == "changesets") {
        for (const auto& r : db.query(
                 "SELECT c.id, c.revision, c.scmid, c.comments, c.committed_on, r.id, r.identifier, r.type, "
                 "p.identifier FROM changesets c INNER JOIN repositories r ON r.id = c.repository_id "
                 "INNER JOIN projects p ON p.id = r.project_id WHERE c.id IN (" +
                     in + ")",
                 params)) {
            const std::string revision = r.s(1), scmid = r.s(2), repo_type = r.s(7), repo_ident = r.s(6);
            const bool git = repo_type == "Repository::Git", hg = repo_type == "Repository::Mercurial";
            const std::string identifier = git || hg ? scmid : revision;
            const std::string shown = git  ? revision.substr(0, 8)
                                      : hg ? revision + ":" + scmid.substr(0, 12)
                                           : identifier;
            const auto [short_comments, long_comments] = split_comments(r.os(3));
            const bool has_short =
                short_comments && short_comments->find_first_not_of(" \t\r\n\f\v") != std::string::npos;
            std::string title = "Revision " + shown + (repo_ident.empty() ? "" : " (" + repo_ident + ")") +
                                (has_short ? ": " + *short_comments : "");
            const std::string repo_param = repo_ident.empty() ? std::to_string(r.i(5)) : repo_ident;
            out[r.i(0)] = {
                r.i(0),
                title,
                "changeset",
                url("/projects/" + url_segment(r.s(8)) + "/repository/" +
                    url_segment(repo_param) + "/revisions/" + url_segment(identifier)),
                long_comments,
                time_at(r, 4)};
        }
    } else if (type == "wiki_pages") {
        for (const auto& r :
             db.query("SELECT wp.id, wp.title, c.text, wp.created_on, p.identifier FROM wiki_pages wp "
                      "INNER JOIN wikis w ON w.id = wp.wiki_id INNER JOIN projects p ON p.id = w.project_id "
                      "LEFT JOIN wiki_contents c ON c.page_id = wp.id WHERE wp.id IN (" +
                          in + ")",
                      params))
            out[r.i(0)] = {
                r.i(0),
                "Wiki: " + r.s(1),
                "wiki-page",
                url("/projects/" + url_segment(r.s(4)) + "/wiki/" + url_segment(r.s(1))),
                str_at(r, 2),
                time_at(r, 3)};
    } else if (type == "messages") {
        for (const auto& r : db.query("SELECT m.id, b.name, m.subject, m.content, m.created_on, m.board_id, "
                                      "m.parent_id FROM messages m "
                                      "LEFT JOIN boards b ON b.id = m.board_id WHERE m.id IN (" +
                                          in + ")",
                                      params)) {
            const std::string id = std::to_string(r.i(0)), board = std::to_string(r.i(5));
            const bool reply = !r.null(6);
            const std::string path = reply ? "/boards/" + board + "/topics/" + std::to_string(r.i(6)) +
                                                 "?r=" + id + "#message-" + id
                                           : "/boards/" + board + "/topics/" + id;
            out[r.i(0)] = {r.i(0),    r.s(1) + ": " + r.s(2), reply ? "reply" : "message",
                           url(path), str_at(r, 3),           time_at(r, 4)};
        }
    } else {
        for (const auto& r :
             db.query("SELECT id, name, identifier, description, created_on FROM projects WHERE id IN (" +
                          in + ")",
                      params))
            out[r.i(0)] = {r.i(0),       "Project: " + r.s(1),
                           "project",    url("/projects/" + url_segment(r.s(2))),
                           str_at(r, 3), time_at(r, 4)};
    }
    return out;
}

// Rails' present? of a query parameter
std::optional<bool> flag(Context& ctx, const char* name) {
    auto v = ctx.param(name);
    if (!v) return std::nullopt;
    return std::any_of(v->begin(), v->end(), [](unsigned char c) { return !space(c); });
}

Response index(Context& ctx) {
    // find_optional_project_by_id, authorize_global
    std::optional<ProjectRef> project;
    if (auto it = ctx.route.find("project_id"); it != ctx.route.end()) {
        project = find_project(ctx, it->second);
        authorize(ctx, *project, "search_project");
    } else if (!ctx.perms().allowed_globally("search_project")) {
        ctx.deny();
    }

    std::string question = ctx.param("q").value_or("");
    {
        const size_t b = question.find_first_not_of(std::string(" \t\r\n\f\v\0", 7));
        question =
            b == std::string::npos
                ? ""
                : question.substr(b, question.find_last_not_of(std::string(" \t\r\n\f\v\0", 7)) - b + 1);
    }
    Options o;
    o.all_words = flag(ctx, "all_words").value_or(true);
    o.titles_only = flag(ctx, "titles_only").value_or(false);
    o.open_issues = flag(ctx, "open_issues").value_or(false);
    if (auto a = ctx.param("attachments"); a && flag(ctx, "attachments").value_or(false))
        o.attachments = *a;
    const app::Paging paging = app::parse_paging(ctx.params());

    // projects_to_search: nothing for all projects
    std::optional<std::vector<long long>> projects;
    bool single = false;
    const std::string scope_param = ctx.param("scope").value_or("");
    auto& db = ctx.db();
    if (scope_param == "all") {
    } else if (scope_param == "my_projects") {
        projects.emplace();
        if (!ctx.user.anonymous)
            for (const auto& r :
                 db.query("SELECT DISTINCT m.project_id FROM members m INNER JOIN projects p ON "
                          "p.id = m.project_id WHERE m.user_id = ? AND p.status <> ?",
                          {ctx.user.id, static_cast<long long>(app::kProjectArchived)}))
                projects->push_back(r.i(0));
    } else if (scope_param == "subprojects") {
        if (project) {
            projects.emplace();
            for (const auto& r : db.query("SELECT c.id FROM projects c INNER JOIN projects p ON p.id = ? "
                                          "WHERE c.lft >= p.lft AND c.rgt <= p.rgt ORDER BY c.lft",
                                          {project->id}))
                projects->push_back(r.i(0));
        }
    } else if (project) {
        projects = std::vector<long long>{project->id};
        single = true;
    }

    std::vector<std::string> object_types;
    for (const auto& t : kTypes) {
        if (single && (t == "projects" || !ctx.perms().allowed_to("view_" + t, *project->info))) continue;
        object_types.push_back(t);
    }
    std::vector<std::string> scope;
    for (const auto& t : object_types)
        if (flag(ctx, t.c_str()).value_or(false)) scope.push_back(t);
    if (scope.empty()) scope = object_types;

    const auto tokens = search_tokens(question);
    api::Node list = api::Node::array("result");
    long long total = 0;
    if (!tokens.empty()) {
        // Fetcher#load_result_ids: every kind's ranks, highest [timestamp, id] first
        struct Hit {
            size_t kind;
            Rank rank;
        };
        std::vector<Hit> hits;
        for (size_t k = 0; k < scope.size(); ++k)
            for (const auto& r : ranks_and_ids(ctx, scope[k], tokens, projects, o)) hits.push_back({k, r});
        std::stable_sort(hits.begin(), hits.end(),
                         [](const Hit& a, const Hit& b) { return a.rank > b.rank; });
        total = static_cast<long long>(hits.size());
        const size_t from = static_cast<size_t>(std::min<long long>(paging.offset, total));
        const size_t to = static_cast<size_t>(std::min<long long>(paging.offset + paging.limit, total));
        std::map<size_t, std::vector<long long>> by_kind;
        for (size_t i = from; i < to; ++i) by_kind[hits[i].kind].push_back(hits[i].rank.second);
        std::map<size_t, std::map<long long, Result>> loaded;
        for (const auto& [kind, ids] : by_kind) loaded[kind] = load(ctx, scope[kind], ids);
        for (size_t i = from; i < to; ++i) {
            auto& kind = loaded[hits[i].kind];
            auto it = kind.find(hits[i].rank.second);
            if (it == kind.end()) continue;
            Result& r = it->second;
            api::Node n = api::Node::object();
            n.set("id", r.id);
            n.set("title", std::move(r.title));
            n.set("type", std::move(r.type));
            n.set("url", std::move(r.url));
            n.set("description", std::move(r.description));
            n.set("datetime", std::move(r.datetime));
            list.push(std::move(n));
        }
    }
    return ctx.render(app::list_document(ctx, "results", std::move(list), total, paging));
}

}  // namespace

void register_search(app::Router& r) {
    r.add("GET", "/search", index);
    r.add("GET", "/projects/:project_id/search", index);
}

}  // namespace resources
