#include "resources/attachment_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <stdexcept>
#include <system_error>

#include "server/password.h"
#include "resources/text.h"

namespace fs = std::filesystem;

namespace resources::attachment_store {

namespace {

std::string hex_digest(const std::string& data, const EVP_MD* md) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
    std::string hex;
    static const char* digits = "0123456789abcdef";
    for (unsigned int i = 0; i < len; ++i) {
        hex += digits[out[i] >> 4];
        hex += digits[out[i] & 15];
    }
    return hex;
}

// Redmine::MimeType::MIME_TYPES, then MiniMime's entries for common extensions.
const std::map<std::string, std::string>& extensions() {
    static const std::map<std::string, std::string> map = [] {
        const std::pair<const char*, const char*> redmine[] = {
            {"text/plain", "txt,tpl,properties,patch,diff,ini,readme,install,upgrade,sql"},
            {"text/css", "css"},
            {"text/html", "html,htm,xhtml"},
            {"text/jsp", "jsp"},
            {"text/x-c", "c,cpp,cc,h,hh"},
            {"text/x-csharp", "cs"},
            {"text/x-java", "java"},
            {"text/x-html-template", "rhtml"},
            {"text/x-perl", "pl,pm"},
            {"text/x-php", "php,php3,php4,php5"},
            {"text/x-python", "py"},
            {"text/x-ruby", "rb,rbw,ruby,rake,erb"},
            {"text/x-csh", "csh"},
            {"text/x-sh", "sh"},
            {"text/x-textile", "textile"},
            {"text/xml", "xml,xsd,mxml"},
            {"text/yaml", "yml,yaml"},
            {"text/csv", "csv"},
            {"text/x-po", "po"},
            {"image/gif", "gif"},
            {"image/jpeg", "jpg,jpeg,jpe"},
            {"image/png", "png"},
            {"image/tiff", "tiff,tif"},
            {"image/x-ms-bmp", "bmp"},
            {"application/javascript", "js"},
            {"application/pdf", "pdf"},
            {"video/mp4", "mp4"},
            {"video/webm", "webm"},
        };
        std::map<std::string, std::string> m = {
            {"7z", "application/x-7z-compressed"},
            {"avi", "video/x-msvideo"},
            {"bz2", "application/x-bzip2"},
            {"deb", "application/x-debian-package"},
            {"doc", "application/msword"},
            {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
            {"eml", "message/rfc822"},
            {"eps", "application/postscript"},
            {"epub", "application/epub+zip"},
            {"exe", "application/x-ms-dos-executable"},
            {"flac", "audio/x-flac"},
            {"gz", "application/gzip"},
            {"ico", "image/vnd.microsoft.icon"},
            {"ics", "text/calendar"},
            {"iso", "application/x-iso9660-image"},
            {"jar", "application/java-archive"},
            {"json", "application/json"},
            {"log", "text/plain"},
            {"m4a", "audio/mp4"},
            {"markdown", "text/markdown"},
            {"md", "text/markdown"},
            {"mov", "video/quicktime"},
            {"mp3", "audio/mpeg"},
            {"mpeg", "video/mpeg"},
            {"mpg", "video/mpeg"},
            {"odp", "application/vnd.oasis.opendocument.presentation"},
            {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
            {"odt", "application/vnd.oasis.opendocument.text"},
            {"ogg", "audio/ogg"},
            {"ppt", "application/vnd.ms-powerpoint"},
            {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
            {"ps", "application/postscript"},
            {"rar", "application/x-rar-compressed"},
            {"rtf", "application/rtf"},
            {"svg", "image/svg+xml"},
            {"tar", "application/x-tar"},
            {"tgz", "application/x-gtar"},
            {"wav", "audio/wav"},
            {"webp", "image/webp"},
            {"xls", "application/vnd.ms-excel"},
            {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
            {"xz", "application/x-xz"},
            {"zip", "application/zip"},
        };
        for (const auto& [type, list] : redmine) {
            std::string exts = list;
            size_t start = 0;
            while (start <= exts.size()) {
                size_t comma = exts.find(',', start);
                m[exts.substr(start, comma == std::string::npos ? std::string::npos : comma - start)] = type;
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
        }
        return m;
    }();
    return map;
}

bool plain_ascii(const std::string& s) {
    for (unsigned char c : s)
        if (!std::isalnum(c) && c != '_' && c != '.' && c != '-') return false;
    return true;
}

// Ruby's String#succ on a string of digits: "261122162759" -> "261122162760".
void succ(std::string& digits) {
    for (size_t i = digits.size(); i-- > 0;) {
        if (digits[i] != '9') {
            ++digits[i];
            return;
        }
        digits[i] = '0';
    }
    digits.insert(digits.begin(), '1');
}

}  // namespace

std::string sanitize_filename(const std::string& value) {
    // value.gsub(/\A.*(\\|\/)/m, ''): everything up to the last slash or backslash
    std::string name = value;
    if (auto cut = name.find_last_of("/\\"); cut != std::string::npos) name = name.substr(cut + 1);
    static const std::string bad = "/?%*:|\"'<>\n\r";
    std::string out;
    bool in_run = false;
    for (char c : name) {
        if (bad.find(c) != std::string::npos) {
            if (!in_run) out += '_';
            in_run = true;
        } else {
            out += c;
            in_run = false;
        }
    }
    return out;
}

std::optional<std::string> mime_type_of(const std::string& filename) {
    // File.extname: the last dot of the basename, not a leading one, not at the end
    std::string base = filename;
    if (auto slash = base.find_last_of('/'); slash != std::string::npos) base = base.substr(slash + 1);
    auto dot = base.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == base.size()) return std::nullopt;
    size_t first = base.find_first_not_of('.');
    if (first == std::string::npos || dot < first) return std::nullopt;
    std::string ext = base.substr(dot + 1);
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = extensions().find(ext);
    if (it == extensions().end()) return std::nullopt;
    return it->second;
}

std::string sha256_hex(const std::string& data) { return hex_digest(data, EVP_sha256()); }

std::string disk_path(const std::string& root, const std::string& disk_directory,
                      const std::string& disk_filename) {
    fs::path p(root);
    if (!disk_directory.empty()) p /= disk_directory;
    p /= disk_filename;
    return p.string();
}

Stored store(const std::string& root, const std::string& filename, const std::string& data) {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char dir[16], stamp[16];
    std::strftime(dir, sizeof dir, "%Y/%m", &tm);
    std::strftime(stamp, sizeof stamp, "%y%m%d%H%M%S", &tm);

    std::string ascii;
    if (plain_ascii(filename) && utf8_length(filename) <= 50) {
        ascii = filename;
    } else {
        ascii = hex_digest(filename, EVP_md5());
        static const std::regex ext(R"((\.[a-zA-Z0-9]+)$)");
        std::smatch m;
        if (std::regex_search(filename, m, ext)) ascii += m[1].str();
    }

    const fs::path directory = fs::path(root) / dir;
    fs::create_directories(directory);
    const fs::path temp = directory / (".upload-" + auth::random_hex(8));
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(temp, ec);
            throw std::runtime_error("cannot write attachment file in " + directory.string());
        }
    }
    // link() claims the final name atomically (like Redmine's File::EXCL) with the complete content.
    std::string timestamp = stamp;
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const std::string name = timestamp + "_" + ascii;
        if (::link(temp.c_str(), (directory / name).c_str()) == 0) {
            ::unlink(temp.c_str());
            return {dir, name};
        }
        if (errno != EEXIST) break;
        succ(timestamp);
    }
    ::unlink(temp.c_str());
    throw std::runtime_error("cannot store attachment file in " + directory.string());
}

std::optional<std::string> read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return data;
}

void remove(const std::string& path) {
    std::error_code ec;
    fs::remove(path, ec);
}

}  // namespace resources::attachment_store
