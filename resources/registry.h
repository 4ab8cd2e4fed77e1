#pragma once
#include "server/router.h"
namespace resources {
void register_all(app::Router& r);
}
