#include "db/database.h"
#include "server/log.h"

// SOCI's config asks for Boost headers it does not need here (see the stack notes).
#include <soci/soci-config.h>
#undef SOCI_HAVE_BOOST
#undef SOCI_HAVE_BOOST_DATE_TIME
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <unordered_map>

namespace db {

namespace {

bool parse_ll(const std::string& s, long long& out) {
    if (s.empty()) return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtoll(s.c_str(), &end, 10);
    return errno == 0 && end && *end == '\0';
}

std::string format_tm(const std::tm& t) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                  t.tm_hour, t.tm_min, t.tm_sec);
    return buf;
}

// `?` placeholders become SOCI's named ones (:p1, :p2 ...), outside quoted text.
std::string to_soci_placeholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    char quote = 0;
    int n = 0;
    for (char c : sql) {
        if (quote) {
            if (c == quote) quote = 0;
            out += c;
        } else if (c == '\'' || c == '"' || c == '`') {
            quote = c;
            out += c;
        } else if (c == '?') {
            out += ":p" + std::to_string(++n);
        } else {
            out += c;
        }
    }
    return out;
}

// Keeps bound values alive (at stable addresses) for the life of a statement.
struct Binder {
    std::deque<long long> ints;
    std::deque<double> doubles;
    std::deque<std::string> strings;
    std::deque<soci::indicator> inds;

    void bind(soci::details::prepare_temp_type& pt, const std::vector<Value>& params) {
        for (const auto& v : params) {
            if (std::holds_alternative<std::monostate>(v)) {
                strings.emplace_back();
                inds.push_back(soci::i_null);
                pt, soci::use(strings.back(), inds.back());
            } else if (auto* i = std::get_if<long long>(&v)) {
                ints.push_back(*i);
                pt, soci::use(ints.back());
            } else if (auto* d = std::get_if<double>(&v)) {
                doubles.push_back(*d);
                pt, soci::use(doubles.back());
            } else {
                strings.push_back(std::get<std::string>(v));
                pt, soci::use(strings.back());
            }
        }
    }
};

