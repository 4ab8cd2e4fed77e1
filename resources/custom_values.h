// Custom fields and their values, loaded in one query per list (no query per row), and rendered
// as Redmine's render_api_custom_values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "serializers/tree.h"

namespace resources {

struct CustomFieldDef {
    long long id = 0;
    std::string name, field_format;
    bool multiple = false;
    bool visible = true;
    bool is_for_all = false;
};

// The custom fields of one class ("UserCustomField", "IssueCustomField", ...) in Redmine's order.
std::vector<CustomFieldDef> custom_fields_of(db::Conn& c, const std::string& type);

// customized_id -> custom_field_id -> values (a multiple field may have several rows).
using CustomValues = std::map<long long, std::map<long long, std::vector<std::string>>>;
CustomValues load_custom_values(db::Conn& c, const std::string& customized_type, const std::vector<long long>& ids);

// `custom_fields` for one object; nothing when there are no fields (Redmine omits the array).
std::optional<api::Node> custom_fields_node(const std::vector<CustomFieldDef>& fields, const CustomValues& values,
                                            long long object_id);

// CustomFieldValue#validate_value for the formats checked here: "<Field> cannot be blank" when
// required and empty, else the first value's error (int, float, list); nothing when valid.
std::optional<std::string> custom_value_error(const CustomFieldDef& def, bool required,
                                              const std::vector<std::string>& possible_values,
                                              const std::vector<std::string>& values);

}  // namespace resources
