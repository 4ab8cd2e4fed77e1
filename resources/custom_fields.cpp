// /custom_fields (admin only)
#include "resources/common.h"

namespace resources {

namespace {

// CustomField subclass -> customized_class.name.underscore
std::string customized_type(const std::string& type) {
    static const std::pair<const char*, const char*> kTypes[] = {
        {"IssueCustomField", "issue"},
        {"ProjectCustomField", "project"},
        {"UserCustomField", "user"},
        {"GroupCustomField", "group"},
        {"TimeEntryCustomField", "time_entry"},
        {"VersionCustomField", "version"},
        {"DocumentCustomField", "document"},
        {"TimeEntryActivityCustomField", "time_entry_activity"},
        {"IssuePriorityCustomField", "issue_priority"},
        {"DocumentCategoryCustomField", "document_category"},
    };
    for (const auto& [k, v] : kTypes)
        if (type == k) return v;
    return "";
}

// field.possible_values_options, as (label, value) pairs.
std::vector<std::pair<std::string, std::string>> possible_values(db::Conn& c, long long id, const std::string& format,
                                                                 const std::string& stored) {
    std::vector<std::pair<std::string, std::string>> out;
    if (format == "list") {
        for (const auto& v : yaml_list(stored)) out.emplace_back(v, v);
    } else if (format == "bool") {
        out = {{"Yes", "1"}, {"No", "0"}};
    } else if (format == "enumeration") {
        for (const auto& r : c.query("SELECT id, name FROM custom_field_enumerations WHERE custom_field_id = ? "
                                     "AND active = 1 ORDER BY position, id",
                                     {id}))
            out.emplace_back(r.s(1), std::to_string(r.i(0)));
    }
    return out;
}

Response index(Context& ctx) {
    ctx.require_admin();
    auto& db = ctx.db();
    const auto rows = db.query(
        // `regexp` is a reserved word in MySQL; qualified, it is a plain column name on both backends.
        "SELECT cf.id, cf.name, cf.type, cf.field_format, cf.regexp, cf.min_length, cf.max_length, cf.is_required, "
        "cf.is_filter, cf.searchable, cf.multiple, cf.default_value, cf.visible, cf.possible_values "
        "FROM custom_fields cf ORDER BY cf.position, cf.id");
    // Trackers and roles of issue custom fields, in two queries for the whole list.
    std::map<long long, api::Node> trackers, roles;
    for (const auto& r : db.query("SELECT cft.custom_field_id, t.id, t.name FROM custom_fields_trackers cft "
                                  "JOIN trackers t ON t.id = cft.tracker_id ORDER BY t.position, t.id")) {
        auto [it, _] = trackers.try_emplace(r.i(0), api::Node::array("tracker"));
        it->second.push(ref(r.i(1), r.s(2)));
    }
    for (const auto& r : db.query("SELECT cfr.custom_field_id, ro.id, ro.name FROM custom_fields_roles cfr "
                                  "JOIN roles ro ON ro.id = cfr.role_id ORDER BY ro.position, ro.id")) {
        auto [it, _] = roles.try_emplace(r.i(0), api::Node::array("role"));
        it->second.push(ref(r.i(1), r.s(2)));
    }
    api::Node list = api::Node::array("custom_field");
    for (const auto& r : rows) {
        const long long id = r.i(0);
        const std::string type = r.s(2);
        api::Node f = api::Node::object();
        f.set("id", id).set("name", r.s(1));
        if (auto ct = customized_type(type); !ct.empty()) f.set("customized_type", ct);
        f.set("field_format", r.s(3))
            .set("regexp", str_at(r, 4))
            .set("min_length", int_at(r, 5))
            .set("max_length", int_at(r, 6))
            .set("is_required", r.b(7))
            .set("is_filter", r.b(8))
            .set("searchable", r.b(9))
            .set("multiple", r.b(10))
            .set("default_value", str_at(r, 11))
            .set("visible", r.b(12));
        const auto values = possible_values(db, id, r.s(3), r.s(13));
        if (!values.empty()) {
            api::Node pv = api::Node::array("possible_value");
            for (const auto& [label, value] : values) {
                api::Node v = api::Node::object();
                v.set("value", value).set("label", label);
                pv.push(std::move(v));
            }
            f.set("possible_values", std::move(pv));
        }
        if (type == "IssueCustomField") {
            auto t = trackers.find(id);
            f.set("trackers", t == trackers.end() ? api::Node::array("tracker") : t->second);
            auto ro = roles.find(id);
            f.set("roles", ro == roles.end() ? api::Node::array("role") : ro->second);
        }
        list.push(std::move(f));
    }
    return ctx.render({"custom_fields", std::move(list), {}});
}
}  // namespace

void register_custom_fields(app::Router& r) { r.add("GET", "/custom_fields", index); }

}  // namespace resources
