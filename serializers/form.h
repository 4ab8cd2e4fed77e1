// Request parameters as Rack 2.2 builds them (Debian 12's rack 2.2.22: Rack::QueryParser and
// Rack::Multipart::Parser), into the same nlohmann::json tree that JSON and XML bodies give:
// `a[b]=1` is {"a":{"b":"1"}}, `a[]=1&a[]=2` is {"a":["1","2"]}, `a[][b]=1&a[][c]=2` groups into
// [{"b":"1","c":"2"}], and a name without `=` is null. Rack's limits hold: 100 levels of nesting,
// 65,536 characters of keys per hash, 4,096 parameters, 4 MiB of urlencoded body.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace api {

// Parameters Rack refuses: shapes in conflict (`a=1&a[b]=2`), a bad %-escape, a name that is not
// UTF-8, or one of Rack's limits. Rails answers 400 to the first three and 500 to the limits; we
// answer 400 to all.
struct BadParams : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A multipart body Rack gives up on (its EOFError: no boundary, a part without its end, a bad
// boundary parameter). Rails then reads the request as if it had no body.
struct BrokenMultipart : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One decoded parameter: a name and its value, none for a name without `=` (Ruby's nil).
using FormPair = std::pair<std::string, std::optional<std::string>>;

// Rack::QueryParser#normalize_params over each pair in order.
nlohmann::json nest_pairs(const std::vector<FormPair>& pairs);

// An application/x-www-form-urlencoded body, as Rack reads one: pairs split at `&` (and the
// spaces after it), `+` and %XX decoded, a trailing NUL dropped.
nlohmann::json parse_urlencoded(std::string_view body);

// A multipart body under the request's Content-Type header. Nothing when the header names no
// boundary: Rack then reads the body as urlencoded. A file part becomes what Rails' UploadedFile
// holds, {"filename", "type", "head"}, without its bytes (no Redmine API action reads a multipart
// file; uploads take the raw body); a part with an empty filename is skipped.
std::optional<nlohmann::json> parse_multipart(std::string_view body, std::string_view content_type);

}  // namespace api
