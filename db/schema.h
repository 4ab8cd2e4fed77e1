// Redmine 5.0's own schema: created on an empty database exactly as Redmine 5.0.4 creates it,
// recognised on an existing one, and anything else refused.
#pragma once

#include <string>

#include "db/database.h"

namespace db {

enum class SchemaState { Empty, Redmine50 };

// Throws Error with a clear message when the database holds tables that are not Redmine 5.0's.
SchemaState inspect_schema(Conn& c);

// Tables, indexes, schema_migrations rows and Redmine's English default data (as
// `redmine:load_default_data`), plus the REST API enabled. The admin keeps Redmine's row but
// gets a random password (see reset_admin), never admin/admin.
void create_schema(Conn& c);

struct AdminCredentials {
    std::string login, password, api_key;
};
// Gives the admin account (the first admin, or login "admin") a new random password and API key.
AdminCredentials reset_admin(Conn& c);

// Identifier quoting for the backend (`key` is reserved in MySQL).
std::string ident(const Conn& c, const std::string& name);

}  // namespace db
