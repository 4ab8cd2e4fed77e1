#include "db/yaml.h"

namespace db {

namespace {
std::string yaml_scalar(std::string s) {
    if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') {
        std::string out;
        for (size_t i = 1; i + 1 < s.size(); ++i) {
            out += s[i];
            if (s[i] == '\'' && s[i + 1] == '\'') ++i;
        }
        return out;
    }
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
        std::string out;
        for (size_t i = 1; i + 1 < s.size(); ++i) {
            if (s[i] == '\\' && i + 2 < s.size()) {
                char n = s[++i];
                out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
            } else {
                out += s[i];
            }
        }
        return out;
    }
    return s;
}
}  // namespace

std::vector<std::string> yaml_list(const std::string& yaml) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < yaml.size()) {
        auto eol = yaml.find('\n', pos);
        std::string line = yaml.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        pos = eol == std::string::npos ? yaml.size() : eol + 1;
        if (line.rfind("- ", 0) == 0) out.push_back(yaml_scalar(line.substr(2)));
        else if (line == "-") out.emplace_back();
    }
    return out;
}

}  // namespace db
