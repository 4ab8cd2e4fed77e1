// Uploads, attachments and project files as Redmine 5.0.4 serves them: upload -> attach (news, project
// files) -> show -> download -> update -> delete, with the files on disk checked at each step.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "spec/support.h"

namespace fs = std::filesystem;

namespace {

using spec::Client;
using spec::json;

const std::string kOctet = "application/octet-stream";

http::Response upload(Client& c, const std::string& target, const std::string& data,
                      const std::string& key = spec::kJsmithKey, const std::string& type = kOctet) {
    spec::Call call;
    call.method = "POST";
    call.target = target;
    call.body = data;
    if (!type.empty()) call.headers["Content-Type"] = type;
    if (!key.empty()) call.headers["X-Redmine-API-Key"] = key;
    return c.call(call);
}

std::string files_dir(Client& c) { return c.app().config().files_dir; }

std::vector<fs::path> stored_files(Client& c) {
    std::vector<fs::path> out;
    if (!fs::exists(files_dir(c))) return out;
    for (const auto& e : fs::recursive_directory_iterator(files_dir(c)))
        if (e.is_regular_file()) out.push_back(e.path());
    return out;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string disk_path(Client& c, long long id) {
    auto conn = c.database().connect();
    auto r = conn->one("SELECT disk_directory, disk_filename FROM attachments WHERE id = ?", {id});
    REQUIRE(r);
    return (fs::path(files_dir(c)) / r->s(0) / r->s(1)).string();
}

// The seeded database's attachment file (cart.log of issue 4), as Redmine stored it.
void unpack_seeded_files(Client& c) {
    const std::string tarball =
        spec::reference_dir() + (spec::mysql() ? "/seeded-files-mysql.tar.gz" : "/seeded-files.tar.gz");
    fs::create_directories(files_dir(c));
    const std::string cmd = "tar xzf '" + tarball + "' -C '" + files_dir(c) + "' --strip-components=1";
    REQUIRE(std::system(cmd.c_str()) == 0);
}

const std::string kContent("line 1\nline 2\n\x00\xff binary tail", 28);

struct Uploaded {
    long long id;
    std::string token;
};

Uploaded upload_ok(Client& c, const std::string& data, const std::string& query = "?filename=notes.txt",
                   const std::string& key = spec::kJsmithKey) {
    auto r = upload(c, "/uploads.json" + query, data, key);
    REQUIRE(r.status == 201);
    auto j = json(r);
    return {j["upload"]["id"].get<long long>(), j["upload"]["token"].get<std::string>()};
}

void set_setting(Client& c, const std::string& name, const std::string& value) {
    c.exec("DELETE FROM settings WHERE name = ?", {name});
    c.exec("INSERT INTO settings (name, value, updated_on) VALUES (?, ?, '2026-11-22 10:00:00')",
           {name, value});
}

}  // namespace

TEST_CASE("POST /uploads stores the raw body as Redmine does and answers its token") {
    Client c;
    const std::string data(kContent.data(), 24);
    auto r = upload(c, "/uploads.json?filename=notes.txt", data);
    CHECK(r.status == 201);
    CHECK(r.content_type == "application/json; charset=utf-8");
    CHECK(spec::header(r, "Location") == "");
    auto j = json(r);
    const long long id = j["upload"]["id"].get<long long>();
    CHECK(id == 2);
    // the token is "<id>.<sha256 of the content>"
    CHECK(r.body ==
          "{\"upload\":{\"id\":2,\"token\":"
          "\"2.be564f4eb6aad8a17e3d5a949902730928c53a06f3c35868ae6cdb922a29be12\"}}");
    auto conn = c.database().connect();
    auto row = conn->one(
        "SELECT container_id, container_type, filename, filesize, content_type, digest, author_id, "
        "description, downloads, disk_directory, disk_filename FROM attachments WHERE id = ?",
        {id});
    REQUIRE(row);
    CHECK(row->null(0));
    CHECK(row->null(1));
    CHECK(row->s(2) == "notes.txt");
    CHECK(row->i(3) == 24);
    CHECK(row->s(4) == "text/plain");  // guessed from the extension
    CHECK(j["upload"]["token"] == "2." + row->s(5));
    CHECK(row->s(5).size() == 64);
    CHECK(row->i(6) == 5);
    CHECK(row->null(7));
    CHECK(row->i(8) == 0);
    CHECK(std::regex_match(row->s(9), std::regex(R"(20\d\d/[01]\d)")));
    CHECK(std::regex_match(row->s(10), std::regex(R"(\d{12}_notes\.txt)")));
    CHECK(slurp(disk_path(c, id)) == data);
    CHECK(stored_files(c).size() == 1);  // no temporary file left behind

    SUBCASE("XML, no filename: a random hex name, no content type") {
        auto x = upload(c, "/uploads.xml", "File content");
        CHECK(x.status == 201);
        CHECK(x.content_type == "application/xml; charset=utf-8");
        auto r3 =
            conn->one("SELECT id, digest, filename, content_type FROM attachments ORDER BY id DESC LIMIT 1");
        REQUIRE(r3);
        CHECK(x.body == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><upload><id>" + std::to_string(r3->i(0)) +
                            "</id><token>" + std::to_string(r3->i(0)) + "." + r3->s(1) + "</token></upload>");
        // SHA256("File content")
        CHECK(r3->s(1) == "f0ca7ef61aed3763f9bec72e14379549179c5d31cc25f23a6e62fcdc43f3374c");
        CHECK(std::regex_match(r3->s(2), std::regex("[0-9a-f]{32}")));
        CHECK(r3->null(3));
    }
    SUBCASE("given content type, a non-ASCII name stored under its MD5 with the extension") {
        auto x = upload(c, "/uploads.json?filename=r%C3%A9sum%C3%A9.PDF&content_type=application/x-custom",
                        "%PDF");
        REQUIRE(x.status == 201);
        const long long nid = json(x)["upload"]["id"].get<long long>();
        auto r3 =
            conn->one("SELECT filename, content_type, disk_filename FROM attachments WHERE id = ?", {nid});
        CHECK(r3->s(0) == "r\xc3\xa9sum\xc3\xa9.PDF");
        CHECK(r3->s(1) == "application/x-custom");
        // MD5("résumé.PDF")
        CHECK(std::regex_match(r3->s(2), std::regex(R"(\d{12}_[0-9a-f]{32}\.PDF)")));
    }
    SUBCASE("an empty body is an empty file") {
        auto x = upload(c, "/uploads.json?filename=empty.bin", "");
        CHECK(x.status == 201);
        const long long nid = json(x)["upload"]["id"].get<long long>();
        CHECK(json(x)["upload"]["token"] ==
              std::to_string(nid) + ".e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        CHECK(slurp(disk_path(c, nid)).empty());
    }
    SUBCASE("a path in the filename is dropped, bad characters become _") {
        auto x = upload(c, "/uploads.json?filename=..%2F..%2Fetc%2Fa%3Fb%2A%3Ac.txt", "x");
        const long long nid = json(x)["upload"]["id"].get<long long>();
        CHECK(c.scalar("SELECT COUNT(*) FROM attachments WHERE id = ? AND filename = 'a_b_c.txt'", {nid}) ==
              1);
    }
}

TEST_CASE(
    "POST /uploads refusals: content type 406, auth 401/403, size and extension 422 with no file left") {
    Client c;
    const long long before = c.scalar("SELECT COUNT(*) FROM attachments");

    SUBCASE("another Content-Type: 406") {
        auto r = upload(c, "/uploads.json", "PNG DATA", spec::kJsmithKey, "image/png");
        CHECK(r.status == 406);
        CHECK(r.body.empty());
    }
    SUBCASE("anonymous: 401 (the Anonymous role may not upload)") {
        auto r = upload(c, "/uploads.json", "x", "");
        CHECK(r.status == 401);
        CHECK(spec::header(r, "WWW-Authenticate") == "Basic realm=\"Redmine API\"");
    }
    SUBCASE("a user with no upload permission anywhere: 403") {
        c.exec("UPDATE roles SET permissions = ?", {std::string("---\n- :view_issues\n")});
        auto r = upload(c, "/uploads.xml", "x", spec::kRhillKey);
        CHECK(r.status == 403);
        CHECK(r.content_type == "application/xml");
    }
    SUBCASE("over attachment_max_size: 422 with the limit in bytes, as Redmine 5.0 words it") {
        set_setting(c, "attachment_max_size", "1");
        auto r = upload(c, "/uploads.json", std::string(2048, 'x'));
        CHECK(r.status == 422);
        CHECK(r.body ==
              "{\"errors\":[\"This file cannot be uploaded because it exceeds the maximum allowed file size "
              "(1024)\"]}");
        auto x = upload(c, "/uploads.xml", std::string(1025, 'x'));
        CHECK(x.status == 422);
        CHECK(x.body ==
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>This file cannot be "
              "uploaded because it exceeds the maximum allowed file size (1024)</error></errors>");
        CHECK(upload(c, "/uploads.json", std::string(1024, 'x')).status == 201);
        CHECK(stored_files(c).size() == 1);
        CHECK(c.scalar("SELECT COUNT(*) FROM attachments") == before + 1);
        return;
    }
    SUBCASE("denied and allowed extensions") {
        set_setting(c, "attachment_extensions_denied", "exe, .BAT");
        auto r = upload(c, "/uploads.json?filename=setup.EXE", "MZ");
        CHECK(r.status == 422);
        CHECK(r.body == "{\"errors\":[\"Attachment extension .EXE is not allowed\"]}");
        CHECK(upload(c, "/uploads.json?filename=run.bat", "x").status == 422);
        set_setting(c, "attachment_extensions_denied", "");
        set_setting(c, "attachment_extensions_allowed", "txt");
        auto n = upload(c, "/uploads.json?filename=README", "x");
        CHECK(n.body == "{\"errors\":[\"Attachment extension  is not allowed\"]}");
        CHECK(upload(c, "/uploads.json?filename=a.txt", "x").status == 201);
        CHECK(c.scalar("SELECT COUNT(*) FROM attachments") == before + 1);
        return;
    }
    SUBCASE("a filename over 255 characters") {
        auto r = upload(c, "/uploads.json?filename=" + std::string(256, 'a'), "x");
        CHECK(r.status == 422);
        CHECK(r.body == "{\"errors\":[\"File is too long (maximum is 255 characters)\"]}");
    }
    CHECK(c.scalar("SELECT COUNT(*) FROM attachments") == before);
    CHECK(stored_files(c).empty());
}

TEST_CASE("the seeded attachment: GET /attachments/1 as the golden captures, download, permissions") {
    Client c;
    SUBCASE("its file missing on disk: 404, as Redmine's file_readable") {
        CHECK(c.get("/attachments/1.json").status == 404);
        CHECK(c.get("/attachments/download/1/cart.log").status == 404);
        return;
    }
    unpack_seeded_files(c);
    for (const char* ext : {"json", "xml"}) {
        auto r = c.get(std::string("/attachments/1.") + ext);
        REQUIRE(r.status == 200);
        std::ifstream in(spec::reference_dir() + "/golden/GET_attachments_1." + ext);
        std::string golden((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (spec::mysql()) {  // created_on differs in the MySQL dump
            const std::regex time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
            CHECK(std::regex_replace(r.body, time, "T") == std::regex_replace(golden, time, "T"));
        } else {
            CHECK(r.body == golden);
        }
    }
    auto d = c.get("/attachments/download/1/cart.log");
    CHECK(d.status == 200);
    CHECK(d.content_type == "text/plain");
    CHECK(spec::header(d, "Content-Disposition") ==
          "attachment; filename=\"cart.log\"; filename*=UTF-8''cart.log");
    CHECK(d.body.size() == 87);
    CHECK(c.get("/attachments/download/1").body == d.body);
    CHECK(c.get("/attachments/download/1.json").body == d.body);
    CHECK(c.get("/attachments/download/1/other.log").status == 404);
    CHECK(c.get("/attachments/download/99/cart.log").status == 404);
    CHECK(c.get("/attachments/99.json").status == 404);
    // issues of a container count no downloads (only project and version files do)
    CHECK(c.scalar("SELECT downloads FROM attachments WHERE id = 1") == 0);

    SUBCASE("visibility follows the issue") {
        CHECK(c.get("/attachments/1.json", "").status == 200);  // webshop is public, anonymous views issues
        CHECK(c.get("/attachments/1.json", spec::kRhillKey).status == 200);
        c.exec("UPDATE projects SET is_public = 0 WHERE id = 1");
        auto anon = c.get("/attachments/1.json", "");
        CHECK(anon.status == 401);
        CHECK(c.get("/attachments/download/1/cart.log", "").status == 401);
        CHECK(c.get("/attachments/1.json", spec::kRhillKey).status == 200);  // a member
        c.exec("UPDATE issues SET is_private = 1, author_id = 5, assigned_to_id = NULL WHERE id = 4");
        c.exec("UPDATE roles SET issues_visibility = 'own' WHERE id = 5");
        CHECK(c.get("/attachments/1.xml", spec::kRhillKey).status == 403);
        CHECK(c.get("/attachments/download/1/cart.log", spec::kRhillKey).status == 403);
    }
    SUBCASE("PATCH needs edit_issues; DELETE writes the issue's journal and removes the file") {
        auto denied =
            c.send("PATCH", "/attachments/1.json", R"({"attachment":{"description":"x"}})", spec::kRhillKey);
        CHECK(denied.status == 403);
        CHECK(c.send("DELETE", "/attachments/1.json", "", spec::kRhillKey).status == 403);
        CHECK(c.send("DELETE", "/attachments/1.json", "", "").status == 401);
        const fs::path file = disk_path(c, 1);
        REQUIRE(fs::exists(file));
        auto r = c.send("DELETE", "/attachments/1.xml", "", spec::kJsmithKey);
        CHECK(r.status == 204);
        CHECK(r.body.empty());
        CHECK(c.scalar("SELECT COUNT(*) FROM attachments WHERE id = 1") == 0);
        CHECK(!fs::exists(file));
        const long long journal = c.scalar("SELECT MAX(id) FROM journals");
        CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE id = ? AND journalized_type = 'Issue' AND "
                       "journalized_id = 4 AND user_id = 5 AND notes = ''",
                       {journal}) == 1);
        CHECK(c.scalar(
                  "SELECT COUNT(*) FROM journal_details WHERE journal_id = ? AND property = 'attachment' AND "
                  "prop_key = '1' AND old_value = 'cart.log' AND value IS NULL",
                  {journal}) == 1);
        auto issue = json(c.get("/issues/4.json?include=attachments,journals", spec::kJsmithKey));
        CHECK(issue["issue"]["attachments"].empty());
        CHECK(issue["issue"]["journals"].back()["details"] ==
              nlohmann::json::parse(
                  R"([{"property":"attachment","name":"1","old_value":"cart.log","new_value":null}])"));
    }
}

TEST_CASE("an upload attached to news: show, download byte-identical, patch, delete") {
    Client c;
    const std::string data(kContent.data(), kContent.size());
    Uploaded up = upload_ok(c, data, "?filename=notes.txt");

    SUBCASE("unattached: its author only") {
        CHECK(c.get("/attachments/" + std::to_string(up.id) + ".json", spec::kJsmithKey).status == 200);
        CHECK(c.get("/attachments/" + std::to_string(up.id) + ".json").status == 403);  // even the admin
        CHECK(c.get("/attachments/" + std::to_string(up.id) + ".json", "").status == 401);
        CHECK(c.get("/attachments/download/" + std::to_string(up.id) + "/notes.txt", spec::kDlopperKey)
                  .status == 403);
        return;
    }
    SUBCASE("an unknown token: 422 and nothing written") {
        const long long news = c.scalar("SELECT COUNT(*) FROM news");
        auto r = c.send("POST", "/projects/webshop/news.json",
                        R"({"news":{"title":"T","description":"D","uploads":[{"token":")" +
                            std::to_string(up.id) + R"(.0000"},{"token":""},{"token":"99.abc"}]}})",
                        spec::kJsmithKey);
        CHECK(r.status == 422);
        CHECK(r.body == R"({"errors":["2 file(s) could not be saved."]})");
        auto both = c.send("POST", "/projects/webshop/news.xml",
                           "<news><title></title><description>D</description><uploads type=\"array\"><upload>"
                           "<token>1.x</token></upload></uploads></news>",
                           spec::kJsmithKey);
        CHECK(both.body ==
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors type=\"array\"><error>Title cannot be "
              "blank</error>"
              "<error>1 file(s) could not be saved.</error></errors>");
        CHECK(c.scalar("SELECT COUNT(*) FROM news") == news);
        CHECK(c.scalar("SELECT COUNT(*) FROM attachments WHERE id = ? AND container_id IS NULL", {up.id}) ==
              1);
        return;
    }

    auto created = c.send(
        "POST", "/projects/webshop/news.json",
        R"({"news":{"title":"Release notes","description":"See the file","uploads":[{"token":")" + up.token +
            R"(","filename":"release.txt","description":" Notes ","content_type":"text/x-notes"}]}})",
        spec::kJsmithKey);
    REQUIRE(created.status == 204);
    const long long news = c.scalar("SELECT MAX(id) FROM news");
    CHECK(
        c.scalar(
            "SELECT COUNT(*) FROM attachments WHERE id = ? AND container_type = 'News' AND container_id = ? "
            "AND filename = 'release.txt' AND description = 'Notes' AND content_type = 'text/x-notes'",
            {up.id, news}) == 1);
    // the token is used up
    auto again = c.send("PUT", "/news/" + std::to_string(news) + ".json",
                        R"({"attachments":[{"token":")" + up.token + R"("}]})", spec::kJsmithKey);
    CHECK(again.status == 422);

    const std::string id = std::to_string(up.id);
    auto shown = c.get("/attachments/" + id + ".json", spec::kRhillKey);
    REQUIRE(shown.status == 200);
    auto a = json(shown)["attachment"];
    CHECK(a["id"] == up.id);
    CHECK(a["filename"] == "release.txt");
    CHECK(a["filesize"] == static_cast<long long>(data.size()));
    CHECK(a["content_type"] == "text/x-notes");
    CHECK(a["description"] == "Notes");
    CHECK(a["content_url"] == "http://127.0.0.1:3000/attachments/download/" + id + "/release.txt");
    CHECK(a["author"].dump() == R"({"id":5,"name":"John Smith"})");
    CHECK(std::regex_match(a["created_on"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    CHECK(!a.contains("thumbnail_url"));
    auto news_json = json(c.get("/news/" + std::to_string(news) + ".json?include=attachments"));
    CHECK(news_json["news"]["attachments"].dump() == "[" + a.dump() + "]");
    auto x = c.get("/attachments/" + id + ".xml", spec::kRhillKey);
    CHECK(x.body.find("<attachment><id>" + id + "</id><filename>release.txt</filename><filesize>" +
                      std::to_string(data.size()) +
                      "</filesize><content_type>text/x-notes</content_type><description>Notes</description>"
                      "<content_url>http://127.0.0.1:3000/attachments/download/" +
                      id + "/release.txt</content_url><author id=\"5\" name=\"John Smith\"/><created_on>") !=
          std::string::npos);

    auto d = c.get("/attachments/download/" + id + "/release.txt", spec::kRhillKey);
    CHECK(d.status == 200);
    CHECK(d.body == data);
    CHECK(d.content_type == "text/x-notes");
    CHECK(spec::header(d, "Content-Disposition") ==
          "attachment; filename=\"release.txt\"; filename*=UTF-8''release.txt");
    CHECK(c.scalar("SELECT downloads FROM attachments WHERE id = ?", {up.id}) == 0);

    // Reporter may view news but not manage them
    CHECK(c.send("PATCH", "/attachments/" + id + ".json", R"({"attachment":{"filename":"x.txt"}})",
                 spec::kRhillKey)
              .status == 403);
    auto blank = c.send("PATCH", "/attachments/" + id + ".json",
                        R"({"attachment":{"filename":"","description":"u"}})", spec::kJsmithKey);
    CHECK(blank.status == 422);
    CHECK(blank.body == R"({"errors":["File cannot be blank"]})");
    auto patched =
        c.send("PATCH", "/attachments/" + id + ".xml",
               "<attachment><filename>r\xc3\xa9sum\xc3\xa9 1.pdf</filename><description>updated</description>"
               "</attachment>",
               spec::kJsmithKey);
    CHECK(patched.status == 204);
    CHECK(patched.content_type.empty());
    auto after = json(c.get("/attachments/" + id + ".json"))["attachment"];
    CHECK(after["filename"] == "r\xc3\xa9sum\xc3\xa9 1.pdf");
    CHECK(after["description"] == "updated");
    CHECK(after["content_type"] == "text/x-notes");
    CHECK(after["content_url"] ==
          "http://127.0.0.1:3000/attachments/download/" + id + "/r%C3%A9sum%C3%A9%201.pdf");
    CHECK(after["thumbnail_url"] == "http://127.0.0.1:3000/attachments/thumbnail/" + id);
    auto pdf = c.get("/attachments/download/" + id + "/r%C3%A9sum%C3%A9%201.pdf");
    CHECK(pdf.status == 200);
    CHECK(pdf.body == data);
    CHECK(spec::header(pdf, "Content-Disposition") ==
          "inline; filename=\"resume 1.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf");

    const fs::path file = disk_path(c, up.id);
    CHECK(c.send("DELETE", "/attachments/" + id + ".json", "", spec::kRhillKey).status == 403);
    auto del = c.send("DELETE", "/attachments/" + id + ".json", "", spec::kJsmithKey);
    CHECK(del.status == 204);
    CHECK(!fs::exists(file));
    CHECK(c.get("/attachments/" + id + ".json").status == 404);
    CHECK(json(c.get("/news/" + std::to_string(news) + ".json?include=attachments"))["news"]["attachments"]
              .empty());
}

TEST_CASE("identical uploads share one disk file, which stays until its last attachment goes") {
    Client c;
    Uploaded a = upload_ok(c, "same bytes", "?filename=a.txt");
    Uploaded b = upload_ok(c, "same bytes", "?filename=b.txt");
    CHECK(disk_path(c, a.id) == disk_path(c, b.id));
    CHECK(stored_files(c).size() == 1);
    CHECK(c.send("DELETE", "/attachments/" + std::to_string(a.id) + ".json", "", spec::kJsmithKey).status ==
          204);
    CHECK(fs::exists(disk_path(c, b.id)));
    CHECK(c.send("DELETE", "/attachments/" + std::to_string(b.id) + ".json", "", spec::kJsmithKey).status ==
          204);
    CHECK(stored_files(c).empty());
}

TEST_CASE(
    "project files: POST /projects/:id/files attaches an upload, GET lists them as files/index.api.rsb") {
    Client c;
    Uploaded p = upload_ok(c, "project file", "?filename=manual.txt");
    Uploaded v = upload_ok(c, "version file", "?filename=setup.zip");

    CHECK(c.send("POST", "/projects/webshop/files.json", R"({"file":{"token":")" + p.token + R"("}})",
                 spec::kRhillKey)
              .status == 403);
    CHECK(c.send("POST", "/projects/webshop/files.json", R"({"file":{"token":")" + p.token + R"("}})", "")
              .status == 401);
    CHECK(c.send("POST", "/projects/internal-tools/files.json", R"({"file":{"token":")" + p.token + R"("}})",
                 spec::kJsmithKey)
              .status == 403);  // the files module is off there
    CHECK(c.send("POST", "/projects/nope/files.json", "{}", spec::kJsmithKey).status == 404);
    // no token, an unknown token, an unknown version: nothing attached (Redmine answers 404)
    CHECK(c.send("POST", "/projects/webshop/files.json", R"({"file":{"filename":"x"}})", spec::kJsmithKey)
              .status == 404);
    CHECK(c.send("POST", "/projects/webshop/files.json", R"({"file":{"token":"1.abc"}})", spec::kJsmithKey)
              .status == 404);
    CHECK(c.send("POST", "/projects/webshop/files.json",
                 R"({"file":{"token":")" + p.token + R"(","version_id":99}})", spec::kJsmithKey)
              .status == 404);

    auto r =
        c.send("POST", "/projects/webshop/files.json",
               R"({"file":{"token":")" + p.token + R"(","description":"The manual"}})", spec::kJsmithKey);
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    auto rx = c.send("POST", "/projects/1/files.xml",
                     "<file><token>" + v.token +
                         "</token><version_id>1</version_id><filename>setup-1.0.zip</filename></file>",
                     spec::kJsmithKey);
    CHECK(rx.status == 204);
    CHECK(c.scalar("SELECT COUNT(*) FROM attachments WHERE id = ? AND container_type = 'Project' AND "
                   "container_id = 1 AND description = 'The manual'",
                   {p.id}) == 1);
    CHECK(c.scalar("SELECT COUNT(*) FROM attachments WHERE id = ? AND container_type = 'Version' AND "
                   "container_id = 1 AND filename = 'setup-1.0.zip' AND description = ''",
                   {v.id}) == 1);

    auto list = c.get("/projects/webshop/files.json", spec::kRhillKey);
    REQUIRE(list.status == 200);
    auto files = json(list)["files"];
    REQUIRE(files.size() == 2);
    auto strip_time = [](nlohmann::json f) {
        f.erase("created_on");
        f.erase("digest");
        return f.dump();
    };
    const std::string pid = std::to_string(p.id), vid = std::to_string(v.id);
    CHECK(strip_time(files[0]) ==
          nlohmann::json::parse(
              R"({"id":)" + pid +
              R"(,"filename":"manual.txt","filesize":12,"content_type":"text/plain",)"
              R"("description":"The manual","content_url":"http://127.0.0.1:3000/attachments/download/)" +
              pid + R"(/manual.txt","author":{"id":5,"name":"John Smith"},"downloads":0})")
              .dump());
    CHECK(strip_time(files[1]) ==
          nlohmann::json::parse(
              R"({"id":)" + vid +
              R"(,"filename":"setup-1.0.zip","filesize":12,"content_type":"application/zip",)"
              R"("description":"","content_url":"http://127.0.0.1:3000/attachments/download/)" +
              vid +
              R"(/setup-1.0.zip","author":{"id":5,"name":"John Smith"},"version":{"id":1,"name":"1.0"},)"
              R"("downloads":0})")
              .dump());
    // key order as the view writes it
    CHECK(list.body.rfind(R"({"files":[{"id":)" + pid +
                              R"(,"filename":"manual.txt","filesize":12,)"
                              R"("content_type":"text/plain","description":"The manual","content_url":")",
                          0) == 0);
    CHECK(list.body.find(R"("author":{"id":5,"name":"John Smith"},"created_on":")") != std::string::npos);
    CHECK(list.body.find(R"(Z","version":{"id":1,"name":"1.0"},"digest":")") != std::string::npos);
    CHECK(files[0]["digest"] ==
          c.database().connect()->one("SELECT digest FROM attachments WHERE id = ?", {p.id})->s(0));

    auto xml = c.get("/projects/webshop/files.xml", spec::kRhillKey);
    CHECK(xml.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?><files type=\"array\"><file><id>" + pid +
                             "</id><filename>manual.txt</filename>",
                         0) == 0);
    CHECK(xml.body.find("<version id=\"1\" name=\"1.0\"/><digest>") != std::string::npos);

    // downloads of project and version files are counted
    CHECK(c.get("/attachments/download/" + vid + "/setup-1.0.zip", spec::kRhillKey).status == 200);
    CHECK(c.get("/attachments/download/" + vid, spec::kRhillKey).content_type == "application/zip");
    CHECK(json(c.get("/projects/webshop/files.json"))["files"][1]["downloads"] == 2);

    auto sorted = json(c.get("/projects/webshop/files.json?sort=filename:desc"))["files"];
    CHECK(sorted[0]["id"] == p.id);  // the project's own files always come first

    CHECK(c.get("/projects/internal-tools/files.json", "").status == 403);  // the files module is off there
    CHECK(c.get("/projects/internal-tools/files.json", spec::kRhillKey).status == 403);
    CHECK(c.get("/projects/webshop-mobile/files.json", "").body == R"({"files":[]})");

    SUBCASE("a private project: 401 for anonymous") {
        c.exec("UPDATE projects SET is_public = 0 WHERE id = 1");
        auto r = c.get("/projects/webshop/files.xml", "");
        CHECK(r.status == 401);
        CHECK(r.content_type == "application/xml");
        CHECK(c.get("/attachments/download/" + vid + "/setup-1.0.zip", "").status == 401);
        CHECK(c.get("/projects/webshop/files.xml", spec::kRhillKey).status == 200);
    }
    SUBCASE("deleting the project removes its files from disk") {
        const fs::path fp = disk_path(c, p.id), fv = disk_path(c, v.id);
        REQUIRE(fs::exists(fp));
        CHECK(c.send("DELETE", "/projects/webshop.json", "").status == 204);
        CHECK(!fs::exists(fp));
        CHECK(!fs::exists(fv));
        CHECK(c.scalar("SELECT COUNT(*) FROM attachments") == 0);
    }
}

