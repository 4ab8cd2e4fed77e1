// The project tree under random creates, moves and deletes through the API: after each step (and
// after two servers wrote to one database at once) lft/rgt must be the nested set that the parent
// links and Redmine's sibling order (by name) give. The seeds are fixed and named in the test names,
// so a failure reproduces.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "spec/support.h"

using namespace spec;

namespace {

struct Node {
    long long id = 0, lft = 0, rgt = 0;
    std::optional<long long> parent;
    std::string name;
};

// A name as the database orders it: MariaDB's utf8mb4_general_ci ignores the case of ASCII letters.
std::string sort_key(std::string name) {
    if (spec::mysql())
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return name;
}

// "" when the projects table is a correct nested set, else what is wrong.
std::string nested_set_error(db::Conn& c) {
    std::map<long long, Node> nodes;
    for (const auto& r : c.query("SELECT id, parent_id, name, lft, rgt FROM projects"))
        nodes[r.i(0)] = Node{r.i(0), r.i(3), r.i(4), r.oi(1), r.s(2)};
    std::map<std::optional<long long>, std::vector<const Node*>> children;
    for (const auto& [id, n] : nodes) {
        if (n.parent && !nodes.count(*n.parent))
            return "project " + std::to_string(id) + " has a missing parent " + std::to_string(*n.parent);
        if (n.lft >= n.rgt) return "project " + std::to_string(id) + " has lft >= rgt";
        children[n.parent].push_back(&n);
    }
    for (auto& [parent, list] : children)
        std::sort(list.begin(), list.end(), [](const Node* a, const Node* b) { return a->lft < b->lft; });
    long long next = 1;
    size_t seen = 0;
    std::string error;
    // Walks the tree by parent links: every lft and rgt must be the next number, siblings by name.
    std::function<void(const std::optional<long long>&)> walk = [&](const std::optional<long long>& parent) {
        const auto it = children.find(parent);
        if (it == children.end()) return;
        const Node* previous = nullptr;
        for (const Node* n : it->second) {
            if (!error.empty()) return;
            if (previous && sort_key(previous->name) > sort_key(n->name))
                error = "siblings " + std::to_string(previous->id) + " (" + previous->name + ") and " +
                        std::to_string(n->id) + " (" + n->name + ") are not in name order";
            if (n->lft != next)
                error = "project " + std::to_string(n->id) + " has lft " + std::to_string(n->lft) +
                        ", expected " + std::to_string(next);
            if (!error.empty()) return;
            ++next;
            ++seen;
            walk(n->id);
            if (!error.empty()) return;
            if (n->rgt != next)
                error = "project " + std::to_string(n->id) + " has rgt " + std::to_string(n->rgt) +
                        ", expected " + std::to_string(next);
            ++next;
            previous = n;
        }
    };
    walk(std::nullopt);
    if (error.empty() && seen != nodes.size()) error = "a cycle in the parent links";
    return error;
}

// Lowercase names from a small pool, so that ties happen and every collation orders them alike.
const std::vector<std::string> kNames = {"alpha",   "beta", "gamma", "delta",
                                         "epsilon", "zeta", "eta",   "theta"};

struct Writer {
    std::mt19937 rng;
    std::string prefix;
    int created = 0;
    std::vector<std::string> failures;
    std::map<std::string, int> outcomes;

    long long pick(const std::vector<long long>& ids) {
        return ids[std::uniform_int_distribution<size_t>(0, ids.size() - 1)(rng)];
    }
    std::string name() {
        return kNames[std::uniform_int_distribution<size_t>(0, kNames.size() - 1)(rng)] + " " +
               std::to_string(std::uniform_int_distribution<int>(0, 3)(rng));
    }

