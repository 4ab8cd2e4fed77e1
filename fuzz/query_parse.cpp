// The request target (server/request): path and query split and percent-decoded, every pair kept.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    http::Request r;
    r.target.assign(reinterpret_cast<const char*>(data), size);
    http::parse_target(r);
    if (r.path.size() > r.target.size()) std::abort();
    size_t decoded = 0;
    for (const auto& [k, v] : r.query) decoded += k.size() + v.size();
    if (decoded > r.target.size()) std::abort();
    (void)r.param("key");
    (void)r.params("f[]");
    return 0;
}
