// Renders the neutral response tree (tree.h) as Redmine 5.0's API builder does, byte for byte:
// compact JSON (json.cpp) or XML (xml.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "serializers/tree.h"

namespace api {

enum class Format { Json, Xml };

std::string render_json(const Document& doc);
std::string render_xml(const Document& doc);
std::string render(const Document& doc, Format format);

// Validation failures: `{"errors":["..."]}` / `<errors type="array"><error>...</error></errors>`.
Document errors_document(const std::vector<std::string>& messages);

namespace detail {

// Replaces each maximal ill-formed UTF-8 subsequence with U+FFFD (as Ruby's String#scrub),
// so no renderer or parser ever has to throw on bad bytes from the database or a client.
std::string valid_utf8(std::string_view text);

// Ruby's Float#to_s: shortest round-trip digits, always a decimal point ("16.0", "1.0e-05").
std::string ruby_float(double value);

}  // namespace detail

}  // namespace api
