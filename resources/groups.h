// Group membership and the member roles it carries, kept in step as Redmine's callbacks do
// (Group#user_added/user_removed, MemberRole's after_create/after_destroy, Member#destroy).
// /users (delete, group_ids) and /groups share these. Call them inside a db::Tx.
#pragma once

#include "db/database.h"

namespace resources {

// Member#destroy: its roles (and the roles inherited from them) go, then the member itself.
void destroy_member(db::Conn& db, long long member_id);

// Group#user_added: the user gets each of the group's member roles, inherited_from that role.
void group_user_added(db::Conn& db, long long group_id, long long user_id);
// Group#user_removed: the roles the user inherited from the group go (and empty members with them).
void group_user_removed(db::Conn& db, long long group_id, long long user_id);

}  // namespace resources