Row convert(const soci::row& r) {
    Row out;
    out.cols.reserve(r.size());
    for (size_t i = 0; i < r.size(); ++i) {
        if (r.get_indicator(i) == soci::i_null) {
            out.cols.emplace_back();
            continue;
        }
        switch (r.get_properties(i).get_data_type()) {
            case soci::dt_double: out.cols.emplace_back(r.get<double>(i)); break;
            case soci::dt_integer: out.cols.emplace_back(static_cast<long long>(r.get<int>(i))); break;
            case soci::dt_long_long: out.cols.emplace_back(r.get<long long>(i)); break;
            case soci::dt_unsigned_long_long:
                out.cols.emplace_back(static_cast<long long>(r.get<unsigned long long>(i)));
                break;
            case soci::dt_date: out.cols.emplace_back(format_tm(r.get<std::tm>(i))); break;
            default: out.cols.emplace_back(r.get<std::string>(i)); break;
        }
    }
    return out;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// SOCI connection-string values are quoted so that spaces and quotes in passwords survive.
std::string quote_value(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

}  // namespace

// --- Row ---------------------------------------------------------------------------------------

std::optional<long long> Row::oi(size_t n) const {
    const Value& v = cols.at(n);
    if (auto* i = std::get_if<long long>(&v)) return *i;
    if (auto* d = std::get_if<double>(&v)) return static_cast<long long>(*d);
    if (auto* s = std::get_if<std::string>(&v)) {
        long long out = 0;
        if (parse_ll(*s, out)) return out;
        if (*s == "t" || *s == "true") return 1;
        return 0;
    }
    return std::nullopt;
}
long long Row::i(size_t n) const { return oi(n).value_or(0); }

std::optional<double> Row::of(size_t n) const {
    const Value& v = cols.at(n);
    if (auto* d = std::get_if<double>(&v)) return *d;
    if (auto* i = std::get_if<long long>(&v)) return static_cast<double>(*i);
    if (auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
    return std::nullopt;
}
double Row::f(size_t n) const { return of(n).value_or(0.0); }

std::optional<std::string> Row::os(size_t n) const {
    const Value& v = cols.at(n);
    if (auto* s = std::get_if<std::string>(&v)) return *s;
    if (auto* i = std::get_if<long long>(&v)) return std::to_string(*i);
    if (auto* d = std::get_if<double>(&v)) return std::to_string(*d);
    return std::nullopt;
}
std::string Row::s(size_t n) const { return os(n).value_or(""); }

// --- Database ----------------------------------------------------------------------------------

// An answer a connection keeps: rows, or the first column as ids (8 bytes each, for long lists).
struct CachedAnswer {
    Rows rows;
    std::shared_ptr<const std::vector<long long>> ids;
    size_t bytes = 0;
};

// What one SQLite connection keeps, valid at one database version. The budget bounds memory per
// connection; past it everything kept is dropped (answers are cheap to read again, once).
struct Database::SlotCache {
    static constexpr size_t kBudget = 12 * 1024 * 1024;
    sqlite_api::sqlite3_stmt* data_version = nullptr;  // PRAGMA data_version, prepared once
    long long version = -1, changes = -1;
    std::unordered_map<std::string, std::shared_ptr<const CachedAnswer>> answers;
    size_t bytes = 0;

    ~SlotCache() { sqlite_api::sqlite3_finalize(data_version); }
    void clear() {
        answers.clear();
        bytes = 0;
    }
};

std::pair<Backend, std::string> parse_url(const std::string& url) {
    if (url.rfind("sqlite:", 0) == 0) {
        std::string path = url.substr(7);
        if (path.rfind("//", 0) == 0) path = path.substr(2);
        if (path.empty()) throw Error("database url: sqlite: needs a file path");
        // SOCI's sqlite3 backend understands double quotes only, and no escapes in them.
        if (path.find('"') != std::string::npos) throw Error("database url: the path may not contain '\"'");
        const bool spaces = path.find(' ') != std::string::npos;
        return {Backend::Sqlite, "db=" + (spaces ? "\"" + path + "\"" : path) + " timeout=10 shared_cache=false"};
    }
    if (url.rfind("mysql://", 0) == 0) {
        std::string rest = url.substr(8), query;
        if (auto q = rest.find('?'); q != std::string::npos) {
            query = rest.substr(q + 1);
            rest = rest.substr(0, q);
        }
        auto slash = rest.find('/');
        if (slash == std::string::npos || slash + 1 >= rest.size())
            throw Error("database url: mysql://USER:PASSWORD@HOST:PORT/DATABASE expected");
        std::string dbname = percent_decode(rest.substr(slash + 1));
        std::string authority = rest.substr(0, slash), user, password, host = authority, port;
        if (auto at = authority.rfind('@'); at != std::string::npos) {
            std::string cred = authority.substr(0, at);
            host = authority.substr(at + 1);
            auto colon = cred.find(':');
            user = percent_decode(cred.substr(0, colon));
            if (colon != std::string::npos) password = percent_decode(cred.substr(colon + 1));
        }
        if (auto colon = host.rfind(':'); colon != std::string::npos) {
            port = host.substr(colon + 1);
            host = host.substr(0, colon);
        }
        std::string cs = "db=" + quote_value(dbname) + " charset=utf8mb4";
        if (!host.empty()) cs += " host=" + quote_value(host);
        if (!port.empty()) cs += " port=" + quote_value(port);
        if (!user.empty()) cs += " user=" + quote_value(user);
        if (!password.empty()) cs += " password=" + quote_value(password);
        if (query.rfind("socket=", 0) == 0) cs += " unix_socket=" + quote_value(percent_decode(query.substr(7)));
        return {Backend::Mysql, cs};
    }
    throw Error("database url must start with sqlite: or mysql://");
}

Database::Database(const Config& config) : size_(config.pool_size ? config.pool_size : 1) {
    auto [backend, cs] = parse_url(config.url);
    backend_ = backend;
    connect_string_ = std::move(cs);
    pool_ = std::make_unique<soci::connection_pool>(size_);
    for (size_t i = 0; i < size_; ++i) {
        caches_.push_back(std::make_unique<SlotCache>());
        open_slot(i);
    }
}

Database::~Database() = default;

void Database::open_slot(size_t slot) {
    soci::session& s = pool_->at(slot);
    try {
        if (backend_ == Backend::Sqlite) {
            s.open(*soci::factory_sqlite3(), connect_string_);
            s << "PRAGMA journal_mode=WAL";
            s << "PRAGMA synchronous=NORMAL";
            s << "PRAGMA busy_timeout=10000";
        } else {
            s.open(*soci::factory_mysql(), connect_string_);
            // As Rails' mysql2 adapter sets up its connections.
            s << "SET NAMES utf8mb4";
            s << "SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO')";
            s << "SET SESSION sql_auto_is_null = 0";
        }
    } catch (const soci::soci_error& e) {
        throw Error(std::string("cannot open the database: ") + e.what());
    }
}

std::unique_ptr<Conn> Database::connect() { return std::make_unique<Conn>(*this, pool_->lease()); }

// --- Conn --------------------------------------------------------------------------------------

Conn::Conn(Database& db, size_t slot) : db_(db), slot_(slot) {}

Conn::~Conn() {
    if (in_tx_) {
        try {
            rollback();
        } catch (...) {
        }
    }
    db_.pool_->give_back(slot_);
}

Backend Conn::backend() const { return db_.backend_; }
soci::session& Conn::session() { return db_.pool_->at(slot_); }

// Runs f; after a lost MySQL connection outside a transaction, reconnects and tries once more.
// At the debug log level each statement's text (never its parameters) and time are logged.
template <class F>
auto Conn::run(std::string_view sql, F&& f) {
    db_.statements_++;
    if (logx::enabled(logx::Level::Debug)) {
        const auto start = std::chrono::steady_clock::now();
        struct Timer {
            std::chrono::steady_clock::time_point start;
            std::string_view sql;
            ~Timer() {
                const std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - start;
                char t[32];
                std::snprintf(t, sizeof t, "sql %.3f ms: ", ms.count());
                logx::write(logx::Level::Debug, t + std::string(sql));
            }
        } timer{start, sql};
        return run_once(std::forward<F>(f));
    }
    return run_once(std::forward<F>(f));
}

template <class F>
auto Conn::run_once(F&& f) {
    try {
        return f();
    } catch (const soci::soci_error& e) {
        if (db_.backend_ != Backend::Mysql || in_tx_ ||
            e.get_error_category() != soci::soci_error::connection_error)
            throw Error(e.what());
    }
    try {
        session().close();
    } catch (...) {
    }
    db_.open_slot(slot_);
    try {
        return f();
    } catch (const soci::soci_error& e) {
        throw Error(e.what());
    }
}

Rows Conn::query(std::string_view sql, const std::vector<Value>& params) {
    const std::string q = to_soci_placeholders(sql);
    return run(q, [&] {
        Rows rows;
        Binder b;
        soci::row r;
        soci::details::prepare_temp_type pt = (session().prepare << q);
        pt, soci::into(r);
        b.bind(pt, params);
        soci::statement st(pt);
        if (st.execute(true)) {
            do {
                rows.push_back(convert(r));
            } while (st.fetch());
        }
        return rows;
    });
}

namespace {

std::string cache_key(std::string_view sql, const std::vector<Value>& params) {
    std::string key(sql);
    for (const auto& v : params) {
        key += '\0';
        if (auto* i = std::get_if<long long>(&v))
            key += "i" + std::to_string(*i);
        else if (auto* d = std::get_if<double>(&v))
            key += "d" + std::to_string(*d);
        else if (auto* s = std::get_if<std::string>(&v))
            key += "s" + *s;
        else
            key += "n";
    }
    return key;
}

size_t rows_bytes(const Rows& rows) {
    size_t n = sizeof(Rows) + rows.capacity() * sizeof(Row);
    for (const auto& r : rows) {
        n += r.cols.capacity() * sizeof(Value);
        for (const auto& v : r.cols)
            if (auto* s = std::get_if<std::string>(&v)) n += s->capacity();
    }
    return n;
}

}  // namespace

template <class Load>
std::shared_ptr<const CachedAnswer> Conn::cached(std::string_view sql, const std::vector<Value>& params,
                                                 Load&& load) {
    if (db_.backend_ != Backend::Sqlite || in_tx_) return std::make_shared<const CachedAnswer>(load());
    Database::SlotCache& cache = *db_.caches_[slot_];
    auto* handle = static_cast<soci::sqlite3_session_backend*>(session().get_backend())->conn_;
    // data_version runs in its own read transaction, so it is current when read; reading it before
    // the answer means an answer is never kept under a version newer than the data it saw.
    if (!cache.data_version && sqlite_api::sqlite3_prepare_v2(handle, "PRAGMA data_version", -1,
                                                              &cache.data_version, nullptr) != SQLITE_OK)
        throw Error(sqlite_api::sqlite3_errmsg(handle));
    long long version = -1;
    if (sqlite_api::sqlite3_step(cache.data_version) == SQLITE_ROW)
        version = sqlite_api::sqlite3_column_int64(cache.data_version, 0);
    sqlite_api::sqlite3_reset(cache.data_version);
    const long long changes = sqlite_api::sqlite3_total_changes64(handle);
    if (version < 0 || version != cache.version || changes != cache.changes) {
        cache.clear();
        cache.version = version;
        cache.changes = changes;
    }
    std::string key = cache_key(sql, params);
    if (auto it = cache.answers.find(key); it != cache.answers.end()) {
        db_.statements_++;
        db_.reused_++;
        return it->second;
    }
    auto answer = std::make_shared<const CachedAnswer>(load());
    const size_t bytes = answer->bytes + key.size();
    if (version >= 0 && bytes <= Database::SlotCache::kBudget) {
        if (cache.bytes + bytes > Database::SlotCache::kBudget) cache.clear();
        cache.bytes += bytes;
        cache.answers.emplace(std::move(key), answer);
    }
    return answer;
}

Rows Conn::query_cached(std::string_view sql, const std::vector<Value>& params) {
    return cached(sql, params,
                  [&] {
                      CachedAnswer a;
                      a.rows = query(sql, params);
                      a.bytes = rows_bytes(a.rows);
                      return a;
                  })
        ->rows;
}

long long Conn::scalar_cached(std::string_view sql, const std::vector<Value>& params) {
    const Rows rows = query_cached(sql, params);
    return !rows.empty() && !rows.front().cols.empty() ? rows.front().i(0) : 0;
}

std::shared_ptr<const std::vector<long long>> Conn::ids_cached(std::string_view sql,
                                                               const std::vector<Value>& params) {
    return cached(sql, params,
                  [&] {
                      // Read straight into the vector: a Row per id would take ten times the memory.
                      const std::string q = to_soci_placeholders(sql);
                      std::vector<long long> ids = run(q, [&] {
                          std::vector<long long> out;
                          long long id = 0;
                          soci::indicator ind = soci::i_ok;
                          Binder b;
                          soci::details::prepare_temp_type pt = (session().prepare << q);
                          pt, soci::into(id, ind);
                          b.bind(pt, params);
                          soci::statement st(pt);
                          if (st.execute(true)) {
                              do {
                                  out.push_back(ind == soci::i_null ? 0 : id);
                              } while (st.fetch());
                          }
                          return out;
                      });
                      CachedAnswer a;
                      a.bytes = ids.capacity() * sizeof(long long);
                      a.ids = std::make_shared<const std::vector<long long>>(std::move(ids));
                      return a;
                  })
        ->ids;
}

std::optional<Row> Conn::one(std::string_view sql, const std::vector<Value>& params) {
    Rows rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

long long Conn::scalar(std::string_view sql, const std::vector<Value>& params) {
    auto row = one(sql, params);
    return row && !row->cols.empty() ? row->i(0) : 0;
}

void Conn::exec(std::string_view sql, const std::vector<Value>& params) {
    const std::string q = to_soci_placeholders(sql);
    run(q, [&] {
        Binder b;
        soci::details::prepare_temp_type pt = (session().prepare << q);
        b.bind(pt, params);
        soci::statement st(pt);
        st.execute(true);
        return 0;
    });
}

long long Conn::insert(std::string_view sql, const std::vector<Value>& params, const std::string& table) {
    exec(sql, params);
    long long id = 0;
    if (!session().get_last_insert_id(table, id)) throw Error("no insert id for " + table);
    return id;
}

void Conn::ddl(std::string_view sql) {
    run(sql, [&] {
        session().once << std::string(sql);
        return 0;
    });
}

void Conn::begin() {
    ddl(db_.backend_ == Backend::Sqlite ? "BEGIN IMMEDIATE" : "START TRANSACTION");
    in_tx_ = true;
}

void Conn::commit() {
    in_tx_ = false;
    ddl("COMMIT");
}

void Conn::rollback() {
    in_tx_ = false;
    ddl("ROLLBACK");
}

std::string Conn::now() const { return time_text(std::chrono::system_clock::now()); }

std::string Conn::time_text(std::chrono::system_clock::time_point tp) const {
    using namespace std::chrono;
    std::time_t t = system_clock::to_time_t(tp);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::string s = format_tm(tm);
    if (db_.backend_ == Backend::Sqlite) {
        char frac[16];
        auto us = duration_cast<microseconds>(tp.time_since_epoch()).count() % 1000000;
        if (us < 0) us += 1000000;
        std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(us));
        s += frac;
    }
    return s;
}

std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view stored) {
    // Fixed fields only: YYYY-MM-DD HH:MM:SS, then an optional fraction.
    if (stored.size() < 19) return std::nullopt;
    auto digits = [&](size_t at, size_t n, int& out) {
        out = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (stored[i] < '0' || stored[i] > '9') return false;
            out = out * 10 + (stored[i] - '0');
        }
        return true;
    };
    std::tm tm{};
    int year = 0, mon = 0, micros = 0;
    if (!digits(0, 4, year) || stored[4] != '-' || !digits(5, 2, mon) || stored[7] != '-' ||
        !digits(8, 2, tm.tm_mday) || (stored[10] != ' ' && stored[10] != 'T') || !digits(11, 2, tm.tm_hour) ||
        stored[13] != ':' || !digits(14, 2, tm.tm_min) || stored[16] != ':' || !digits(17, 2, tm.tm_sec))
        return std::nullopt;
    if (stored.size() > 20 && stored[19] == '.') {
        size_t n = 0;
        for (size_t i = 20; i < stored.size() && n < 6 && stored[i] >= '0' && stored[i] <= '9'; ++i, ++n)
            micros = micros * 10 + (stored[i] - '0');
        for (; n < 6; ++n) micros *= 10;
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    const std::time_t t = timegm(&tm);
    return std::chrono::system_clock::from_time_t(t) + std::chrono::microseconds(micros);
}

std::string Conn::iequals(std::string_view column) const { return "LOWER(" + std::string(column) + ") = LOWER(?)"; }

Tx::~Tx() {
    if (!done_) {
        try {
            c_.rollback();
        } catch (...) {
        }
    }
}

}  // namespace db
