// Rack 2.2's parameter parsers, rule for rule (rack 2.2.22 lib/rack/query_parser.rb and
// lib/rack/multipart/parser.rb). Rack matches names with Ruby regexes whose `^` and `$` are line
// anchors; the hand-written matchers below keep that, so a name holding a newline nests as in Rack.
// The multipart parser reads the whole body at once where Rack reads 1 MiB at a time; the outcome
// differs only for a preamble of over 1 MiB before the first boundary, which Rack gives up on.
#include "serializers/form.h"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>

#include "serializers/render.h"

namespace api {

namespace {

constexpr int kDepthLimit = 100;                  // Rack::Utils.param_depth_limit
constexpr std::size_t kKeySpaceLimit = 65536;      // Rack::Utils.key_space_limit, per hash
constexpr std::size_t kParamsLimit = 4096;         // Rack::QueryParser::PARAMS_LIMIT
constexpr std::size_t kBytesizeLimit = 4194304;    // Rack::QueryParser::BYTESIZE_LIMIT
constexpr std::size_t kFileLimit = 128;            // Rack::Utils.multipart_file_limit
constexpr std::size_t kPartLimit = 4096;           // Rack::Utils.multipart_total_part_limit
constexpr std::size_t kRetainedLimit = 16 << 20;   // BUFFERED_UPLOAD_BYTESIZE_LIMIT
constexpr std::size_t kHeadLimit = 64 * 1024;      // MIME_HEADER_BYTESIZE_LIMIT

// ---- Rack's values: nil, String, an uploaded file (a plain Ruby Hash), Array, Params ----

struct Value {
    enum class Kind { Nil, String, File, Array, Hash };
    Kind kind = Kind::Nil;
    std::string text;                   // String
    std::shared_ptr<nlohmann::json> file;  // File
    std::vector<Value> items;           // Array
    std::vector<std::string> keys;      // Hash, in insertion order
    std::vector<Value> values;
    std::unordered_map<std::string, std::size_t> index;
    std::size_t key_space = 0;

    static Value string(std::string s) {
        Value v;
        v.kind = Kind::String;
        v.text = std::move(s);
        return v;
    }
    static Value of(Kind k) {
        Value v;
        v.kind = k;
        return v;
    }
    bool nil() const { return kind == Kind::Nil; }
    bool hash() const { return kind == Kind::Hash; }
    bool array() const { return kind == Kind::Array; }

