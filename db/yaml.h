// Values that Rails stores serialized as YAML (settings, roles' permissions, custom fields'
// possible values): the simple lists Redmine writes there.
#pragma once

#include <string>
#include <vector>

namespace db {
// The items of a YAML list of scalars ("---\n- a\n- 'b'\n- :sym\n"); quoting undone, symbols kept
// with their colon.
std::vector<std::string> yaml_list(const std::string& yaml);
}  // namespace db
