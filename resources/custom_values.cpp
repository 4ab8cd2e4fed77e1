#include "resources/custom_values.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "db/yaml.h"

namespace resources {

namespace {

// regexp is a reserved word in MySQL, unless qualified
const char* const kRuleColumns =
    "custom_fields.regexp, min_length, max_length, is_required, possible_values, format_store";

void set_rules(CustomFieldDef& f, const db::Row& r, size_t at) {
    f.regexp = r.null(at) ? "" : r.s(at);
    f.min_length = r.null(at + 1) ? std::nullopt : std::optional<long long>(r.i(at + 1));
    f.max_length = r.null(at + 2) ? std::nullopt : std::optional<long long>(r.i(at + 2));
    f.is_required = !r.null(at + 3) && r.b(at + 3);
    f.possible_values = r.null(at + 4) ? std::vector<std::string>{} : db::yaml_list(r.s(at + 4));
    f.format_store = r.null(at + 5) ? "" : r.s(at + 5);
}

std::string placeholders(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
    return s;
}

}  // namespace

std::vector<CustomFieldDef> custom_fields_of(db::Conn& c, const std::string& type) {
    std::vector<CustomFieldDef> out;
    for (const auto& r :
         c.query_cached(std::string("SELECT id, name, field_format, multiple, visible, is_for_all, ") +
                            kRuleColumns + " FROM custom_fields WHERE type = ? ORDER BY position, id",
                        {type})) {
        CustomFieldDef f;
        f.id = r.i(0);
        f.name = r.s(1);
        f.field_format = r.s(2);
        f.multiple = r.b(3);
        f.visible = r.b(4);
        f.is_for_all = r.b(5);
        set_rules(f, r, 6);
        out.push_back(std::move(f));
    }
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

namespace {

// A list under `key:` in a format_store hash ("user_role:\n- '3'\n"); empty when absent or inline.
std::vector<std::string> store_list(const std::string& store, const std::string& key) {
    std::vector<std::string> out;
    size_t pos = 0;
    bool in_list = false;
    std::string items = "---\n";
    while (pos < store.size()) {
        size_t eol = store.find('\n', pos);
        std::string line = store.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        pos = eol == std::string::npos ? store.size() : eol + 1;
        if (in_list) {
            if (line.rfind("- ", 0) != 0) break;
            items += line + "\n";
        } else if (line == key + ":") {
            in_list = true;
        }
    }
    for (auto& v : db::yaml_list(items))
        if (!v.empty()) out.push_back(v);
    return out;
}

}  // namespace

void load_validation_rules(db::Conn& c, const std::vector<CustomFieldDef*>& defs,
                           std::optional<long long> project_id) {
    if (defs.empty()) return;
    std::vector<db::Value> ids;
    for (const auto* d : defs) ids.emplace_back(d->id);
    std::map<long long, CustomFieldDef*> by_id;
    for (auto* d : defs) by_id[d->id] = d;
    for (const auto& r : c.query(std::string("SELECT id, ") + kRuleColumns + " FROM custom_fields WHERE id IN (" +
                                     placeholders(ids.size()) + ")",
                                 ids))
        set_rules(*by_id[r.i(0)], r, 1);

    std::vector<db::Value> enumerations;
    bool users = false, versions = false;
    for (const auto* d : defs) {
        if (d->field_format == "enumeration") enumerations.emplace_back(d->id);
        users = users || d->field_format == "user";
        versions = versions || d->field_format == "version";
    }
    for (auto* d : defs)
        if (d->field_format == "enumeration" || d->field_format == "user" || d->field_format == "version") {
            d->possible_values.clear();
            d->record_ids_loaded = true;
        }
    // CustomFieldEnumeration: the active values
    if (!enumerations.empty()) {
        std::vector<db::Value> params = enumerations;
        params.emplace_back(1LL);
        for (const auto& r : c.query("SELECT custom_field_id, id FROM custom_field_enumerations WHERE custom_field_id "
                                     "IN (" + placeholders(enumerations.size()) + ") AND active = ? ORDER BY position",
                                     params))
            by_id[r.i(0)]->possible_values.push_back(std::to_string(r.i(1)));
    }
    if (!project_id) return;
    // Project#users (active users through members), narrowed to the field's user_role
    if (users) {
        std::map<long long, std::set<std::string>> roles_of_user;
        for (const auto& r : c.query("SELECT m.user_id, mr.role_id FROM members m JOIN users u ON u.id = m.user_id "
                                     "LEFT JOIN member_roles mr ON mr.member_id = m.id "
                                     "WHERE m.project_id = ? AND u.type = 'User' AND u.status = ? ORDER BY m.user_id",
                                     {*project_id, 1LL})) {
            auto& roles = roles_of_user[r.i(0)];
            if (!r.null(1)) roles.insert(std::to_string(r.i(1)));
        }
        for (auto* d : defs) {
            if (d->field_format != "user") continue;
            const auto wanted = store_list(d->format_store, "user_role");
            for (const auto& [user, roles_of] : roles_of_user) {
                const auto& roles = roles_of;  // clang 14 lambdas cannot capture structured bindings (P1091)
                if (wanted.empty() || std::any_of(wanted.begin(), wanted.end(),
                                                  [&](const std::string& w) { return roles.count(w) > 0; }))
                    d->possible_values.push_back(std::to_string(user));
            }
        }
    }
    // Project#shared_versions, narrowed to the field's version_status
    if (versions) {
        auto p = c.one("SELECT lft, rgt FROM projects WHERE id = ?", {*project_id});
        if (!p) return;
        const long long lft = p->i(0), rgt = p->i(1);
        auto root = c.one("SELECT lft, rgt FROM projects WHERE parent_id IS NULL AND lft <= ? AND rgt >= ?", {lft, rgt});
        const long long root_lft = root ? root->i(0) : lft, root_rgt = root ? root->i(1) : rgt;
        const auto rows = c.query(
            "SELECT v.id, v.status FROM versions v JOIN projects vp ON vp.id = v.project_id WHERE vp.id = ? "
            "OR (vp.status <> ? AND (v.sharing = 'system' "
            "OR (vp.lft >= ? AND vp.rgt <= ? AND v.sharing = 'tree') "
            "OR (vp.lft < ? AND vp.rgt > ? AND v.sharing IN ('hierarchy', 'descendants')) "
            "OR (vp.lft > ? AND vp.rgt < ? AND v.sharing = 'hierarchy')))",
            {*project_id, 9LL, root_lft, root_rgt, lft, rgt, lft, rgt});
        for (auto* d : defs) {
            if (d->field_format != "version") continue;
            const auto statuses = store_list(d->format_store, "version_status");
            for (const auto& r : rows)
                if (statuses.empty() || std::find(statuses.begin(), statuses.end(), r.s(1)) != statuses.end())
                    d->possible_values.push_back(std::to_string(r.i(0)));
        }
    }
}

std::string humanize(const std::string& name) {
    std::string s = name;
    s.erase(0, s.find_first_not_of('_') == std::string::npos ? s.size() : s.find_first_not_of('_'));
    if (s.size() >= 3 && s.compare(s.size() - 3, 3, "_id") == 0) s.resize(s.size() - 3);
    for (auto& ch : s) {
        if (ch == '_') ch = ' ';
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

namespace {

size_t chars(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos; }

std::string ruby_strip(const std::string& s) {
    const char* ws = " \t\r\n\f\v";
    auto b = s.find_first_not_of(ws);
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(std::string(ws) + '\0') - b + 1);
}

// Ruby's Regexp#match? for a field's regexp: \A, \z and \Z become ECMAScript's ^ and $.
bool regexp_matches(const std::string& pattern, const std::string& value) {
    std::string p;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\' && i + 1 < pattern.size()) {
            const char n = pattern[i + 1];
            if (n == 'A' || n == 'z' || n == 'Z') {
                p += n == 'A' ? "^" : "$";
                ++i;
                continue;
            }
            p += pattern.substr(i, 2);
            ++i;
            continue;
        }
        p += pattern[i];
    }
    try {
        return std::regex_search(value, std::regex(p));
    } catch (const std::regex_error&) {
        return true;  // Redmine refuses to save such a field; nothing to hold the value to
    }
}

bool valid_date(const std::string& v) {
    static const std::regex re(R"(^\d{4}-\d{2}-\d{2}$)");
    if (!std::regex_match(v, re)) return false;
    const int y = std::stoi(v.substr(0, 4)), m = std::stoi(v.substr(5, 2)), d = std::stoi(v.substr(8, 2));
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

// Field formats' validate_single_value.
void single_value_errors(const CustomFieldDef& def, const std::string& v, std::vector<std::string>& errs) {
    const std::string& f = def.field_format;
    if (f == "date") {
        if (!valid_date(v)) errs.push_back("is not a valid date");
        return;
    }
    if (f != "string" && f != "text" && f != "link" && f != "int" && f != "float") return;
    // Unbounded
    if (!def.regexp.empty() && !regexp_matches(def.regexp, v)) errs.push_back("is invalid");
    const auto length = static_cast<long long>(chars(v));
    if (def.min_length && length < *def.min_length)
        errs.push_back("is too short (minimum is " + std::to_string(*def.min_length) + " characters)");
    if (def.max_length && *def.max_length > 0 && length > *def.max_length)
        errs.push_back("is too long (maximum is " + std::to_string(*def.max_length) + " characters)");
    if (f == "int") {
        static const std::regex integer(R"(^[+-]?\d+$)");
        if (!std::regex_match(ruby_strip(v), integer)) errs.push_back("is not a number");
    } else if (f == "float") {
        // Kernel.Float
        static const std::regex real(
            R"(^\s*[+-]?(0[xX][0-9a-fA-F]+(_[0-9a-fA-F]+)*|(\d+(_\d+)*(\.\d+(_\d+)*)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?)\s*$)");
        if (!std::regex_match(v, real)) errs.push_back("is invalid");
    }
}

}  // namespace

std::vector<std::string> custom_value_errors(const CustomFieldDef& def, const CustomValueInput& input,
                                             const std::vector<std::string>& was) {
    std::vector<std::string> errs;
    auto add = [&](const std::string& m) {
        if (std::find(errs.begin(), errs.end(), m) == errs.end()) errs.push_back(m);
    };
    std::vector<std::string> values;
    for (const auto& v : input.values)
        if (!v.empty()) values.push_back(v);
    const std::string& f = def.field_format;
    const bool record_list = f == "enumeration" || f == "user" || f == "version";
    if (f == "list" || (record_list && def.record_ids_loaded)) {
        for (const auto& v : values)
            if (std::find(def.possible_values.begin(), def.possible_values.end(), v) == def.possible_values.end() &&
                std::find(was.begin(), was.end(), v) == was.end())
                add("is not included in the list");
    } else if (!record_list) {
        for (const auto& v : values) {
            std::vector<std::string> one;
            single_value_errors(def, v, one);
            for (const auto& m : one) add(m);
        }
    }
    if (errs.empty()) {
        if (input.array) {
            if (!def.multiple) errs.push_back("is invalid");
            if (def.is_required && std::all_of(input.values.begin(), input.values.end(), blank))
                errs.push_back("cannot be blank");
        } else if (def.is_required && (input.values.empty() || blank(input.values.front()))) {
            errs.push_back("cannot be blank");
        }
    }
    const std::string name = humanize(def.name);
    for (auto& m : errs) m = name + " " + m;
    return errs;
}

std::optional<std::string> custom_value_error(const CustomFieldDef& def, bool required,
                                              const std::vector<std::string>& possible_values,
                                              const std::vector<std::string>& values) {
    CustomFieldDef d = def;
    d.is_required = required;
    if (!possible_values.empty()) d.possible_values = possible_values;
    CustomValueInput input{values, values.size() > 1};
    if (input.values.empty()) input.values.emplace_back();
    auto errs = custom_value_errors(d, input);
    if (errs.empty()) return std::nullopt;
    return errs.front();
}

}  // namespace resources
