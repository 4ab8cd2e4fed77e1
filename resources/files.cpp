// /projects/:project_id/files: FilesController's API. The files of a project are the attachments of
// the project and of its own versions (index.api.rsb); create attaches an upload to either.
#include <algorithm>

#include "resources/attachments.h"
#include "resources/common.h"

namespace resources {

namespace {

struct VersionRow {
    long long id = 0;
    std::string name;
    std::optional<std::string> effective_date;
};

// Version#<=>: dated versions first by date, then by name, then id.
bool version_less(const VersionRow& a, const VersionRow& b) {
    if (a.effective_date && b.effective_date && *a.effective_date != *b.effective_date)
        return *a.effective_date < *b.effective_date;
    if (a.effective_date.has_value() != b.effective_date.has_value()) return a.effective_date.has_value();
    if (a.name != b.name) return a.name < b.name;
    return a.id < b.id;
}

// sort_init 'filename', 'asc' + sort_update: up to 3 known criteria of `sort` ("size:desc,filename").
std::string order_clause(Context& ctx) {
    static const std::pair<const char*, const char*> columns[] = {{"filename", "a.filename"},
                                                                  {"created_on", "a.created_on"},
                                                                  {"size", "a.filesize"},
                                                                  {"downloads", "a.downloads"}};
    const std::string sort = ctx.param("sort").value_or("filename");
    std::vector<std::string> seen, parts;
    size_t start = 0;
    while (start <= sort.size() && seen.size() < 3) {
        const size_t comma = sort.find(',', start);
        std::string item = sort.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const size_t colon = item.find(':');
        std::string key = item.substr(0, colon);
        std::string dir =
            colon == std::string::npos ? "" : item.substr(colon + 1, item.find(':', colon + 1) - colon - 1);
        if (!key.empty() && std::find(seen.begin(), seen.end(), key) == seen.end()) {
            seen.push_back(key);
            for (const auto& [name, column] : columns)
                if (key == name) parts.push_back(std::string(column) + (dir == "desc" ? " DESC" : " ASC"));
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    parts.push_back("a.created_on ASC");
    parts.push_back("a.id ASC");
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

api::Node file_node(Context& ctx, const AttachmentRow& a, const VersionRow* version) {
    api::Node n = attachment_node(ctx, a);
    if (version) n.set("version", ref(version->id, version->name));
    n.set("digest", a.digest);
    n.set("downloads", a.downloads);
    return n;
}

Response index(Context& ctx) {
    const ProjectRef project = find_project(ctx, ctx.route_param("project_id"));
    authorize(ctx, project, "view_files");
    auto& db = ctx.db();
    std::vector<VersionRow> versions;
    for (const auto& r :
         db.query("SELECT id, name, effective_date FROM versions WHERE project_id = ?", {project.id}))
        versions.push_back({r.i(0), r.s(1), r.os(2)});
    std::sort(versions.begin(), versions.end(),
              [](const auto& a, const auto& b) { return version_less(b, a); });

    // the attachments of the project and its versions, in one query
    std::vector<db::Value> params{project.id};
    std::string in;
    for (const auto& v : versions) {
        in += in.empty() ? "?" : ", ?";
        params.emplace_back(v.id);
    }
    std::string where = "(a.container_type = 'Project' AND a.container_id = ?)";
    if (!in.empty()) where += " OR (a.container_type = 'Version' AND a.container_id IN (" + in + "))";
    std::map<long long, std::vector<AttachmentRow>> of_versions;
    api::Node files = api::Node::array("file");
    for (auto& a : query_attachments(ctx, where, params, order_clause(ctx))) {
        if (a.container_type == "Project")
            files.push(file_node(ctx, a, nullptr));
        else
            of_versions[a.container_id].push_back(std::move(a));
    }
    for (const auto& v : versions)
        for (const auto& a : of_versions[v.id]) files.push(file_node(ctx, a, &v));
    return ctx.render({"files", std::move(files), {}});
}

Response create(Context& ctx) {
    const ProjectRef project = find_project(ctx, ctx.route_param("project_id"));
    authorize(ctx, project, "manage_files");
    const auto& body = ctx.params();
    const nlohmann::json none;
    const nlohmann::json& file = body.is_object() && body.contains("file") ? body["file"] : none;
    std::optional<std::string> version_id = ctx.param("version_id");
    if (!version_id) version_id = body_string(file, "version_id");
    std::string container_type = "Project";
    long long container_id = project.id;
    if (version_id && !version_id->empty()) {
        // @project.versions.find_by_id: Redmine fails on another project's or an unknown version (500)
        auto id = parse_id(*version_id);
        auto v =
            id ? ctx.db().one("SELECT id FROM versions WHERE id = ? AND project_id = ?", {*id, project.id})
               : std::nullopt;
        if (!v) throw app::HttpError{404};
        container_type = "Version";
        container_id = v->i(0);
    }
    // params[:attachments] || (params[:file] && params[:file][:token] && params)
    nlohmann::json uploads;
    if (body.is_object() && body.contains("attachments") && !body["attachments"].is_null())
        uploads = body["attachments"];
    else if (file.is_object() && file.contains("token") && !file["token"].is_null())
        uploads = nlohmann::json::array({file});
    auto& db = ctx.db();
    db::Tx tx(db);
    const auto attached = attach_files(ctx, db, container_type, container_id, uploads);
    tx.commit();
    // nothing attached: Redmine renders a template the API lacks, which its rescue answers with 404
    if (attached.empty()) throw app::HttpError{404};
    return no_content();
}

}  // namespace

void register_files(app::Router& r) {
    r.add("GET", "/projects/:project_id/files", index);
    r.add("POST", "/projects/:project_id/files", create);
}

}  // namespace resources
