// Text helpers shared by the controllers.
#pragma once

#include <cstddef>
#include <string>

namespace resources {

// Characters as Ruby counts them (String#length on UTF-8): Rails' length validations use it.
size_t utf8_length(const std::string& s);

// Every byte but ASCII letters, digits and those in `keep` as %XX (upper-case hex).
std::string percent_escape(const std::string& s, const std::string& keep);

// A URL path segment escaped as Rails' URL helpers escape it.
std::string url_segment(const std::string& s);

}  // namespace resources
