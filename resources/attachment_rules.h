// Redmine's Attachment model rules that are not about the disk: validations (with en.yml's messages),
// thumbnails, and how a download is labelled (AttachmentsController#detect_content_type, disposition).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/context.h"

namespace resources::attachment_rules {

// Ruby's String#blank? and #strip.
bool blank(const std::string& s);
std::string strip(const std::string& s);

// Attachment's validations, in Redmine's order: filename present and at most 255 characters, disk
// filename and description at most 255, the attachment_max_size setting (only for a new file: pass
// its size), the allowed/denied extension settings (only when the filename changed).
std::vector<std::string> errors(app::Context& ctx, const std::string& filename,
                                const std::string& description, const std::string& disk_filename,
                                bool filename_changed, std::optional<long long> new_file_size);

// Attachment#thumbnailable? with ImageMagick and Ghostscript present: images and PDFs.
bool thumbnailable(const std::string& filename);

// AttachmentsController#detect_content_type: the stored type unless blank or octet-stream, else by
// the extension, else application/octet-stream.
std::string download_content_type(const std::string& filename, const std::optional<std::string>& stored);

// send_file's Content-Disposition: inline for PDFs, else attachment, with Rails' filename and
// filename* parameters (the name URL-encoded first for Internet Explorer and Edge, as Redmine does).
std::string content_disposition(const std::string& filename, const std::string& user_agent);

}  // namespace resources::attachment_rules
