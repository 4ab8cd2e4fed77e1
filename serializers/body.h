// Request parameters: JSON, XML, urlencoded and multipart bodies and the query string all parse into
// one plain nlohmann::json value, merged as Rails merges them, so a controller reads
// `params["issue"]["subject"]` the same way whatever the client sent.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serializers/render.h"

namespace api {

// A body the server refuses to read (answered with 400, like Rails' ParseError).
struct BadBody : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A Content-Type Rails cannot read (Mime::Type::InvalidMimeType: `foo`, an empty value): 406 for
// any request, with or without a body.
struct BadMediaType : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Mime::Type::MIME_REGEXP without parameters: `*/*`, `type/*` or `type/subtype`.
bool valid_mime_type(std::string_view type);

// An empty body is an empty object; a blank one does not parse. JSON that is not an object is
// {"_json": value}, as Rails' JSON params parser gives it. XML follows ActiveSupport's Hash.from_xml:
// the root element is the single top-level key, dashes in names become underscores,
// type="integer|float|decimal|boolean|array" and nil="true" are honoured. Throws BadBody on malformed
// input, an XML DOCTYPE, or nesting deeper than 100 levels (Ruby's JSON max_nesting).
nlohmann::json parse_body(std::string_view body, Format format);

// Rails' request.request_parameters: the body as its Content-Type says (JSON, XML, urlencoded,
// multipart; a POST's without a Content-Type as a form if it parses), else nothing. A multipart body
// Rack gives up on counts as none. Throws BadMediaType, BadBody, and BadParams (serializers/form.h).
nlohmann::json request_parameters(std::string_view method, const std::optional<std::string>& content_type,
                                  std::string_view body);

// Rack::MethodOverride, which Rails puts in front of Redmine: a POST runs as the method its form's
// `_method` or its X-HTTP-Method-Override header names (GET, PUT, PATCH, DELETE, ...).
std::string method_override(const std::string& method, const std::optional<std::string>& content_type,
                            std::string_view body, const std::optional<std::string>& header);

// Rails' request.query_parameters, from the decoded pairs of the query string.
nlohmann::json query_parameters(const std::vector<std::pair<std::string, std::string>>& pairs);

// params[name] as text when it is a scalar (a string, or a JSON number or boolean); nothing when it is
// missing, null, an array or a hash.
std::optional<std::string> param_text(const nlohmann::json& params, const std::string& name);

// Rails' request.parameters: the request parameters with the query's top-level keys over them, then the
// route's (a query `issue[subject]=x` replaces a body's whole "issue").
nlohmann::json merge_parameters(nlohmann::json request, const nlohmann::json& query,
                                const std::map<std::string, std::string>& route);

}  // namespace api
