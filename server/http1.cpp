// Framing by Boost.Beast's request parser (header-only, in Debian's libboost-dev, which SOCI's headers
// already need). It refuses what RFC 9112 says a server must refuse: conflicting Content-Lengths,
// Content-Length beside Transfer-Encoding, bad chunk framing, malformed field names and values, so
// a proxy in front of us and we never disagree on where a request ends. (Debian's libhttp-parser is
// built with HTTP_PARSER_STRICT=0: it takes any two bytes after chunk data for CRLF and allows spaces
// in field names, the very gaps request smuggling uses.) The limits and the few checks Beast leaves
// to the server (Host, a Transfer-Encoding that does not end in chunked, Expect) are ours.
#include "server/http1.h"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdio>
#include <ctime>
#include <optional>

namespace http1 {

namespace bhttp = boost::beast::http;

namespace {

std::string_view sv(boost::beast::string_view v) { return {v.data(), v.size()}; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// The last coding of a Transfer-Encoding list ("gzip, chunked" -> "chunked").
std::string_view last_coding(std::string_view te) {
    auto comma = te.rfind(',');
    std::string_view last = comma == std::string_view::npos ? te : te.substr(comma + 1);
    while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
    while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
    return last;
}

}  // namespace

struct RequestParser::State {
    explicit State(Limits l) : limits(l) { reset(); }
    Limits limits;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser;
    bool head_checked = false;
    bool continue_pending = false;
    size_t message_bytes = 0;  // what Beast took of the current request

    void reset() {
        parser.emplace();
        parser->header_limit(static_cast<std::uint32_t>(limits.max_request_line + limits.max_header_bytes + 4));
        parser->body_limit(limits.max_body);
        parser->eager(true);
        head_checked = false;
        continue_pending = false;
        message_bytes = 0;
    }

