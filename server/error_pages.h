// Error answers that Rails renders itself, outside Redmine's controllers (ActionDispatch's
// PublicExceptions): parameters it cannot read (400), and the like.
#pragma once

#include <string>

#include "server/request.h"

namespace app {

// The format Rails' Request#formats picks for an error page: the Accept header's best type unless
// the header is missing or a browser's (`text/html, */*`), else the URL's extension (json, xml).
// "json", "xml", "yaml", or "" for HTML.
std::string error_format(const http::Request& req, const std::string& extension);

// {"status":400,"error":"Bad Request"} as JSON, XML (Hash#to_xml) or YAML; nothing as text/html.
http::Response public_exception(const http::Request& req, int status, const std::string& extension);

}  // namespace app
