// The neutral response tree that every controller builds, mirroring Redmine's API builder:
// one tree, two renderers (json.cpp, xml.cpp). A controller never writes JSON or XML itself.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace api {

class Node {
public:
    enum class Kind { Null, Bool, Int, Float, String, Object, Array };

    Node() = default;  // null
    Node(std::nullptr_t) {}
    Node(bool b) : kind_(Kind::Bool), int_(b ? 1 : 0) {}
    Node(int v) : kind_(Kind::Int), int_(v) {}
    Node(long v) : kind_(Kind::Int), int_(v) {}
    Node(long long v) : kind_(Kind::Int), int_(v) {}
    Node(double v) : kind_(Kind::Float), float_(v) {}
    Node(std::string s) : kind_(Kind::String), str_(std::move(s)) {}
    Node(const char* s) : kind_(Kind::String), str_(s) {}

    static Node object() {
        Node n;
        n.kind_ = Kind::Object;
        return n;
    }
    // item_name is the XML element of each item (`issue` in `<issues type="array">`).
    static Node array(std::string item_name) {
        Node n;
        n.kind_ = Kind::Array;
        n.str_ = std::move(item_name);
        return n;
    }

    // Object members. attr(): scalar shown as an XML attribute (and as a leading JSON key),
    // like `api.project(:id => 1, :name => "x")`; set(): a child element / JSON key.
    Node& attr(std::string key, Node value) {
        attrs_.emplace_back(std::move(key), std::move(value));
        return *this;
    }
    Node& set(std::string key, Node value) {
        members_.emplace_back(std::move(key), std::move(value));
        return *this;
    }
    // Array items.
    Node& push(Node value) {
        items_.push_back(std::move(value));
        return *this;
    }

    Kind kind() const { return kind_; }
    bool boolean() const { return int_ != 0; }
    std::int64_t integer() const { return int_; }
    double real() const { return float_; }
    const std::string& string() const { return str_; }  // String value
    const std::string& item_name() const { return str_; }  // Array item element
    const std::vector<std::pair<std::string, Node>>& attrs() const { return attrs_; }
    const std::vector<std::pair<std::string, Node>>& members() const { return members_; }
    const std::vector<Node>& items() const { return items_; }

private:
    Kind kind_ = Kind::Null;
    std::int64_t int_ = 0;
    double float_ = 0;
    std::string str_;
    std::vector<std::pair<std::string, Node>> attrs_;
    std::vector<std::pair<std::string, Node>> members_;
    std::vector<Node> items_;
};

// What a controller answers: a root element and its node. A list root carries its paging meta:
// attributes of the root in XML (before type="array"), trailing keys in JSON.
struct Document {
    std::string root;
    Node node;
    std::vector<std::pair<std::string, std::int64_t>> meta;
};

}  // namespace api
