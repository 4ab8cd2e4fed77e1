// /attachments/:id (show, update, destroy) and /attachments/download/:id[/:filename]: Redmine's
// AttachmentsController API; plus what every container shares (resources/attachments.h).
#include "resources/attachments.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "db/issue_writes.h"
#include "db/issues.h"
#include "resources/attachment_rules.h"
#include "resources/attachment_store.h"
#include "resources/common.h"
#include "resources/issue_writes.h"
#include "resources/text.h"

namespace resources {

namespace store = attachment_store;

namespace {

const char* const kSelect =
    "SELECT a.id, a.container_id, a.container_type, a.filename, a.disk_filename, a.disk_directory, "
    "a.filesize, "
    "a.content_type, a.digest, a.downloads, a.author_id, a.description, a.created_on, u.type, u.firstname, "
    "u.lastname, u.login FROM attachments a LEFT JOIN users u ON u.id = a.author_id";

AttachmentRow row_of(Context& ctx, const db::Row& r) {
    AttachmentRow a;
    a.id = r.i(0);
    a.container_id = r.i(1);
    a.container_type = r.s(2);
    a.filename = r.s(3);
    a.disk_filename = r.s(4);
    a.disk_directory = r.s(5);
    a.filesize = r.i(6);
    a.content_type = r.os(7);
    a.digest = r.s(8);
    a.downloads = r.i(9);
    a.author_id = r.oi(10);
    a.description = r.os(11);
    a.created_on = r.s(12);
    // belongs_to :author, class_name 'User': users and the anonymous user, not groups
    const std::string type = r.s(13);
    if (type == "User")
        a.author_name = user_name(ctx, r.s(14), r.s(15), r.s(16));
    else if (type == "AnonymousUser")
        a.author_name = "Anonymous";
    a.attached = !r.null(1);
    return a;
}

}  // namespace

// --- shared -------------------------------------------------------------------------------------

api::Node attachment_node(Context& ctx, const AttachmentRow& a) {
    api::Node n = api::Node::object();
    n.set("id", a.id).set("filename", a.filename).set("filesize", a.filesize);
    n.set("content_type", a.content_type ? api::Node(*a.content_type) : api::Node());
    n.set("description", a.description ? api::Node(*a.description) : api::Node());
    n.set("content_url",
          ctx.url_for("/attachments/download/" + std::to_string(a.id) + "/" + url_segment(a.filename)));
    if (attachment_rules::thumbnailable(a.filename))
        n.set("thumbnail_url", ctx.url_for("/attachments/thumbnail/" + std::to_string(a.id)));
    if (a.author_name) n.set("author", ref(a.author_id.value_or(0), *a.author_name));
    n.set("created_on", api_time(a.created_on));
    return n;
}

std::map<long long, std::vector<AttachmentRow>> load_attachments(Context& ctx,
                                                                 const std::string& container_type,
                                                                 const std::vector<long long>& ids) {
    std::map<long long, std::vector<AttachmentRow>> out;
    if (ids.empty()) return out;
    std::vector<db::Value> params{container_type};
    std::string in;
    for (long long id : ids) {
        in += in.empty() ? "?" : ", ?";
        params.emplace_back(id);
    }
    for (const auto& r :
         ctx.db().query(std::string(kSelect) + " WHERE a.container_type = ? AND a.container_id IN (" + in +
                            ") ORDER BY a.created_on, a.id",
                        params)) {
        AttachmentRow a = row_of(ctx, r);
        out[a.container_id].push_back(std::move(a));
    }
    return out;
}

std::vector<AttachmentRow> query_attachments(Context& ctx, const std::string& where_sql,
                                             const std::vector<db::Value>& params,
                                             const std::string& order_sql) {
    std::vector<AttachmentRow> out;
    for (const auto& r :
         ctx.db().query(std::string(kSelect) + " WHERE (" + where_sql + ") ORDER BY " + order_sql, params))
        out.push_back(row_of(ctx, r));
    return out;
}

api::Node attachments_array(Context& ctx, const std::vector<AttachmentRow>& list) {
    api::Node arr = api::Node::array("attachment");
    for (const auto& a : list) arr.push(attachment_node(ctx, a));
    return arr;
}

std::optional<AttachmentRow> find_attachment(Context& ctx, long long id) {
    auto r = ctx.db().one(std::string(kSelect) + " WHERE a.id = ?", {id});
    if (!r) return std::nullopt;
    return row_of(ctx, *r);
}

std::vector<AttachmentFile> collect_attachment_files(db::Conn& conn, const std::string& where_sql,
                                                     const std::vector<db::Value>& params) {
    std::vector<AttachmentFile> out;
    for (const auto& r :
         conn.query("SELECT disk_directory, disk_filename FROM attachments WHERE " + where_sql, params))
        if (!r.s(1).empty()) out.push_back({r.s(0), r.s(1)});
    return out;
}

void remove_attachment_files(Context& ctx, db::Conn& conn, const std::vector<AttachmentFile>& files) {
    if (files.empty()) return;
    const std::string root = app::files_directory(ctx.app.config());
    // Attachment#delete_from_disk: only files no remaining attachment refers to
    std::set<std::string> names;
    for (const auto& f : files) names.insert(f.disk_filename);
    std::vector<db::Value> params;
    std::string in;
    for (const auto& n : names) {
        in += in.empty() ? "?" : ", ?";
        params.emplace_back(n);
    }
    std::set<std::string> used;
    for (const auto& r : conn.query(
             "SELECT DISTINCT disk_filename FROM attachments WHERE disk_filename IN (" + in + ")", params))
        used.insert(r.s(0));
    for (const auto& f : files)
        if (!used.count(f.disk_filename))
            store::remove(store::disk_path(root, f.disk_directory, f.disk_filename));
}

std::vector<AttachmentFile> project_attachment_files(db::Conn& conn,
                                                     const std::vector<long long>& project_ids) {
    if (project_ids.empty()) return {};
    std::string in;
    for (size_t i = 0; i < project_ids.size(); ++i) in += i ? ", ?" : "?";
    static const std::pair<const char*, const char*> containers[] = {
        {"Project", "SELECT id FROM projects WHERE id IN "},
        {"Issue", "SELECT id FROM issues WHERE project_id IN "},
        {"Version", "SELECT id FROM versions WHERE project_id IN "},
        {"News", "SELECT id FROM news WHERE project_id IN "},
        {"Document", "SELECT id FROM documents WHERE project_id IN "},
        {"Message", "SELECT m.id FROM messages m JOIN boards b ON b.id = m.board_id WHERE b.project_id IN "},
        {"WikiPage", "SELECT p.id FROM wiki_pages p JOIN wikis w ON w.id = p.wiki_id WHERE w.project_id IN "},
    };
    std::string where;
    std::vector<db::Value> params;
    for (const auto& [type, sql] : containers) {
        where += std::string(where.empty() ? "" : " OR ") + "(container_type = '" + type +
                 "' AND container_id IN (" + sql + "(" + in + ")))";
        for (long long id : project_ids) params.emplace_back(id);
    }
    return collect_attachment_files(conn, where, params);
}

// --- container permissions (acts_as_attachable and its overrides) --------------------------------

bool attachment_allowed(Context& ctx, const AttachmentRow& a, AttachmentAccess access) {
    // Attachment#visible?/editable?/deletable?: an upload not attached yet is its author's only
    if (!a.attached) return a.author_id && *a.author_id == ctx.user.id;
    auto& perms = ctx.perms();
    const long long cid = a.container_id;
    auto project_of = [&](const char* sql) -> std::optional<long long> {
        auto r = ctx.db().one(sql, {cid});
        if (!r || r->null(0)) return std::nullopt;
        return r->i(0);
    };
    const std::string& type = a.container_type;
    if (type == "Issue") {
        auto r = ctx.db().one("SELECT project_id, tracker_id, author_id FROM issues WHERE id = ?", {cid});
        if (!r || !issues_db::is_visible(ctx, cid)) return false;
        if (access == AttachmentAccess::View) return perms.allowed_to("view_issues", r->i(0));
        // Issue#attributes_editable?
        return issue_writes::issue_permission(ctx, r->i(0), "edit_issues", r->i(1)) ||
               (issue_writes::issue_permission(ctx, r->i(0), "edit_own_issues", r->i(1)) &&
                r->i(2) == ctx.user.id);
    }
    if (type == "Project" || type == "Version") {
        std::optional<long long> project = type == "Project"
                                               ? project_of("SELECT id FROM projects WHERE id = ?")
                                               : project_of("SELECT project_id FROM versions WHERE id = ?");
        if (!project) return false;
        // Version#visible? (view_issues) guards only its edits; views and deletes go to the project's
        if (type == "Version" && access == AttachmentAccess::Edit)
            return perms.allowed_to("view_issues", *project) && perms.allowed_to("manage_files", *project);
        return perms.allowed_to("view_project", *project) &&
               perms.allowed_to(access == AttachmentAccess::View ? "view_files" : "manage_files", *project);
    }
    struct Rule {
        const char* type;
        const char* project_sql;
        const char* view;
        const char* edit;
        const char* remove;
    };
    static const Rule rules[] = {
        {"News", "SELECT project_id FROM news WHERE id = ?", "view_news", "manage_news", "manage_news"},
        {"WikiPage", "SELECT w.project_id FROM wiki_pages p JOIN wikis w ON w.id = p.wiki_id WHERE p.id = ?",
         "view_wiki_pages", "edit_wiki_pages", "delete_wiki_pages_attachments"},
        {"Document", "SELECT project_id FROM documents WHERE id = ?", "view_documents", "edit_documents",
         "delete_documents"},
        {"Message", "SELECT b.project_id FROM messages m JOIN boards b ON b.id = m.board_id WHERE m.id = ?",
         "view_messages", "edit_messages", "edit_messages"},
    };
    for (const auto& rule : rules) {
        if (type != rule.type) continue;
        auto project = project_of(rule.project_sql);
        // the container's visible? is its view permission
        if (!project || !perms.allowed_to(rule.view, *project)) return false;
        if (access == AttachmentAccess::View) return true;
        if (access == AttachmentAccess::Edit) return perms.allowed_to(rule.edit, *project);
        if (type == "WikiPage") {  // WikiPage#editable_by?
            auto prot = ctx.db().one("SELECT protected FROM wiki_pages WHERE id = ?", {cid});
            if (prot && prot->b(0) && !perms.allowed_to("protect_wiki_pages", *project)) return false;
        }
        return perms.allowed_to(rule.remove, *project);
    }
    return false;
}

namespace {

// Whether a polymorphic container row exists (Attachment#container is nil when it does not).
bool container_exists(db::Conn& conn, const std::string& type, long long id) {
    static const std::pair<const char*, const char*> tables[] = {
        {"Issue", "SELECT 1 FROM issues WHERE id = ?"},
        {"Project", "SELECT 1 FROM projects WHERE id = ?"},
        {"Version", "SELECT 1 FROM versions WHERE id = ?"},
        {"News", "SELECT 1 FROM news WHERE id = ?"},
        {"WikiPage", "SELECT 1 FROM wiki_pages WHERE id = ?"},
        {"Document", "SELECT 1 FROM documents WHERE id = ?"},
        {"Message", "SELECT 1 FROM messages WHERE id = ?"},
    };
    for (const auto& [t, sql] : tables)
        if (type == t) return conn.one(sql, {id}).has_value();
    return false;
}

}  // namespace

// --- attaching uploads (acts_as_attachable#save_attachments) ------------------------------------

namespace {

struct Pending {
    long long id = 0;
    std::string filename;
    std::optional<std::string> content_type;
    std::string description;
};

struct Saved {
    std::vector<Pending> saved;
    int failed = 0;
};

// The uploads in Redmine's order: an array as given; a hash by key, names first, then numbers.
std::vector<nlohmann::json> upload_items(const nlohmann::json& uploads) {
    std::vector<nlohmann::json> out;
    if (uploads.is_array()) {
        for (const auto& u : uploads) out.push_back(u);
    } else if (uploads.is_object()) {
        std::vector<std::pair<std::string, nlohmann::json>> entries(uploads.begin(), uploads.end());
        auto num = [](const std::string& k) { return std::atoll(k.c_str()); };
        std::stable_sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) {
            const long long x = num(a.first), y = num(b.first);
            if (x > 0 && y > 0) return x < y;
            if (x > 0 || y > 0) return y > 0;
            return a.first < b.first;
        });
        for (auto& e : entries) out.push_back(std::move(e.second));
    }
    return out;
}

