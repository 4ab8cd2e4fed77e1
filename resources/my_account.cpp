// /my/account: the current user's own account (GET, PUT)
#include <regex>

#include "resources/users.h"

namespace resources {

namespace {

const std::regex& email_regexp() {
    // EmailAddress::EMAIL_REGEXP
    static const std::regex re(R"(^([^@\s]+)@((?:[-a-z0-9]+\.)+(?:(?:xn--[-a-z0-9]+)|(?:[a-z]{2,})))$)",
                               std::regex::icase | std::regex::ECMAScript);
    return re;
}

size_t char_count(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string blank_trimmed(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
    return s;
}

Response show(Context& ctx) {
    ctx.require_login();
    auto u = find_user(ctx, ctx.user.id);
    if (!u) throw app::HttpError{404};
    api::Node n = api::Node::object();
    n.set("id", u->id)
        .set("login", u->login)
        .set("admin", u->admin)
        .set("firstname", u->firstname)
        .set("lastname", u->lastname)
        .set("mail", u->mail ? api::Node(*u->mail) : api::Node())
        .set("created_on", u->created_on)
        .set("last_login_on", u->last_login_on)
        .set("api_key", api_key_of(ctx, u->id));
    if (auto cf = user_custom_fields(ctx, u->id)) n.set("custom_fields", std::move(*cf));
    return ctx.render({"user", std::move(n), {}});
}

// The attributes a user may change on their own account, validated as Redmine's User model.
Response update(Context& ctx) {
    ctx.require_login();
    auto u = find_user(ctx, ctx.user.id);
    if (!u) throw app::HttpError{404};
    const auto& body = ctx.body();
    const nlohmann::json attrs = body.contains("user") && body["user"].is_object() ? body["user"] : nlohmann::json::object();
    std::string firstname = body_string(attrs, "firstname").value_or(u->firstname);
    std::string lastname = body_string(attrs, "lastname").value_or(u->lastname);
    std::optional<std::string> mail = u->mail;
    if (attrs.contains("mail")) mail = blank_trimmed(body_string(attrs, "mail").value_or(""));
    std::string notification = body_string(attrs, "mail_notification").value_or(u->mail_notification);
    std::string language = body_string(attrs, "language").value_or(u->language);

    auto& db = ctx.db();
    std::vector<std::string> errors;
    if (mail) {
        if (mail->empty()) errors.push_back("Email cannot be blank");
        else if (!std::regex_match(*mail, email_regexp())) errors.push_back("Email is invalid");
        else if (char_count(*mail) > 254) errors.push_back("Email is too long (maximum is 254 characters)");
        else if (db.scalar("SELECT COUNT(*) FROM email_addresses WHERE LOWER(address) = LOWER(?) AND user_id <> ?",
                           {*mail, u->id}) > 0)
            errors.push_back("Email has already been taken");
    }
    if (blank_trimmed(firstname).empty()) errors.push_back("First name cannot be blank");
    if (blank_trimmed(lastname).empty()) errors.push_back("Last name cannot be blank");
    if (char_count(firstname) > 30) errors.push_back("First name is too long (maximum is 30 characters)");
    if (char_count(lastname) > 30) errors.push_back("Last name is too long (maximum is 30 characters)");
    static const char* kNotifications[] = {"all", "selected", "only_my_events", "only_assigned", "only_owner", "none"};
    if (!notification.empty() &&
        std::find(std::begin(kNotifications), std::end(kNotifications), notification) == std::end(kNotifications))
        errors.push_back("Email notifications is not included in the list");
    if (!errors.empty()) throw app::ValidationError{errors};

    db::Tx tx(db);
    const std::string now = db.now();
    db.exec("UPDATE users SET firstname = ?, lastname = ?, mail_notification = ?, language = ?, updated_on = ? WHERE id = ?",
            {firstname, lastname, notification, language, now, u->id});
    if (mail && mail != u->mail) {
        if (u->mail)
            db.exec("UPDATE email_addresses SET address = ?, updated_on = ? WHERE user_id = ? AND is_default = ?",
                    {*mail, now, u->id, 1LL});
        else
            db.exec("INSERT INTO email_addresses (user_id, address, is_default, notify, created_on, updated_on) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    {u->id, *mail, 1LL, 1LL, now, now});
    }
    tx.commit();
    return no_content();
}

}  // namespace

void register_my_account(app::Router& r) {
    r.add("GET", "/my/account", show);
    r.add("PUT", "/my/account", update);
}

}  // namespace resources
