// The database layer: one SOCI connection pool per process, and the one small interface behind
// which SQLite and MySQL/MariaDB differ. All SQL in the project goes through Conn, with `?`
// placeholders bound as parameters: no SQL is ever built from request text.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace soci {
class session;
class connection_pool;
}  // namespace soci

namespace db {

enum class Backend { Sqlite, Mysql };

// A bound parameter or a column value.
using Value = std::variant<std::monostate, long long, double, std::string>;

struct Row {
    std::vector<Value> cols;

    bool null(size_t n) const { return std::holds_alternative<std::monostate>(cols.at(n)); }
    long long i(size_t n) const;             // 0 when NULL
    std::optional<long long> oi(size_t n) const;
    double f(size_t n) const;                // 0.0 when NULL
    std::optional<double> of(size_t n) const;
    std::string s(size_t n) const;           // "" when NULL
    std::optional<std::string> os(size_t n) const;
    bool b(size_t n) const { return i(n) != 0; }
};
using Rows = std::vector<Row>;

// Where the data lives: "sqlite:PATH" or "mysql://USER:PASSWORD@HOST:PORT/DATABASE".
struct Config {
    std::string url;
    size_t pool_size = 4;
};

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Database;
struct CachedAnswer;

// One leased connection; returned to the pool when destroyed.
class Conn {
public:
    Conn(Database& db, size_t slot);
    ~Conn();
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;

    Backend backend() const;
    Rows query(std::string_view sql, const std::vector<Value>& params = {});
    std::optional<Row> one(std::string_view sql, const std::vector<Value>& params = {});
    long long scalar(std::string_view sql, const std::vector<Value>& params = {});  // 0 when no row
    void exec(std::string_view sql, const std::vector<Value>& params = {});
    long long insert(std::string_view sql, const std::vector<Value>& params, const std::string& table);

    // query(), scalar() and the first column as ids, answered on SQLite from this connection's memory
    // while the database is unchanged: no commit by any connection or process since the answer was
    // read (PRAGMA data_version) and no change through this connection (sqlite3_total_changes).
    // Outside a transaction only. MySQL/MariaDB has no such cheap check: there they always run.
    bool keeps_answers() const { return backend() == Backend::Sqlite; }
    Rows query_cached(std::string_view sql, const std::vector<Value>& params = {});
    long long scalar_cached(std::string_view sql, const std::vector<Value>& params = {});
    std::shared_ptr<const std::vector<long long>> ids_cached(std::string_view sql,
                                                             const std::vector<Value>& params = {});
    // Raw statement without parameters (DDL, pragmas); for trusted constant text only.
    void ddl(std::string_view sql);

    // A write transaction. SQLite takes the write lock at once (BEGIN IMMEDIATE), so two
    // writers queue on the busy timeout instead of failing on a lock upgrade.
    void begin();
    void commit();
    void rollback();
    bool in_transaction() const { return in_tx_; }

    // The current time as this backend stores it (UTC; SQLite with microseconds, as Rails).
    std::string now() const;
    // A given time as this backend stores it (for comparisons like `created_on > ?`).
    std::string time_text(std::chrono::system_clock::time_point t) const;
    // SQL for a case-insensitive equality against a placeholder.
    std::string iequals(std::string_view column) const;

    soci::session& session();

private:
    template <class F>
    auto run(std::string_view sql, F&& f);
    template <class F>
    auto run_once(F&& f);
    template <class Load>
    std::shared_ptr<const CachedAnswer> cached(std::string_view sql, const std::vector<Value>& params,
                                               Load&& load);
    Database& db_;
    size_t slot_;
    bool in_tx_ = false;
};

// Commits only when told; rolls back otherwise (exceptions included).
class Tx {
public:
    explicit Tx(Conn& c) : c_(c) { c_.begin(); }
    ~Tx();
    void commit() {
        c_.commit();
        done_ = true;
    }
    Tx(const Tx&) = delete;
    Tx& operator=(const Tx&) = delete;

private:
    Conn& c_;
    bool done_ = false;
};

class Database {
public:
    explicit Database(const Config& config);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    Backend backend() const { return backend_; }
    std::unique_ptr<Conn> connect();  // blocks until a slot is free
    size_t pool_size() const { return size_; }
    // Statements run so far through this pool (tests use it to prove lists do no query per row).
    long long statements() const { return statements_.load(); }
    // Of those, the answers a connection had kept (query_cached and friends).
    long long reused() const { return reused_.load(); }

private:
    friend class Conn;
    struct SlotCache;
    void open_slot(size_t slot);
    Backend backend_;
    std::string connect_string_;
    size_t size_;
    std::unique_ptr<soci::connection_pool> pool_;
    std::vector<std::unique_ptr<SlotCache>> caches_;  // one per slot; destroyed before the pool
    std::atomic<long long> statements_{0};
    std::atomic<long long> reused_{0};
};

// A stored time ("2026-11-22 15:28:32[.175491]", UTC) as a time point; nothing when it is not one.
std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view stored);

// Splits a Config url into SOCI's backend name and connection string; throws Error on a bad url.
std::pair<Backend, std::string> parse_url(const std::string& url);

}  // namespace db
