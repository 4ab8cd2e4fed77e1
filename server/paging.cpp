#include "server/paging.h"

#include "serializers/body.h"
#include "server/context.h"

#include <cctype>
#include <limits>

namespace app {

long long ruby_to_i(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    long long n = 0;
    constexpr long long cap = std::numeric_limits<long long>::max() / 10 - 10;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
        if (n < cap) n = n * 10 + (s[i] - '0');  // saturates instead of overflowing
    }
    return negative ? -n : n;
}

Paging parse_paging(const nlohmann::json& params) {
    Paging p;
    bool has_offset = false;
    if (auto o = api::param_text(params, "offset"); o && !o->empty()) {
        has_offset = true;
        p.offset = std::max(0LL, ruby_to_i(*o));
    }
    p.limit = ruby_to_i(api::param_text(params, "limit").value_or(""));
    if (p.limit < 1) p.limit = 25;
    else if (p.limit > 100) p.limit = 100;
    if (!has_offset) {
        if (auto page = api::param_text(params, "page"); page && !page->empty()) {
            long long n = ruby_to_i(*page);
            p.offset = n > 1 ? (n - 1) * p.limit : 0;
            if (p.offset < 0) p.offset = 0;
        }
    }
    return p;
}

std::vector<std::string> includes(const nlohmann::json& params) {
    std::vector<std::string> out;
    const std::string v = api::param_text(params, "include").value_or("");
    size_t start = 0;
    while (start <= v.size()) {
        auto comma = v.find(',', start);
        std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto b = item.find_first_not_of(' ');
        auto e = item.find_last_not_of(' ');
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

bool has_include(const nlohmann::json& params, const std::string& name) {
    for (const auto& i : includes(params))
        if (i == name) return true;
    return false;
}

bool nometa(const Context& ctx) {
    if (auto n = ctx.param("nometa"); n && n->find_first_not_of(" \t") != std::string::npos) return true;
    return ctx.req.header("x-redmine-nometa").has_value();
}

api::Document list_document(const Context& ctx, std::string root, api::Node items, long long total,
                            const Paging& paging) {
    api::Document doc{std::move(root), std::move(items), {}};
    if (!nometa(ctx)) doc.meta = {{"total_count", total}, {"offset", paging.offset}, {"limit", paging.limit}};
    return doc;
}

}  // namespace app
