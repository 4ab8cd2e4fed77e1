// Attachment files on disk, stored exactly as Redmine stores them: <files>/YYYY/MM/<timestamp>_<name>,
// with Redmine's filename rules (sanitize_filename, create_diskfile) and content types (Redmine::MimeType).
#pragma once

#include <optional>
#include <string>

namespace resources::attachment_store {

// Attachment#sanitize_filename: the last path component, with / ? % * : | " ' < > CR LF runs
// replaced by one underscore.
std::string sanitize_filename(const std::string& value);

// Redmine::MimeType.of: by extension (case-insensitive), Redmine's table first, then the common
// types of the MiniMime database. Nothing for an unknown or missing extension.
std::optional<std::string> mime_type_of(const std::string& filename);

std::string sha256_hex(const std::string& data);

struct Stored {
    std::string disk_directory;  // "2026/11"
    std::string disk_filename;   // "261122162705_cart.log"
};

// Writes data under root as Attachment#files_to_final_location does: directory YYYY/MM of now (UTC),
// name "<yymmddHHMMSS>_<filename>" (an MD5 of the filename, keeping an ASCII extension, when the name
// is not short plain ASCII), the timestamp advanced while the name is taken. The data goes to a
// temporary file in the same directory that is then linked into place, so no partial file is ever
// visible under the final name. Throws std::runtime_error when the disk refuses.
Stored store(const std::string& root, const std::string& filename, const std::string& data);

// root/disk_directory/disk_filename (Attachment#diskfile).
std::string disk_path(const std::string& root, const std::string& disk_directory,
                      const std::string& disk_filename);

// Reads the whole file; nothing when it is missing or unreadable (Attachment#readable?).
std::optional<std::string> read(const std::string& path);

// Deletes the file when it exists; errors are ignored (as Redmine's delete_from_disk! after commit).
void remove(const std::string& path);

}  // namespace resources::attachment_store
