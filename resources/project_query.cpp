// ProjectQuery (Redmine 5.0) for the API: its filters and sortable columns, as Query#build_from_params,
// #validate_query_filters, #sql_for_field and Redmine::SortCriteria handle them. Project custom field
// filters and sorts are not offered.
#include "resources/project_query.h"

#include <algorithm>
#include <regex>

#include "resources/project_common.h"
#include "resources/query_params.h"
#include "resources/time_entries.h"

namespace resources {

namespace {

namespace te = time_entries;

enum class Type { List, ListSubprojects, Text, DatePast };

struct Available {
    const char* field;
    Type type;
};
// In ProjectQuery#initialize_available_filters order.
const std::vector<Available> kAvailable = {
    {"status", Type::List},
    {"id", Type::List},
    {"name", Type::Text},
    {"description", Type::Text},
    {"parent_id", Type::ListSubprojects},
    {"is_public", Type::List},
    {"created_on", Type::DatePast},
};

const std::vector<std::string>& operators(Type t) {
    static const std::vector<std::string> list = {"=", "!"}, subprojects = {"*", "!*", "=", "!"},
                                          text = {"~", "!~", "^", "$", "!*", "*"},
                                          date = {"=",  ">=", "<=", "><",  ">t-", "<t-", "><t-", "t-", "t",
                                                  "ld", "w",  "lw", "l2w", "m",   "lm",  "y",    "!*", "*"};
    switch (t) {
        case Type::List:
            return list;
        case Type::ListSubprojects:
            return subprojects;
        case Type::Text:
            return text;
        case Type::DatePast:
            return date;
    }
    return list;
}

struct Filter {
    std::string field;
    Type type = Type::List;
    std::string op;
    std::vector<std::string> values;
};

const Available* available(const std::string& field) {
    for (const auto& a : kAvailable)
        if (field == a.field) return &a;
    return nullptr;
}

void put(std::vector<Filter>& filters, Filter f) {
    for (auto& g : filters)
        if (g.field == f.field) {
            g = std::move(f);
            return;
        }
    filters.push_back(std::move(f));
}

std::vector<Filter> parse_filters(const nlohmann::json& params) {
    std::vector<Filter> filters;
    const FilterParams given = filter_params(params);
    if (given.replace) {
        for (const auto& f : given.filters)
            if (const auto* a = available(f.field)) put(filters, {f.field, a->type, f.op, f.values});
        return filters;
    }
    filters.push_back({"status", Type::List, "=", {"1"}});  // ProjectQuery#initialize
    for (const auto& a : kAvailable)
        if (auto f = short_filter(params, a.field, operators(a.type))) put(filters, {a.field, a.type, f->op, f->values});
    return filters;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::optional<long long> parse_day(const std::string& v) {
    static const std::regex re(R"(^\d{4}-\d{2}-\d{2}(T\d{2}((:)?\d{2}){0,2}(Z|\d{2}:?\d{2})?)?$)");
    if (!std::regex_match(v, re)) return std::nullopt;
    return te::parse_iso_date(v.substr(0, 10));
}

// Query#validate_query_filters: any error makes the query ignore all of its filters.
bool valid(const Filter& f) {
    static const std::vector<std::string> no_value = {"o",  "c",   "!*", "*", "nd", "t", "ld", "nw", "w",
                                                      "lw", "l2w", "nm", "m", "lm", "y", "*o", "!o"};
    if (f.type == Type::DatePast) {
        for (const auto& v : f.values) {
            if (blank(v)) continue;
            if ((f.op == "=" || f.op == ">=" || f.op == "<=" || f.op == "><") && !parse_day(v)) return false;
            static const std::regex digits("^[0-9]+$");
            if (f.op.find('t') != std::string::npos && f.op.size() > 1 && !std::regex_search(v, digits))
                return false;
        }
    }
    if (!f.values.empty() && !blank(f.values.front())) return true;
    return std::find(no_value.begin(), no_value.end(), f.op) != no_value.end();
}

struct Clause {
    std::string sql;
    std::vector<db::Value> params;
};

// Query#date_clause over a timestamp column, for whole days in UTC.
Clause date_clause(const std::string& column, std::optional<long long> from, std::optional<long long> to) {
    Clause c;
    if (from) {
        c.sql = column + " >= ?";
        c.params.emplace_back(te::civil_from_days(*from) + " 00:00:00");
    }
    if (to) {
        c.sql += (c.sql.empty() ? "" : " AND ") + column + " < ?";
        c.params.emplace_back(te::civil_from_days(*to + 1) + " 00:00:00");
    }
    if (c.sql.empty()) c.sql = "1=1";
    return c;
}

// Query.tokenized_like_conditions and the ^ / $ forms.
Clause like_clause(db::Conn& db, const std::string& column, const std::string& op, const std::string& value) {
    auto escape = [](const std::string& s) {
        std::string out;
        for (char ch : s) {
            if (ch == '\\' || ch == '%' || ch == '_') out += '\\';
            out += ch;
        }
        return out;
    };
    const std::string like = std::string(op == "!~" ? " NOT LIKE ?" : " LIKE ?") +
                             (db.backend() == db::Backend::Sqlite ? " ESCAPE '\\'" : "");
    Clause c;
    if (op == "^" || op == "$") {
        c.sql = column + like;
        c.params.emplace_back(op == "^" ? escape(value) + "%" : "%" + escape(value));
        return c;
    }
    // Redmine::Search::Tokenizer: words and "quoted phrases", unique, longer than one character, at most 5
    std::vector<std::string> tokens;
    static const std::regex token(R"rx(((\s|^)"[^"]+"(\s|$)|\S+))rx");
    for (auto it = std::sregex_iterator(value.begin(), value.end(), token); it != std::sregex_iterator();
         ++it) {
        std::string t = std::regex_replace((*it)[1].str(), std::regex(R"rx((^\s*"\s*|\s*"\s*$))rx"), "");
        if (std::find(tokens.begin(), tokens.end(), t) == tokens.end()) tokens.push_back(t);
    }
    std::erase_if(tokens, [](const std::string& t) { return t.size() <= 1; });
    if (tokens.size() > 5) tokens.resize(5);
    if (tokens.empty()) tokens.push_back(value);
    for (const auto& t : tokens) {
        c.sql += (c.sql.empty() ? "" : " AND ") + column + like;
        c.params.emplace_back("%" + escape(t) + "%");
    }
    return c;
}

Clause filter_sql(Context& ctx, Filter f) {
    const std::string column = "projects." + f.field;
    Clause c;
    auto in_values = [&](bool negate) {
        if (f.field == "id" || f.field == "parent_id") {
            // 'mine': the projects the user is a member of; 'bookmarks' are not kept by this server
            std::vector<std::string> values;
            for (const auto& v : f.values)
                if (v == "mine") {
                    for (const auto& r : ctx.db().query(
                             "SELECT project_id FROM members WHERE user_id = ? ORDER BY id", {ctx.user.id}))
                        values.push_back(std::to_string(r.i(0)));
                } else if (v != "bookmarks") {
                    values.push_back(v);
                }
            f.values = values;
        }
        if (f.values.empty()) {
            c.sql = negate ? "1=1" : "1=0";
            return;
        }
        std::string list;
        for (const auto& v : f.values) {
            list += list.empty() ? "?" : ", ?";
            c.params.emplace_back(v);
        }
        c.sql = negate ? "(" + column + " IS NULL OR " + column + " NOT IN (" + list + "))"
                       : column + " IN (" + list + ")";
    };
    const long long today = te::today_days();
    auto n = [&] { return f.values.empty() ? 0 : app::ruby_to_i(f.values.front()); };
    auto day = [&](size_t i) { return i < f.values.size() ? parse_day(f.values[i]) : std::nullopt; };
    auto month = [](long long days, int delta) {
        const std::string s = te::civil_from_days(days);
        int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)) + delta;
        if (m == 0) {
            m = 12;
            --y;
        }
        const long long first = te::days_from_civil(y, m, 1);
        const long long next = m == 12 ? te::days_from_civil(y + 1, 1, 1) : te::days_from_civil(y, m + 1, 1);
        return std::make_pair(first, next - 1);
    };
    // the en locale's general_first_day_of_week is 7 (Sunday); 1970-01-01 was a Thursday (cwday 4)
    const long long cwday = (today + 3) % 7 + 1;
    const long long days_ago = cwday >= 7 ? cwday - 7 : cwday;
    const std::string& op = f.op;
    if (op == "=") {
        if (f.type == Type::DatePast) return date_clause(column, day(0), day(0));
        in_values(false);
    } else if (op == "!") {
        in_values(true);
    } else if (op == "!*") {
        c.sql = column + " IS NULL" + (f.type == Type::Text ? " OR " + column + " = ''" : "");
    } else if (op == "*") {
        c.sql = column + " IS NOT NULL";
    } else if (op == ">=" && f.type == Type::DatePast) {
        return date_clause(column, day(0), std::nullopt);
    } else if (op == "<=" && f.type == Type::DatePast) {
        return date_clause(column, std::nullopt, day(0));
    } else if (op == "><" && f.type == Type::DatePast) {
        return date_clause(column, day(0), day(1));
    } else if (op == "><t-") {
        return date_clause(column, today - n(), today);
    } else if (op == ">t-") {
        return date_clause(column, today - n(), std::nullopt);
    } else if (op == "<t-") {
        return date_clause(column, std::nullopt, today - n());
    } else if (op == "t-") {
        return date_clause(column, today - n(), today - n());
    } else if (op == "t") {
        return date_clause(column, today, today);
    } else if (op == "ld") {
        return date_clause(column, today - 1, today - 1);
    } else if (op == "w") {
        return date_clause(column, today - days_ago, today - days_ago + 6);
    } else if (op == "lw") {
        return date_clause(column, today - days_ago - 7, today - days_ago - 1);
    } else if (op == "l2w") {
        return date_clause(column, today - days_ago - 14, today - days_ago - 1);
    } else if (op == "m" || op == "lm") {
        const auto [first, last] = month(today, op == "m" ? 0 : -1);
        return date_clause(column, first, last);
    } else if (op == "y") {
        const std::string y = te::civil_from_days(today).substr(0, 4);
        return date_clause(column, te::days_from_civil(std::stoi(y), 1, 1),
                           te::days_from_civil(std::stoi(y), 12, 31));
    } else if (op == "~" || op == "!~" || op == "^" || op == "$") {
        return like_clause(ctx.db(), column, op, f.values.empty() ? "" : f.values.front());
    }
    return c;
}

// Redmine::SortCriteria from `sort`, then ProjectQuery#results_scope's order.
std::string order_clause(const Context& ctx) {
    static const std::map<std::string, std::string> sortable = {
        {"name", "projects.name"},
        {"status", "projects.status"},
        {"short_description", "projects.description"},
        {"homepage", "projects.homepage"},
        {"identifier", "projects.identifier"},
        {"parent_id", "projects.lft ASC"},
        {"is_public", "projects.is_public"},
        {"created_on", "projects.created_on"},
    };
    std::string order;
    std::vector<std::string> seen;
    const std::string sort = ctx.param("sort").value_or("");
    size_t pos = 0;
    while (pos <= sort.size() && seen.size() < 3) {
        const auto comma = sort.find(',', pos);
        const std::string item =
            sort.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        pos = comma == std::string::npos ? sort.size() + 1 : comma + 1;
        const auto colon = item.find(':');
        const std::string key = item.substr(0, colon);
        std::string dir = "asc";
        if (colon != std::string::npos) {
            const auto next = item.find(':', colon + 1);
            dir = item.substr(colon + 1, next == std::string::npos ? std::string::npos : next - colon - 1);
        }
        if (blank(key) || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
        seen.push_back(key);
        const auto it = sortable.find(key);
        if (it == sortable.end()) continue;
        const bool fixed = it->second.size() > 4 && it->second.substr(it->second.size() - 4) == " ASC";
        order += it->second + (fixed ? "" : dir == "desc" ? " DESC" : " ASC") + ", ";
    }
    return order + "projects.lft ASC";
}

}  // namespace

ProjectQuerySql build_project_query(Context& ctx) {
    ProjectQuerySql out;
    out.order = order_clause(ctx);
    const auto filters = parse_filters(ctx.params());
    if (!std::all_of(filters.begin(), filters.end(), valid)) return out;
    for (const auto& f : filters) {
        Clause c = filter_sql(ctx, f);
        if (c.sql.empty()) continue;
        out.where += (out.where.empty() ? "(" : " AND (") + c.sql + ")";
        for (auto& p : c.params) out.params.push_back(std::move(p));
    }
    return out;
}

}  // namespace resources
