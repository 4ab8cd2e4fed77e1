// /projects/:project_id/wiki...: WikiController's API (index, show, show of a version, update that
// creates or edits a page with optimistic locking, destroy), following Redmine 5.0's models: Wiki
// (titleize, find_page with redirects), WikiPage (safe attributes, renames, parent), WikiContent
// (the locking column `version`, one WikiContentVersion row written per saved content).
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "resources/attachments.h"
#include "resources/common.h"
#include "resources/text.h"

namespace resources {

namespace {

struct Wiki {
    long long id = 0;
    std::string start_page;
    ProjectRef project;
};

struct Page {
    long long id = 0, wiki_id = 0;
    std::string title, created_on;
    bool is_protected = false;
    std::optional<long long> parent_id;
};

struct Content {
    long long id = 0;
    std::optional<long long> author_id;
    std::optional<std::string> text, comments;
    std::string updated_on;
    long long version = 1;
};

// Ruby's \s
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool blank(const std::optional<std::string>& s) {
    return !s || std::all_of(s->begin(), s->end(), [](char c) { return space(c); });
}

// String#upcase of the first character (ASCII, Latin-1 and Cyrillic letters).
std::string upcase_first(std::string s) {
    if (s.empty()) return s;
    auto c = static_cast<unsigned char>(s[0]);
    if (c >= 'a' && c <= 'z') {
        s[0] = static_cast<char>(c - 32);
    } else if (s.size() >= 2) {
        unsigned cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(s[1]) & 0x3F);
        if ((c & 0xE0) != 0xC0) return s;
        if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) || (cp >= 0x430 && cp <= 0x44F))
            cp -= 0x20;
        else if (cp >= 0x450 && cp <= 0x45F)
            cp -= 0x50;
        else
            return s;
        s[0] = static_cast<char>(0xC0 | (cp >> 6));
        s[1] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

}  // namespace

// Wiki.titleize: blanks become `_`, `,./?;|:` go, the first letter is upcased.
std::string wiki_titleize(const std::string& title) {
    std::string out;
    for (size_t i = 0; i < title.size();) {
        if (space(title[i])) {
            out += '_';
            while (i < title.size() && space(title[i])) ++i;
            continue;
        }
        if (std::string(",./?;|:").find(title[i]) == std::string::npos) out += title[i];
        ++i;
    }
    return upcase_first(out);
}

