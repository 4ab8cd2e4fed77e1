// /enumerations/issue_priorities, /enumerations/time_entry_activities, /enumerations/document_categories
#include "resources/common.h"
#include "resources/custom_values.h"

namespace resources {

namespace {
struct Kind {
    const char* path;  // the URL's type, also the list's root
    const char* item;
    const char* type;  // the enumerations.type (STI) value
};
const Kind kKinds[] = {{"issue_priorities", "issue_priority", "IssuePriority"},
                       {"time_entry_activities", "time_entry_activity", "TimeEntryActivity"},
                       {"document_categories", "document_category", "DocumentCategory"}};

Response index(Context& ctx) {
    const std::string& type = ctx.route_param("type");
    const Kind* kind = nullptr;
    for (const auto& k : kKinds)
        if (type == k.path) kind = &k;
    if (!kind) throw app::HttpError{404};
    auto& db = ctx.db();
    // Shared enumerations only (project_id NULL), as Enumeration.shared.sorted.
    const auto rows = db.query("SELECT id, name, is_default, active FROM enumerations "
                               "WHERE type = ? AND project_id IS NULL ORDER BY position, id",
                               {std::string(kind->type)});
    std::vector<long long> ids;
    for (const auto& r : rows) ids.push_back(r.i(0));
    auto fields = custom_fields_of(db, std::string(kind->type) + "CustomField");
    if (!ctx.user.admin) std::erase_if(fields, [](const CustomFieldDef& f) { return !f.visible; });
    const auto values = load_custom_values(db, "Enumeration", ids);
    api::Node list = api::Node::array(kind->item);
    for (const auto& r : rows) {
        api::Node e = api::Node::object();
        e.set("id", r.i(0)).set("name", r.s(1)).set("is_default", r.b(2)).set("active", r.b(3));
        if (auto cf = custom_fields_node(fields, values, r.i(0))) e.set("custom_fields", std::move(*cf));
        list.push(std::move(e));
    }
    return ctx.render({kind->path, std::move(list), {}});
}
}  // namespace

void register_enumerations(app::Router& r) { r.add("GET", "/enumerations/:type", index); }

}  // namespace resources
