#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "serializers/body.h"
#include "server/app.h"
#include "server/context.h"
#include "server/permissions.h"

namespace app {

namespace {

// Redmine 5.0's config/settings.yml defaults (the scalar ones), used when no row is stored.
const std::map<std::string, std::string>& setting_defaults() {
    static const std::map<std::string, std::string> defaults = {
    {"app_title", "Redmine"},
    {"login_required", "0"},
    {"self_registration", "2"},
    {"show_custom_fields_on_registration", "1"},
    {"lost_password", "1"},
    {"twofa", "1"},
    {"unsubscribe", "1"},
    {"password_min_length", "8"},
    {"password_max_age", "0"},
    {"max_additional_emails", "5"},
    {"session_lifetime", "0"},
    {"session_timeout", "0"},
    {"attachment_max_size", "5120"},
    {"bulk_download_max_size", "102400"},
    {"issues_export_limit", "500"},
    {"activity_days_default", "10"},
    {"per_page_options", "25,50,100"},
    {"search_results_per_page", "10"},
    {"mail_from", "redmine@example.net"},
    {"plain_text_mail", "0"},
    {"text_formatting", "textile"},
    {"cache_formatted_text", "0"},
    {"wiki_compression", ""},
    {"default_language", "en"},
    {"force_default_language_for_anonymous", "0"},
    {"force_default_language_for_loggedin", "0"},
    {"host_name", "localhost:3000"},
    {"protocol", "http"},
    {"feeds_limit", "15"},
    {"gantt_items_limit", "500"},
    {"gantt_months_limit", "24"},
    {"default_issue_query", ""},
    {"file_max_size_displayed", "512"},
    {"diff_max_lines_displayed", "1500"},
    {"autofetch_changesets", "1"},
    {"sys_api_enabled", "0"},
    {"sys_api_key", ""},
    {"commit_cross_project_ref", "0"},
    {"commit_ref_keywords", "refs,references,IssueID"},
    {"commit_logtime_enabled", "0"},
    {"commit_logtime_activity_id", "0"},
    {"autologin", "0"},
    {"date_format", ""},
    {"time_format", ""},
    {"timespan_format", "minutes"},
    {"user_format", ":firstname_lastname"},
    {"cross_project_issue_relations", "0"},
    {"cross_project_subtasks", "tree"},
    {"parent_issue_dates", "derived"},
    {"parent_issue_priority", "derived"},
    {"parent_issue_done_ratio", "derived"},
    {"link_copied_issue", "ask"},
    {"close_duplicate_issues", "1"},
    {"issue_group_assignment", "0"},
    {"default_issue_start_date_to_creation_date", "1"},
    {"mail_handler_body_delimiters", ""},
    {"mail_handler_enable_regex_delimiters", "0"},
    {"mail_handler_enable_regex_excluded_filenames", "0"},
    {"mail_handler_excluded_filenames", ""},
    {"mail_handler_api_enabled", "0"},
    {"mail_handler_preferred_body_part", "plain"},
    {"display_subprojects_issues", "1"},
    {"project_list_display_type", "board"},
    {"default_project_query", ""},
    {"issue_done_ratio", "issue_field"},
    {"default_projects_public", "1"},
    {"new_project_user_role_id", ""},
    {"sequential_project_identifiers", "0"},
    {"default_users_hide_mail", "1"},
    {"default_users_no_self_notified", "1"},
    {"default_users_time_zone", ""},
    {"repositories_encodings", ""},
    {"commit_logs_encoding", "UTF-8"},
    {"commit_logs_formatting", "1"},
    {"repository_log_display_limit", "100"},
    {"ui_theme", ""},
    {"emails_footer", "You have received this notification because you have either subscribed to it, or are involved in it.\nTo change your notification preferences, please click here: http://hostname/my/account"},
    {"gravatar_enabled", "0"},
    {"gravatar_default", "identicon"},
    {"start_of_week", ""},
    {"rest_api_enabled", "0"},
    {"jsonp_enabled", "0"},
    {"default_notification_option", "only_my_events"},
    {"emails_header", ""},
    {"thumbnails_enabled", "1"},
    {"thumbnails_size", "100"},
    {"new_item_menu_tab", "2"},
    {"timelog_accept_0_hours", "1"},
    {"timelog_max_hours_per_day", "999"},
    {"timelog_accept_future_dates", "1"},
    {"show_status_changes_in_mail_subject", "1"},
    };
    return defaults;
}

constexpr auto kSettingsTtl = std::chrono::seconds(2);

}  // namespace

// --- Settings ----------------------------------------------------------------------------------

std::string Settings::get(db::Conn& c, const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - loaded_ > kSettingsTtl) {
        std::map<std::string, std::string> fresh;
        for (const auto& row : c.query("SELECT name, value FROM settings ORDER BY id"))
            fresh[row.s(0)] = row.s(1);
        values_ = std::move(fresh);
        loaded_ = now;
    }
    if (auto it = values_.find(name); it != values_.end()) return it->second;
    const auto& d = setting_defaults();
    auto it = d.find(name);
    return it == d.end() ? "" : it->second;
}