    Value* find(std::string_view key) {
        auto it = index.find(std::string(key));
        return it == index.end() ? nullptr : &values[it->second];
    }
    // Params#[]=: a new key counts its characters against the hash's key space.
    Value& set(std::string_view key, Value v) {
        if (Value* existing = find(key)) return *existing = std::move(v);
        for (char c : key)
            if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++key_space;
        if (key_space > kKeySpaceLimit) throw BadParams("exceeded available parameter key space");
        index.emplace(std::string(key), values.size());
        keys.emplace_back(key);
        values.push_back(std::move(v));
        return values.back();
    }
};

const char* class_name(const Value& v) {
    switch (v.kind) {
        case Value::Kind::Nil: return "NilClass";
        case Value::Kind::String: return "String";
        case Value::Kind::File: return "Hash";
        case Value::Kind::Array: return "Array";
        case Value::Kind::Hash: return "Rack::QueryParser::Params";
    }
    return "";
}

nlohmann::json to_json(const Value& v) {
    switch (v.kind) {
        case Value::Kind::Nil: return nullptr;
        case Value::Kind::String: return v.text;
        case Value::Kind::File: return *v.file;
        case Value::Kind::Array: {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& item : v.items) out.push_back(to_json(item));
            return out;
        }
        case Value::Kind::Hash: {
            nlohmann::json out = nlohmann::json::object();
            for (std::size_t i = 0; i < v.keys.size(); ++i) out[v.keys[i]] = to_json(v.values[i]);
            return out;
        }
    }
    return nullptr;
}

bool is_bracket(char c) { return c == '[' || c == ']'; }

// name =~ %r(\A[\[\]]*([^\[\]]+)\]*): k is $1, after is $'; no match gives "" and "".
std::pair<std::string_view, std::string_view> split_name(std::string_view name) {
    std::size_t i = 0;
    while (i < name.size() && is_bracket(name[i])) ++i;
    if (i == name.size()) return {{}, {}};
    std::size_t j = i;
    while (j < name.size() && !is_bracket(name[j])) ++j;
    std::size_t e = j;
    while (e < name.size() && name[e] == ']') ++e;
    return {name.substr(i, j - i), name.substr(e)};
}

// The line starts of a string: where Ruby's `^` matches.
template <typename F>
std::optional<std::string_view> first_line(std::string_view s, F&& at) {
    for (std::size_t p = 0; p < s.size();) {
        if (auto r = at(p)) return r;
        std::size_t nl = s.find('\n', p);
        if (nl == std::string_view::npos) break;
        p = nl + 1;
    }
    return std::nullopt;
}

// after =~ %r(^\[\]\[([^\[\]]+)\]$) || after =~ %r(^\[\](.+)$): the child key, $1.
std::optional<std::string_view> array_child_key(std::string_view after) {
    const std::size_t n = after.size();
    auto hash_item = first_line(after, [&](std::size_t p) -> std::optional<std::string_view> {
        if (after.substr(p, 3) != "[][") return std::nullopt;
        std::size_t q = p + 3;
        while (q < n && !is_bracket(after[q])) ++q;
        if (q == p + 3 || q == n || after[q] != ']' || (q + 1 < n && after[q + 1] != '\n')) return std::nullopt;
        return after.substr(p + 3, q - p - 3);
    });
    if (hash_item) return hash_item;
    return first_line(after, [&](std::size_t p) -> std::optional<std::string_view> {
        if (after.substr(p, 2) != "[]") return std::nullopt;
        std::size_t q = p + 2;
        while (q < n && after[q] != '\n') ++q;
        if (q == p + 2) return std::nullopt;
        return after.substr(p + 2, q - p - 2);
    });
}

// params_hash_has_key?
bool has_key(Value& hash, std::string_view key) {
    if (key.find("[]") != std::string_view::npos) return false;
    Value* h = &hash;
    std::size_t i = 0;
    while (i < key.size()) {
        while (i < key.size() && is_bracket(key[i])) ++i;
        if (i == key.size()) break;
        std::size_t j = i;
        while (j < key.size() && !is_bracket(key[j])) ++j;
        if (!h->hash()) return false;
        h = h->find(key.substr(i, j - i));
        if (!h) return false;
        i = j;
    }
    return true;
}

Value array_of(const Value& v) {
    Value out = Value::of(Value::Kind::Array);
    out.items.push_back(v);
    return out;
}

// `params[k] ||= []` / `params[k] ||= make_params`, then Rack's type check.
Value& ensure(Value& params, std::string_view k, Value::Kind kind) {
    Value* cur = params.find(k);
    if (!cur || cur->nil()) cur = &params.set(k, Value::of(kind));
    if (cur->kind != kind)
        throw BadParams(std::string("expected ") + (kind == Value::Kind::Array ? "Array" : "Hash") + " (got " +
                        class_name(*cur) + ") for param `" + std::string(k) + "'");
    return *cur;
}

// Rack's normalize_params. It returns `params` itself except where the name has no key, where it
// returns Array(v) or nil: that is the value given back here, for the caller to store.
std::optional<Value> normalize(Value& params, std::string_view name, const Value& v, int depth) {
    if (depth <= 0) throw BadParams("exceeded param depth limit");
    auto [k, after] = split_name(name);
    if (k.empty()) {
        if (!v.nil() && name == "[]") return array_of(v);
        return Value{};
    }
    if (after.empty()) {
        params.set(k, v);
    } else if (after == "[") {
        params.set(name, v);
    } else if (after == "[]") {
        ensure(params, k, Value::Kind::Array).items.push_back(v);
    } else if (auto child = array_child_key(after)) {
        Value& list = ensure(params, k, Value::Kind::Array);
        if (!list.items.empty() && list.items.back().hash() && !has_key(list.items.back(), *child)) {
            normalize(list.items.back(), *child, v, depth - 1);
        } else {
            Value fresh = Value::of(Value::Kind::Hash);
            auto replaced = normalize(fresh, *child, v, depth - 1);
            list.items.push_back(replaced ? std::move(*replaced) : std::move(fresh));
        }
    } else {
        Value& hash = ensure(params, k, Value::Kind::Hash);
        if (auto replaced = normalize(hash, after, v, depth - 1)) params.set(k, std::move(*replaced));
    }
    return std::nullopt;
}

void add(Value& params, std::string_view name, const Value& v) {
    // Ruby's regex match raises on a name that is not UTF-8; Rack reports it as a bad parameter.
    if (detail::valid_utf8(name) != name) throw BadParams("invalid byte sequence in UTF-8");
    normalize(params, name, v, kDepthLimit);
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// URI.decode_www_form_component: `+` is a space, %XX a byte, any other `%` an error.
std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
                throw BadParams("invalid %-encoding");
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// ---- multipart ----

bool ieq(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::size_t ifind(std::string_view s, std::string_view needle, std::size_t from) {
    for (std::size_t i = from; i + needle.size() <= s.size(); ++i)
        if (ieq(s.substr(i, needle.size()), needle)) return i;
    return std::string_view::npos;
}


// Encoding.find, for the charsets a part may name: Ruby 3.1's Encoding.name_list (Rails sets the
// default internal and external encodings to UTF-8).
enum class Charset { Utf8, Latin1, Ascii, Other, Unknown };

Charset ruby_encoding(std::string_view name) {
    static const std::string_view names =
        " 646 ANSI_X3.4-1968 ASCII ASCII-8BIT Big5 Big5-HKSCS Big5-HKSCS:2008 Big5-UAO BINARY CESU-8 CP1250"
        " CP1251 CP1252 CP1253 CP1254 CP1255 CP1256 CP1257 CP1258 CP437 CP50220 CP50221 CP51932 CP65000"
        " CP65001 CP720 CP737 CP775 CP850 CP852 CP855 CP857 CP860 CP861 CP862 CP863 CP864 CP865 CP866 CP869"
        " CP874 CP878 CP932 CP936 CP949 CP950 CP951 csWindows31J ebcdic-cp-us Emacs-Mule EUC-CN EUC-JIS-2004"
        " EUC-JISX0213 EUC-JP euc-jp-ms EUC-KR EUC-TW eucCN eucJP eucJP-ms eucKR eucTW external filesystem"
        " GB12345 GB18030 GB1988 GB2312 GBK IBM037 IBM437 IBM720 IBM737 IBM775 IBM850 IBM852 IBM855 IBM857"
        " IBM860 IBM861 IBM862 IBM863 IBM864 IBM865 IBM866 IBM869 internal ISO-2022-JP ISO-2022-JP-2"
        " ISO-2022-JP-KDDI ISO-8859-1 ISO-8859-10 ISO-8859-11 ISO-8859-13 ISO-8859-14 ISO-8859-15 ISO-8859-16"
        " ISO-8859-2 ISO-8859-3 ISO-8859-4 ISO-8859-5 ISO-8859-6 ISO-8859-7 ISO-8859-8 ISO-8859-9 ISO2022-JP"
        " ISO2022-JP2 ISO8859-1 ISO8859-10 ISO8859-11 ISO8859-13 ISO8859-14 ISO8859-15 ISO8859-16 ISO8859-2"
        " ISO8859-3 ISO8859-4 ISO8859-5 ISO8859-6 ISO8859-7 ISO8859-8 ISO8859-9 KOI8-R KOI8-U locale"
        " macCentEuro macCroatian macCyrillic macGreek macIceland MacJapan MacJapanese macRoman macRomania"
        " macThai macTurkish macUkraine PCK Shift_JIS SJIS SJIS-DoCoMo SJIS-KDDI SJIS-SoftBank"
        " stateless-ISO-2022-JP stateless-ISO-2022-JP-KDDI TIS-620 UCS-2BE UCS-4BE UCS-4LE US-ASCII UTF-16"
        " UTF-16BE UTF-16LE UTF-32 UTF-32BE UTF-32LE UTF-7 UTF-8 UTF-8-HFS UTF-8-MAC UTF8-DoCoMo UTF8-KDDI"
        " UTF8-MAC UTF8-SoftBank Windows-1250 Windows-1251 Windows-1252 Windows-1253 Windows-1254"
        " Windows-1255 Windows-1256 Windows-1257 Windows-1258 Windows-31J Windows-874 ";
    auto is = [&](std::initializer_list<std::string_view> list) {
        return std::any_of(list.begin(), list.end(), [&](std::string_view n) { return ieq(n, name); });
    };
    if (is({"UTF-8", "CP65001", "locale", "external", "filesystem", "internal"})) return Charset::Utf8;
    if (is({"ISO-8859-1", "ISO8859-1"})) return Charset::Latin1;
    if (is({"US-ASCII", "ASCII", "ANSI_X3.4-1968", "646"})) return Charset::Ascii;
    if (name.empty() || name.find(' ') != std::string_view::npos) return Charset::Unknown;
    for (std::size_t at = ifind(names, name, 0); at != std::string_view::npos; at = ifind(names, name, at + 1))
        if (names[at - 1] == ' ' && names[at + name.size()] == ' ') return Charset::Other;
    return Charset::Unknown;
}

std::string latin1_to_utf8(std::string_view s) {
    std::string out;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x80) {
            out += c;
        } else {
            out += static_cast<char>(0xC0 | (u >> 6));
            out += static_cast<char>(0x80 | (u & 0x3F));
        }
    }
    return out;
}


bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Ruby's String#strip: whitespace and NUL at both ends.
std::string_view strip(std::string_view s) {
    auto blank = [](char c) { return is_space(c) || c == '\0'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

// The boundary of a Content-Type header: %r|\Amultipart/.*?boundary(\s*)=\"?([^\";,]+)\"?|ni.
std::optional<std::string> boundary_of(std::string_view ct) {
    if (ct.size() < 10 || !ieq(ct.substr(0, 10), "multipart/")) return std::nullopt;
    const std::size_t line_end = std::min(ct.find('\n', 10), ct.size());
    for (std::size_t at = ifind(ct, "boundary", 10); at != std::string_view::npos && at < line_end;
         at = ifind(ct, "boundary", at + 1)) {
        std::size_t p = at + 8;
        std::size_t spaces = p;
        while (p < ct.size() && is_space(ct[p])) ++p;
        if (p == ct.size() || ct[p] != '=') continue;
        const bool space_before_equals = p > spaces;
        ++p;
        auto value_at = [&](std::size_t q) {
            std::size_t e = q;
            while (e < ct.size() && ct[e] != '"' && ct[e] != ';' && ct[e] != ',') ++e;
            return e;
        };
        std::size_t start = p, end = value_at(p);
        if (p < ct.size() && ct[p] == '"' && value_at(p + 1) > p + 1) start = p + 1, end = value_at(p + 1);
        if (end == start) continue;
        std::size_t match_end = end < ct.size() && ct[end] == '"' ? end + 1 : end;
        if (space_before_equals) throw BrokenMultipart("whitespace between boundary parameter name and equal sign");
        for (std::size_t b = ifind(ct, "boundary", match_end); b != std::string_view::npos;
             b = ifind(ct, "boundary", b + 1)) {
            std::size_t q = b + 8;
            while (q < ct.size() && is_space(ct[q])) ++q;
            if (q < ct.size() && ct[q] == '=') throw BrokenMultipart("multiple boundary parameters found");
        }
        return std::string(ct.substr(start, end - start));
    }
    return std::nullopt;
}

// TOKEN = /[^\s()<>,;:\\"\/\[\]?=]+/
bool token_char(char c) {
    return !is_space(c) && std::string_view("()<>,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// ATTRIBUTE_CHAR = %r{[^ \x00-\x1f\x7f)(><@,;:\\"/\[\]?='*%]}
bool attribute_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f && std::string_view(")(><@,;:\\\"/[]?='*%").find(c) == std::string_view::npos;
}

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// VALUE = /"(?:\\"|[^"])*"|TOKEN/ at p: its length, 0 when it does not match.
std::size_t value_length(std::string_view s, std::size_t p) {
    if (p >= s.size()) return 0;
    if (s[p] == '"') {
        std::size_t last_escaped_quote = std::string_view::npos;
        for (std::size_t q = p + 1; q < s.size();) {
            if (s[q] == '\\' && q + 1 < s.size() && s[q + 1] == '"') {
                last_escaped_quote = q + 1;
                q += 2;
            } else if (s[q] == '"') {
                return q + 1 - p;
            } else {
                ++q;
            }
        }
        // No bare closing quote: the regex backtracks to close on the last escaped one.
        if (last_escaped_quote != std::string_view::npos) return last_escaped_quote + 1 - p;
        return 0;  // TOKEN cannot start with a quote
    }
    std::size_t q = p;
    while (q < s.size() && token_char(s[q])) ++q;
    return q - p;
}

// Rack::Auth::Digest::Params.dequote: /\A"(.*)"\Z/ then gsub(/\\(.)/, '\1').
std::string unbackslash(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] != '\n') ++i;
        out += s[i];
    }
    return out;
}

std::string dequote(std::string_view s) {
    std::string_view body = !s.empty() && s.back() == '\n' ? s.substr(0, s.size() - 1) : s;
    if (body.size() >= 2 && body.front() == '"' && body.back() == '"' &&
        body.substr(1, body.size() - 2).find('\n') == std::string_view::npos)
        return unbackslash(body.substr(1, body.size() - 2));
    return unbackslash(s);
}

// head[/Content-Type: (.*)\r\n/ni, 1]
std::optional<std::string> content_type_of(std::string_view head) {
    for (std::size_t at = ifind(head, "content-type: ", 0); at != std::string_view::npos;
         at = ifind(head, "content-type: ", at + 1)) {
        const std::size_t start = at + 14;
        const std::size_t nl = head.find('\n', start);
        if (nl == std::string_view::npos || nl == start || head[nl - 1] != '\r') continue;
        return std::string(head.substr(start, nl - 1 - start));
    }
    return std::nullopt;
}

// head[/Content-Disposition:[^:]*;\s*name=(VALUE)/ni, 1]: the greedy [^:]* makes it the last `;`
// before the next colon that is followed by name=VALUE.
std::optional<std::string> disposition_name(std::string_view head) {
    for (std::size_t at = ifind(head, "content-disposition:", 0); at != std::string_view::npos;
         at = ifind(head, "content-disposition:", at + 1)) {
        const std::size_t from = at + 20;
        const std::size_t colon = std::min(head.find(':', from), head.size());
        for (std::size_t semi = colon; semi-- > from;) {
            if (head[semi] != ';') continue;
            std::size_t p = semi + 1;
            while (p < head.size() && is_space(head[p])) ++p;
            if (p + 5 > head.size() || !ieq(head.substr(p, 5), "name=")) continue;
            if (std::size_t n = value_length(head, p + 5)) return std::string(head.substr(p + 5, n));
        }
    }
    return std::nullopt;
}

// head[/Content-ID:\s*([^\r\n]*)/ni, 1]
std::optional<std::string> content_id(std::string_view head) {
    std::size_t at = ifind(head, "content-id:", 0);
    if (at == std::string_view::npos) return std::nullopt;
    std::size_t p = at + 11;
    while (p < head.size() && is_space(head[p])) ++p;
    std::size_t e = p;
    while (e < head.size() && head[e] != '\r' && head[e] != '\n') ++e;
    return std::string(head.substr(p, e - p));
}

// One DISPPARM = /;\s*(?:REGULAR_PARAMETER|EXTENDED_PARAMETER)\s*/ at a `;`.
struct DispParam {
    std::string name, value;
    std::size_t end = 0;       // after the trailing \s*
    bool line_ends = false;    // `$` can match within the trailing \s*
};

std::optional<DispParam> disp_param_at(std::string_view h, std::size_t semi) {
    const std::size_t n = h.size();
    std::size_t p = semi + 1;
    while (p < n && is_space(h[p])) ++p;
    std::size_t a = p;
    while (a < n && attribute_char(h[a])) ++a;
    if (a == p) return std::nullopt;
    DispParam out;
    std::size_t value_end = std::string_view::npos;
    // REGULAR_PARAMETER: ATTRIBUTE(\*[0-9]+)?=VALUE
    std::size_t q = a;
    if (q + 1 < n && h[q] == '*' && h[q + 1] >= '0' && h[q + 1] <= '9') {
        std::size_t d = q + 1;
        while (d < n && h[d] >= '0' && h[d] <= '9') ++d;
        if (d < n && h[d] == '=') q = d;
    }
    if (q < n && h[q] == '=') {
        if (std::size_t len = value_length(h, q + 1)) {
            out.name = std::string(h.substr(p, q - p));
            out.value = std::string(h.substr(q + 1, len));
            value_end = q + 1 + len;
        }
    }
    // EXTENDED_OTHER_VALUE* = (%XX | ATTRIBUTE_CHAR)*
    auto other_values = [&](std::size_t v) {
        while (v < n) {
            if (h[v] == '%' && v + 2 < n && hex(h[v + 1]) >= 0 && hex(h[v + 2]) >= 0) v += 3;
            else if (attribute_char(h[v])) ++v;
            else break;
        }
        return v;
    };
    if (value_end == std::string_view::npos) {
        // EXTENDED_INITIAL_PARAMETER: ATTRIBUTE(\*0)?\*=[a-zA-Z0-9\-]*'[a-zA-Z0-9\-]*'OTHER*
        for (std::size_t star : {a + 2, a}) {
            if (star == a + 2 && !(a + 1 < n && h[a] == '*' && h[a + 1] == '0')) continue;
            if (star >= n || h[star] != '*' || star + 1 >= n || h[star + 1] != '=') continue;
            std::size_t v = star + 2;
            auto charset = [&]() {
                while (v < n && (is_alnum(h[v]) || h[v] == '-')) ++v;
                return v < n && h[v] == '\'';
            };
            if (!charset()) continue;
            ++v;
            if (!charset()) continue;
            std::size_t e = other_values(v + 1);
            out.name = std::string(h.substr(p, star + 1 - p));
            out.value = std::string(h.substr(star + 2, e - star - 2));
            value_end = e;
            break;
        }
    }
    if (value_end == std::string_view::npos) {
        // EXTENDED_OTHER_PARAMETER: ATTRIBUTE\*[1-9][0-9]*\*=OTHER*
        std::size_t d = a + 1;
        if (a < n && h[a] == '*' && d < n && h[d] >= '1' && h[d] <= '9') {
            while (d < n && h[d] >= '0' && h[d] <= '9') ++d;
            if (d + 1 < n && h[d] == '*' && h[d + 1] == '=') {
                std::size_t e = other_values(d + 2);
                out.name = std::string(h.substr(p, d + 1 - p));
                out.value = std::string(h.substr(d + 2, e - d - 2));
                value_end = e;
            }
        }
    }
    if (value_end == std::string_view::npos) return std::nullopt;
    std::size_t e = value_end;
    while (e < n && is_space(h[e])) {
        if (h[e] == '\n') out.line_ends = true;
        ++e;
    }
    if (e == n) out.line_ends = true;
    out.end = e;
    return out;
}

bool line_start(std::string_view h, std::size_t p) { return p == 0 || h[p - 1] == '\n'; }

// After /Content-Disposition:\s*TOKEN\s*/ at a line start: where it ends, or npos.
std::size_t after_condisp(std::string_view h, std::size_t at) {
    if (!line_start(h, at)) return std::string_view::npos;
    std::size_t q = at + 20;
    while (q < h.size() && is_space(h[q])) ++q;
    std::size_t t = q;
    while (t < h.size() && token_char(h[t])) ++t;
    if (t == q) return std::string_view::npos;
    while (t < h.size() && is_space(h[t])) ++t;
    return t;
}

// RFC2183 = /^CONDISP(DISPPARM)+$/i
bool rfc2183(std::string_view h) {
    for (std::size_t at = ifind(h, "content-disposition:", 0); at != std::string_view::npos;
         at = ifind(h, "content-disposition:", at + 1)) {
        std::size_t q = after_condisp(h, at);
        if (q == std::string_view::npos) continue;
        while (q < h.size() && h[q] == ';') {
            auto param = disp_param_at(h, q);
            if (!param) break;
            if (param->line_ends) return true;
            q = param->end;
        }
    }
    return false;
}

// /^CONDISP.*;\s*filename=(VALUE)/i: the last such `;` on the line.
std::optional<std::string> broken_filename(std::string_view h) {
    for (std::size_t at = ifind(h, "content-disposition:", 0); at != std::string_view::npos;
         at = ifind(h, "content-disposition:", at + 1)) {
        std::size_t q = after_condisp(h, at);
        if (q == std::string_view::npos) continue;
        const std::size_t line_end = std::min(h.find('\n', q), h.size());
        for (std::size_t semi = line_end; semi-- > q;) {
            if (h[semi] != ';') continue;
            std::size_t p = semi + 1;
            while (p < h.size() && is_space(h[p])) ++p;
            if (p + 9 > h.size() || !ieq(h.substr(p, 9), "filename=")) continue;
            if (std::size_t len = value_length(h, p + 9)) return std::string(h.substr(p + 9, len));
        }
    }
    return std::nullopt;
}

// filename = $1 if filename =~ /^"(.*)"$/
std::string unquote(std::string value) {
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"' &&
        value.find('\n') == std::string::npos)
        return value.substr(1, value.size() - 2);
    return value;
}

