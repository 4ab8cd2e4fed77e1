// The HTTP/1.1 framing of server/http1 on arbitrary bytes, fed as a connection feeds it: in pieces
// whose sizes come from the input, with what was not consumed presented again. Every request that
// comes out is answered through write_response, whose header lines must never be split by data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/http1.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    http1::Limits limits;
    limits.max_request_line = 256;
    limits.max_header_bytes = 1024;
    limits.max_headers = 16;
    limits.max_body = 4096;
    http1::RequestParser parser(limits);
    const size_t step = 1 + data[0] % 64;  // the size of each piece
    const std::string wire(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string pending;
    size_t next = 0;
    while (next < wire.size()) {
        const size_t len = std::min(step, wire.size() - next);
        pending.append(wire, next, len);
        next += len;
        for (;;) {
            const size_t n = parser.feed(pending);
            if (n > pending.size()) std::abort();
            pending.erase(0, n);
            parser.take_continue();
            if (parser.status() == http1::RequestParser::Status::Failed) {
                const int s = parser.error_status();
                if (s != 400 && s != 413 && s != 414 && s != 417 && s != 431) std::abort();
                return 0;
            }
            if (parser.status() != http1::RequestParser::Status::Ready) break;
            http::Request request = parser.take();
            if (request.body.size() > limits.max_body) std::abort();
            http::Response response;
            response.content_type = request.header("content-type").value_or("");
            for (const auto& [name, value] : request.headers) response.header(name, value);
            const std::string out = http1::write_response(response, parser.keep_alive(), false, false, "");
            // Every line break of the head is a CRLF that ends a line we wrote.
            const size_t head_end = out.find("\r\n\r\n");
            if (head_end == std::string::npos) std::abort();
            for (size_t i = 0; i < head_end; ++i)
                if ((out[i] == '\r' && out[i + 1] != '\n') || (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')))
                    std::abort();
        }
    }
    return 0;
}