Saved save_uploads(Context& ctx, db::Conn& conn, const nlohmann::json& uploads) {
    Saved result;
    static const std::regex token_re(R"(^(\d+)\.([0-9a-f]+)$)");
    for (const auto& item : upload_items(uploads)) {
        if (!item.is_object() || item.empty()) continue;
        if (item.contains("file") && !item["file"].is_null()) continue;  // a multipart file: not over the API
        const std::string token = body_string(item, "token").value_or("");
        if (attachment_rules::blank(token)) continue;
        std::smatch m;
        std::optional<db::Row> row;
        if (std::regex_match(token, m, token_re) && m[1].str().size() < 19)
            row = conn.one(
                "SELECT id, container_id, container_type, filename, content_type, disk_filename "
                "FROM attachments WHERE id = ? AND digest = ?",
                {std::stoll(m[1].str()), m[2].str()});
        // Attachment.find_by_token: only an attachment without a container
        if (!row || (!row->null(1) && container_exists(conn, row->s(2), row->i(1)))) {
            ++result.failed;
            continue;
        }
        Pending p{row->i(0), row->s(3), row->os(4), ""};
        const std::string old_filename = p.filename;
        if (auto f = body_string(item, "filename"); f && !attachment_rules::blank(*f))
            p.filename = store::sanitize_filename(*f);
        if (auto c = body_string(item, "content_type"); c && !attachment_rules::blank(*c))
            p.content_type = *c;
        p.description = attachment_rules::strip(body_string(item, "description").value_or(""));
        // a.invalid? puts it among the unsaved ones, which are dropped without a word
        if (!attachment_rules::errors(ctx, p.filename, p.description, row->s(5), p.filename != old_filename,
                                      std::nullopt)
                 .empty())
            continue;
        result.saved.push_back(std::move(p));
    }
    return result;
}