namespace {

const char* const kPageColumns =
    "SELECT id, wiki_id, title, created_on, protected, parent_id FROM wiki_pages ";

Page page_from(const db::Row& r) { return {r.i(0), r.i(1), r.s(2), r.s(3), r.b(4), r.oi(5)}; }

// WikiController#find_wiki, then authorize
Wiki find_wiki(Context& ctx, const std::string& permission) {
    Wiki w;
    w.project = find_project(ctx, ctx.route_param("project_id"));
    auto r = ctx.db().one("SELECT id, start_page FROM wikis WHERE project_id = ? ORDER BY id LIMIT 1",
                          {w.project.id});
    if (!r) throw app::HttpError{404};
    w.id = r->i(0);
    w.start_page = r->s(1);
    authorize(ctx, w.project, permission);
    return w;
}

std::optional<Page> page_by_title(Context& ctx, long long wiki_id, const std::string& title) {
    auto r =
        ctx.db().one(std::string(kPageColumns) +
                         "WHERE wiki_id = ? AND LOWER(title) = LOWER(?) ORDER BY LOWER(title), id LIMIT 1",
                     {wiki_id, title});
    if (!r) return std::nullopt;
    return page_from(*r);
}

struct Found {
    std::optional<Page> page;
    bool redirected = false;
};

// Wiki#find_page: the start page for a blank title, titleized, case-insensitive, else a redirect's target.
Found find_page(Context& ctx, const Wiki& w, const std::string& raw_title, bool with_redirect = true) {
    const std::string title = wiki_titleize(blank(raw_title) ? w.start_page : raw_title);
    Found f;
    f.page = page_by_title(ctx, w.id, title);
    if (!f.page && with_redirect) {
        auto r = ctx.db().one(
            "SELECT redirects_to_wiki_id, redirects_to FROM wiki_redirects WHERE wiki_id = ? AND "
            "LOWER(title) = LOWER(?) ORDER BY id LIMIT 1",
            {w.id, title});
        if (r) {
            auto target = ctx.db().one("SELECT id FROM wikis WHERE id = ?", {r->i(0)});
            if (target) {
                f.page = page_by_title(ctx, r->i(0), wiki_titleize(r->s(1)));
                f.redirected = f.page.has_value();
            }
        }
    }
    return f;
}

long long wiki_project_id(Context& ctx, const Wiki& w, long long wiki_id) {
    if (wiki_id == w.id) return w.project.id;
    return ctx.db().scalar("SELECT project_id FROM wikis WHERE id = ?", {wiki_id});
}

// WikiController#redirect_to_page: 302 to the page under its own project, or 404 when that project
// is not visible. Rails' redirect body and Content-Type.
Response redirect_to_page(Context& ctx, const Wiki& w, const Page& page) {
    const long long project_id = wiki_project_id(ctx, w, page.wiki_id);
    auto p = ctx.db().one("SELECT identifier FROM projects WHERE id = ?", {project_id});
    if (!p || !ctx.perms().project_visible(project_id)) throw app::HttpError{404};
    const std::string url =
        ctx.url_for("/projects/" + url_segment(p->s(0)) + "/wiki/" + url_segment(page.title));
    std::string escaped;
    for (char c : url) {
        if (c == '&')
            escaped += "&amp;";
        else if (c == '"')
            escaped += "&quot;";
        else if (c == '<')
            escaped += "&lt;";
        else if (c == '>')
            escaped += "&gt;";
        else if (c == '\'')
            escaped += "&#39;";
        else
            escaped += c;
    }
    Response r;
    r.status = 302;
    r.content_type = "text/html; charset=utf-8";
    r.body = "<html><body>You are being <a href=\"" + escaped + "\">redirected</a>.</body></html>";
    r.header("Location", url);
    return r;
}

std::optional<Content> content_of(Context& ctx, long long page_id) {
    auto r = ctx.db().one(
        "SELECT id, author_id, text, comments, updated_on, version FROM wiki_contents WHERE page_id = ? "
        "ORDER BY id LIMIT 1",
        {page_id});
    if (!r) return std::nullopt;
    return Content{r->i(0), r->oi(1), r->os(2), r->os(3), r->s(4), r->i(5)};
}

std::optional<std::string> parent_title(Context& ctx, const Page& page) {
    if (!page.parent_id) return std::nullopt;
    auto r = ctx.db().one("SELECT title FROM wiki_pages WHERE id = ?", {*page.parent_id});
    if (!r) return std::nullopt;
    return r->s(0);
}

// show.api.rsb
api::Node page_node(Context& ctx, const Page& page, const Content& c) {
    api::Node n = api::Node::object();
    n.set("title", page.title);
    if (auto parent = parent_title(ctx, page)) n.set("parent", api::Node::object().attr("title", *parent));
    n.set("text", c.text ? api::Node(*c.text) : api::Node());
    n.set("version", c.version);
    if (c.author_id) {
        auto u = ctx.db().one("SELECT firstname, lastname, login FROM users WHERE id = ?", {*c.author_id});
        if (u) n.set("author", ref(*c.author_id, user_name(ctx, u->s(0), u->s(1), u->s(2))));
    }
    n.set("comments", c.comments ? api::Node(*c.comments) : api::Node());
    n.set("created_on", page.created_on.empty() ? api::Node() : api::Node(api_time(page.created_on)));
    n.set("updated_on", c.updated_on.empty() ? api::Node() : api::Node(api_time(c.updated_on)));
    if (app::has_include(ctx.params(), "attachments")) {
        auto loaded = load_attachments(ctx, "WikiPage", {page.id});
        n.set("attachments", attachments_array(ctx, loaded[page.id]));
    }
    return n;
}

Response index(Context& ctx) {
    const Wiki w = find_wiki(ctx, "view_wiki_pages");
    api::Node list = api::Node::array("wiki_page");
    // Wiki#pages (ordered by LOWER(title)) with their content's version and update time, no text
    for (const auto& r : ctx.db().query(
             "SELECT p.title, pp.title, c.version, p.created_on, c.updated_on FROM wiki_pages p "
             "LEFT JOIN wiki_pages pp ON pp.id = p.parent_id LEFT JOIN wiki_contents c ON c.page_id = p.id "
             "WHERE p.wiki_id = ? ORDER BY LOWER(p.title), p.id",
             {w.id})) {
        api::Node n = api::Node::object();
        n.set("title", r.s(0));
        if (!r.null(1)) n.set("parent", api::Node::object().attr("title", r.s(1)));
        n.set("version", int_at(r, 2));
        n.set("created_on", time_at(r, 3));
        n.set("updated_on", time_at(r, 4));
        list.push(std::move(n));
    }
    return ctx.render({"wiki_pages", std::move(list), {}});
}

Response show(Context& ctx) {
    const Wiki w = find_wiki(ctx, "view_wiki_pages");
    const auto title_it = ctx.route.find("title");
    const Found f = find_page(ctx, w, title_it == ctx.route.end() ? "" : title_it->second);
    if (f.redirected) return redirect_to_page(ctx, w, *f.page);
    std::optional<long long> version;
    if (auto it = ctx.route.find("version"); it != ctx.route.end()) {
        // the route's constraint: digits only
        if (it->second.find_first_not_of("0123456789") != std::string::npos) throw app::HttpError{404};
        if (!ctx.perms().allowed_to("view_wiki_edits", *w.project.info)) ctx.deny();
        version = app::ruby_to_i(it->second);
    }
    if (!f.page) throw app::HttpError{404};
    auto content = content_of(ctx, f.page->id);
    if (!content) throw app::HttpError{404};
    if (version) {
        // WikiContentVersion#text: data, inflated when compressed (only plain data is written here)
        auto r = ctx.db().one(
            "SELECT author_id, data, comments, updated_on, version, compression FROM wiki_content_versions "
            "WHERE wiki_content_id = ? AND version = ? ORDER BY id LIMIT 1",
            {content->id, *version});
        if (!r) throw app::HttpError{404};
        content = Content{content->id, r->oi(0), r->os(1), r->os(2), r->s(3), r->i(4)};
    }
    return ctx.render({"wiki_page", page_node(ctx, *f.page, *content), {}});
}

// The pages of a wiki as id -> parent id, for descendants and ancestors.
std::map<long long, std::optional<long long>> tree_of(Context& ctx, long long wiki_id) {
    std::map<long long, std::optional<long long>> out;
    for (const auto& r : ctx.db().query("SELECT id, parent_id FROM wiki_pages WHERE wiki_id = ?", {wiki_id}))
        out[r.i(0)] = r.oi(1);
    return out;
}

std::vector<long long> descendants(const std::map<long long, std::optional<long long>>& tree, long long id) {
    std::vector<long long> out;
    std::vector<long long> todo{id};
    std::set<long long> seen{id};
    while (!todo.empty()) {
        const long long cur = todo.back();
        todo.pop_back();
        for (const auto& [child, parent] : tree)
            if (parent && *parent == cur && seen.insert(child).second) {
                out.push_back(child);
                todo.push_back(child);
            }
    }
    return out;
}

db::Value nullable(const std::optional<std::string>& s) {
    if (s) return *s;
    return std::monostate{};
}

const nlohmann::json* object_at(const nlohmann::json& body, const char* key) {
    if (!body.is_object()) return nullptr;
    auto it = body.find(key);
    if (it == body.end() || !it->is_object()) return nullptr;
    return &*it;
}

Response update(Context& ctx) {
    const Wiki w = find_wiki(ctx, "edit_wiki_pages");
    const std::string raw_title = ctx.route_param("title");
    const Found f = find_page(ctx, w, raw_title);
    const bool new_page = !f.page;
    Page page;
    if (f.page) {
        page = *f.page;
    } else {
        page.wiki_id = w.id;
        page.title = wiki_titleize(blank(raw_title) ? w.start_page : raw_title);
        // WikiPage::DEFAULT_PROTECTED_PAGES
        std::string lower = page.title;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        page.is_protected = lower == "sidebar";
    }
    const long long project_id = wiki_project_id(ctx, w, page.wiki_id);
    auto& perms = ctx.perms();
    // WikiPage#editable_by?
    if (page.is_protected && !perms.allowed_to("protect_wiki_pages", project_id)) throw app::HttpError{403};

    const auto& body = ctx.params();
    const nlohmann::json* attrs = object_at(body, "wiki_page");
    const std::string old_title = page.title;
    const auto old_parent = page.parent_id;
    std::optional<std::string> given_parent_title;
    bool parent_lookup_failed = false, start_page = false;
    std::string redirect_existing_links;
    if (attrs) {
        // safe_attributes: the tree and the title for a new page or with rename_wiki_pages
        if (new_page || perms.allowed_to("rename_wiki_pages", project_id)) {
            if (attrs->contains("title"))
                page.title = wiki_titleize(body_string(*attrs, "title").value_or(""));
            if (attrs->contains("parent_id")) {
                const long long id = app::ruby_to_i(body_string(*attrs, "parent_id").value_or(""));
                page.parent_id = id ? std::optional<long long>(id) : std::nullopt;
            }
            if (attrs->contains("parent_title")) {
                given_parent_title = body_string(*attrs, "parent_title");
                page.parent_id.reset();
                if (!blank(given_parent_title)) {
                    const Found parent =
                        find_page(ctx, Wiki{page.wiki_id, w.start_page, w.project}, *given_parent_title);
                    if (parent.page)
                        page.parent_id = parent.page->id;
                    else
                        parent_lookup_failed = true;
                }
            }
            if (attrs->contains("redirect_existing_links"))
                redirect_existing_links = body_string(*attrs, "redirect_existing_links").value_or("");
        }
        if (attrs->contains("is_start_page") && perms.allowed_to("manage_wiki", project_id)) {
            const auto v = attrs->at("is_start_page");
            start_page = (v.is_boolean() && v.get<bool>()) || body_string(*attrs, "is_start_page") == "1";
        }
    }

    // The content: params[:content], else the text, comments and version of params[:wiki_page]
    nlohmann::json content_params = nlohmann::json::object();
    if (auto c = body.is_object() ? body.find("content") : body.end(); c != body.end() && !c->is_null()) {
        if (c->is_object()) content_params = *c;
    } else if (attrs && !attrs->empty()) {
        for (const char* key : {"text", "comments", "version"})
            if (attrs->contains(key)) content_params[key] = attrs->at(key);
    }
    const auto stored = new_page ? std::nullopt : content_of(ctx, page.id);
    Content content = stored.value_or(Content{});
    content.comments = body_string(content_params, "comments");
    const std::optional<std::string> text = body_string(content_params, "text");
    std::optional<long long> lock_version;
    if (auto v = body_string(content_params, "version")) {
        content.version = app::ruby_to_i(*v);
        lock_version = content.version;
    }
    const bool text_changed = stored ? text != stored->text : text.has_value();
    content.text = text;
    content.author_id = ctx.user.id;

    // WikiPage validations (their messages are not shown: the API renders the content's errors)
    bool page_valid = !page.title.empty() && utf8_length(page.title) <= 255 && !parent_lookup_failed;
    if (page_valid) {
        auto same = page_by_title(ctx, page.wiki_id, page.title);
        if (same && same->id != page.id) page_valid = false;
    }
    if (page_valid && page.parent_id) {
        const auto tree = tree_of(ctx, page.wiki_id);
        if (!new_page) {
            // circular_dependency: the parent is the page or one of its descendants
            const auto below = descendants(tree, page.id);
            if (*page.parent_id == page.id || std::count(below.begin(), below.end(), *page.parent_id))
                page_valid = false;
        }
        // not_same_project
        if (page.parent_id != old_parent) {
            auto p = ctx.db().one("SELECT wiki_id FROM wiki_pages WHERE id = ?", {*page.parent_id});
            if (p && p->i(0) != page.wiki_id) page_valid = false;
        }
    }
    auto content_errors = [&]() {
        std::vector<std::string> errors;
        if (blank(content.text)) errors.push_back("Text field cannot be blank");
        if (content.comments && utf8_length(*content.comments) > 1024)
            errors.push_back("Comment is too long (maximum is 1024 characters)");
        return errors;
    };
    // An existing content is validated with the page (validates_associated); a new one only when saved.
    if (stored) {
        auto errors = content_errors();
        if (!page_valid || !errors.empty()) throw app::ValidationError{errors};
    } else {
        if (!page_valid) throw app::ValidationError{{}};
        if (text_changed) {
            auto errors = content_errors();
            if (!errors.empty()) throw app::ValidationError{errors};
        }
    }

    auto& db = ctx.db();
    const std::string now = db.now();
    {
        db::Tx tx(db);
        if (new_page) {
            page.created_on = now;
            page.id = db.insert(
                "INSERT INTO wiki_pages (wiki_id, title, created_on, protected, parent_id) VALUES (?, ?, ?, "
                "?, ?)",
                {page.wiki_id, page.title, now, page.is_protected ? 1LL : 0LL,
                 page.parent_id ? db::Value(*page.parent_id) : db::Value()},
                "wiki_pages");
        } else {
            if (page.title != old_title || page.parent_id != old_parent)
                db.exec("UPDATE wiki_pages SET title = ?, parent_id = ? WHERE id = ?",
                        {page.title, page.parent_id ? db::Value(*page.parent_id) : db::Value(), page.id});
            if (page.title != old_title) {
                // WikiPage#handle_rename_or_move
                db.exec(
                    "UPDATE wiki_redirects SET redirects_to = ? WHERE redirects_to = ? AND "
                    "redirects_to_wiki_id = ?",
                    {page.title, old_title, page.wiki_id});
                db.exec(
                    "DELETE FROM wiki_redirects WHERE title = redirects_to AND wiki_id = "
                    "redirects_to_wiki_id "
                    "AND redirects_to = ? AND wiki_id = ?",
                    {page.title, page.wiki_id});
                db.exec("DELETE FROM wiki_redirects WHERE wiki_id = ? AND title = ?",
                        {page.wiki_id, page.title});
                if (redirect_existing_links != "0")
                    db.insert(
                        "INSERT INTO wiki_redirects (wiki_id, title, redirects_to, created_on, "
                        "redirects_to_wiki_id) "
                        "VALUES (?, ?, ?, ?, ?)",
                        {page.wiki_id, old_title, page.title, now, page.wiki_id}, "wiki_redirects");
            }
        }
        // WikiPage#update_wiki_start_page
        if (start_page ||
            (!new_page && page.wiki_id == w.id && w.start_page == old_title && page.title != old_title))
            db.exec("UPDATE wikis SET start_page = ? WHERE id = ?", {page.title, page.wiki_id});

        if (text_changed) {
            content.updated_on = now;
            if (stored) {
                // optimistic locking on `version`: the version sent, else the one read
                auto current = db.one(std::string("SELECT version FROM wiki_contents WHERE id = ?") +
                                          (db.backend() == db::Backend::Mysql ? " FOR UPDATE" : ""),
                                      {stored->id});
                const long long expected = lock_version.value_or(stored->version);
                if (!current || current->i(0) != expected) throw app::HttpError{409};
                content.version = expected + 1;
                db.exec(
                    "UPDATE wiki_contents SET author_id = ?, text = ?, comments = ?, updated_on = ?, version "
                    "= ? "
                    "WHERE id = ?",
                    {ctx.user.id, nullable(content.text), nullable(content.comments), now, content.version,
                     stored->id});
            } else {
                content.id = db.insert(
                    "INSERT INTO wiki_contents (page_id, author_id, text, comments, updated_on, version) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    {page.id, ctx.user.id, nullable(content.text), nullable(content.comments), now,
                     content.version},
                    "wiki_contents");
            }
            // WikiContent#create_version; Setting.wiki_compression is only honoured as "" (plain)
            db.insert(
                "INSERT INTO wiki_content_versions (wiki_content_id, page_id, author_id, data, compression, "
                "comments, updated_on, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                {content.id, page.id, ctx.user.id, nullable(content.text), std::string(),
                 nullable(content.comments), now, content.version},
                "wiki_content_versions");
        }
        tx.commit();
    }

    // Attachment.attach_files after the save: a failure is only a warning in Redmine
    const nlohmann::json* uploads = nullptr;
    if (body.is_object() && body.contains("attachments") && !body["attachments"].is_null())
        uploads = &body["attachments"];
    else if (attrs && attrs->contains("uploads"))
        uploads = &attrs->at("uploads");
    if (uploads) {
        try {
            db::Tx tx(db);
            attach_uploads(ctx, db, "WikiPage", page.id, *uploads);
            tx.commit();
        } catch (const app::ValidationError&) {
        }
    }

    if (!new_page) return no_content();
    Response r = ctx.render({"wiki_page", page_node(ctx, page, content), {}}, 201);
    // render :location => project_wiki_page_path(...): a path, not a URL
    r.header("Location", "/projects/" + url_segment(w.project.identifier) + "/wiki/" +
                             url_segment(page.title));
    return r;
}

