#include "resources/user_time_zone.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

namespace resources {

namespace {

// ActiveSupport::TimeZone::MAPPING (Rails 6.1): the names Redmine's preferences store.
const std::map<std::string, std::string>& rails_zones() {
    static const std::map<std::string, std::string> kMapping = {
        {"International Date Line West", "Etc/GMT+12"},
        {"Midway Island", "Pacific/Midway"},
        {"American Samoa", "Pacific/Pago_Pago"},
        {"Hawaii", "Pacific/Honolulu"},
        {"Alaska", "America/Juneau"},
        {"Pacific Time (US & Canada)", "America/Los_Angeles"},
        {"Tijuana", "America/Tijuana"},
        {"Mountain Time (US & Canada)", "America/Denver"},
        {"Arizona", "America/Phoenix"},
        {"Chihuahua", "America/Chihuahua"},
        {"Mazatlan", "America/Mazatlan"},
        {"Central Time (US & Canada)", "America/Chicago"},
        {"Saskatchewan", "America/Regina"},
        {"Guadalajara", "America/Mexico_City"},
        {"Mexico City", "America/Mexico_City"},
        {"Monterrey", "America/Monterrey"},
        {"Central America", "America/Guatemala"},
        {"Eastern Time (US & Canada)", "America/New_York"},
        {"Indiana (East)", "America/Indiana/Indianapolis"},
        {"Bogota", "America/Bogota"},
        {"Lima", "America/Lima"},
        {"Quito", "America/Lima"},
        {"Atlantic Time (Canada)", "America/Halifax"},
        {"Caracas", "America/Caracas"},
        {"La Paz", "America/La_Paz"},
        {"Santiago", "America/Santiago"},
        {"Newfoundland", "America/St_Johns"},
        {"Brasilia", "America/Sao_Paulo"},
        {"Buenos Aires", "America/Argentina/Buenos_Aires"},
        {"Montevideo", "America/Montevideo"},
        {"Georgetown", "America/Guyana"},
        {"Puerto Rico", "America/Puerto_Rico"},
        {"Greenland", "America/Godthab"},
        {"Mid-Atlantic", "Atlantic/South_Georgia"},
        {"Azores", "Atlantic/Azores"},
        {"Cape Verde Is.", "Atlantic/Cape_Verde"},
        {"Dublin", "Europe/Dublin"},
        {"Edinburgh", "Europe/London"},
        {"Lisbon", "Europe/Lisbon"},
        {"London", "Europe/London"},
        {"Casablanca", "Africa/Casablanca"},
        {"Monrovia", "Africa/Monrovia"},
        {"UTC", "Etc/UTC"},
        {"Belgrade", "Europe/Belgrade"},
        {"Bratislava", "Europe/Bratislava"},
        {"Budapest", "Europe/Budapest"},
        {"Ljubljana", "Europe/Ljubljana"},
        {"Prague", "Europe/Prague"},
        {"Sarajevo", "Europe/Sarajevo"},
        {"Skopje", "Europe/Skopje"},
        {"Warsaw", "Europe/Warsaw"},
        {"Zagreb", "Europe/Zagreb"},
        {"Brussels", "Europe/Brussels"},
        {"Copenhagen", "Europe/Copenhagen"},
        {"Madrid", "Europe/Madrid"},
        {"Paris", "Europe/Paris"},
        {"Amsterdam", "Europe/Amsterdam"},
        {"Berlin", "Europe/Berlin"},
        {"Bern", "Europe/Zurich"},
        {"Zurich", "Europe/Zurich"},
        {"Rome", "Europe/Rome"},
        {"Stockholm", "Europe/Stockholm"},
        {"Vienna", "Europe/Vienna"},
        {"West Central Africa", "Africa/Algiers"},
        {"Bucharest", "Europe/Bucharest"},
        {"Cairo", "Africa/Cairo"},
        {"Helsinki", "Europe/Helsinki"},
        {"Kyiv", "Europe/Kiev"},
        {"Riga", "Europe/Riga"},
        {"Sofia", "Europe/Sofia"},
        {"Tallinn", "Europe/Tallinn"},
        {"Vilnius", "Europe/Vilnius"},
        {"Athens", "Europe/Athens"},
        {"Istanbul", "Europe/Istanbul"},
        {"Minsk", "Europe/Minsk"},
        {"Jerusalem", "Asia/Jerusalem"},
        {"Harare", "Africa/Harare"},
        {"Pretoria", "Africa/Johannesburg"},
        {"Kaliningrad", "Europe/Kaliningrad"},
        {"Moscow", "Europe/Moscow"},
        {"St. Petersburg", "Europe/Moscow"},
        {"Volgograd", "Europe/Volgograd"},
        {"Samara", "Europe/Samara"},
        {"Kuwait", "Asia/Kuwait"},
        {"Riyadh", "Asia/Riyadh"},
        {"Nairobi", "Africa/Nairobi"},
        {"Baghdad", "Asia/Baghdad"},
        {"Tehran", "Asia/Tehran"},
        {"Abu Dhabi", "Asia/Muscat"},
        {"Muscat", "Asia/Muscat"},
        {"Baku", "Asia/Baku"},
        {"Tbilisi", "Asia/Tbilisi"},
        {"Yerevan", "Asia/Yerevan"},
        {"Kabul", "Asia/Kabul"},
        {"Ekaterinburg", "Asia/Yekaterinburg"},
        {"Islamabad", "Asia/Karachi"},
        {"Karachi", "Asia/Karachi"},
        {"Tashkent", "Asia/Tashkent"},
        {"Chennai", "Asia/Kolkata"},
        {"Kolkata", "Asia/Kolkata"},
        {"Mumbai", "Asia/Kolkata"},
        {"New Delhi", "Asia/Kolkata"},
        {"Kathmandu", "Asia/Kathmandu"},
        {"Astana", "Asia/Dhaka"},
        {"Dhaka", "Asia/Dhaka"},
        {"Sri Jayawardenepura", "Asia/Colombo"},
        {"Almaty", "Asia/Almaty"},
        {"Novosibirsk", "Asia/Novosibirsk"},
        {"Rangoon", "Asia/Rangoon"},
        {"Bangkok", "Asia/Bangkok"},
        {"Hanoi", "Asia/Bangkok"},
        {"Jakarta", "Asia/Jakarta"},
        {"Krasnoyarsk", "Asia/Krasnoyarsk"},
        {"Beijing", "Asia/Shanghai"},
        {"Chongqing", "Asia/Chongqing"},
        {"Hong Kong", "Asia/Hong_Kong"},
        {"Urumqi", "Asia/Urumqi"},
        {"Kuala Lumpur", "Asia/Kuala_Lumpur"},
        {"Singapore", "Asia/Singapore"},
        {"Taipei", "Asia/Taipei"},
        {"Perth", "Australia/Perth"},
        {"Irkutsk", "Asia/Irkutsk"},
        {"Ulaanbaatar", "Asia/Ulaanbaatar"},
        {"Seoul", "Asia/Seoul"},
        {"Osaka", "Asia/Tokyo"},
        {"Sapporo", "Asia/Tokyo"},
        {"Tokyo", "Asia/Tokyo"},
        {"Yakutsk", "Asia/Yakutsk"},
        {"Darwin", "Australia/Darwin"},
        {"Adelaide", "Australia/Adelaide"},
        {"Canberra", "Australia/Melbourne"},
        {"Melbourne", "Australia/Melbourne"},
        {"Sydney", "Australia/Sydney"},
        {"Brisbane", "Australia/Brisbane"},
        {"Hobart", "Australia/Hobart"},
        {"Vladivostok", "Asia/Vladivostok"},
        {"Guam", "Pacific/Guam"},
        {"Port Moresby", "Pacific/Port_Moresby"},
        {"Magadan", "Asia/Magadan"},
        {"Srednekolymsk", "Asia/Srednekolymsk"},
        {"Solomon Is.", "Pacific/Guadalcanal"},
        {"New Caledonia", "Pacific/Noumea"},
        {"Fiji", "Pacific/Fiji"},
        {"Kamchatka", "Asia/Kamchatka"},
        {"Marshall Is.", "Pacific/Majuro"},
        {"Auckland", "Pacific/Auckland"},
        {"Wellington", "Pacific/Auckland"},
        {"Nuku'alofa", "Pacific/Tongatapu"},
        {"Tokelau Is.", "Pacific/Fakaofo"},
        {"Chatham Is.", "Pacific/Chatham"},
        {"Samoa", "Pacific/Apia"},
    };
    return kMapping;
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

long long be(const std::string& d, size_t pos, int bytes) {
    unsigned long long v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(d[pos + i]);
    if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<long long>(v);
}

// A POSIX TZ name ("CET" or "<+09>") and offset ("-1", "5:30", POSIX counts west of Greenwich).
bool parse_name(const std::string& s, size_t& i) {
    if (i < s.size() && s[i] == '<') {
        auto close = s.find('>', i);
        if (close == std::string::npos) return false;
        i = close + 1;
        return true;
    }
    size_t start = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    return i - start >= 3;
}

bool parse_hms(const std::string& s, size_t& i, long long& out) {
    int sign = 1;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
    long long parts[3] = {0, 0, 0};
    for (int p = 0; p < 3; ++p) {
        if (p > 0) {
            if (i >= s.size() || s[i] != ':') break;
            ++i;
        }
        size_t start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            parts[p] = parts[p] * 10 + (s[i++] - '0');
        if (i == start) return false;
    }
    out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    return true;
}

bool parse_date(const std::string& s, size_t& i, TimeZone::Rule::Date& d) {
    if (i < s.size() && s[i] == 'M') {
        d.kind = 'M';
        ++i;
        int* fields[3] = {&d.month, &d.week, &d.day};
        for (int p = 0; p < 3; ++p) {
            if (p > 0 && (i >= s.size() || s[i++] != '.')) return false;
            size_t start = i;
            *fields[p] = 0;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
                *fields[p] = *fields[p] * 10 + (s[i++] - '0');
            if (i == start) return false;
        }
    } else {
        d.kind = 'n';
        if (i < s.size() && s[i] == 'J') d.kind = 'J', ++i;
        size_t start = i;
        d.day = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            d.day = d.day * 10 + (s[i++] - '0');
        if (i == start) return false;
    }
    d.time = 7200;
    if (i < s.size() && s[i] == '/') return parse_hms(s, ++i, d.time);
    return true;
}

std::optional<TimeZone::Rule> parse_rule(const std::string& s) {
    TimeZone::Rule r;
    size_t i = 0;
    long long off = 0;
    if (!parse_name(s, i) || !parse_hms(s, i, off)) return std::nullopt;
    r.std_type = {-off, false};
    if (i == s.size()) return r;
    if (!parse_name(s, i)) return std::nullopt;
    r.has_dst = true;
    r.dst_type = {r.std_type.offset + 3600, true};
    if (i < s.size() && s[i] != ',') {
        if (!parse_hms(s, i, off)) return std::nullopt;
        r.dst_type.offset = -off;
    }
    // without rules POSIX means the US rules of 2007
    r.start = {'M', 3, 2, 0, 7200};
    r.end = {'M', 11, 1, 0, 7200};
    if (i < s.size()) {
        if (s[i++] != ',' || !parse_date(s, i, r.start) || i >= s.size() || s[i++] != ',' ||
            !parse_date(s, i, r.end) || i != s.size())
            return std::nullopt;
    }
    return r;
}

using std::chrono::days;
using std::chrono::sys_days;

// The local day (days since the epoch) a rule date falls on in `year`.
long long rule_day(const TimeZone::Rule::Date& d, int year) {
    using namespace std::chrono;
    const auto y = std::chrono::year{year};
    if (d.kind == 'M') {
        const sys_days first{y / month{static_cast<unsigned>(d.month)} / 1};
        const int wd = static_cast<int>(weekday{first}.c_encoding());
        long long day = (d.day - wd + 7) % 7 + (d.week - 1) * 7;
        const sys_days last{y / month{static_cast<unsigned>(d.month)} / std::chrono::last};
        while (first + days{day} > last) day -= 7;
        return (first + days{day}).time_since_epoch().count();
    }
    const sys_days jan1{y / January / 1};
    long long n = d.day;
    if (d.kind == 'J') n = n - 1 + (y.is_leap() && d.day >= 60 ? 1 : 0);
    return (jan1 + days{n}).time_since_epoch().count();
}

TimeZone::Type rule_type(const TimeZone::Rule& r, long long t) {
    if (!r.has_dst) return r.std_type;
    const auto ymd =
        std::chrono::year_month_day{std::chrono::floor<days>(sys_days{} + std::chrono::seconds{t})};
    const int year = static_cast<int>(ymd.year());
    const long long start = rule_day(r.start, year) * 86400 + r.start.time - r.std_type.offset;
    const long long end = rule_day(r.end, year) * 86400 + r.end.time - r.dst_type.offset;
    const bool dst = start < end ? t >= start && t < end : !(t >= end && t < start);
    return dst ? r.dst_type : r.std_type;
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::parse_tzif(const std::string& d) {
    if (d.size() < 44 || d.compare(0, 4, "TZif") != 0) return nullptr;
    size_t pos = 0;
    int time_size = 4;
    auto counts = [&](size_t at, long long c[6]) {
        for (int k = 0; k < 6; ++k) c[k] = be(d, at + 20 + 4 * k, 4);
    };
    long long c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    counts(0, c);
    if (d[4] >= '2') {
        pos = 44 + c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
        if (d.size() < pos + 44 || d.compare(pos, 4, "TZif") != 0) return nullptr;
        counts(pos, c);
        time_size = 8;
    }
    pos += 44;
    const size_t need = c[3] * (time_size + 1) + c[4] * 6 + c[5] + c[2] * (time_size + 4) + c[1] + c[0];
    if (c[4] < 1 || d.size() < pos + need) return nullptr;
    auto z = std::make_shared<TimeZone>();
    for (long long k = 0; k < c[3]; ++k) z->transitions_.push_back(be(d, pos + k * time_size, time_size));
    pos += c[3] * time_size;
    for (long long k = 0; k < c[3]; ++k) {
        const auto idx = static_cast<unsigned char>(d[pos + k]);
        if (idx >= c[4]) return nullptr;
        z->type_index_.push_back(idx);
    }
    pos += c[3];
    for (long long k = 0; k < c[4]; ++k)
        z->types_.push_back({be(d, pos + k * 6, 4), d[pos + k * 6 + 4] != 0});
    pos += need - c[3] * (time_size + 1);
    if (time_size == 8 && pos < d.size() && d[pos] == '\n') {
        const auto eol = d.find('\n', pos + 1);
        if (eol != std::string::npos && eol > pos + 1) {
            if (auto r = parse_rule(d.substr(pos + 1, eol - pos - 1))) z->rule_ = *r, z->has_rule_ = true;
        }
    }
    return z;
}

std::shared_ptr<const TimeZone> TimeZone::from_rule(const std::string& posix) {
    auto r = parse_rule(posix);
    if (!r) return nullptr;
    auto z = std::make_shared<TimeZone>();
    z->types_.push_back(r->std_type);
    z->rule_ = *r;
    z->has_rule_ = true;
    return z;
}

TimeZone::Type TimeZone::info_at(long long t) const {
    if (transitions_.empty() || t < transitions_.front()) {
        if (transitions_.empty() && has_rule_) return rule_type(rule_, t);
        return types_.front();
    }
    if (t >= transitions_.back() && has_rule_) return rule_type(rule_, t);
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
    return types_[type_index_[it - transitions_.begin() - 1]];
}

long long TimeZone::to_utc(long long local) const {
    for (int attempt = 0; attempt < 4; ++attempt, local += 3600) {
        std::optional<long long> best;
        bool best_dst = false;
        for (long long probe : {local - 86400, local, local + 86400}) {
            const long long offset = info_at(probe).offset;
            const long long utc = local - offset;
            const Type at = info_at(utc);
            if (at.offset != offset) continue;
            // DST first, then the later period (ActiveSupport's period_for_local(time, true) { |p| p.last })
            if (!best || (at.dst && !best_dst) || (at.dst == best_dst && utc > *best))
                best = utc, best_dst = at.dst;
        }
        if (best) return *best;
    }
    return local - offset_at(local);
}

std::shared_ptr<const TimeZone> TimeZone::find(const std::string& name) {
    if (name.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
    auto it = rails_zones().find(name);
    const std::string id = it != rails_zones().end() ? it->second : name;
    // a tz identifier names a file under the zoneinfo directory
    if (id.empty() || id[0] == '/' || id.find("..") != std::string::npos ||
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/") !=
            std::string::npos)
        return nullptr;
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const TimeZone>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto cached = cache.find(id);
    if (cached != cache.end()) return cached->second;
    std::shared_ptr<const TimeZone> zone;
    if (auto data = read_file("/usr/share/zoneinfo/" + id)) zone = parse_tzif(*data);
    if (cache.size() < 1000) cache[id] = zone;
    return zone;
}

std::shared_ptr<const TimeZone> TimeZone::local() {
    static const std::shared_ptr<const TimeZone> zone = [] {
        std::shared_ptr<const TimeZone> z;
        if (const char* env = std::getenv("TZ")) {
            std::string tz = env;
            if (!tz.empty() && tz[0] == ':') tz = tz.substr(1);
            if (!tz.empty() && tz[0] == '/') {
                if (auto data = read_file(tz)) z = parse_tzif(*data);
            } else if (!tz.empty()) {
                if (auto data = read_file("/usr/share/zoneinfo/" + tz);
                    data && tz.find("..") == std::string::npos)
                    z = parse_tzif(*data);
                if (!z) z = from_rule(tz);
            }
        } else if (auto data = read_file("/etc/localtime")) {
            z = parse_tzif(*data);
        }
        return z ? z : from_rule("UTC0");
    }();
    return zone;
}

}  // namespace resources