std::vector<AttachedUpload> attach_saved(db::Conn& conn, const std::string& container_type,
                                         long long container_id, const std::vector<Pending>& saved) {
    std::vector<AttachedUpload> out;
    for (const auto& p : saved) {
        conn.exec(
            "UPDATE attachments SET container_id = ?, container_type = ?, filename = ?, content_type = ?, "
            "description = ? WHERE id = ?",
            {container_id, container_type, p.filename,
             p.content_type ? db::Value(*p.content_type) : db::Value(std::monostate{}), p.description, p.id});
        out.push_back({p.id, p.filename});
    }
    return out;
}

std::vector<std::string> failure_messages(int failed) {
    if (failed == 0) return {};
    return {std::to_string(failed) + " file(s) could not be saved."};
}

}  // namespace

std::vector<std::string> upload_errors(Context& ctx, db::Conn& conn, const nlohmann::json& uploads) {
    return failure_messages(save_uploads(ctx, conn, uploads).failed);
}

std::vector<AttachedUpload> attach_uploads(Context& ctx, db::Conn& conn, const std::string& container_type,
                                           long long container_id, const nlohmann::json& uploads) {
    const Saved s = save_uploads(ctx, conn, uploads);
    if (s.failed) throw app::ValidationError{failure_messages(s.failed)};
    return attach_saved(conn, container_type, container_id, s.saved);
}

