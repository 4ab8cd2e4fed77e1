// Follow-up scheduling of issues linked by `precedes` relations: Issue#soonest_start, #reschedule_on!,
// #reschedule_following_issues and IssueRelation#set_issue_to_dates, with Redmine's working-day
// arithmetic (Redmine::Utils::DateCalculation over the non_working_week_days setting).
#include <algorithm>
#include <set>

#include "resources/issue_writes.h"
#include "resources/time_entries.h"

namespace resources::issue_writes {

namespace {

using issue_writes_db::Detail;
using issue_writes_db::Issue;

// ISO weekday (1 = Monday ... 7 = Sunday) of a day counted from 1970-01-01, a Thursday.
int cwday(long long days) { return static_cast<int>(((days + 3) % 7 + 7) % 7) + 1; }

struct Calendar {
    std::set<int> off;  // non-working ISO weekdays

    bool working(int wday) const { return !off.count(((wday - 1) % 7) + 1); }

    long long working_days(long long from, long long to) const {
        const long long days = to - from;
        if (days <= 0) return 0;
        const long long weeks = days / 7;
        long long result = weeks * (7 - static_cast<long long>(off.size()));
        const long long left = days - weeks * 7;
        const int start = cwday(from);
        for (long long i = 0; i < left; ++i)
            if (working(static_cast<int>(start + i))) ++result;
        return result;
    }

    long long next_working_date(long long date) const {
        const int start = cwday(date);
        long long days = 0;
        while (!working(static_cast<int>(start + days))) ++days;
        return date + days;
    }

