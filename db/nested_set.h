// Redmine's nested sets (lft/rgt), shared by the project tree and the issue trees. The table is
// chosen from a fixed list, so no SQL text ever comes from a caller. Issue trees are scoped by
// root_id; the project tree is one global set. Call these inside a db::Tx, after lock().
#pragma once

#include <optional>
#include <utility>

#include "db/database.h"

namespace db::nested_set {

enum class Table { Projects, Issues };

// The rows of one set: the whole table for projects, one root_id for issues.
struct Scope {
    std::optional<long long> root_id;
};

// Takes the write lock on the set before renumbering (MySQL: SELECT ... FOR UPDATE on its rows;
// SQLite's write transaction is already exclusive).
void lock(Conn& c, Table t, const Scope& scope = {});

// A node's current (lft, rgt); nothing when the row does not exist.
std::optional<std::pair<long long, long long>> bounds(Conn& c, Table t, long long id);

// Opens a gap of 2 at `lft` and places the (childless) node `id` there as (lft, lft + 1).
void insert_at(Conn& c, Table t, long long id, long long lft, const Scope& scope = {});

// Moves node `id` and its subtree so that it starts at `target_lft`, a position given in the
// coordinates before the move (Redmine's move_in_nested_set).
void move_to(Conn& c, Table t, long long id, long long target_lft, const Scope& scope = {});

// Closes the gap a deleted subtree (lft..rgt) leaves behind.
void close_gap(Conn& c, Table t, long long lft, long long rgt, const Scope& scope = {});

}  // namespace db::nested_set