std::vector<AttachedUpload> attach_files(Context& ctx, db::Conn& conn, const std::string& container_type,
                                         long long container_id, const nlohmann::json& uploads) {
    return attach_saved(conn, container_type, container_id, save_uploads(ctx, conn, uploads).saved);
}

// --- /attachments ---------------------------------------------------------------------------------

namespace {

// find_attachment + file_readable (404) + read_authorize (deny_access)
AttachmentRow readable_attachment(Context& ctx, const std::string& id_text,
                                  const std::optional<std::string>& filename = std::nullopt) {
    auto a = find_attachment(ctx, id_param(id_text));
    if (!a || (filename && *filename != a->filename)) throw app::HttpError{404};
    return *a;
}

std::optional<std::string> file_content(Context& ctx, const AttachmentRow& a) {
    if (a.disk_filename.empty()) return std::nullopt;
    return store::read(
        store::disk_path(app::files_directory(ctx.app.config()), a.disk_directory, a.disk_filename));
}

bool file_readable(Context& ctx, const AttachmentRow& a) {
    if (a.disk_filename.empty()) return false;
    const std::string path =
        store::disk_path(app::files_directory(ctx.app.config()), a.disk_directory, a.disk_filename);
    return ::access(path.c_str(), R_OK) == 0 && !std::filesystem::is_directory(path);
}

Response show(Context& ctx) {
    AttachmentRow a = readable_attachment(ctx, ctx.route_param("id"));
    if (!file_readable(ctx, a)) throw app::HttpError{404};
    if (!attachment_allowed(ctx, a, AttachmentAccess::View)) ctx.deny();
    return ctx.render({"attachment", attachment_node(ctx, a), {}});
}

Response download(Context& ctx) {
    std::string id = ctx.route_param("id");
    std::optional<std::string> filename;
    if (auto it = ctx.route.find("filename"); it != ctx.route.end())
        filename = it->second;
    else if (auto dot = id.find('.'); dot != std::string::npos)
        id = id.substr(0, dot);  // /download/1.json
    AttachmentRow a = readable_attachment(ctx, id, filename);
    if (!file_readable(ctx, a)) throw app::HttpError{404};
    if (!attachment_allowed(ctx, a, AttachmentAccess::View)) ctx.deny();
    if (a.container_type == "Version" || a.container_type == "Project") {
        db::Tx tx(ctx.db());
        ctx.db().exec("UPDATE attachments SET downloads = COALESCE(downloads, 0) + 1 WHERE id = ?", {a.id});
        tx.commit();
    }
    auto data = file_content(ctx, a);
    if (!data) throw app::HttpError{404};
    Response r;
    r.status = 200;
    r.content_type = attachment_rules::download_content_type(a.filename, a.content_type);
    r.body = std::move(*data);
    const std::string agent = ctx.req.header("user-agent").value_or("");
    r.header("Content-Disposition", attachment_rules::content_disposition(a.filename, agent));
    r.header("Content-Transfer-Encoding", "binary");
    return r;
}

Response update(Context& ctx) {
    AttachmentRow a = readable_attachment(ctx, ctx.route_param("id"));
    if (!attachment_allowed(ctx, a, AttachmentAccess::Edit)) ctx.deny();
    // safe_attributes 'filename', 'content_type', 'description'
    const auto& body = ctx.params();
    std::string filename = a.filename;
    std::optional<std::string> content_type = a.content_type, description = a.description;
    if (body.is_object() && body.contains("attachment") && body["attachment"].is_object()) {
        const auto& attrs = body["attachment"];
        if (attrs.contains("filename"))
            filename = store::sanitize_filename(body_string(attrs, "filename").value_or(""));
        if (attrs.contains("content_type")) content_type = body_string(attrs, "content_type");
        if (attrs.contains("description")) description = body_string(attrs, "description");
    }
    auto errors = attachment_rules::errors(ctx, filename, description.value_or(""), a.disk_filename,
                                           filename != a.filename, std::nullopt);
    if (!errors.empty()) throw app::ValidationError{errors};
    auto& db = ctx.db();
    db::Tx tx(db);
    db.exec("UPDATE attachments SET filename = ?, content_type = ?, description = ? WHERE id = ?",
            {filename, content_type ? db::Value(*content_type) : db::Value(std::monostate{}),
             description ? db::Value(*description) : db::Value(std::monostate{}), a.id});
    tx.commit();
    return no_content();
}

Response destroy(Context& ctx) {
    AttachmentRow a = readable_attachment(ctx, ctx.route_param("id"));
    if (!attachment_allowed(ctx, a, AttachmentAccess::Delete)) ctx.deny();
    auto& db = ctx.db();
    db::Tx tx(db);
    // Issue#attachment_removed: a journal with the removed file
    if (a.attached && a.container_type == "Issue")
        issue_writes_db::add_journal(db, a.container_id, ctx.user.id, std::string(), false,
                                     {{"attachment", std::to_string(a.id), a.filename, std::nullopt}},
                                     db.now());
    db.exec("DELETE FROM attachments WHERE id = ?", {a.id});
    tx.commit();
    remove_attachment_files(ctx, db, {{a.disk_directory, a.disk_filename}});
    return no_content();
}

}  // namespace

void register_attachments(app::Router& r) {
    r.add("GET", "/attachments/:id", show);
    r.add("PATCH", "/attachments/:id", update);
    r.add("PUT", "/attachments/:id", update);
    r.add("DELETE", "/attachments/:id", destroy);
    // the filename keeps its dots: these match the whole path, whatever its suffix
    r.add_raw("GET", "/attachments/download/:id/:filename", download);
    r.add_raw("GET", "/attachments/download/:id", download);
}

}  // namespace resources
