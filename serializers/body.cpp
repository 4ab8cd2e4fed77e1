// Request body parsing. The XML mapping mirrors ActiveSupport's XMLConverter (Hash.from_xml), which
// ActiveResource clients rely on; the one deliberate difference is that an empty untyped element
// (`<x/>`, `<x></x>`) reads as "" rather than nil, since pugixml cannot tell the two forms apart and
// Redmine treats "" and nil alike.
#include "serializers/body.h"

#include "serializers/form.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <pugixml.hpp>
#include <string>
#include <utility>
#include <vector>

namespace api {

namespace {

// Ruby's JSON max_nesting; REXML as Rails reads it gives up past the same depth.
constexpr int kMaxDepth = 100;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view strip(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool blank(std::string_view text) { return strip(text).empty(); }

// ---- JSON ----

nlohmann::json parse_json(std::string_view body) {
    // Depth is the count of enclosing containers when one opens; nlohmann's parser is iterative, so the
    // limit only protects the code that later walks the value.
    auto guard = [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        bool opens = event == nlohmann::json::parse_event_t::object_start ||
                     event == nlohmann::json::parse_event_t::array_start;
        if (opens && depth >= kMaxDepth) throw BadBody("JSON body is nested too deeply");
        return true;
    };
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(body, guard);
    } catch (const nlohmann::json::exception& e) {
        throw BadBody(std::string("Invalid JSON body: ") + e.what());
    }
    if (!value.is_object()) return nlohmann::json{{"_json", std::move(value)}};
    return value;
}

// ---- XML ----

std::string key_of(const char* name) {
    std::string key = detail::valid_utf8(name);
    for (char& c : key)
        if (c == '-') c = '_';
    return key;
}

// Text and CDATA children, concatenated as REXML does.
std::string text_of(pugi::xml_node element) {
    std::string text;
    for (pugi::xml_node child : element.children())
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
    return detail::valid_utf8(text);
}

bool has_child_elements(pugi::xml_node element) {
    for (pugi::xml_node child : element.children())
        if (child.type() == pugi::node_element) return true;
    return false;
}

std::size_t attribute_count(pugi::xml_node element) {
    std::size_t count = 0;
    for ([[maybe_unused]] pugi::xml_attribute attribute : element.attributes()) ++count;
    return count;
}

nlohmann::json parse_integer(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    long long value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        throw BadBody("Invalid integer in XML body: " + std::string(text));
    return value;
}

nlohmann::json parse_float(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        throw BadBody("Invalid number in XML body: " + std::string(text));
    return value;
}

// ActiveSupport::XmlMini::PARSING for the types a JSON value can carry; dates stay strings.
nlohmann::json typed(std::string text, std::string_view type) {
    if (type == "integer") return parse_integer(strip(text));
    if (type == "float" || type == "decimal") return parse_float(strip(text));
    if (type == "boolean") return strip(text) == "true" || strip(text) == "1";
    return text;
}

nlohmann::json element_value(pugi::xml_node element, int depth);

nlohmann::json array_value(pugi::xml_node element, int depth) {
    nlohmann::json items = nlohmann::json::array();
    for (pugi::xml_node child : element.children())
        if (child.type() == pugi::node_element) items.push_back(element_value(child, depth + 1));
    return items;
}

// Attributes become string keys; children repeated under one name become an array of their values.
nlohmann::json object_value(pugi::xml_node element, int depth) {
    nlohmann::json object = nlohmann::json::object();
    for (pugi::xml_attribute attribute : element.attributes())
        object[key_of(attribute.name())] = detail::valid_utf8(attribute.value());
    std::vector<std::pair<std::string, std::vector<nlohmann::json>>> groups;
    for (pugi::xml_node child : element.children()) {
        if (child.type() != pugi::node_element) continue;
        std::string key = key_of(child.name());
        auto group =
            std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
        if (group == groups.end()) group = groups.insert(groups.end(), {std::move(key), {}});
        group->second.push_back(element_value(child, depth + 1));
    }
    for (auto& [key, values] : groups)
        object[key] = values.size() == 1 ? std::move(values.front()) : nlohmann::json(std::move(values));
    return object;
}

// An element holding no text (whitespace alongside attributes counts as none).
nlohmann::json empty_value(pugi::xml_node element, std::string_view type, int depth) {
    std::size_t attributes = attribute_count(element);
    if (std::string_view(element.attribute("nil").value()) == "true") return nullptr;
    if (type == "string" || attributes == 0) return "";
    if (!type.empty() && attributes == 1) return nullptr;  // `<x type="integer"/>` carries no value
    return object_value(element, depth);
}

nlohmann::json element_value(pugi::xml_node element, int depth) {
    if (depth > kMaxDepth) throw BadBody("XML body is nested too deeply");
    std::string_view type = element.attribute("type").value();
    // ActiveSupport's disallowed types: they would instantiate Ruby objects.
    if (type == "symbol" || type == "yaml") throw BadBody("Disallowed type attribute: " + std::string(type));
    if (type == "array") return array_value(element, depth);
    if (has_child_elements(element)) return object_value(element, depth);
    std::string text = text_of(element);
    if (text.empty() || (blank(text) && attribute_count(element) > 0))
        return empty_value(element, type, depth);
    return typed(std::move(text), type);
}

pugi::xml_node document_element(const pugi::xml_document& doc) {
    pugi::xml_node root;
    for (pugi::xml_node child : doc.children()) {
        // No DTD means no entity expansion (billion laughs, external entities).
        if (child.type() == pugi::node_doctype) throw BadBody("XML body must not have a DOCTYPE");
        if (child.type() != pugi::node_element) continue;
        if (root) throw BadBody("XML body has more than one root element");
        root = child;
    }
    if (!root) throw BadBody("XML body has no root element");
    return root;
}

nlohmann::json parse_xml(std::string_view body) {
    pugi::xml_document doc;
    unsigned flags = pugi::parse_default | pugi::parse_doctype | pugi::parse_ws_pcdata_single;
    pugi::xml_parse_result result = doc.load_buffer(body.data(), body.size(), flags);
    if (!result) throw BadBody(std::string("Invalid XML body: ") + result.description());
    pugi::xml_node root = document_element(doc);
    nlohmann::json value = nlohmann::json::object();
    value[key_of(root.name())] = element_value(root, 1);
    return value;
}

}  // namespace

nlohmann::json parse_body(std::string_view body, Format format) {
    if (body.empty()) return nlohmann::json::object();
    return format == Format::Xml ? parse_xml(body) : parse_json(body);
}

namespace {

// Mime::Type's MIME_NAME: [a-zA-Z0-9][a-zA-Z0-9!#$&\-^_.+]{0,126}
bool mime_name(std::string_view s) {
    auto alnum = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (s.empty() || s.size() > 127 || !alnum(s[0])) return false;
    return std::all_of(s.begin() + 1, s.end(), [&](char c) {
        return alnum(c) || std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
    });
}

}  // namespace

bool valid_mime_type(std::string_view type) {
    auto slash = type.find('/');
    return type == "*/*" || (slash != std::string_view::npos && mime_name(type.substr(0, slash)) &&
                             (type.substr(slash + 1) == "*" || mime_name(type.substr(slash + 1))));
}

namespace {

// ActionDispatch's content_mime_type: the header up to its first `,` or `;`, stripped and lower-cased,
// which must be a MIME type or Rails answers 406.
std::string media_type(const std::string& header) {
    std::string type(strip(std::string_view(header).substr(0, header.find_first_of(",;"))));
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!valid_mime_type(type)) throw BadMediaType("\"" + type + "\" is not a valid MIME type");
    return type;
}

// ActionDispatch's check_param_encoding: every string value must be UTF-8 (400 otherwise).
void check_encoding(const nlohmann::json& v) {
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (detail::valid_utf8(s) != s) throw BadParams("Invalid encoding for parameter");
    } else if (v.is_structured()) {
        for (const auto& item : v) check_encoding(item);
    }
}

