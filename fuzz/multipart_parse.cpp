// libFuzzer target for the multipart parser (serializers/form.cpp): the first line of the input is the
// Content-Type header, the rest the body. Any input parses, is refused (BadParams), or is a body Rack
// gives up on (read as none); never a crash, a hang or another exception.
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I. fuzz/multipart_parse.cpp \
//        serializers/{form,body,json,xml}.cpp -lpugixml
#include <cstddef>
#include <cstdint>
#include <string>

#include "serializers/body.h"
#include "serializers/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::size_t nl = input.find('\n');
    std::string content_type = "multipart/form-data; boundary=" + input.substr(0, nl);
    const std::string body = nl == std::string::npos ? std::string() : input.substr(nl + 1);
    try {
        api::parse_multipart(body, content_type);
    } catch (const api::BadParams&) {
    } catch (const api::BrokenMultipart&) {
    }
    try {
        api::request_parameters("PUT", content_type, body);
    } catch (const api::BadParams&) {
    } catch (const api::BadMediaType&) {
    }
    return 0;
}