// Parser#get_filename. Rack scrubs the name only while its buffer is still UTF-8, i.e. while the
// body is ASCII (`binary` is false); filename*'s charset comes back to be checked.
struct Filename {
    std::string name;
    std::optional<std::string> charset;
};

std::optional<Filename> filename_of(std::string_view head, bool binary) {
    std::optional<std::string> filename, charset;
    if (rfc2183(head)) {
        std::optional<std::string> plain, extended;
        for (std::size_t semi = head.find(';'); semi != std::string_view::npos;) {
            auto param = disp_param_at(head, semi);
            if (param && param->name == "filename") plain = param->value;
            if (param && param->name == "filename*") extended = param->value;
            semi = head.find(';', param ? param->end : semi + 1);
        }
        if (plain) {
            filename = unquote(*plain);
        } else if (extended) {  // encoding, _, filename = filename.split("'", 3)
            auto q1 = extended->find('\'');
            auto q2 = q1 == std::string::npos ? q1 : extended->find('\'', q1 + 1);
            charset = extended->substr(0, q1);
            filename = q2 == std::string::npos ? std::string() : extended->substr(q2 + 1);
        }
    } else if (auto broken = broken_filename(head)) {
        filename = unquote(*broken);
    }
    if (!filename) return std::nullopt;
    bool escapes_valid = true;  // filename.scan(/%.?.?/).all? { |s| /%[0-9a-fA-F]{2}/.match?(s) }
    for (std::size_t i = filename->find('%'); i != std::string::npos; i = filename->find('%', i + 1))
        if (i + 2 >= filename->size() || hex((*filename)[i + 1]) < 0 || hex((*filename)[i + 2]) < 0)
            escapes_valid = false;
    if (escapes_valid) {
        std::string raw;
        for (std::size_t i = 0; i < filename->size(); ++i) {
            if ((*filename)[i] == '%') {
                raw += static_cast<char>(hex((*filename)[i + 1]) * 16 + hex((*filename)[i + 2]));
                i += 2;
            } else {
                raw += (*filename)[i];
            }
        }
        *filename = std::move(raw);
    }
    if (!binary) *filename = detail::valid_utf8(*filename);
    bool keep_backslashes = false;  // filename !~ /\\[^\\"]/
    for (std::size_t i = 0; i + 1 < filename->size(); ++i)
        if ((*filename)[i] == '\\' && (*filename)[i + 1] != '\\' && (*filename)[i + 1] != '"') keep_backslashes = true;
    if (!keep_backslashes) *filename = unbackslash(*filename);
    return Filename{std::move(*filename), std::move(charset)};
}

