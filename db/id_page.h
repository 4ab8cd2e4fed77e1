// One page of a kept, ordered id list (Conn::ids_cached): the ids to read, and the rows read put back
// in the list's order. Lists that keep their sorted ids (issues, time entries) page through this.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "db/database.h"

namespace db {

struct IdPage {
    std::vector<Value> ids;  // bound values, in the list's order

    // "(?, ?, ...)" for `WHERE x.id IN` + in()
    std::string in() const {
        std::string s = "(";
        for (size_t i = 0; i < ids.size(); ++i) s += i ? ", ?" : "?";
        return s + ")";
    }

    // The rows in the page's order; id_of(row) gives a row's id.
    template <class R, class IdOf>
    std::vector<R> ordered(std::vector<R> rows, IdOf id_of) const {
        std::map<long long, size_t> position;
        for (size_t i = 0; i < ids.size(); ++i) position[std::get<long long>(ids[i])] = i;
        std::sort(rows.begin(), rows.end(),
                  [&](const R& a, const R& b) { return position[id_of(a)] < position[id_of(b)]; });
        return rows;
    }
};

// The [offset, offset + limit) slice of `sorted` (empty past its end).
inline IdPage id_page(const std::vector<long long>& sorted, long long offset, long long limit) {
    const auto first = std::min<size_t>(static_cast<size_t>(std::max(0LL, offset)), sorted.size());
    const auto last = std::min<size_t>(first + static_cast<size_t>(std::max(0LL, limit)), sorted.size());
    IdPage page;
    page.ids.assign(sorted.begin() + static_cast<std::ptrdiff_t>(first),
                    sorted.begin() + static_cast<std::ptrdiff_t>(last));
    return page;
}

}  // namespace db
