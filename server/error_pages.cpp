#include "server/error_pages.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "serializers/body.h"

namespace app {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// Mime::Type.lookup(name).symbol for the formats an error page knows: "json", "xml", "yaml", "other"
// for Rails' other registered types and */*, "" for a type Rails does not know. Throws for a string
// that is no MIME type (Rails then renders HTML).
std::string symbol_of(std::string_view name) {
    const std::string type = lower(name);
    if (type == "application/json" || type == "text/x-json" || type == "application/jsonrequest") return "json";
    if (type == "application/xml" || type == "text/xml" || type == "application/x-xml") return "xml";
    if (type == "application/x-yaml" || type == "text/yaml") return "yaml";
    static const std::vector<std::string_view> registered = {
        "*/*", "text/html", "application/xhtml+xml", "text/plain", "text/javascript", "application/javascript",
        "application/x-javascript", "text/css", "text/calendar", "text/csv", "text/vcard", "text/vtt",
        "image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff", "image/svg+xml", "video/mpeg",
        "audio/mpeg", "audio/ogg", "audio/aac", "audio/mp4", "video/webm", "video/mp4", "font/otf", "font/ttf",
        "font/woff", "font/woff2", "application/rss+xml", "application/atom+xml", "multipart/form-data",
        "application/x-www-form-urlencoded", "application/pdf", "application/zip", "application/gzip",
        "application/x-gzip"};
    if (std::find(registered.begin(), registered.end(), type) != registered.end()) return "other";
    if (!api::valid_mime_type(type)) throw api::BadMediaType(type);
    return "";
}

struct AcceptItem {
    std::size_t index;
    std::string name;
    int q;
};

// Mime::Type.parse and AcceptList.sort!: by q, then by order; `x/*` stands for the first type Rails
// registered under x (application/xml, text/html).
std::vector<std::string> accepted(std::string_view header) {
    std::vector<AcceptItem> items;
    std::size_t index = 0;
    auto add = [&](std::string name, std::string_view q) {
        name = std::string(trim(name));
        if (name.empty()) return;
        if (name.size() > 2 && name != "*/*" && name.compare(name.size() - 2, 2, "/*") == 0) {
            const std::string prefix = lower(name.substr(0, name.size() - 2));
            if (prefix == "application") name = "application/xml";
            else if (prefix == "text") name = "text/html";
            else return;
        }
        double weight = q.empty() ? (name == "*/*" ? 0.0 : 1.0) : std::atof(std::string(q).c_str());
        items.push_back({index++, name, static_cast<int>(weight * 100)});
    };
    if (header.find(',') == std::string_view::npos) {
        add(std::string(header.substr(0, header.find(';'))), "");
    } else {
        std::size_t start = 0;
        for (;;) {
            std::size_t comma = header.find(',', start);
            std::string_view item = header.substr(start, comma == std::string_view::npos ? comma : comma - start);
            std::string_view name = item, q;
            // PARAMETER_SEPARATOR_REGEXP = /;\s*q="?/
            for (std::size_t semi = item.find(';'); semi != std::string_view::npos; semi = item.find(';', semi + 1)) {
                std::size_t p = semi + 1;
                while (p < item.size() && std::isspace(static_cast<unsigned char>(item[p]))) ++p;
                if (p < item.size() && item[p] == 'q' && p + 1 < item.size() && item[p + 1] == '=') {
                    name = item.substr(0, semi);
                    q = item.substr(p + 2);
                    if (!q.empty() && q.front() == '"') q.remove_prefix(1);
                    break;
                }
            }
            add(std::string(name), q);
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        std::stable_sort(items.begin(), items.end(), [](const AcceptItem& a, const AcceptItem& b) { return a.q > b.q; });
    }
    std::vector<std::string> out;
    for (const auto& item : items) {
        std::string symbol = symbol_of(item.name);
        if (!symbol.empty()) out.push_back(symbol);  // formats keep what Rails knows
    }
    return out;
}

}  // namespace

std::string error_format(const http::Request& req, const std::string& extension) {
    const std::string accept = std::string(trim(req.header("accept").value_or("")));
    // valid_accept_header: present, and not a browser's (/,\s*\*\/\*|\*\/\*\s*,/)
    bool browser = false;
    for (std::size_t star = accept.find("*/*"); star != std::string::npos; star = accept.find("*/*", star + 1)) {
        std::size_t before = star;
        while (before > 0 && std::isspace(static_cast<unsigned char>(accept[before - 1]))) --before;
        std::size_t after = star + 3;
        while (after < accept.size() && std::isspace(static_cast<unsigned char>(accept[after]))) ++after;
        if ((before > 0 && accept[before - 1] == ',') || (after < accept.size() && accept[after] == ',')) browser = true;
    }
    if (!accept.empty() && !browser) {
        try {
            auto formats = accepted(accept);
            if (formats.empty()) return "";
            return formats.front() == "other" ? "" : formats.front();
        } catch (const api::BadMediaType&) {
            return "";
        }
    }
    if (extension == "json" || extension == "xml" || extension == "yaml" || extension == "yml")
        return extension == "yml" ? "yaml" : extension;
    return "";
}

http::Response public_exception(const http::Request& req, int status, const std::string& extension) {
    http::Response r;
    r.status = status;
    const std::string error = http::reason_phrase(status);
    const std::string format = error_format(req, extension);
    if (format == "json") {
        r.content_type = "application/json; charset=utf-8";
        r.body = "{\"status\":" + std::to_string(status) + ",\"error\":\"" + error + "\"}";
    } else if (format == "xml") {
        r.content_type = "application/xml; charset=utf-8";
        r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hash>\n  <status type=\"integer\">" +
                 std::to_string(status) + "</status>\n  <error>" + error + "</error>\n</hash>\n";
    } else if (format == "yaml") {
        r.content_type = "application/x-yaml; charset=utf-8";
        r.body = "---\n:status: " + std::to_string(status) + "\n:error: " + error + "\n";
    } else {
        r.content_type = "text/html; charset=utf-8";
    }
    return r;
}

}  // namespace app
