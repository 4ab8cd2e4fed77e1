// /trackers
#include "resources/common.h"

namespace resources {

namespace {
// Tracker::CORE_FIELDS, in the order of their bits in fields_bits.
const char* const kCoreFields[] = {"assigned_to_id", "category_id", "fixed_version_id", "parent_issue_id", "start_date",
                                   "due_date",       "estimated_hours", "done_ratio", "description"};

Response index(Context& ctx) {
    api::Node list = api::Node::array("tracker");
    for (const auto& r : ctx.db().query(
             "SELECT t.id, t.name, t.default_status_id, s.name, t.description, t.fields_bits FROM trackers t "
             "LEFT JOIN issue_statuses s ON s.id = t.default_status_id ORDER BY t.position, t.id")) {
        api::Node t = api::Node::object();
        t.set("id", r.i(0)).set("name", r.s(1));
        if (!r.null(3)) t.set("default_status", ref(r.i(2), r.s(3)));
        t.set("description", str_at(r, 4));
        api::Node fields = api::Node::array("field");
        const long long bits = r.i(5);
        for (size_t i = 0; i < std::size(kCoreFields); ++i)
            if (!(bits & (1LL << i))) fields.push(kCoreFields[i]);
        t.set("enabled_standard_fields", std::move(fields));
        list.push(std::move(t));
    }
    return ctx.render({"trackers", std::move(list), {}});
}
}  // namespace

void register_trackers(app::Router& r) { r.add("GET", "/trackers", index); }

}  // namespace resources
