// libFuzzer target for the urlencoded parser and Rack's nesting (serializers/form.cpp), through
// Rails' request_parameters as the server calls it: any input either parses or is refused with one
// of the parser's own errors, never a crash, a hang or another exception.
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I. fuzz/form_parse.cpp \
//        serializers/{form,body,json,xml}.cpp -lpugixml
#include <cstddef>
#include <cstdint>
#include <string>

#include "serializers/body.h"
#include "serializers/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    try {
        api::request_parameters("POST", std::string("application/x-www-form-urlencoded"), input);
    } catch (const api::BadParams&) {
    }
    try {
        api::request_parameters("POST", std::nullopt, input);  // a POST without a Content-Type
    } catch (const api::BadParams&) {
    }
    // the same text as decoded query pairs
    std::vector<std::pair<std::string, std::string>> pairs;
    std::size_t start = 0;
    while (start <= input.size()) {
        std::size_t amp = input.find('&', start);
        std::string pair = input.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
        std::size_t eq = pair.find('=');
        pairs.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
        if (amp == std::string::npos) break;
        start = amp + 1;
    }
    try {
        api::query_parameters(pairs);
    } catch (const api::BadParams&) {
    }
    return 0;
}