struct Part {
    std::string head, body, name;
    std::optional<std::string> filename, filename_charset, content_type;
};

class Multipart {
public:
    Multipart(std::string_view text, std::string boundary)
        : s_(text), full_("--" + boundary), end_(full_ + "--"), end_size_(boundary.size() + 6),
          binary_(std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {}
    bool binary() const { return binary_; }
    Multipart(const Multipart&) = delete;
    Multipart& operator=(const Multipart&) = delete;

    std::vector<Part> parse() {
        enum class Token { None, Boundary, End };
        auto consume_boundary = [&]() {
            for (;;) {
                std::size_t nl = s_.find('\n', pos_);
                std::size_t end = nl == std::string_view::npos ? s_.size() : nl + 1;
                std::string_view line = strip(s_.substr(pos_, end - pos_));
                pos_ = end;
                if (line == full_) return Token::Boundary;
                if (line == end_) return Token::End;
                if (pos_ == s_.size()) return Token::None;
            }
        };
        Token first = consume_boundary();
        if (first == Token::End && pos_ == end_size_ && pos_ == s_.size()) return {};
        if (first == Token::None) throw BrokenMultipart("bad content body");
        for (;;) {
            read_head();
            read_body();
            Token tok = consume_boundary();
            if (tok == Token::End || (pos_ == s_.size() && tok != Token::Boundary)) break;
        }
        return std::move(parts_);
    }

private:
    void retain(std::size_t bytes) {
        retained_ += bytes;
        if (retained_ > kRetainedLimit) throw BrokenMultipart("multipart data over retained size limit");
    }

    void read_head() {
        std::size_t end = s_.find("\r\n\r\n", pos_);
        if (end == std::string_view::npos) {
            throw BrokenMultipart(s_.size() - pos_ > kHeadLimit ? "multipart mime part header too large"
                                                                 : "bad content body");
        }
        Part part;
        part.head = std::string(s_.substr(pos_, end + 2 - pos_));
        pos_ = end + 4;
        part.content_type = content_type_of(part.head);
        if (auto name = disposition_name(part.head)) part.name = dequote(*name);
        else if (auto id = content_id(part.head)) part.name = *id;
        if (auto filename = filename_of(part.head, binary_)) {
            // filename.force_encoding(Encoding.find(encoding)): an unknown name is an error
            if (filename->charset && ruby_encoding(*filename->charset) == Charset::Unknown)
                throw BadParams("unknown encoding name - " + *filename->charset);
            part.filename = std::move(filename->name);
            part.filename_charset = std::move(filename->charset);
        }
        if (part.name.empty()) part.name = part.filename ? *part.filename : part.content_type.value_or("text/plain") + "[]";
        retain(part.head.size());
        if (part.filename) ++files_;
        parts_.push_back(std::move(part));
        if (files_ >= kFileLimit) throw BadParams("Maximum file multiparts in content reached");
        if (parts_.size() >= kPartLimit) throw BadParams("Maximum total multiparts in content reached");
    }

    // The body ends where /(?:\r\n)?--boundary(?:\r\n|--)/ first matches; Rack then skips two bytes
    // (the CRLF it assumes) before reading the boundary line.
    void read_body() {
        std::size_t q = find_boundary(pos_);
        while (q != std::string_view::npos) {
            std::string_view next = s_.substr(q + full_.size(), 2);
            if (next == "\r\n" || next == "--") break;
            q = find_boundary(q + 1);
        }
        if (q == std::string_view::npos) throw BrokenMultipart("bad content body");
        std::size_t start = q >= pos_ + 2 && s_.substr(q - 2, 2) == "\r\n" ? q - 2 : q;
        Part& part = parts_.back();
        part.body = std::string(s_.substr(pos_, start - pos_));
        if (!part.filename) retain(part.body.size());
        pos_ = start + 2;
    }

    // Boyer-Moore: linear however long and repetitive the boundary a client names.
    std::size_t find_boundary(std::size_t from) const {
        if (from >= s_.size()) return std::string_view::npos;
        auto [at, end] = searcher_(s_.begin() + static_cast<std::ptrdiff_t>(from), s_.end());
        return at == s_.end() ? std::string_view::npos : static_cast<std::size_t>(at - s_.begin());
    }

    std::string_view s_;
    std::string full_, end_;
    std::boyer_moore_searcher<std::string::const_iterator> searcher_{full_.begin(), full_.end()};
    std::size_t end_size_;
    bool binary_;  // Rack's buffer turns ASCII-8BIT once a byte over 0x7F arrives
    std::size_t pos_ = 0, retained_ = 0, files_ = 0;
    std::vector<Part> parts_;
};

// Parser#tag_multipart_encoding for a field: a text/plain part's charset applies to its name and
// value. Rails reads UTF-8, ASCII and Latin-1 (turned into UTF-8 here); other charsets are refused.
void tag_encoding(Part& part) {
    if (!part.content_type) return;
    std::vector<std::string_view> list;  // content_type.split(';'), trailing empty fields dropped
    std::string_view ct = *part.content_type;
    for (std::size_t i = 0;;) {
        std::size_t semi = ct.find(';', i);
        list.push_back(ct.substr(i, semi == std::string_view::npos ? std::string_view::npos : semi - i));
        if (semi == std::string_view::npos) break;
        i = semi + 1;
    }
    while (!list.empty() && list.back().empty()) list.pop_back();
    if (list.empty()) throw BadParams("undefined method `strip!' for nil");
    if (strip(list.front()) != "text/plain") return;
    Charset charset = Charset::Utf8;
    for (std::size_t i = 1; i < list.size(); ++i) {
        std::size_t eq = list[i].find('=');
        if (eq == std::string_view::npos) throw BadParams("undefined method `strip!' for nil");
        std::string_view k = strip(list[i].substr(0, eq)), v = strip(list[i].substr(eq + 1));
        if (v.size() >= 1 && v.front() == '"' && v.back() == '"') v = v.size() >= 2 ? v.substr(1, v.size() - 2) : "";
        if (k == "charset") {
            charset = ruby_encoding(v);
            if (charset == Charset::Unknown) throw BadParams("unknown encoding name - " + std::string(v));
        }
    }
    auto ascii = [](const std::string& s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    };
    if (charset == Charset::Latin1) {
        part.name = latin1_to_utf8(part.name);
        part.body = latin1_to_utf8(part.body);
    } else if (charset == Charset::Other || (charset == Charset::Ascii && !(ascii(part.body) && ascii(part.name)))) {
        throw BadParams("parameter in a charset other than UTF-8");
    }
}

}  // namespace

