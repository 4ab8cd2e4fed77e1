#include "resources/attachment_rules.h"

#include <map>
#include <regex>

#include "resources/attachment_store.h"
#include "resources/text.h"

namespace resources::attachment_rules {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Ruby's File.extname (2.7+): from the last dot of the basename, leading dots not counting.
std::string extname(const std::string& filename) {
    std::string base = filename;
    if (auto slash = base.find_last_of('/'); slash != std::string::npos) base = base.substr(slash + 1);
    const size_t first = base.find_first_not_of('.');
    if (first == std::string::npos) return "";
    const size_t dot = base.rfind('.');
    if (dot == std::string::npos || dot < first) return "";
    return base.substr(dot);
}

// Attachment.extension_in?: case-insensitive, leading dots ignored, blanks dropped.
bool extension_in(const std::string& extension, const std::string& list) {
    auto norm = [](std::string s) {
        s = lower(strip(s));
        return s.substr(std::min(s.find_first_not_of('.'), s.size()));
    };
    const std::string ext = norm(extension);
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = list.find(',', start);
        const std::string item =
            norm(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!item.empty() && item == ext) return true;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return false;
}

// I18n's default transliteration (Latin-1 and Latin Extended-A), "?" for anything else.
const std::map<unsigned, const char*>& approximations() {
    static const std::map<unsigned, const char*> map = {
        {0x00C0, "A"},  {0x00C1, "A"},  {0x00C2, "A"},  {0x00C3, "A"}, {0x00C4, "A"},  {0x00C5, "A"},
        {0x00C6, "AE"}, {0x00C7, "C"},  {0x00C8, "E"},  {0x00C9, "E"}, {0x00CA, "E"},  {0x00CB, "E"},
        {0x00CC, "I"},  {0x00CD, "I"},  {0x00CE, "I"},  {0x00CF, "I"}, {0x00D0, "D"},  {0x00D1, "N"},
        {0x00D2, "O"},  {0x00D3, "O"},  {0x00D4, "O"},  {0x00D5, "O"}, {0x00D6, "O"},  {0x00D7, "x"},
        {0x00D8, "O"},  {0x00D9, "U"},  {0x00DA, "U"},  {0x00DB, "U"}, {0x00DC, "U"},  {0x00DD, "Y"},
        {0x00DE, "Th"}, {0x00DF, "ss"}, {0x00E0, "a"},  {0x00E1, "a"}, {0x00E2, "a"},  {0x00E3, "a"},
        {0x00E4, "a"},  {0x00E5, "a"},  {0x00E6, "ae"}, {0x00E7, "c"}, {0x00E8, "e"},  {0x00E9, "e"},
        {0x00EA, "e"},  {0x00EB, "e"},  {0x00EC, "i"},  {0x00ED, "i"}, {0x00EE, "i"},  {0x00EF, "i"},
        {0x00F0, "d"},  {0x00F1, "n"},  {0x00F2, "o"},  {0x00F3, "o"}, {0x00F4, "o"},  {0x00F5, "o"},
        {0x00F6, "o"},  {0x00F8, "o"},  {0x00F9, "u"},  {0x00FA, "u"}, {0x00FB, "u"},  {0x00FC, "u"},
        {0x00FD, "y"},  {0x00FE, "th"}, {0x00FF, "y"},  {0x0100, "A"}, {0x0101, "a"},  {0x0102, "A"},
        {0x0103, "a"},  {0x0104, "A"},  {0x0105, "a"},  {0x0106, "C"}, {0x0107, "c"},  {0x0108, "C"},
        {0x0109, "c"},  {0x010A, "C"},  {0x010B, "c"},  {0x010C, "C"}, {0x010D, "c"},  {0x010E, "D"},
        {0x010F, "d"},  {0x0110, "D"},  {0x0111, "d"},  {0x0112, "E"}, {0x0113, "e"},  {0x0114, "E"},
        {0x0115, "e"},  {0x0116, "E"},  {0x0117, "e"},  {0x0118, "E"}, {0x0119, "e"},  {0x011A, "E"},
        {0x011B, "e"},  {0x011C, "G"},  {0x011D, "g"},  {0x011E, "G"}, {0x011F, "g"},  {0x0120, "G"},
        {0x0121, "g"},  {0x0122, "G"},  {0x0123, "g"},  {0x0124, "H"}, {0x0125, "h"},  {0x0126, "H"},
        {0x0127, "h"},  {0x0128, "I"},  {0x0129, "i"},  {0x012A, "I"}, {0x012B, "i"},  {0x012C, "I"},
        {0x012D, "i"},  {0x012E, "I"},  {0x012F, "i"},  {0x0130, "I"}, {0x0131, "i"},  {0x0132, "IJ"},
        {0x0133, "ij"}, {0x0134, "J"},  {0x0135, "j"},  {0x0136, "K"}, {0x0137, "k"},  {0x0138, "k"},
        {0x0139, "L"},  {0x013A, "l"},  {0x013B, "L"},  {0x013C, "l"}, {0x013D, "L"},  {0x013E, "l"},
        {0x013F, "L"},  {0x0140, "l"},  {0x0141, "L"},  {0x0142, "l"}, {0x0143, "N"},  {0x0144, "n"},
        {0x0145, "N"},  {0x0146, "n"},  {0x0147, "N"},  {0x0148, "n"}, {0x0149, "'n"}, {0x014A, "NG"},
        {0x014B, "ng"}, {0x014C, "O"},  {0x014D, "o"},  {0x014E, "O"}, {0x014F, "o"},  {0x0150, "O"},
        {0x0151, "o"},  {0x0152, "OE"}, {0x0153, "oe"}, {0x0154, "R"}, {0x0155, "r"},  {0x0156, "R"},
        {0x0157, "r"},  {0x0158, "R"},  {0x0159, "r"},  {0x015A, "S"}, {0x015B, "s"},  {0x015C, "S"},
        {0x015D, "s"},  {0x015E, "S"},  {0x015F, "s"},  {0x0160, "S"}, {0x0161, "s"},  {0x0162, "T"},
        {0x0163, "t"},  {0x0164, "T"},  {0x0165, "t"},  {0x0166, "T"}, {0x0167, "t"},  {0x0168, "U"},
        {0x0169, "u"},  {0x016A, "U"},  {0x016B, "u"},  {0x016C, "U"}, {0x016D, "u"},  {0x016E, "U"},
        {0x016F, "u"},  {0x0170, "U"},  {0x0171, "u"},  {0x0172, "U"}, {0x0173, "u"},  {0x0174, "W"},
        {0x0175, "w"},  {0x0176, "Y"},  {0x0177, "y"},  {0x0178, "Y"}, {0x0179, "Z"},  {0x017A, "z"},
        {0x017B, "Z"},  {0x017C, "z"},  {0x017D, "Z"},  {0x017E, "z"},
    };
    return map;
}

std::string transliterate(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += s[i++];
            continue;
        }
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        unsigned cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : len == 4 ? c & 0x07 : c;
        for (size_t k = 1; k < len && i + k < s.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        auto it = approximations().find(cp);
        out += it != approximations().end() ? it->second : "?";
        i += len;
    }
    return out;
}