    // One random create, move (with or without a rename) or delete. `alone` means no other writer, so
    // every answer is known in advance.
    void step(
        const std::function<http::Response(const std::string&, const std::string&, const std::string&)>& send,
        db::Conn& c, bool alone, int n) {
        std::vector<long long> ids;
        for (const auto& r : c.query("SELECT id FROM projects ORDER BY id")) ids.push_back(r.i(0));
        const int dice = std::uniform_int_distribution<int>(0, 99)(rng);
        const std::string where = prefix + " step " + std::to_string(n) + ": ";
        auto expect = [&](const std::string& what, const http::Response& r, std::set<int> ok) {
            outcomes[what + " " + std::to_string(r.status)]++;
            if (!ok.count(r.status))
                failures.push_back(where + what + " answered " + std::to_string(r.status) + " " + r.body);
        };
        if (ids.size() < 4 || dice < 40) {
            std::string parent = "null";
            if (!ids.empty() && std::uniform_int_distribution<int>(0, 3)(rng))
                parent = std::to_string(pick(ids));
            const std::string body = R"({"project":{"name":")" + name() + R"(","identifier":")" + prefix +
                                     std::to_string(++created) + R"(","parent_id":)" + parent + "}}";
            expect("create", send("POST", "/projects.json", body),
                   alone ? std::set<int>{201} : std::set<int>{201, 422});
        } else if (dice < 85) {
            const long long id = pick(ids);
            std::string parent = "null";
            if (std::uniform_int_distribution<int>(0, 4)(rng)) parent = std::to_string(pick(ids));
            std::string body = R"({"project":{"parent_id":)" + parent;
            if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) body += R"(,"name":")" + name() + "\"";
            body += "}}";
            std::set<int> ok{204, 404, 422};
            if (alone) {
                // Moving under itself or one of its descendants is refused; anything else is allowed.
                bool inside = false;
                if (parent != "null")
                    inside = c.scalar(
                                 "SELECT COUNT(*) FROM projects p JOIN projects t ON t.id = ? "
                                 "WHERE p.id = ? AND t.lft >= p.lft AND t.rgt <= p.rgt",
                                 {std::stoll(parent), id}) > 0;
                ok = {inside ? 422 : 204};
            }
            expect("move", send("PUT", "/projects/" + std::to_string(id) + ".json", body), ok);
        } else {
            const long long id = pick(ids);
            expect("delete", send("DELETE", "/projects/" + std::to_string(id) + ".json", ""),
                   alone ? std::set<int>{204} : std::set<int>{204, 404});
        }
    }
};

int steps(int sqlite, int mysql) { return spec::mysql() ? mysql : sqlite; }

}  // namespace

TEST_CASE("project tree: random creates, moves and deletes keep the nested set (seed 4004)") {
    Client c;
    auto conn = c.database().connect();
    REQUIRE(nested_set_error(*conn) == "");
    Writer w{std::mt19937(4004), "solo", 0, {}, {}};
    auto send = [&](const std::string& m, const std::string& t, const std::string& b) {
        return c.send(m, t, b);
    };
    const int n = steps(300, 200);
    for (int i = 1; i <= n; ++i) {
        w.step(send, *conn, true, i);
        const std::string error = nested_set_error(*conn);
        INFO("seed 4004, step ", i);
        REQUIRE(error == "");
        REQUIRE(w.failures.empty());
    }
    // Every kind of step happened, the refused moves too.
    CHECK(w.outcomes["create 201"] > 10);
    CHECK(w.outcomes["move 204"] > 10);
    CHECK(w.outcomes["move 422"] > 0);
    CHECK(w.outcomes["delete 204"] > 5);
    CHECK(c.scalar("SELECT COUNT(*) FROM projects") > 3);
}

TEST_CASE("project tree: two servers writing to one database at once keep the nested set (seeds 41, 42)") {
    Client c;
    // A second server with its own connection pool on the same database.
    app::Config config = c.app().config();
    app::App other(config);
    auto via = [](app::App& app) {
        return [&app](const std::string& m, const std::string& t, const std::string& b) {
            http::Request r;
            r.method = m;
            r.target = t;
            http::parse_target(r);
            r.headers["content-type"] = "application/json";
            r.headers["x-redmine-api-key"] = kAdminKey;
            r.body = b;
            r.remote = "127.0.0.1";
            return app.handle(r);
        };
    };
    Writer a{std::mt19937(41), "one", 0, {}, {}}, b{std::mt19937(42), "two", 0, {}, {}};
    const int n = steps(250, 150);
    auto run = [&](Writer& w, app::App& app) {
        auto conn = app.database().connect();
        const auto send = via(app);
        for (int i = 1; i <= n; ++i) {
            try {
                w.step(send, *conn, false, i);
            } catch (const std::exception& e) {
                w.failures.push_back(w.prefix + " step " + std::to_string(i) + " threw " + e.what());
            }
        }
    };
    std::thread first([&] { run(a, c.app()); });
    std::thread second([&] { run(b, other); });
    first.join();
    second.join();
    for (const auto& f : a.failures) CHECK_MESSAGE(false, f);
    for (const auto& f : b.failures) CHECK_MESSAGE(false, f);
    CHECK(a.outcomes["create 201"] > 10);
    CHECK(b.outcomes["move 204"] > 10);
    auto conn = c.database().connect();
    CHECK(nested_set_error(*conn) == "");
}