// ActionDispatch's deep munge (NoNilParamEncoder): nils are dropped from every array.
void deep_munge(nlohmann::json& v) {
    if (v.is_array()) {
        nlohmann::json kept = nlohmann::json::array();
        for (auto& item : v)
            if (!item.is_null()) kept.push_back(std::move(item));
        v = std::move(kept);
    }
    if (v.is_structured())
        for (auto& item : v) deep_munge(item);
}

nlohmann::json rails_params(nlohmann::json params) {
    check_encoding(params);
    deep_munge(params);
    return params;
}

}  // namespace

namespace {

// Rack's content_type (an empty header is none) and media_type: up to `;` or `,`, lower-cased.
std::optional<std::string> rack_media_type(const std::optional<std::string>& content_type) {
    if (!content_type || content_type->empty()) return std::nullopt;
    std::string type(strip(std::string_view(*content_type).substr(0, content_type->find_first_of(",;"))));
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return type;
}

bool form_type(const std::string& type) {
    return type == "application/x-www-form-urlencoded" || type == "multipart/form-data" ||
           type == "multipart/related" || type == "multipart/mixed";
}

// Rack's form parse of a body: multipart when the header names a boundary, else urlencoded.
nlohmann::json parse_form(const std::optional<std::string>& content_type, std::string_view body) {
    if (auto parts = parse_multipart(body, content_type.value_or(""))) return std::move(*parts);
    return parse_urlencoded(body);
}

// What Rack::MethodOverride parsed of a POST (Rack::Request#POST, which also reads a body without a
// Content-Type as a form), kept in the request as Rack keeps it; nothing when it is no form or the
// parse failed, which Rack::MethodOverride ignores.
std::optional<nlohmann::json> method_override_form(std::string_view method,
                                                   const std::optional<std::string>& content_type,
                                                   std::string_view body) {
    if (method != "POST") return std::nullopt;
    const auto type = rack_media_type(content_type);
    if (type && !form_type(*type)) return std::nullopt;
    try {
        return parse_form(content_type, body);
    } catch (const BadParams&) {
        return std::nullopt;
    } catch (const BrokenMultipart&) {
        return std::nullopt;
    }
}

}  // namespace