bool is_pdf(const std::string& filename) {
    auto type = attachment_store::mime_type_of(filename);
    return type && *type == "application/pdf";
}

}  // namespace

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos; }

std::string strip(const std::string& s) {
    static const std::string space(" \t\r\n\f\v"), trailing(" \t\r\n\f\v\0", 7);  // rstrip drops NULs too
    const size_t b = s.find_first_not_of(space);
    const size_t e = s.find_last_not_of(trailing);
    if (b == std::string::npos || e == std::string::npos || e < b) return "";
    return s.substr(b, e - b + 1);
}

std::vector<std::string> errors(app::Context& ctx, const std::string& filename,
                                const std::string& description, const std::string& disk_filename,
                                bool filename_changed, std::optional<long long> new_file_size) {
    std::vector<std::string> out;
    if (blank(filename)) out.push_back("File cannot be blank");
    if (utf8_length(filename) > 255) out.push_back("File is too long (maximum is 255 characters)");
    if (utf8_length(disk_filename) > 255)
        out.push_back("Disk filename is too long (maximum is 255 characters)");
    if (utf8_length(description) > 255) out.push_back("Description is too long (maximum is 255 characters)");
    if (new_file_size) {
        // the message shows the limit in bytes: l(:error_attachment_too_big, :max_size => N.kilobytes)
        const long long max = std::atoll(ctx.setting("attachment_max_size").c_str()) * 1024;
        if (*new_file_size > max)
            out.push_back("This file cannot be uploaded because it exceeds the maximum allowed file size (" +
                          std::to_string(max) + ")");
    }
    if (filename_changed) {
        const std::string ext = extname(filename);
        const std::string denied = ctx.setting("attachment_extensions_denied");
        const std::string allowed = ctx.setting("attachment_extensions_allowed");
        if ((!blank(denied) && extension_in(ext, denied)) || (!blank(allowed) && !extension_in(ext, allowed)))
            out.push_back("Attachment extension " + ext + " is not allowed");
    }
    return out;
}

bool thumbnailable(const std::string& filename) {
    static const std::regex image(R"(\.(bmp|gif|jpg|jpe|jpeg|png)$)", std::regex::icase);
    return std::regex_search(filename, image) || is_pdf(filename);
}

std::string download_content_type(const std::string& filename, const std::optional<std::string>& stored) {
    if (stored && !blank(*stored) && *stored != "application/octet-stream") return *stored;
    return attachment_store::mime_type_of(filename).value_or("application/octet-stream");
}

std::string content_disposition(const std::string& filename, const std::string& user_agent) {
    static const std::regex ie("MSIE|Trident|Edge");
    // ApplicationController#filename_for_content_disposition: ERB::Util.url_encode for IE and Edge
    // (ActionDispatch::Http::ContentDisposition#percent_escape)
    const std::string name = std::regex_search(user_agent, ie) ? percent_escape(filename, "_-.~") : filename;
    return std::string(is_pdf(filename) ? "inline" : "attachment") + "; filename=\"" +
           percent_escape(transliterate(name), " !#$+.^_`|~-") + "\"; filename*=UTF-8''" +
           percent_escape(name, "!#$&+.^_`|~-");
}

}  // namespace resources::attachment_rules