TEST_CASE("issues take uploads on create and update, journal them, and delete their files") {
    Client c(spec::Data::Seeded);
    const auto first = upload_ok(c, kContent, "?filename=trace.log");
    auto r = c.send("POST", "/projects/webshop/issues.json",
                    R"({"issue":{"subject":"With a file","uploads":[{"token":")" + first.token +
                        R"(","filename":"trace.log","description":"The trace"}]}})",
                    spec::kJsmithKey);
    REQUIRE(r.status == 201);
    const long long issue = json(r)["issue"]["id"].get<long long>();
    CHECK(c.scalar("SELECT container_id FROM attachments WHERE id = ? AND container_type = 'Issue'",
                   {first.id}) == issue);
    CHECK(c.scalar("SELECT COUNT(*) FROM journals WHERE journalized_id = ?", {issue}) == 0);

    SUBCASE("an update attaches with one journal detail, and shows the file") {
        const auto second = upload_ok(c, "second file", "?filename=more.txt");
        r = c.send("PUT", "/issues/" + std::to_string(issue) + ".json",
                   R"({"issue":{"notes":"More","uploads":[{"token":")" + second.token + R"("}]}})",
                   spec::kJsmithKey);
        REQUIRE(r.status == 204);
        auto conn = c.database().connect();
        auto d = conn->one(
            "SELECT d.property, d.prop_key, d.old_value, d.value, j.notes FROM journal_details d "
            "JOIN journals j ON j.id = d.journal_id WHERE j.journalized_id = ?",
            {issue});
        REQUIRE(d);
        CHECK(d->s(0) == "attachment");
        CHECK(d->s(1) == std::to_string(second.id));
        CHECK(d->null(2));
        CHECK(d->s(3) == "more.txt");
        CHECK(d->s(4) == "More");
        auto shown = json(c.get("/issues/" + std::to_string(issue) + ".json?include=attachments"));
        REQUIRE(shown["issue"]["attachments"].size() == 2);
        CHECK(shown["issue"]["attachments"][0]["filename"] == "trace.log");
        CHECK(shown["issue"]["attachments"][0]["description"] == "The trace");
        CHECK(shown["issue"]["attachments"][1]["filename"] == "more.txt");
    }
    SUBCASE("an unknown token is a 422 that changes nothing") {
        r = c.send("PUT", "/issues/" + std::to_string(issue) + ".json",
                   R"({"issue":{"subject":"Renamed","uploads":[{"token":"999.abc"}]}})", spec::kJsmithKey);
        CHECK(r.status == 422);
        CHECK(r.body == R"({"errors":["1 file(s) could not be saved."]})");
        CHECK(c.scalar("SELECT COUNT(*) FROM issues WHERE id = ? AND subject = 'With a file'", {issue}) == 1);
    }
    SUBCASE("deleting the issue removes its file from disk") {
        const std::string path = disk_path(c, first.id);
        REQUIRE(fs::exists(path));
        REQUIRE(c.send("DELETE", "/issues/" + std::to_string(issue) + ".json", "", spec::kAdminKey).status == 204);
        CHECK(c.scalar("SELECT COUNT(*) FROM attachments WHERE id = ?", {first.id}) == 0);
        CHECK_FALSE(fs::exists(path));
    }
}