    long long add_working_days(long long date, long long n) const {
        if (n <= 0) return date;
        const long long per_week = 7 - static_cast<long long>(off.size());
        const long long weeks = n / per_week;
        long long result = weeks * 7, left = n - weeks * per_week;
        int wday = cwday(date);
        while (left > 0) {
            ++wday;
            if (working(wday)) --left;
            ++result;
        }
        return next_working_date(date + result);
    }
};

Calendar calendar(Context& ctx) {
    Calendar c;
    const std::string stored = ctx.setting("non_working_week_days");
    std::vector<std::string> days = stored.empty() ? std::vector<std::string>{"6", "7"} : yaml_list(stored);
    if (days.size() < 7)
        for (const auto& d : days) c.off.insert(static_cast<int>(app::ruby_to_i(d)));
    return c;
}

std::optional<long long> day(const std::optional<std::string>& d) {
    if (!d) return std::nullopt;
    return time_entries::parse_iso_date(d->substr(0, 10));
}

bool dates_derived(Context& ctx, const Issue& i) {
    return i.rgt - i.lft > 1 && ctx.setting("parent_issue_dates") == "derived";
}

// IssueRelation#successor_soonest_start for the `precedes` relations that lead to the issue.
std::vector<long long> successor_starts(Context& ctx, const Calendar& cal, long long issue_id) {
    std::vector<long long> out;
    for (const auto& r : ctx.db().query(
             "SELECT r.delay, f.start_date, f.due_date FROM issue_relations r JOIN issues f ON f.id = "
             "r.issue_from_id WHERE r.issue_to_id = ? AND r.relation_type = 'precedes'",
             {issue_id})) {
        if (r.null(0)) continue;
        auto from = day(r.os(2));
        if (!from) from = day(r.os(1));
        if (from) out.push_back(cal.add_working_days(*from, 1 + r.i(0)));
    }
    return out;
}

std::optional<long long> soonest(Context& ctx, const Calendar& cal, long long issue_id) {
    auto dates = successor_starts(ctx, cal, issue_id);
    if (ctx.setting("parent_issue_dates") == "derived") {
        auto parent = ctx.db().one("SELECT parent_id FROM issues WHERE id = ?", {issue_id});
        if (parent && !parent->null(0))
            if (auto p = soonest(ctx, cal, parent->i(0))) dates.push_back(*p);
    }
    if (dates.empty()) return std::nullopt;
    return *std::max_element(dates.begin(), dates.end());
}

std::optional<long long> reschedule(Context& ctx, const Calendar& cal, long long issue_id, long long date,
                                    bool journal, const std::string& now, int depth);

void follow(Context& ctx, const Calendar& cal, const Issue& i, bool journal, const std::string& now,
            int depth) {
    auto from = day(i.due_date);
    if (!from) from = day(i.start_date);
    if (!from) return;
    for (const auto& r :
         ctx.db().query("SELECT issue_to_id, delay FROM issue_relations WHERE issue_from_id = ? "
                        "AND relation_type = 'precedes' ORDER BY id",
                        {i.id}))
        if (!r.null(1))
            reschedule(ctx, cal, r.i(0), cal.add_working_days(*from, 1 + r.i(1)), journal, now, depth);
}

std::optional<long long> reschedule(Context& ctx, const Calendar& cal, long long issue_id, long long date,
                                    bool journal, const std::string& now, int depth) {
    if (depth > 100) return std::nullopt;  // a relation cycle is refused on create; stay safe anyway
    auto& db = ctx.db();
    auto loaded = issue_writes_db::load(db, issue_id);
    if (!loaded) return std::nullopt;
    Issue i = *loaded;
    if (dates_derived(ctx, i)) {
        // a parent moves by moving its leaves that start with it or before the date
        const auto start = day(i.start_date);
        for (const auto& leaf :
             db.query("SELECT id, start_date FROM issues WHERE root_id = ? AND lft > ? AND "
                      "rgt < ? AND rgt - lft = 1 ORDER BY lft",
                      {i.root_id, i.lft, i.rgt})) {
            const auto leaf_start = day(leaf.os(1));
            if (!leaf_start || start == leaf_start || date > *leaf_start)
                reschedule(ctx, cal, leaf.i(0), date, false, now, depth + 1);
        }
        return std::nullopt;
    }
    const auto start = day(i.start_date), due = day(i.due_date);
    if (start && *start == date) return std::nullopt;
    if (start && *start > date) {
        if (auto s = soonest(ctx, cal, i.id)) date = std::max(date, *s);
    }
    const long long wd = start && due ? cal.working_days(*start, *due) : 0;
    date = cal.next_working_date(date);
    const Issue before = i;
    i.start_date = time_entries::civil_from_days(date);
    i.due_date = time_entries::civil_from_days(cal.add_working_days(date, wd));
    if (i.start_date == before.start_date && i.due_date == before.due_date) {
        if (journal) issue_writes_db::update(db, i, now);  // a started journal saves the row all the same
        return std::nullopt;
    }
    issue_writes_db::update(db, i, now);
    // after_save: followers, then the parent's derived dates, then this issue's journal
    follow(ctx, cal, i, journal, now, depth + 1);
    recalculate_ancestors(ctx, i.parent_id, now);
    if (!journal) return std::nullopt;
    std::vector<Detail> details;
    if (i.due_date != before.due_date) details.push_back({"attr", "due_date", before.due_date, i.due_date});
    if (i.start_date != before.start_date)
        details.push_back({"attr", "start_date", before.start_date, i.start_date});
    return write_journal(ctx, i.id, std::string(), false, details, now);
}

}  // namespace

std::optional<long long> soonest_start(Context& ctx, long long issue_id, std::optional<long long> parent_id) {
    const Calendar cal = calendar(ctx);
    auto dates = successor_starts(ctx, cal, issue_id);
    if (parent_id && ctx.setting("parent_issue_dates") == "derived")
        if (auto p = soonest(ctx, cal, *parent_id)) dates.push_back(*p);
    if (dates.empty()) return std::nullopt;
    return *std::max_element(dates.begin(), dates.end());
}

long long add_working_days(Context& ctx, long long days, long long n) {
    return calendar(ctx).add_working_days(days, n);
}

std::optional<long long> reschedule_on(Context& ctx, long long issue_id, long long days, bool journal,
                                       const std::string& now) {
    return reschedule(ctx, calendar(ctx), issue_id, days, journal, now, 0);
}

void reschedule_following(Context& ctx, long long issue_id, bool journal, const std::string& now) {
    auto i = issue_writes_db::load(ctx.db(), issue_id);
    if (i) follow(ctx, calendar(ctx), *i, journal, now, 0);
}

}  // namespace resources::issue_writes
