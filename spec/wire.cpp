#include "spec/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>

namespace spec {

LiveServer::LiveServer(Data data, const std::function<void(app::Config&)>& tune)
    : db_(std::make_unique<TestDb>(data)) {
    app::Config config;
    config.database = db_->url();
    config.port = 0;
    config.workers = 2;
    config.pool_size = 2;
    config.max_body_bytes = 1024 * 1024;
    config.log_level = "error";
    if (tune) tune(config);
    app_ = std::make_unique<app::App>(config);
    http_ = std::make_unique<app::HttpServer>(*app_);
    http_->start();
}

LiveServer::~LiveServer() { http_->stop(5); }

long long LiveServer::scalar(const std::string& sql) { return app_->database().connect()->scalar(sql); }

Wire::Wire(uint16_t port, int timeout_s) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_s, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd_);
        fd_ = -1;
    }
}

Wire::~Wire() {
    if (fd_ >= 0) close(fd_);
}

bool Wire::write(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

bool Wire::fill() {
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
}

std::string Wire::read_response(bool no_body) {
    size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos)
        if (!fill()) return "";
    size_t length = 0;
    const std::string head = buf_.substr(0, header_end);
    if (auto cl = head.find("Content-Length: "); cl != std::string::npos)
        length = std::strtoul(head.c_str() + cl + 16, nullptr, 10);
    if (no_body) length = 0;
    while (buf_.size() < header_end + 4 + length)
        if (!fill()) return "";
    std::string response = buf_.substr(0, header_end + 4 + length);
    buf_.erase(0, header_end + 4 + length);
    return response;
}

int Wire::status(const std::string& response) {
    if (response.rfind("HTTP/1.1 ", 0) != 0) return 0;
    return std::atoi(response.c_str() + 9);
}

bool Wire::closed_by_peer() {
    for (;;) {
        char chunk[16384];
        ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
        if (n == 0) return true;
        if (n < 0) return errno == ECONNRESET;
    }
}

void Wire::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

std::string get_request(const std::string& target, const std::string& extra_headers) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Redmine-API-Key: " + kAdminKey + "\r\n" +
           extra_headers + "\r\n";
}

}  // namespace spec