nlohmann::json nest_pairs(const std::vector<FormPair>& pairs) {
    if (pairs.size() > kParamsLimit)
        throw BadParams("total number of query parameters exceeds limit (" + std::to_string(kParamsLimit) + ")");
    Value params = Value::of(Value::Kind::Hash);
    for (const auto& [name, value] : pairs) add(params, name, value ? Value::string(*value) : Value{});
    return to_json(params);
}

nlohmann::json parse_urlencoded(std::string_view body) {
    if (!body.empty() && body.back() == '\0') body.remove_suffix(1);  // Safari's trailing NUL
    if (body.size() > kBytesizeLimit)
        throw BadParams("total query size exceeds limit (" + std::to_string(kBytesizeLimit) + ")");
    std::size_t separators = 0;
    for (char c : body) separators += c == '&';
    if (separators >= kParamsLimit)
        throw BadParams("total number of query parameters exceeds limit (" + std::to_string(kParamsLimit) + ")");
    Value params = Value::of(Value::Kind::Hash);
    std::size_t i = 0;
    while (i <= body.size()) {
        std::size_t amp = body.find('&', i);
        std::string_view pair = body.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
        if (!pair.empty()) {  // split('=', 2); an empty pair names nothing
            auto eq = pair.find('=');
            std::string name = unescape(pair.substr(0, eq));
            if (eq == std::string_view::npos) add(params, name, Value{});
            else add(params, name, Value::string(unescape(pair.substr(eq + 1))));
        }
        if (amp == std::string_view::npos) break;
        i = amp + 1;
        while (i < body.size() && body[i] == ' ') ++i;  // the separator is /[&] */
    }
    return to_json(params);
}

