// User#time_zone for the issue filters: Rails' zone names (ActiveSupport::TimeZone::MAPPING) over the tz
// database's TZif files, read here: GCC 12's libstdc++ has no std::chrono::locate_zone, and localtime_r
// under a changed TZ is not safe in a threaded server.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace resources {

class TimeZone {
public:
    // ActiveSupport::TimeZone[name]: a Rails zone name or a tz identifier; nullptr when blank or unknown.
    static std::shared_ptr<const TimeZone> find(const std::string& name);
    // The server's own zone, which Ruby's Time.local and Date.today use: $TZ, else /etc/localtime, else UTC.
    static std::shared_ptr<const TimeZone> local();

    // Seconds east of UTC at the UTC instant t (Unix seconds).
    long long offset_at(long long t) const { return info_at(t).offset; }
    // The UTC instant of a local wall-clock time (seconds since the epoch as if local were UTC), as
    // ActiveSupport's TimeZone#local: an ambiguous time is read in daylight saving time, a time in a
    // spring-forward gap one hour later.
    long long to_utc(long long local) const;

    struct Type {
        long long offset = 0;
        bool dst = false;
    };
    Type info_at(long long t) const;

    // A POSIX TZ rule (the footer of a TZif file, or $TZ itself), e.g. "CET-1CEST,M3.5.0,M10.5.0/3".
    struct Rule {
        struct Date {
            char kind = 'M';  // M (month.week.day), J (1..365 without Feb 29), or 'n' (0..365)
            int month = 0, week = 0, day = 0;
            long long time = 7200;
        };
        Type std_type, dst_type;
        bool has_dst = false;
        Date start, end;
    };

    static std::shared_ptr<const TimeZone> parse_tzif(const std::string& data);
    static std::shared_ptr<const TimeZone> from_rule(const std::string& posix);

private:
    std::vector<long long> transitions_;
    std::vector<unsigned char> type_index_;
    std::vector<Type> types_;
    Rule rule_;
    bool has_rule_ = false;
};

}  // namespace resources
