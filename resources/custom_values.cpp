#include "resources/custom_values.h"

#include <algorithm>
#include <regex>

namespace resources {

std::vector<CustomFieldDef> custom_fields_of(db::Conn& c, const std::string& type) {
    std::vector<CustomFieldDef> out;
    for (const auto& r : c.query("SELECT id, name, field_format, multiple, visible, is_for_all FROM custom_fields "
                                 "WHERE type = ? ORDER BY position, id",
                                 {type}))
        out.push_back({r.i(0), r.s(1), r.s(2), r.b(3), r.b(4), r.b(5)});
    return out;
}

CustomValues load_custom_values(db::Conn& c, const std::string& customized_type, const std::vector<long long>& ids) {
    CustomValues out;
    if (ids.empty()) return out;
    std::string sql =
        "SELECT customized_id, custom_field_id, value FROM custom_values WHERE customized_type = ? AND customized_id IN (";
    std::vector<db::Value> params{customized_type};
    for (size_t i = 0; i < ids.size(); ++i) {
        sql += i ? ", ?" : "?";
        params.emplace_back(ids[i]);
    }
    sql += ") ORDER BY id";
    for (const auto& r : c.query(sql, params)) {
        auto& values = out[r.i(0)][r.i(1)];
        if (!r.null(2)) values.push_back(r.s(2));  // a NULL value renders as null, as Redmine shows it
    }
    return out;
}

std::optional<api::Node> custom_fields_node(const std::vector<CustomFieldDef>& fields, const CustomValues& values,
                                            long long object_id) {
    if (fields.empty()) return std::nullopt;
    const std::map<long long, std::vector<std::string>>* mine = nullptr;
    if (auto it = values.find(object_id); it != values.end()) mine = &it->second;
    api::Node arr = api::Node::array("custom_field");
    for (const auto& f : fields) {
        api::Node cf = api::Node::object();
        cf.attr("id", f.id).attr("name", f.name);
        const std::vector<std::string>* stored = nullptr;
        if (mine)
            if (auto it = mine->find(f.id); it != mine->end()) stored = &it->second;
        if (f.multiple) {
            cf.attr("multiple", true);
            api::Node list = api::Node::array("value");
            if (stored)
                for (const auto& v : *stored)
                    if (!v.empty()) list.push(v);
            cf.set("value", std::move(list));
        } else {
            cf.set("value", stored && !stored->empty() ? api::Node(stored->front()) : api::Node());
        }
        arr.push(std::move(cf));
    }
    return arr;
}

std::optional<std::string> custom_value_error(const CustomFieldDef& def, bool required,
                                              const std::vector<std::string>& possible_values,
                                              const std::vector<std::string>& values) {
    if (std::all_of(values.begin(), values.end(), [](const std::string& v) { return v.empty(); }))
        return required ? std::optional<std::string>(def.name + " cannot be blank") : std::nullopt;
    static const std::regex integer(R"(^[+-]?\d+$)");
    static const std::regex real(R"(^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$)");
    for (const auto& v : values) {
        if (v.empty()) continue;
        if (def.field_format == "int" && !std::regex_match(v, integer)) return def.name + " is not a number";
        if (def.field_format == "float" && !std::regex_match(v, real)) return def.name + " is not a number";
        if (def.field_format == "list" &&
            std::find(possible_values.begin(), possible_values.end(), v) == possible_values.end())
            return def.name + " is not included in the list";
    }
    return std::nullopt;
}

}  // namespace resources
