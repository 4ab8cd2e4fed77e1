// The request pipeline: format, routing, authentication, the action, errors, ETags and the
// access log. Nothing internal (exception text, SQL) ever reaches a response.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <openssl/evp.h>

#include "resources/registry.h"
#include "serializers/body.h"
#include "serializers/form.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/context.h"
#include "server/error_pages.h"
#include "server/log.h"

namespace app {

namespace {

std::string content_type_for(const std::string& format) {
    if (format == "json") return "application/json";
    if (format == "xml") return "application/xml";
    return "";
}

http::Response empty(int status, const std::string& format) {
    http::Response r;
    r.status = status;
    r.content_type = content_type_for(format);
    return r;
}

std::string weak_etag(const std::string& body) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(body.data(), body.size(), md, &len, EVP_md5(), nullptr);
    char hex[EVP_MAX_MD_SIZE * 2 + 1] = {};
    for (unsigned int i = 0; i < len; ++i) std::snprintf(hex + i * 2, 3, "%02x", md[i]);
    return std::string("W/\"") + hex + "\"";
}

}  // namespace

std::string loggable_target(const http::Request& req) {
    std::string out = req.path;
    char sep = '?';
    for (const auto& [k, v] : req.query) {
        out += sep;
        sep = '&';
        bool secret = k == "key" || k.find("password") != std::string::npos || k.find("passwd") != std::string::npos;
        out += k + "=" + (secret ? std::string("[FILTERED]") : v);
    }
    for (auto& c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    return out;
}

namespace {

// JSONP, as Redmine's JSON builder: only with the jsonp_enabled setting.
void apply_jsonp(Context& ctx, http::Response& res) {
    if (ctx.format != api::Format::Json || res.status != 200 || res.body.empty()) return;
    auto cb = ctx.param("callback");
    if (!cb) cb = ctx.param("jsonp");
    if (!cb || cb->empty() || !ctx.setting_enabled("jsonp_enabled")) return;
    std::string name;
    for (char c : *cb)
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') name += c;
    if (name.empty()) return;
    res.body = name + "(" + res.body + ")";
    res.content_type = "application/javascript; charset=utf-8";
}

}  // namespace

App::App(Config config)
    : config_(std::move(config)),
      db_(std::make_unique<db::Database>(db::Config{config_.database, config_.pool_size})),
      settings_() {
    resources::register_all(router_);
}

http::Response App::dispatch(const http::Request& req, std::string& user_label) {
    if (req.path == "/health") {
        http::Response r;
        r.content_type = "text/plain; charset=utf-8";
        r.body = "ok\n";
        return r;
    }
    auto [path, format] = split_format(req.path);
    const std::string method = api::method_override(req.method, req.header("content-type"), req.body,
                                                    req.header("x-http-method-override"));
    auto match = router_.match_raw(method, req.path);
    const bool raw = match.action != nullptr;
    if (raw) format = "";  // a raw action answers any suffix itself; its errors carry no Content-Type
    else match = router_.match(method, path);
    if (!match.action) return empty(404, format);
    if (!raw && format == "yaml") {  // what Rails answers to a format no action responds to
        http::Response r;
        r.status = 406;
        r.content_type = "application/x-yaml; charset=utf-8";
        r.body = "---\n:status: 406\n:error: Not Acceptable\n";
        return r;
    }
    if (!raw && format != "json" && format != "xml") return empty(406, "");

    Context ctx(*this, req, format == "xml" ? api::Format::Xml : api::Format::Json);
    ctx.route = std::move(match.params);
    if (!raw) ctx.route["format"] = format;
    // Like Rails' parameter parsing, a malformed body or query is refused (400), and an unreadable
    // Content-Type (406), before anything else runs.
    ctx.params();
    try {
        authenticate(ctx);
        if (!ctx.user.anonymous) user_label = std::to_string(ctx.user.id);
        http::Response res = (*match.action)(ctx);
        apply_jsonp(ctx, res);
        if ((method == "GET" || method == "HEAD") && res.status == 200) {
            std::string etag = weak_etag(res.body);
            res.header("ETag", etag);
            res.header("Cache-Control", "max-age=0, private, must-revalidate");
            if (auto inm = req.header("if-none-match"); inm && *inm == etag) {
                res.status = 304;
                res.body.clear();
            }
        }
        return res;
    } catch (const HttpError& e) {
        // Redmine's require_login: without the REST API, API requests are simply forbidden.
        if (e.status == 401 && e.challenge && !ctx.setting_enabled("rest_api_enabled")) return empty(403, format);
        http::Response r = empty(e.status, format);
        if (e.status == 401 && e.challenge) r.header("WWW-Authenticate", "Basic realm=\"Redmine API\"");
        if (e.retry_after_s > 0) r.header("Retry-After", std::to_string(e.retry_after_s));
        return r;
    } catch (const ValidationError& e) {
        return ctx.render(api::errors_document(e.messages), 422);
    }
}

http::Response App::handle(const http::Request& req) {
    const auto start = std::chrono::steady_clock::now();
    std::string user_label = "-";
    http::Response res;
    try {
        // MySQL/MariaDB roll back a deadlock victim's whole transaction; like any InnoDB client we run
        // the request again (each action writes in one transaction) instead of answering 500.
        for (int attempt = 1;; ++attempt) {
            try {
                res = dispatch(req, user_label);
                break;
            } catch (const db::Error& e) {
                const std::string_view what = e.what();
                const bool transient = what.find("Deadlock found when trying to get lock") != what.npos ||
                                       what.find("Lock wait timeout exceeded") != what.npos;
                if (!transient || attempt == 3) throw;
                logx::warn(std::string("retrying ") + req.method + " " + req.path + " after a deadlock");
            }
        }
    } catch (const api::BadBody&) {
        res = public_exception(req, 400, split_format(req.path).second);
    } catch (const api::BadParams&) {
        res = public_exception(req, 400, split_format(req.path).second);
    } catch (const api::BadMediaType&) {
        res = http::Response{};
        res.status = 406;
        res.content_type = "text/html; charset=utf-8";
    } catch (const BadRequest&) {
        res = http::Response{};
        res.status = 400;
        res.content_type = "text/html; charset=utf-8";
    } catch (const std::exception& e) {
        logx::error(std::string("internal error on ") + req.method + " " + req.path + ": " + e.what());
        res = http::Response{};
        res.status = 500;
    } catch (...) {
        logx::error("internal error on " + req.method + " " + req.path);
        res = http::Response{};
        res.status = 500;
    }
    if (res.status == 204 || res.status == 304) res.content_type.clear();
    if (res.status < 400 || res.status == 422) {  // as Rails' default headers
        res.header("X-Content-Type-Options", "nosniff");
        res.header("X-Frame-Options", "SAMEORIGIN");
    }
    if (logx::enabled(logx::Level::Info)) {
        auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        char line[64];
        std::snprintf(line, sizeof line, " %d %zu %.1fms user=", res.status, res.body.size(), ms);
        logx::info(req.remote + " " + req.method + " " + loggable_target(req) + line + user_label);
    }
    return res;
}

}  // namespace app