std::optional<nlohmann::json> parse_multipart(std::string_view body, std::string_view content_type) {
    if (body.empty()) return std::nullopt;
    auto boundary = boundary_of(content_type);
    if (!boundary) return std::nullopt;
    Multipart parser(body, *boundary);
    std::vector<Part> parts = parser.parse();
    Value params = Value::of(Value::Kind::Hash);
    for (auto& part : parts) {
        if (part.filename && part.filename->empty()) continue;  // no file was chosen
        Value data;
        if (part.filename) {
            // A filename* in UTF-8 over a body Rack reads as binary stays unscrubbed: Rails refuses it.
            if (part.filename_charset && ruby_encoding(*part.filename_charset) == Charset::Utf8 &&
                detail::valid_utf8(*part.filename) != *part.filename)
                throw BadParams("invalid byte sequence in UTF-8");
            // the basename, filename.split(/[\/\\]/).last: nil when only separators are left
            std::string_view fn = *part.filename;
            while (!fn.empty() && (fn.back() == '/' || fn.back() == '\\')) fn.remove_suffix(1);
            if (auto sep = fn.find_last_of("/\\"); sep != std::string_view::npos) fn.remove_prefix(sep + 1);
            nlohmann::json file = nlohmann::json::object();
            file["filename"] = fn.empty() ? nlohmann::json() : nlohmann::json(detail::valid_utf8(fn));
            file["type"] = part.content_type ? nlohmann::json(detail::valid_utf8(*part.content_type)) : nlohmann::json();
            file["head"] = detail::valid_utf8(part.head);
            data.kind = Value::Kind::File;
            data.file = std::make_shared<nlohmann::json>(std::move(file));
        } else {
            tag_encoding(part);
            data = Value::string(std::move(part.body));
        }
        add(params, part.name, data);
    }
    return to_json(params);
}

}  // namespace api
