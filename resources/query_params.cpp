#include "resources/query_params.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "serializers/render.h"

namespace resources {

namespace {

// Ruby's truthiness: nil and false are false.
bool truthy(const nlohmann::json& v) { return !v.is_null() && !(v.is_boolean() && !v.get<bool>()); }

// ActiveSupport's blank?
bool blank(const nlohmann::json& v) {
    if (!truthy(v)) return true;
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        return s.find_first_not_of(" \t\n\v\f\r") == std::string::npos;
    }
    return v.is_structured() && v.empty();
}

// params[:a] || params[:b]
const nlohmann::json* either(const nlohmann::json& params, const char* a, const char* b) {
    for (const char* key : {a, b})
        if (auto it = params.find(key); it != params.end() && truthy(*it)) return &*it;
    return nullptr;
}

std::string inspect(const nlohmann::json& v);

// Ruby's to_s of a params value.
std::string to_s(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) return api::detail::ruby_float(v.get<double>());
    return inspect(v);
}

// Ruby's inspect, enough for the arrays and hashes params hold.
std::string inspect(const nlohmann::json& v) {
    if (v.is_null()) return "nil";
    if (v.is_array()) {
        std::string out = "[";
        for (const auto& item : v) out += (out.size() > 1 ? ", " : "") + inspect(item);
        return out + "]";
    }
    if (v.is_object()) {
        std::string out = "{";
        for (const auto& [key, item] : v.items())
            out += (out.size() > 1 ? ", " : "") + inspect(nlohmann::json(key)) + "=>" + inspect(item);
        return out + "}";
    }
    if (!v.is_string()) return to_s(v);
    std::string out = "\"";
    const std::string s = api::detail::valid_utf8(v.get<std::string>());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            case '\f': out += "\\f"; break;
            case '\v': out += "\\v"; break;
            case '\b': out += "\\b"; break;
            case '\a': out += "\\a"; break;
            case '\x1b': out += "\\e"; break;
            case '#':
                out += i + 1 < s.size() && (s[i + 1] == '{' || s[i + 1] == '$' || s[i + 1] == '@') ? "\\#" : "#";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
                    out += buf;
                } else if (s.compare(i, 3, "\xE2\x80\xA8") == 0 || s.compare(i, 3, "\xE2\x80\xA9") == 0) {
                    out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
                    i += 2;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

}  // namespace

std::vector<std::string> split_values(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        auto p = text.find('|', start);
        out.push_back(text.substr(start, p == std::string::npos ? std::string::npos : p - start));
        if (p == std::string::npos) break;
        start = p + 1;
    }
    while (!out.empty() && out.back().empty()) out.pop_back();
    return out;
}

FilterParams filter_params(const nlohmann::json& params) {
    FilterParams out;
    const nlohmann::json* fields = either(params, "fields", "f");
    if (!fields) return out;
    out.replace = true;
    const nlohmann::json* operators = either(params, "operators", "op");
    const nlohmann::json* values = either(params, "values", "v");
    if (blank(*fields) || !operators || blank(*operators) || !fields->is_array()) return out;
    for (const auto& field_value : *fields) {
        if (!field_value.is_string()) continue;  // never an available filter
        const std::string field = field_value.get<std::string>();
        FilterParam f{field, "", {""}};
        // operators[field]: a hash's value; on a string, String#[] finds the name in it
        if (operators->is_object()) {
            if (auto op = operators->find(field); op != operators->end() && op->is_string()) f.op = *op;
        } else if (operators->is_string()) {
            if (operators->get_ref<const std::string&>().find(field) != std::string::npos) f.op = field;
        }
        // values && values[field]: Query#add_filter takes nothing but a list or nil
        if (values) {
            if (!values->is_object()) {
                if (!values->is_string() || values->get_ref<const std::string&>().find(field) != std::string::npos)
                    continue;
            } else if (auto list = values->find(field); list != values->end() && !list->is_null()) {
                if (!list->is_array()) continue;
                f.values.clear();
                for (const auto& item : *list) f.values.push_back(to_s(item));
            }
        }
        out.filters.push_back(std::move(f));
    }
    return out;
}

std::optional<FilterParam> short_filter(const nlohmann::json& params, const std::string& field,
                                        std::vector<std::string> operators) {
    auto it = params.find(field);
    if (it == params.end() || !truthy(*it)) return std::nullopt;
    const std::string expression = to_s(*it);
    if (it->is_string()) {
        std::sort(operators.begin(), operators.end(), std::greater<>());
        for (const auto& op : operators) {
            // expression =~ /^#{op}(.*)$/: at any line start; $1 stops at the line's end
            for (std::size_t p = 0; p <= expression.size();) {
                if (expression.compare(p, op.size(), op) == 0) {
                    const std::size_t from = p + op.size();
                    const std::string rest = expression.substr(from, expression.find('\n', from) - from);
                    const bool present = rest.find_first_not_of(" \t\n\v\f\r") != std::string::npos;
                    return FilterParam{field, op, present ? split_values(rest) : std::vector<std::string>{""}};
                }
                auto nl = expression.find('\n', p);
                if (nl == std::string::npos) break;
                p = nl + 1;
            }
        }
    }
    return FilterParam{field, "=", split_values(expression)};
}

}  // namespace resources
