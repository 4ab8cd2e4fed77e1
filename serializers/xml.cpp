// XML renderer: what Redmine's XML builder (Ruby's Builder::XmlMarkup) produces, compact.
// pugixml builds and writes the tree; the text is escaped here, with format_no_escapes, because
// Builder's rules differ from pugixml's ('>' escaped in attributes, tabs left alone).
#include <pugixml.hpp>
#include <string_view>

#include "serializers/render.h"

namespace api {

namespace {

constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

// Code points XML 1.0 forbids even as references are dropped: C0 controls but tab, LF and CR.
bool forbidden_control(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

// U+FFFE and U+FFFF are not XML characters either.
bool forbidden_noncharacter(std::string_view text, std::size_t pos) {
    return text.compare(pos, 3, "\xEF\xBF\xBE") == 0 || text.compare(pos, 3, "\xEF\xBF\xBF") == 0;
}

std::string escape(std::string_view raw, bool attribute) {
    std::string text = detail::valid_utf8(raw);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '&') {
            out += "&amp;";
        } else if (c == '<') {
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else if (attribute && c == '"') {
            out += "&quot;";
        } else if (attribute && c == '\n') {
            out += "&#10;";
        } else if (attribute && c == '\r') {
            out += "&#13;";
        } else if (forbidden_control(c)) {
            continue;
        } else if (forbidden_noncharacter(text, i)) {
            i += 2;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string scalar_text(const Node& node) {
    switch (node.kind()) {
        case Node::Kind::Bool:
            return node.boolean() ? "true" : "false";
        case Node::Kind::Int:
            return std::to_string(node.integer());
        case Node::Kind::Float:
            return detail::ruby_float(node.real());
        case Node::Kind::String:
            return node.string();
        default:
            return "";
    }
}

void add_attribute(pugi::xml_node element, const std::string& name, const std::string& value) {
    element.append_attribute(name.c_str()).set_value(escape(value, true).c_str());
}

// An empty text child makes pugixml write `<x></x>` rather than `<x/>`, as Builder does for "" and
// for an empty list.
void add_text(pugi::xml_node element, std::string_view text) {
    element.append_child(pugi::node_pcdata).set_value(escape(text, false).c_str());
}

void fill(pugi::xml_node element, const Node& node);

void fill_object(pugi::xml_node element, const Node& node) {
    for (const auto& [key, value] : node.attrs()) add_attribute(element, key, scalar_text(value));
    for (const auto& [key, value] : node.members()) fill(element.append_child(key.c_str()), value);
}

void fill_array(pugi::xml_node element, const Node& node) {
    element.append_attribute("type").set_value("array");
    for (const auto& item : node.items()) fill(element.append_child(node.item_name().c_str()), item);
    if (node.items().empty()) add_text(element, "");
}

// Gives an already named element the content of `node`; a null leaves it self-closed.
void fill(pugi::xml_node element, const Node& node) {
    switch (node.kind()) {
        case Node::Kind::Null:
            break;
        case Node::Kind::Object:
            fill_object(element, node);
            break;
        case Node::Kind::Array:
            fill_array(element, node);
            break;
        default:
            add_text(element, scalar_text(node));
            break;
    }
}

struct StringWriter : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override {
        out.append(static_cast<const char*>(data), size);
    }
};

}  // namespace

std::string render_xml(const Document& doc) {
    pugi::xml_document xml;
    pugi::xml_node root = xml.append_child(doc.root.c_str());
    // Paging meta precedes the node's own attributes (type="array").
    for (const auto& [key, value] : doc.meta) add_attribute(root, key, std::to_string(value));
    fill(root, doc.node);

    StringWriter writer;
    writer.out = kDeclaration;
    xml.save(writer, "", pugi::format_raw | pugi::format_no_declaration | pugi::format_no_escapes,
             pugi::encoding_utf8);
    return std::move(writer.out);
}

}  // namespace api