// WikiPage#destroy: its redirects, content and versions, attachments, watchers; children nullified.
void destroy_page(Context& ctx, const Page& page, std::vector<AttachmentFile>& files) {
    auto& db = ctx.db();
    db.exec("UPDATE wiki_pages SET parent_id = NULL WHERE parent_id = ?", {page.id});
    db.exec("DELETE FROM wiki_redirects WHERE redirects_to_wiki_id = ? AND redirects_to = ?",
            {page.wiki_id, page.title});
    db.exec(
        "DELETE FROM wiki_content_versions WHERE wiki_content_id IN "
        "(SELECT id FROM wiki_contents WHERE page_id = ?)",
        {page.id});
    db.exec("DELETE FROM wiki_contents WHERE page_id = ?", {page.id});
    auto more = collect_attachment_files(db, "container_type = 'WikiPage' AND container_id = ?", {page.id});
    files.insert(files.end(), more.begin(), more.end());
    db.exec("DELETE FROM attachments WHERE container_type = 'WikiPage' AND container_id = ?", {page.id});
    db.exec("DELETE FROM watchers WHERE watchable_type = 'WikiPage' AND watchable_id = ?", {page.id});
    db.exec("DELETE FROM wiki_pages WHERE id = ?", {page.id});
}

Response destroy(Context& ctx) {
    const Wiki w = find_wiki(ctx, "delete_wiki_pages");
    const Found f = find_page(ctx, w, ctx.route_param("title"));
    if (!f.page) throw app::HttpError{404};
    if (f.redirected) return redirect_to_page(ctx, w, *f.page);
    const Page page = *f.page;
    const long long project_id = wiki_project_id(ctx, w, page.wiki_id);
    if (page.is_protected && !ctx.perms().allowed_to("protect_wiki_pages", project_id))
        throw app::HttpError{403};

    auto& db = ctx.db();
    const auto tree = tree_of(ctx, page.wiki_id);
    const auto below = descendants(tree, page.id);
    std::vector<AttachmentFile> files;
    db::Tx tx(db);
    if (!below.empty()) {
        const std::string todo = ctx.param("todo").value_or("");
        if (todo == "destroy") {
            for (long long id : below) {
                auto r = db.one(std::string(kPageColumns) + "WHERE id = ?", {id});
                if (r) destroy_page(ctx, page_from(*r), files);
            }
        } else if (todo == "reassign") {
            const long long to = app::ruby_to_i(ctx.param("reassign_to_id").value_or(""));
            auto target =
                db.one("SELECT id FROM wiki_pages WHERE wiki_id = ? AND id = ?", {page.wiki_id, to});
            // no page to reassign to: Redmine renders the missing destroy template, a 404
            if (!target) throw app::HttpError{404};
            db.exec("UPDATE wiki_pages SET parent_id = ? WHERE parent_id = ?", {to, page.id});
        }
        // 'nullify' and anything else: the children become root pages
    }
    destroy_page(ctx, page, files);
    tx.commit();
    remove_attachment_files(ctx, db, files);
    return no_content();
}

}  // namespace

void register_wiki(app::Router& r) {
    r.add("GET", "/projects/:project_id/wiki/index", index);
    r.add("GET", "/projects/:project_id/wiki", show);
    r.add("GET", "/projects/:project_id/wiki/:title", show);
    r.add("GET", "/projects/:project_id/wiki/:title/:version", show);
    r.add("PUT", "/projects/:project_id/wiki/:title", update);
    r.add("PATCH", "/projects/:project_id/wiki/:title", update);
    r.add("DELETE", "/projects/:project_id/wiki/:title", destroy);
}

}  // namespace resources