    // What Beast leaves to the server, once the header is in; 0 when the request may go on.
    int check_head() {
        const auto& m = parser->get();
        if (m.target().size() > limits.max_request_line) return 414;
        size_t fields = 0, bytes = 0, hosts = 0;
        for (const auto& f : m) {
            ++fields;
            bytes += f.name_string().size() + f.value().size() + 4;
            if (f.name() == bhttp::field::host) ++hosts;
        }
        if (fields > limits.max_headers || bytes > limits.max_header_bytes) return 431;
        if (hosts > 1 || (m.version() >= 11 && hosts == 0)) return 400;  // RFC 9112 3.2
        if (auto te = m.find(bhttp::field::transfer_encoding); te != m.end() && !iequals(last_coding(sv(te->value())), "chunked"))
            return 400;  // RFC 9112 6.3: the length of such a body cannot be known
        if (auto expect = m.find(bhttp::field::expect); expect != m.end()) {
            if (!iequals(sv(expect->value()), "100-continue")) return 417;
            continue_pending = m.version() >= 11 && (parser->chunked() || parser->content_length().value_or(0) > 0);
        }
        return 0;
    }
};

RequestParser::RequestParser(Limits limits) : s_(std::make_unique<State>(limits)) {}

RequestParser::~RequestParser() = default;

size_t RequestParser::feed(std::string_view data) {
    if (status_ != Status::NeedMore || data.empty()) return 0;
    size_t used = 0;
    if (phase_ == Phase::Idle) {
        // RFC 9112 2.2: empty lines before a request are ignored (some clients end a body with CRLF).
        while (used < data.size() && (data[used] == '\r' || data[used] == '\n')) ++used;
        if (used == data.size()) return used;
        phase_ = Phase::Head;
    }
    auto& p = *s_->parser;
    boost::system::error_code ec;
    for (;;) {
        const size_t n = p.put(boost::asio::buffer(data.data() + used, data.size() - used), ec);
        used += n;
        s_->message_bytes += n;
        if (p.is_header_done() && !s_->head_checked) {
            s_->head_checked = true;
            phase_ = Phase::Body;
            if (int refused = s_->check_head()) {
                status_ = Status::Failed;
                error_status_ = refused;
                return used;
            }
        }
        if (ec == bhttp::error::need_more) ec = {};
        if (ec) break;
        if (p.is_done()) {
            const auto& m = p.get();
            status_ = Status::Ready;
            keep_alive_ = m.keep_alive();
            is_head_ = m.method() == bhttp::verb::head;
            http10_ = m.version() == 10;
            return used;
        }
        if (n == 0 || used == data.size()) return used;
    }
    status_ = Status::Failed;
    if (ec == bhttp::error::body_limit) error_status_ = 413;
    else if (ec == bhttp::error::header_limit) {
        // Beast takes the request line as soon as it is whole: while it has taken nothing of this
        // request, the request line is what is too long.
        const auto eol = data.find('\n');
        const bool line_done =
            s_->message_bytes > 0 || (eol != std::string_view::npos && eol <= s_->limits.max_request_line + 16);
        error_status_ = line_done ? 431 : 414;
    } else error_status_ = 400;
    return used;
}

bool RequestParser::take_continue() {
    if (!s_->continue_pending || status_ == Status::Failed) return false;
    s_->continue_pending = false;
    return true;
}

http::Request RequestParser::take() {
    auto m = s_->parser->release();
    http::Request r;
    r.method = std::string(sv(m.method_string()));
    r.target = std::string(sv(m.target()));
    for (const auto& f : m) {
        std::string name(sv(f.name_string()));
        for (auto& c : name) c = lower(c);
        // A repeated field is one list (RFC 9110 5.3).
        auto [it, fresh] = r.headers.try_emplace(std::move(name), sv(f.value()));
        if (!fresh) {
            it->second += ", ";
            it->second += sv(f.value());
        }
    }
    r.body = std::move(m.body());
    s_->reset();
    status_ = Status::NeedMore;
    phase_ = Phase::Idle;
    // An absolute-form target (RFC 9112 3.2.2) is served as its path and query.
    if (!r.target.empty() && r.target[0] != '/') {
        const auto scheme = r.target.find("://");
        const auto path = scheme == std::string::npos ? std::string::npos : r.target.find('/', scheme + 3);
        r.target = path == std::string::npos ? "/" : r.target.substr(path);
    }
    http::parse_target(r);
    return r;
}

std::string http_date(long long unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

namespace {

bool token(std::string_view name) {
    if (name.empty()) return false;
    for (unsigned char c : name)
        if (c <= 0x20 || c >= 0x7f || std::string_view("\"(),/:;<=>?@[\\]{}").find(static_cast<char>(c)) != std::string_view::npos)
            return false;
    return true;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    if (!token(name)) return;
    out += name;
    out += ": ";
    for (unsigned char c : value)
        if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
        else if (c == '\t') out += ' ';
    out += "\r\n";
}

}  // namespace

std::string write_response(const http::Response& res, bool keep_alive, bool head, bool http10,
                           std::string_view date) {
    const bool bodiless = res.status == 204 || res.status == 304 || res.status < 200;
    std::string out;
    out.reserve(256 + (head || bodiless ? 0 : res.body.size()));
    out += "HTTP/1.1 ";  // RFC 9110 6.2: our highest version, to 1.0 clients too
    out += std::to_string(res.status);
    out += ' ';
    out += http::reason_phrase(res.status);
    out += "\r\n";
    if (!res.content_type.empty()) append_field(out, "Content-Type", res.content_type);
    for (const auto& [name, value] : res.headers) append_field(out, name, value);
    if (!date.empty()) append_field(out, "Date", date);
    if (!bodiless) append_field(out, "Content-Length", std::to_string(res.body.size()));
    if (!keep_alive) out += "Connection: close\r\n";
    else if (http10) out += "Connection: keep-alive\r\n";  // 1.1 keeps connections unless told otherwise
    out += "\r\n";
    if (!head && !bodiless) out += res.body;
    return out;
}

}  // namespace http1
