// JSON renderer: what Redmine's JSON builder (a Ruby Hash passed through Rails' to_json) produces.
// The document is written here rather than through nlohmann's dump() because Ruby prints floats
// differently ("1.0e-05", "1000000000000000.0"); nlohmann still does the string escaping.
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "serializers/render.h"

namespace api {

namespace detail {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Byte count of the sequence a lead byte announces (0: never a lead byte), and the range its second
// byte must fall in, which is what rules out overlongs, surrogates and code points above U+10FFFF.
struct Lead {
    std::size_t length;
    unsigned char low, high;
};

Lead lead_of(unsigned char c) {
    if (c < 0x80) return {1, 0, 0};
    if (c >= 0xC2 && c <= 0xDF) return {2, 0x80, 0xBF};
    if (c == 0xE0) return {3, 0xA0, 0xBF};
    if (c == 0xED) return {3, 0x80, 0x9F};
    if (c >= 0xE1 && c <= 0xEF) return {3, 0x80, 0xBF};
    if (c == 0xF0) return {4, 0x90, 0xBF};
    if (c >= 0xF1 && c <= 0xF3) return {4, 0x80, 0xBF};
    if (c == 0xF4) return {4, 0x80, 0x8F};
    return {0, 0, 0};
}

// Length of the valid prefix of the sequence starting at `pos` (== lead.length when complete).
std::size_t valid_prefix(std::string_view text, std::size_t pos, const Lead& lead) {
    std::size_t n = 1;
    for (; n < lead.length && pos + n < text.size(); ++n) {
        auto byte = static_cast<unsigned char>(text[pos + n]);
        unsigned char low = n == 1 ? lead.low : 0x80;
        unsigned char high = n == 1 ? lead.high : 0xBF;
        if (byte < low || byte > high) break;
    }
    return n;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        Lead lead = lead_of(static_cast<unsigned char>(text[pos]));
        if (lead.length == 0) {
            out += kReplacement;
            ++pos;
            continue;
        }
        std::size_t n = valid_prefix(text, pos, lead);
        if (n == lead.length)
            out.append(text.substr(pos, n));
        else
            out += kReplacement;
        pos += n;
    }
    return out;
}

namespace {

// Ruby's Float#to_s thresholds: fixed notation while the decimal exponent is in (-4, 16].
std::string ruby_layout(bool negative, std::string digits, int decpt) {
    std::string out = negative ? "-" : "";
    auto size = static_cast<int>(digits.size());
    if (decpt > 0 && decpt <= 16) {
        if (size <= decpt) return out + digits + std::string(decpt - size, '0') + ".0";
        return out + digits.substr(0, decpt) + "." + digits.substr(decpt);
    }
    if (decpt > -4 && decpt <= 0) return out + "0." + std::string(-decpt, '0') + digits;
    out += digits.substr(0, 1) + "." + (size > 1 ? digits.substr(1) : "0") + "e";
    int exponent = decpt - 1;
    out += exponent < 0 ? '-' : '+';
    std::string magnitude = std::to_string(std::abs(exponent));
    return out + (magnitude.size() < 2 ? "0" : "") + magnitude;
}

}  // namespace

std::string ruby_float(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
    // Shortest round-trip digits, as "-d.ddde+XX".
    char buf[64];
    auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(result.ptr - buf));
    bool negative = sci.front() == '-';
    if (negative) sci.remove_prefix(1);
    std::size_t e = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e))
        if (c != '.') digits += c;
    std::string_view exp_text = sci.substr(e + 1);
    if (exp_text.front() == '+') exp_text.remove_prefix(1);
    int exponent = 0;
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
    return ruby_layout(negative, std::move(digits), exponent + 1);
}

}  // namespace detail

namespace {

void write_value(std::string& out, const Node& node);

// Rails' EscapedString additionally escapes HTML-significant characters and JS line terminators.
void write_string(std::string& out, std::string_view text) {
    std::string quoted = nlohmann::ordered_json(detail::valid_utf8(text))
                             .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    for (std::size_t i = 0; i < quoted.size(); ++i) {
        char c = quoted[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (quoted.compare(i, 3, "\xE2\x80\xA8") == 0 || quoted.compare(i, 3, "\xE2\x80\xA9") == 0) {
            out += quoted[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
}

void write_key(std::string& out, std::string_view key) {
    write_string(out, key);
    out += ':';
}

using Field = std::pair<std::string_view, const Node*>;

// The builder fills a Ruby Hash: a repeated key keeps its first position but takes the last value.
std::vector<Field> hash_fields(const Node& node) {
    std::vector<Field> fields;
    auto add = [&fields](const std::pair<std::string, Node>& entry) {
        for (auto& field : fields) {
            if (field.first == entry.first) {
                field.second = &entry.second;
                return;
            }
        }
        fields.emplace_back(entry.first, &entry.second);
    };
    for (const auto& entry : node.attrs()) add(entry);
    for (const auto& entry : node.members()) add(entry);
    return fields;
}

void write_object(std::string& out, const Node& node) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : hash_fields(node)) {
        if (!first) out += ',';
        first = false;
        write_key(out, key);
        write_value(out, *value);
    }
    out += '}';
}

void write_array(std::string& out, const Node& node) {
    out += '[';
    bool first = true;
    for (const auto& item : node.items()) {
        if (!first) out += ',';
        first = false;
        write_value(out, item);
    }
    out += ']';
}

void write_value(std::string& out, const Node& node) {
    switch (node.kind()) {
        case Node::Kind::Null:
            out += "null";
            break;
        case Node::Kind::Bool:
            out += node.boolean() ? "true" : "false";
            break;
        case Node::Kind::Int:
            out += std::to_string(node.integer());
            break;
        case Node::Kind::Float:
            // Float#as_json turns NaN and Infinity into nil.
            out += std::isfinite(node.real()) ? detail::ruby_float(node.real()) : "null";
            break;
        case Node::Kind::String:
            write_string(out, node.string());
            break;
        case Node::Kind::Object:
            write_object(out, node);
            break;
        case Node::Kind::Array:
            write_array(out, node);
            break;
    }
}

}  // namespace

std::string render_json(const Document& doc) {
    std::string out = "{";
    write_key(out, doc.root);
    write_value(out, doc.node);
    for (const auto& [key, value] : doc.meta) {
        out += ',';
        write_key(out, key);
        out += std::to_string(value);
    }
    out += '}';
    return out;
}

std::string render(const Document& doc, Format format) {
    return format == Format::Xml ? render_xml(doc) : render_json(doc);
}

Document errors_document(const std::vector<std::string>& messages) {
    Node list = Node::array("error");
    for (const auto& message : messages) list.push(message);
    return Document{"errors", std::move(list), {}};
}

}  // namespace api
