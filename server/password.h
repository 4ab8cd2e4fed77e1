// Passwords and tokens stored exactly as Redmine stores them (OpenSSL for SHA1 and randomness).
#pragma once

#include <string>
#include <string_view>

namespace auth {

std::string sha1_hex(std::string_view data);
// Redmine::Utils.random_hex(n): 2n hex digits from a cryptographic source.
std::string random_hex(size_t bytes);
// User.hash_password("#{salt}#{User.hash_password(clear)}")
std::string salted_hash(std::string_view clear, std::string_view salt);
bool check_password(std::string_view clear, std::string_view salt, std::string_view hashed);
// A random password of letters and digits, as Redmine's generate_password.
std::string random_password(size_t length = 16);

}  // namespace auth
