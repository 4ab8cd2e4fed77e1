#include "server/password.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>
#include <vector>

namespace auth {

namespace {
std::string hex(const unsigned char* p, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}
std::vector<unsigned char> random_bytes(size_t n) {
    std::vector<unsigned char> buf(n);
    if (n && RAND_bytes(buf.data(), static_cast<int>(n)) != 1) throw std::runtime_error("no randomness");
    return buf;
}
}  // namespace

std::string sha1_hex(std::string_view data) {
    unsigned char md[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
    return hex(md, sizeof md);
}

std::string random_hex(size_t bytes) {
    auto buf = random_bytes(bytes);
    return hex(buf.data(), buf.size());
}

std::string salted_hash(std::string_view clear, std::string_view salt) {
    return sha1_hex(std::string(salt) + sha1_hex(clear));
}

bool check_password(std::string_view clear, std::string_view salt, std::string_view hashed) {
    std::string h = salted_hash(clear, salt);
    return h.size() == hashed.size() && CRYPTO_memcmp(h.data(), hashed.data(), h.size()) == 0;
}

std::string random_password(size_t length) {
    static const std::string chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    std::string out;
    // Rejection sampling keeps every character equally likely.
    while (out.size() < length) {
        for (unsigned char b : random_bytes(length)) {
            if (b < 256 - 256 % chars.size() && out.size() < length) out += chars[b % chars.size()];
        }
    }
    return out;
}

}  // namespace auth
