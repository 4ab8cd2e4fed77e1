// Attachments shared by every container (issues, news, wiki pages, projects, versions...):
// rendering (Redmine's render_api_attachment_attributes), batched loading, attaching uploads
// (acts_as_attachable#save_attachments + attach_saved_attachments) and removing files from disk.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "serializers/tree.h"
#include "server/context.h"

namespace resources {

// One attachments row with its author, as the API renders it.
struct AttachmentRow {
    long long id = 0, container_id = 0, filesize = 0, downloads = 0;
    std::optional<long long> author_id;
    std::string container_type, filename, disk_filename, disk_directory, digest, created_on;
    std::optional<std::string> content_type, description;
    std::optional<std::string> author_name;  // absent when the author row is gone
    bool attached = false;                   // container_id is set
};

// The attachment's members in Redmine's order: id, filename, filesize, content_type, description,
// content_url, thumbnail_url (images and PDFs), author, created_on. Callers wrap it as they need
// (`attachment` object, array item, or a `file` with extra members).
api::Node attachment_node(app::Context& ctx, const AttachmentRow& a);

// The attachments of the given containers (one query), each list ordered as Redmine's
// has_many :attachments (created_on, id). Containers without attachments have no entry.
std::map<long long, std::vector<AttachmentRow>> load_attachments(app::Context& ctx,
                                                                 const std::string& container_type,
                                                                 const std::vector<long long>& ids);
// Attachments matching `where_sql` (constant SQL on the table aliased `a`, with `?` params), in
// `order_sql` (constant SQL).
std::vector<AttachmentRow> query_attachments(app::Context& ctx, const std::string& where_sql,
                                             const std::vector<db::Value>& params,
                                             const std::string& order_sql);
// An `attachment` array (XML items <attachment>) for one container's list.
api::Node attachments_array(app::Context& ctx, const std::vector<AttachmentRow>& list);

// The attachment with this id, or nothing.
std::optional<AttachmentRow> find_attachment(app::Context& ctx, long long id);

// Attachment#visible? / editable? / deletable?: the container's permissions (acts_as_attachable and
// the overrides of Issue, Version, WikiPage); an upload not attached yet is its author's only.
enum class AttachmentAccess { View, Edit, Delete };
bool attachment_allowed(app::Context& ctx, const AttachmentRow& a, AttachmentAccess access);

// One attached upload: what an issue journal detail needs (property 'attachment', prop_key = id,
// value = filename).
struct AttachedUpload {
    long long id = 0;
    std::string filename;
};

// The container's validation messages for `uploads` ([{token, filename, description, content_type}],
// or a Rails-style hash of them), without writing anything: Redmine 5.0 skips blank tokens and counts
// unknown tokens (no row with that id and digest, or already attached) as failures, which add
// "N file(s) could not be saved." to the container's errors. Empty when all is well. Call it with
// the container's own validation so the 422 lists every message.
std::vector<std::string> upload_errors(app::Context& ctx, db::Conn& conn, const nlohmann::json& uploads);

// Attaches the uploads to (container_type, container_id), inside the caller's db::Tx, after the
// container row is written. Throws app::ValidationError with upload_errors() when a token is unknown
// (the caller's Tx then rolls back). Sets filename/content_type when given and description (stripped,
// "" when absent) as Redmine does; an upload that is then invalid (filename or description too long,
// extension not allowed) is skipped silently, as Redmine's unsaved_attachments. Returns the attached
// ones in order. A null or non-array/non-object `uploads` attaches nothing.
std::vector<AttachedUpload> attach_uploads(app::Context& ctx, db::Conn& conn,
                                           const std::string& container_type, long long container_id,
                                           const nlohmann::json& uploads);

// Attachment.attach_files (project files): attaches the valid uploads, ignores unknown tokens.
std::vector<AttachedUpload> attach_files(app::Context& ctx, db::Conn& conn, const std::string& container_type,
                                         long long container_id, const nlohmann::json& uploads);

// The disk files of attachment rows that are about to be deleted: call collect_attachment_files
// BEFORE deleting the rows (inside the Tx), then remove_attachment_files AFTER the commit. A file is
// removed only when no remaining attachment row uses the same disk_filename (Redmine's
// delete_from_disk).
struct AttachmentFile {
    std::string disk_directory, disk_filename;
};
std::vector<AttachmentFile> collect_attachment_files(db::Conn& conn, const std::string& where_sql,
                                                     const std::vector<db::Value>& params);
void remove_attachment_files(app::Context& ctx, db::Conn& conn, const std::vector<AttachmentFile>& files);
// The disk files of every attachment in these projects (the projects, their issues, versions, news,
// documents, forum messages and wiki pages): collect before Project#destroy's deletes.
std::vector<AttachmentFile> project_attachment_files(db::Conn& conn,
                                                     const std::vector<long long>& project_ids);

}  // namespace resources
