// /issue_statuses
#include "resources/common.h"

namespace resources {

namespace {
Response index(Context& ctx) {
    api::Node list = api::Node::array("issue_status");
    for (const auto& r : ctx.db().query("SELECT id, name, is_closed FROM issue_statuses ORDER BY position, id")) {
        api::Node s = api::Node::object();
        s.set("id", r.i(0)).set("name", r.s(1)).set("is_closed", r.b(2));
        list.push(std::move(s));
    }
    return ctx.render({"issue_statuses", std::move(list), {}});
}
}  // namespace

void register_issue_statuses(app::Router& r) { r.add("GET", "/issue_statuses", index); }

}  // namespace resources
