// POST /uploads: AttachmentsController#upload. The raw body becomes an attachment without a container;
// its token ("<id>.<sha256>") attaches it later (issues, news, wiki pages, project files).
#include <filesystem>
#include <stdexcept>

#include "resources/attachment_rules.h"
#include "resources/attachment_store.h"
#include "resources/attachments.h"
#include "resources/common.h"
#include "server/password.h"

namespace resources {

namespace {

namespace store = attachment_store;
namespace rules = attachment_rules;

// The permissions that allow attachments#upload (Redmine::AccessControl).
const char* const kUploadPermissions[] = {
    "add_issues",  "edit_issues",   "edit_own_issues", "copy_issues",  "add_issue_notes",
    "manage_news", "add_documents", "edit_documents",  "manage_files", "edit_wiki_pages"};

std::string media_type(const std::string& content_type) {
    std::string t = content_type.substr(0, content_type.find(';'));
    t = rules::strip(t);
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t;
}

Response upload(Context& ctx) {
    // authorize_global
    bool allowed = false;
    for (const char* p : kUploadPermissions) allowed = allowed || ctx.perms().allowed_globally(p);
    if (!allowed) ctx.deny();
    // API clients must send the raw file as application/octet-stream
    if (media_type(ctx.req.header("content-type").value_or("")) != "application/octet-stream") {
        Response r;
        r.status = 406;
        r.content_type = ctx.format == api::Format::Xml ? "application/xml" : "application/json";
        return r;
    }
    const std::string& data = ctx.req.body;
    std::string filename = ctx.param("filename").value_or("");
    if (rules::blank(filename)) filename = auth::random_hex(16);  // params[:filename].presence
    filename = store::sanitize_filename(filename);
    std::optional<std::string> content_type = ctx.param("content_type");
    if (content_type && content_type->empty()) content_type.reset();

    auto errors = rules::errors(ctx, filename, "", "", true, static_cast<long long>(data.size()));
    if (!errors.empty()) throw app::ValidationError{errors};

    // Attachment#files_to_final_location
    if (!content_type || rules::blank(*content_type)) content_type = store::mime_type_of(filename);
    if (content_type && content_type->size() > 255) content_type.reset();
    const std::string root = app::files_directory(ctx.app.config());
    const store::Stored stored = store::store(root, filename, data);
    const std::string path = store::disk_path(root, stored.disk_directory, stored.disk_filename);
    const std::string digest = store::sha256_hex(data);

    auto& db = ctx.db();
    long long id = 0;
    try {
        db::Tx tx(db);
        id = db.insert(
            "INSERT INTO attachments (container_id, container_type, filename, disk_filename, filesize, "
            "content_type, "
            "digest, downloads, author_id, created_on, description, disk_directory) "
            "VALUES (NULL, NULL, ?, ?, ?, ?, ?, 0, ?, ?, NULL, ?)",
            {filename, stored.disk_filename, static_cast<long long>(data.size()),
             content_type ? db::Value(*content_type) : db::Value(std::monostate{}), digest, ctx.user.id,
             db.now(), stored.disk_directory},
            "attachments");
        tx.commit();
    } catch (...) {
        store::remove(path);  // after_rollback :delete_from_disk
        throw;
    }

    // reuse_existing_file_if_possible: share the disk file of an identical earlier attachment
    if (auto existing = db.one("SELECT disk_directory, disk_filename FROM attachments WHERE digest = ? AND "
                               "filesize = ? AND disk_filename <> ? ORDER BY id DESC LIMIT 1",
                               {digest, static_cast<long long>(data.size()), stored.disk_filename})) {
        const std::string other = store::disk_path(root, existing->s(0), existing->s(1));
        auto content = store::read(other);
        if (content && *content == data) {
            db::Tx tx(db);
            db.exec("UPDATE attachments SET disk_directory = ?, disk_filename = ? WHERE id = ?",
                    {existing->s(0), existing->s(1), id});
            tx.commit();
            if (db.scalar("SELECT COUNT(*) FROM attachments WHERE disk_filename = ?",
                          {stored.disk_filename}) == 0)
                store::remove(path);
        }
    }

    api::Node n = api::Node::object();
    n.set("id", id).set("token", std::to_string(id) + "." + digest);
    return ctx.render({"upload", std::move(n), {}}, 201);
}

}  // namespace

void register_uploads(app::Router& r) { r.add("POST", "/uploads", upload); }

}  // namespace resources
