// Request bodies: JSON and XML both parse into one plain nlohmann::json value, so a controller reads
// `body["issue"]["subject"]` the same way whatever the client sent.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

#include "serializers/render.h"

namespace api {

// A body the server refuses to read (answered with 400, like Rails' ParseError).
struct BadBody : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// An empty or blank body is an empty object. XML follows ActiveSupport's Hash.from_xml: the root element
// is the single top-level key, dashes in names become underscores, type="integer|float|decimal|boolean|array"
// and nil="true" are honoured. Throws BadBody on malformed input, a JSON top level that is not an object,
// an XML DOCTYPE, or nesting deeper than 32 levels.
nlohmann::json parse_body(std::string_view body, Format format);

}  // namespace api
