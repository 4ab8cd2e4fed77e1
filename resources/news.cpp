// /news, /projects/:project_id/news and /news/:id: NewsController's API (index, show with
// attachments and comments, create answering 204 as Redmine 5.0 does, update, destroy).
#include <optional>
#include <regex>

#include "resources/attachments.h"
#include "resources/common.h"
#include "resources/text.h"

namespace resources {

namespace {

std::optional<ProjectRef> optional_project(Context& ctx) {
    if (auto it = ctx.route.find("project_id"); it != ctx.route.end()) return find_project(ctx, it->second);
    if (auto id = ctx.param("project_id"); id && !id->empty()) return find_project(ctx, *id);
    return std::nullopt;
}

const char* const kColumns =
    "SELECT n.id, n.project_id, p.name, n.author_id, u.firstname, u.lastname, u.login, n.title, n.summary, "
    "n.description, n.created_on FROM news n JOIN projects p ON p.id = n.project_id "
    "LEFT JOIN users u ON u.id = n.author_id AND u.type IN ('User', 'AnonymousUser')";

void head(Context& ctx, api::Node& n, const db::Row& r) {
    n.set("id", r.i(0));
    n.set("project", ref(r.i(1), r.s(2)));
    if (!r.null(4) || !r.null(6)) n.set("author", ref(r.i(3), user_name(ctx, r.s(4), r.s(5), r.s(6))));
    n.set("title", str_at(r, 7));
}

Response index(Context& ctx) {
    auto project = optional_project(ctx);
    if (project)
        authorize(ctx, *project, "view_news");
    else if (!ctx.perms().allowed_globally("view_news"))
        ctx.deny();

    // News.visible, and @project.news for a project (its own news only)
    std::vector<db::Value> params;
    for (long long id : ctx.perms().allowed_project_ids("view_news"))
        if (!project || id == project->id) params.emplace_back(id);
    std::string where = "1=0";
    if (!params.empty()) {
        where = "n.project_id IN (";
        for (size_t i = 0; i < params.size(); ++i) where += i ? ", ?" : "?";
        where += ")";
    }
    auto& db = ctx.db();
    const long long total = db.scalar(
        "SELECT COUNT(*) FROM news n JOIN projects p ON p.id = n.project_id WHERE " + where, params);
    const app::Paging paging = app::parse_paging(ctx.params());
    params.emplace_back(paging.limit);
    params.emplace_back(paging.offset);
    api::Node list = api::Node::array("news");
    // created_on DESC as Redmine; the id breaks ties between news of the same second (MySQL)
    for (const auto& r : db.query(std::string(kColumns) + " WHERE " + where +
                                      " ORDER BY n.created_on DESC, n.id DESC LIMIT ? OFFSET ?",
                                  params)) {
        api::Node n = api::Node::object();
        head(ctx, n, r);
        n.set("summary", str_at(r, 8));
        n.set("description", str_at(r, 9));
        n.set("created_on", time_at(r, 10));
        list.push(std::move(n));
    }
    return ctx.render(app::list_document(ctx, "news", std::move(list), total, paging));
}

struct News {
    long long id = 0, project_id = 0;
};

// find_model_object + find_project_from_association + authorize
News find_news(Context& ctx, const std::string& permission) {
    const long long id = id_param(ctx.route_param("id"));
    auto r = ctx.db().one("SELECT id, project_id FROM news WHERE id = ?", {id});
    if (!r) throw app::HttpError{404};
    authorize(ctx, find_project(ctx, std::to_string(r->i(1))), permission);
    return {r->i(0), r->i(1)};
}

api::Node comments_node(Context& ctx, long long news_id) {
    std::vector<api::Node> items;
    for (const auto& r :
         ctx.db().query("SELECT c.id, c.author_id, u.firstname, u.lastname, u.login, c.content "
                        "FROM comments c LEFT JOIN users u ON u.id = c.author_id "
                        "WHERE c.commented_type = 'News' AND c.commented_id = ? ORDER BY c.created_on, c.id",
                        {news_id})) {
        api::Node c = api::Node::object();
        c.attr("id", r.i(0));
        if (!r.null(2) || !r.null(4)) c.set("author", ref(r.i(1), user_name(ctx, r.s(2), r.s(3), r.s(4))));
        c.set("content", str_at(r, 5));
        items.push_back(std::move(c));
    }
    // User#wants_comments_in_reverse_order?
    if (!ctx.user.anonymous) {
        auto pref = ctx.db().one("SELECT others FROM user_preferences WHERE user_id = ? ORDER BY id LIMIT 1",
                                 {ctx.user.id});
        static const std::regex desc(R"((^|\n):?comments_sorting: ['"]?desc['"]?\s*(\n|$))");
        if (pref && std::regex_search(pref->s(0), desc)) std::reverse(items.begin(), items.end());
    }
    api::Node list = api::Node::array("comment");
    for (auto& c : items) list.push(std::move(c));
    return list;
}

Response show(Context& ctx) {
    const News news = find_news(ctx, "view_news");
    auto r = ctx.db().one(std::string(kColumns) + " WHERE n.id = ?", {news.id});
    if (!r) throw app::HttpError{404};
    api::Node n = api::Node::object();
    head(ctx, n, *r);
    if (r->s(8).find_first_not_of(" \t\r\n") != std::string::npos) n.set("summary", r->s(8));
    n.set("description", str_at(*r, 9));
    n.set("created_on", time_at(*r, 10));
    if (app::has_include(ctx.params(), "attachments"))
        n.set("attachments", attachments_array(ctx, load_attachments(ctx, "News", {news.id})[news.id]));
    if (app::has_include(ctx.params(), "comments")) n.set("comments", comments_node(ctx, news.id));
    return ctx.render({"news", std::move(n), {}});
}

bool blank(const std::optional<std::string>& s) {
    return !s || s->find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

struct Fields {
    std::optional<std::string> title, summary, description;
};

// safe_attributes 'title', 'summary', 'description'
void apply(Context& ctx, Fields& f) {
    const auto& body = ctx.params();
    if (!body.is_object() || !body.contains("news") || !body["news"].is_object()) return;
    const auto& attrs = body["news"];
    if (attrs.contains("title")) f.title = body_string(attrs, "title");
    if (attrs.contains("summary")) f.summary = body_string(attrs, "summary");
    if (attrs.contains("description")) f.description = body_string(attrs, "description");
}

// News validations, then acts_as_attachable's warning about unknown upload tokens.
void validate(const Fields& f, const std::vector<std::string>& attachment_errors) {
    std::vector<std::string> errors;
    if (blank(f.title)) errors.push_back("Title cannot be blank");
    if (blank(f.description)) errors.push_back("Description cannot be blank");
    if (f.title && utf8_length(*f.title) > 60)
        errors.push_back("Title is too long (maximum is 60 characters)");
    if (f.summary && utf8_length(*f.summary) > 255)
        errors.push_back("Summary is too long (maximum is 255 characters)");
    errors.insert(errors.end(), attachment_errors.begin(), attachment_errors.end());
    if (!errors.empty()) throw app::ValidationError{errors};
}

// params[:attachments] || params[:news][:uploads]
nlohmann::json uploads_of(Context& ctx) {
    const auto& body = ctx.params();
    if (!body.is_object()) return nullptr;
    if (body.contains("attachments") && !body["attachments"].is_null()) return body["attachments"];
    if (body.contains("news") && body["news"].is_object() && body["news"].contains("uploads"))
        return body["news"]["uploads"];
    return nullptr;
}

db::Value nullable(const std::optional<std::string>& s) {
    if (s) return *s;
    return std::monostate{};
}


Response create(Context& ctx) {
    const ProjectRef project = find_project(ctx, ctx.route_param("project_id"));
    authorize(ctx, project, "manage_news");
    Fields f{"", "", std::nullopt};  // the columns' defaults
    apply(ctx, f);
    const nlohmann::json uploads = uploads_of(ctx);
    validate(f, upload_errors(ctx, ctx.db(), uploads));
    auto& db = ctx.db();
    db::Tx tx(db);
    const long long id = db.insert(
        "INSERT INTO news (project_id, title, summary, description, author_id, created_on, "
        "comments_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {project.id, nullable(f.title), nullable(f.summary), nullable(f.description), ctx.user.id, db.now(),
         0LL},
        "news");
    // after_create :add_author_as_watcher
    db.exec("INSERT INTO watchers (watchable_type, watchable_id, user_id) VALUES ('News', ?, ?)",
            {id, ctx.user.id});
    attach_uploads(ctx, db, "News", id, uploads);
    tx.commit();
    return no_content();
}

Response update(Context& ctx) {
    const News news = find_news(ctx, "manage_news");
    auto r = ctx.db().one("SELECT title, summary, description FROM news WHERE id = ?", {news.id});
    if (!r) throw app::HttpError{404};
    Fields f{r->os(0), r->os(1), r->os(2)};
    apply(ctx, f);
    const nlohmann::json uploads = uploads_of(ctx);
    validate(f, upload_errors(ctx, ctx.db(), uploads));
    auto& db = ctx.db();
    db::Tx tx(db);
    db.exec("UPDATE news SET title = ?, summary = ?, description = ? WHERE id = ?",
            {nullable(f.title), nullable(f.summary), nullable(f.description), news.id});
    attach_uploads(ctx, db, "News", news.id, uploads);
    tx.commit();
    return no_content();
}

Response destroy(Context& ctx) {
    const News news = find_news(ctx, "manage_news");
    auto& db = ctx.db();
    db::Tx tx(db);
    // has_many :comments (delete_all), acts_as_watchable, acts_as_attachable
    db.exec("DELETE FROM comments WHERE commented_type = 'News' AND commented_id = ?", {news.id});
    db.exec("DELETE FROM watchers WHERE watchable_type = 'News' AND watchable_id = ?", {news.id});
    const auto files =
        collect_attachment_files(db, "container_type = 'News' AND container_id = ?", {news.id});
    db.exec("DELETE FROM attachments WHERE container_type = 'News' AND container_id = ?", {news.id});
    db.exec("DELETE FROM news WHERE id = ?", {news.id});
    tx.commit();
    remove_attachment_files(ctx, db, files);
    return no_content();
}

}  // namespace

void register_news(app::Router& r) {
    r.add("GET", "/news", index);
    r.add("GET", "/projects/:project_id/news", index);
    r.add("POST", "/projects/:project_id/news", create);
    r.add("GET", "/news/:id", show);
    r.add("PUT", "/news/:id", update);
    r.add("PATCH", "/news/:id", update);
    r.add("DELETE", "/news/:id", destroy);
}

}  // namespace resources
