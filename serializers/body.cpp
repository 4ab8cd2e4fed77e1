// Request body parsing. The XML mapping mirrors ActiveSupport's XMLConverter (Hash.from_xml), which
// ActiveResource clients rely on; the one deliberate difference is that an empty untyped element
// (`<x/>`, `<x></x>`) reads as "" rather than nil, since pugixml cannot tell the two forms apart and
// Redmine treats "" and nil alike.
#include "serializers/body.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <pugixml.hpp>
#include <string>
#include <utility>
#include <vector>

namespace api {

namespace {

// Deep enough for any Redmine payload, shallow enough that nothing downstream recurses dangerously.
constexpr int kMaxDepth = 32;

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
    if (!value.is_object()) throw BadBody("JSON body must be an object");
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
    if (blank(body)) return nlohmann::json::object();
    return format == Format::Xml ? parse_xml(body) : parse_json(body);
}

}  // namespace api
