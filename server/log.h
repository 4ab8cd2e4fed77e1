// One small logger: lines to stderr, filtered by level. Never give it a key or a password.
#pragma once

#include <string>

namespace logx {
enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3 };
void set_level(const std::string& name);
bool enabled(Level l);
void write(Level l, const std::string& line);
inline void error(const std::string& s) { write(Level::Error, s); }
inline void warn(const std::string& s) { write(Level::Warn, s); }
inline void info(const std::string& s) { write(Level::Info, s); }
}  // namespace logx
