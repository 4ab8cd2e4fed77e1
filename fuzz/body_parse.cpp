// Request bodies (serializers/body): JSON and XML into the one neutral value. A refusal is BadBody,
// never another exception, a crash or unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "serializers/body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const auto format = data[0] % 2 ? api::Format::Xml : api::Format::Json;
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        nlohmann::json value = api::parse_body(body, format);
        (void)value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } catch (const api::BadBody&) {
    }
    return 0;
}