nlohmann::json request_parameters(std::string_view method, const std::optional<std::string>& content_type,
                                  std::string_view body) {
    // ActionDispatch's parse_formatted_parameters: a Content-Type with a body must be a MIME type
    if (content_type && !body.empty()) {
        const std::string type = media_type(*content_type);
        if (type == "application/json" || type == "text/x-json" || type == "application/jsonrequest")
            return rails_params(parse_body(body, Format::Json));
        if (type == "application/xml" || type == "text/xml" || type == "application/x-xml")
            return rails_params(parse_body(body, Format::Xml));
    }
    // then Rack's POST: what Rack::MethodOverride parsed, else a form by its Content-Type
    if (auto cached = method_override_form(method, content_type, body)) return rails_params(std::move(*cached));
    if (!content_type || !form_type(media_type(*content_type))) return nlohmann::json::object();
    try {
        return rails_params(parse_form(content_type, body));
    } catch (const BrokenMultipart&) {
        return nlohmann::json::object();  // Rails' parameters rescue EOFError: the query alone
    }
}

std::string method_override(const std::string& method, const std::optional<std::string>& content_type,
                            std::string_view body, const std::optional<std::string>& header) {
    if (method != "POST") return method;
    std::optional<std::string> wanted;
    if (auto form = method_override_form(method, content_type, body))
        if (auto it = form->find("_method"); it != form->end() && !it->is_null())
            wanted = it->is_string() ? it->get<std::string>()
                                     : it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!wanted) wanted = header;
    if (!wanted) return method;
    std::string upper = *wanted;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    static const std::vector<std::string> methods = {"GET",     "HEAD",  "PUT",  "POST",  "DELETE",
                                                     "OPTIONS", "PATCH", "LINK", "UNLINK"};
    return std::find(methods.begin(), methods.end(), upper) != methods.end() ? upper : method;
}

nlohmann::json query_parameters(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::vector<FormPair> decoded(pairs.begin(), pairs.end());
    return rails_params(nest_pairs(decoded));
}

std::optional<std::string> param_text(const nlohmann::json& params, const std::string& name) {
    auto it = params.find(name);
    if (it == params.end() || it->is_null() || it->is_structured()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
    if (it->is_number_integer()) return std::to_string(it->get<long long>());
    if (it->is_number_float()) return detail::ruby_float(it->get<double>());
    return it->dump();
}

nlohmann::json merge_parameters(nlohmann::json request, const nlohmann::json& query,
                                const std::map<std::string, std::string>& route) {
    if (!request.is_object()) request = nlohmann::json::object();
    for (const auto& [key, value] : query.items()) request[key] = value;
    for (const auto& [key, value] : route) request[key] = value;
    return request;
}

}  // namespace api