void Settings::invalidate() {
    std::lock_guard<std::mutex> lock(mutex_);
    loaded_ = {};
}

// --- Context -----------------------------------------------------------------------------------

Context::Context(App& a, const http::Request& r, api::Format f) : app(a), req(r), format(f) {}
Context::~Context() = default;

db::Conn& Context::db() {
    if (!conn_) conn_ = app.database().connect();
    return *conn_;
}

Permissions& Context::perms() {
    if (!perms_) perms_ = std::make_unique<Permissions>(*this);
    return *perms_;
}

std::string Context::setting(const std::string& name) { return app.settings().get(db(), name); }
bool Context::setting_enabled(const std::string& name) { return setting(name) == "1"; }

const nlohmann::json& Context::params() const {
    if (!params_) {
        nlohmann::json request = api::request_parameters(req.method, req.header("content-type"), req.body);
        nlohmann::json query = api::query_parameters(req.query);
        params_ = api::merge_parameters(std::move(request), query, route);
    }
    return *params_;
}

std::optional<std::string> Context::param(const std::string& name) const { return api::param_text(params(), name); }

const std::string& Context::route_param(const std::string& name) const {
    auto it = route.find(name);
    if (it == route.end()) throw HttpError{404};
    return it->second;
}

std::string Context::url_for(const std::string& path) const {
    std::string base = app.config().base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (!base.empty()) return base + path;
    std::string host = req.header("host").value_or(app.config().address + ":" + std::to_string(app.config().port));
    std::string proto = "http";
    const auto& trusted = app.config().trusted_proxies;
    if (std::find(trusted.begin(), trusted.end(), req.remote) != trusted.end()) {
        if (auto h = req.header("x-forwarded-host")) host = h->substr(0, h->find(','));
        if (auto p = req.header("x-forwarded-proto")) proto = p->substr(0, p->find(','));
    }
    return proto + "://" + host + path;
}

std::string Context::client_address() const {
    const auto& trusted = app.config().trusted_proxies;
    auto is_trusted = [&](const std::string& a) { return std::find(trusted.begin(), trusted.end(), a) != trusted.end(); };
    if (!is_trusted(req.remote)) return req.remote;
    const auto forwarded = req.header("x-forwarded-for");
    if (!forwarded) return req.remote;
    // From the right: each hop appended the address it saw; the first one we do not trust is the client.
    std::string leftmost;
    size_t end = forwarded->size();
    while (true) {
        const size_t comma = end == 0 ? std::string::npos : forwarded->rfind(',', end - 1);
        const size_t begin = comma == std::string::npos ? 0 : comma + 1;
        std::string item = forwarded->substr(begin, end - begin);
        const auto b = item.find_first_not_of(" \t");
        item = b == std::string::npos ? "" : item.substr(b, item.find_last_not_of(" \t") - b + 1);
        if (!item.empty()) {
            if (!is_trusted(item)) return item;
            leftmost = item;
        }
        if (comma == std::string::npos) break;
        end = comma;
    }
    return leftmost.empty() ? req.remote : leftmost;
}

http::Response Context::render(const api::Document& doc, int status) const {
    http::Response r;
    r.status = status;
    r.body = api::render(doc, format);
    r.content_type = format == api::Format::Json ? "application/json; charset=utf-8" : "application/xml; charset=utf-8";
    return r;
}

void Context::deny() const { throw HttpError{user.anonymous ? 401 : 403}; }

void Context::require_login() const {
    if (user.anonymous) throw HttpError{401};
}

void Context::require_admin() const {
    require_login();
    if (!user.admin) throw HttpError{403};
}

}  // namespace app
