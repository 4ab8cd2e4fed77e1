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
    // What validation reads: custom_fields_of fills these (load_validation_rules for defs built
    // elsewhere); load_validation_rules also puts the ids an enumeration, user or version field
    // accepts on a project into possible_values.
    bool is_required = false;
    std::string regexp;
    std::optional<long long> min_length, max_length;
    std::vector<std::string> possible_values;  // list: the field's values; record lists: the ids
    std::string format_store;                  // YAML: user_role, version_status, ...
    bool record_ids_loaded = false;            // record lists are checked only once loaded
};

// The custom fields of one class ("UserCustomField", "IssueCustomField", ...) in Redmine's order.
std::vector<CustomFieldDef> custom_fields_of(db::Conn& c, const std::string& type);

// customized_id -> custom_field_id -> values (a multiple field may have several rows).
using CustomValues = std::map<long long, std::map<long long, std::vector<std::string>>>;
CustomValues load_custom_values(db::Conn& c, const std::string& customized_type, const std::vector<long long>& ids);

// `custom_fields` for one object; nothing when there are no fields (Redmine omits the array).
std::optional<api::Node> custom_fields_node(const std::vector<CustomFieldDef>& fields, const CustomValues& values,
                                            long long object_id);

// Completes defs for validation: the rules custom_fields_of loads (regexp, lengths, required, list
// values, format_store) and, for enumeration, user and version fields, the ids they accept on the
// customized object's project (none without a project, as Redmine). A few queries for all the defs.
void load_validation_rules(db::Conn& c, const std::vector<CustomFieldDef*>& defs,
                           std::optional<long long> project_id);

// A custom field value as assigned (CustomFieldValue#value=): a list (from a JSON or XML array: its
// non-empty strings, unique, or one "" when none) or one string.
struct CustomValueInput {
    std::vector<std::string> values;
    bool array = false;
};

// CustomField#validate_custom_value, THE custom value validator: the format's checks (regexp, length,
// int, float, date, list/enumeration/user/version possible values; a list also accepts the values
// stored before, `was`), then "is invalid" for a list given to a single-value field and "cannot be
// blank" for a required one. Every message with the field's name as Rails words it ("Cost centre is
// not included in the list").
std::vector<std::string> custom_value_errors(const CustomFieldDef& def, const CustomValueInput& input,
                                             const std::vector<std::string>& was = {});

// The first of custom_value_errors for `values` (a list when more than one), with `required` and,
// when not empty, `possible_values` taking the place of the def's; nothing when valid.
std::optional<std::string> custom_value_error(const CustomFieldDef& def, bool required,
                                              const std::vector<std::string>& possible_values,
                                              const std::vector<std::string>& values);

// ActiveSupport's String#humanize, as Rails names an attribute in a full error message.
std::string humanize(const std::string& name);

}  // namespace resources
