// Pins the renderers to Redmine 5.0's API output byte for byte, and the body parser to Hash.from_xml.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "serializers/body.h"
#include "serializers/render.h"

using api::Document;
using api::Format;
using api::Node;
using nlohmann::json;

namespace {

const std::string kDecl = R"(<?xml version="1.0" encoding="UTF-8"?>)";

Document doc(std::string root, Node node) { return Document{std::move(root), std::move(node), {}}; }

Node named(long long id, std::string name) {
    return std::move(Node::object().attr("id", id).attr("name", std::move(name)));
}

// Renders `value` as the single member "v" of a `<r>` / {"r":{...}} document.
std::string xml_of(Node value) {
    return api::render_xml(doc("r", std::move(Node::object().set("v", std::move(value)))));
}
std::string json_of(Node value) {
    return api::render_json(doc("r", std::move(Node::object().set("v", std::move(value)))));
}

json xml_body(const std::string& body) { return api::parse_body(body, Format::Xml); }
json json_body(const std::string& body) { return api::parse_body(body, Format::Json); }

std::string nested_json(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string nested_xml(int depth) {
    std::string open, close;
    for (int i = 0; i < depth; ++i) {
        open += "<a>";
        close += "</a>";
    }
    return open + "x" + close;
}

}  // namespace

TEST_SUITE("serializers: Redmine examples") {
    TEST_CASE("issues index in XML") {
        Node issue = Node::object();
        issue.set("id", 30)
            .set("project", named(1, "Web Shop"))
            .set("status", std::move(named(1, "New").attr("is_closed", false)))
            .set("description", "Sell.")
            .set("due_date", nullptr)
            .set("estimated_hours", nullptr)
            .set("spent_hours", 0.0)
            .set(
                "custom_fields",
                std::move(Node::array("custom_field").push(std::move(named(1, "Severity").set("value", "")))))
            .set("closed_on", nullptr);
        Document d{"issues",
                   std::move(Node::array("issue").push(std::move(issue))),
                   {{"total_count", 25}, {"offset", 0}, {"limit", 2}}};
        CHECK(api::render_xml(d) ==
              kDecl + R"(<issues total_count="25" offset="0" limit="2" type="array"><issue><id>30</id>)"
                      R"(<project id="1" name="Web Shop"/><status id="1" name="New" is_closed="false"/>)"
                      R"(<description>Sell.</description><due_date/><estimated_hours/>)"
                      R"(<spent_hours>0.0</spent_hours>)"
                      R"(<custom_fields type="array"><custom_field id="1" name="Severity"><value></value>)"
                      R"(</custom_field></custom_fields><closed_on/></issue></issues>)");
    }

    TEST_CASE("issues index in JSON") {
        Node issue = Node::object();
        issue.set("id", 30)
            .set("project", named(1, "Web Shop"))
            .set("status", std::move(named(1, "New").attr("is_closed", false)))
            .set("due_date", nullptr)
            .set("spent_hours", 0.0)
            .set("custom_fields",
                 std::move(
                     Node::array("custom_field").push(std::move(named(1, "Severity").set("value", "")))));
        Document d{"issues",
                   std::move(Node::array("issue").push(std::move(issue))),
                   {{"total_count", 25}, {"offset", 0}, {"limit", 2}}};
        CHECK(api::render_json(d) ==
              R"({"issues":[{"id":30,"project":{"id":1,"name":"Web Shop"},)"
              R"("status":{"id":1,"name":"New","is_closed":false},"due_date":null,"spent_hours":0.0,)"
              R"("custom_fields":[{"id":1,"name":"Severity","value":""}]}],)"
              R"("total_count":25,"offset":0,"limit":2})");
    }

    TEST_CASE("role") {
        Node role = Node::object();
        role.set("id", 4).set("permissions", std::move(Node::array("permission").push("view_issues")));
        Document d = doc("role", std::move(role));
        CHECK(api::render_xml(d) ==
              kDecl + R"(<role><id>4</id><permissions type="array"><permission>view_issues</permission>)"
                      R"(</permissions></role>)");
        CHECK(api::render_json(d) == R"({"role":{"id":4,"permissions":["view_issues"]}})");
    }

    TEST_CASE("errors") {
        Document d = api::errors_document({"Subject cannot be blank"});
        CHECK(api::render_xml(d) ==
              kDecl + R"(<errors type="array"><error>Subject cannot be blank</error></errors>)");
        CHECK(api::render_json(d) == R"({"errors":["Subject cannot be blank"]})");
    }
}

TEST_SUITE("serializers: JSON") {
    TEST_CASE("scalars") {
        CHECK(json_of(nullptr) == R"({"r":{"v":null}})");
        CHECK(json_of(true) == R"({"r":{"v":true}})");
        CHECK(json_of(false) == R"({"r":{"v":false}})");
        CHECK(json_of(-7) == R"({"r":{"v":-7}})");
        CHECK(json_of(std::numeric_limits<long long>::max()) == R"({"r":{"v":9223372036854775807}})");
        CHECK(json_of(std::numeric_limits<long long>::min()) == R"({"r":{"v":-9223372036854775808}})");
        CHECK(json_of("") == R"({"r":{"v":""}})");
    }

    TEST_CASE("floats print as Ruby's Float#to_s") {
        CHECK(json_of(16.0) == R"({"r":{"v":16.0}})");
        CHECK(json_of(0.0) == R"({"r":{"v":0.0}})");
        CHECK(json_of(-0.0) == R"({"r":{"v":-0.0}})");
        CHECK(json_of(2.5) == R"({"r":{"v":2.5}})");
        CHECK(json_of(0.1) == R"({"r":{"v":0.1}})");
        CHECK(json_of(-3.75) == R"({"r":{"v":-3.75}})");
        CHECK(json_of(1.0 / 3) == R"({"r":{"v":0.3333333333333333}})");
        CHECK(json_of(0.1 + 0.2) == R"({"r":{"v":0.30000000000000004}})");
        CHECK(json_of(0.0001) == R"({"r":{"v":0.0001}})");
        CHECK(json_of(0.00001) == R"({"r":{"v":1.0e-05}})");
        CHECK(json_of(0.000025) == R"({"r":{"v":2.5e-05}})");
        CHECK(json_of(1e15) == R"({"r":{"v":1000000000000000.0}})");
        CHECK(json_of(1e16) == R"({"r":{"v":1.0e+16}})");
        CHECK(json_of(1.5e300) == R"({"r":{"v":1.5e+300}})");
        CHECK(json_of(123456.789) == R"({"r":{"v":123456.789}})");
        // Float#as_json: non-finite values become nil.
        CHECK(json_of(std::nan("")) == R"({"r":{"v":null}})");
        CHECK(json_of(std::numeric_limits<double>::infinity()) == R"({"r":{"v":null}})");
    }

    TEST_CASE("string escaping follows Rails' to_json") {
        CHECK(json_of("<b>&\"\\/'") == R"({"r":{"v":"\u003cb\u003e\u0026\"\\/'"}})");
        CHECK(json_of("a\nb\tc\rd\be\ff\x01g\x1Fh\x7F") ==
              "{\"r\":{\"v\":\"a\\nb\\tc\\rd\\be\\ff\\u0001g\\u001fh\x7F\"}}");
        CHECK(json_of("x\u2028y\u2029z") == R"({"r":{"v":"x\u2028y\u2029z"}})");
        CHECK(json_of("Caf\u00e9 \u65e5\u672c \U0001F600") ==
              "{\"r\":{\"v\":\"Caf\u00e9 \u65e5\u672c \U0001F600\"}}");
    }

    TEST_CASE("keys are escaped too") {
        Node n = Node::object();
        n.set("a<b", 1);
        CHECK(api::render_json(doc("r\"", std::move(n))) == R"({"r\"":{"a\u003cb":1}})");
    }

    TEST_CASE("invalid UTF-8 becomes U+FFFD per maximal ill-formed subsequence") {
        const std::string fffd = "\xEF\xBF\xBD";
        CHECK(json_of("a\xFF"
                      "b") == "{\"r\":{\"v\":\"a" + fffd + "b\"}}");
        CHECK(json_of("a\xC3") == "{\"r\":{\"v\":\"a" + fffd + "\"}}");
        CHECK(json_of("\xE2\x82x") == "{\"r\":{\"v\":\"" + fffd + "x\"}}");
        CHECK(json_of("\xC0\xAF") == "{\"r\":{\"v\":\"" + fffd + fffd + "\"}}");
        CHECK(json_of("\xED\xA0\x80") == "{\"r\":{\"v\":\"" + fffd + fffd + fffd + "\"}}");
        CHECK(json_of("\xF4\x90\x80\x80") == "{\"r\":{\"v\":\"" + fffd + fffd + fffd + fffd + "\"}}");
        CHECK(json_of("\xF0\x9F\x98\x80") == "{\"r\":{\"v\":\"\xF0\x9F\x98\x80\"}}");
    }

    TEST_CASE("objects: attrs first, then members") {
        Node n = Node::object();
        n.set("a", 1).attr("id", 2).set("b", Node::object()).attr("name", nullptr);
        CHECK(api::render_json(doc("r", std::move(n))) == R"({"r":{"id":2,"name":null,"a":1,"b":{}}})");
    }

    TEST_CASE("a repeated key keeps its first position and its last value, like a Ruby Hash") {
        Node n = Node::object();
        n.set("a", 1).set("b", 2).set("a", 3);
        CHECK(api::render_json(doc("r", std::move(n))) == R"({"r":{"a":3,"b":2}})");
    }

    TEST_CASE("arrays") {
        CHECK(json_of(Node::array("x")) == R"({"r":{"v":[]}})");
        Node rows = Node::array("row");
        rows.push(std::move(Node::array("cell").push(1).push("a"))).push(Node::array("cell"));
        CHECK(json_of(std::move(rows)) == R"({"r":{"v":[[1,"a"],[]]}})");
        CHECK(api::render_json(doc("issues", Node::array("issue"))) == R"({"issues":[]})");
    }

    TEST_CASE("meta follows the root key whatever the node") {
        Document list{"issues", Node::array("issue"), {{"total_count", 0}, {"offset", 0}, {"limit", 25}}};
        CHECK(api::render_json(list) == R"({"issues":[],"total_count":0,"offset":0,"limit":25})");
        Document object{"thing", std::move(Node::object().set("a", 1)), {{"total_count", 3}}};
        CHECK(api::render_json(object) == R"({"thing":{"a":1},"total_count":3})");
    }

    TEST_CASE("scalar root") {
        CHECK(api::render_json(doc("status", "ok")) == R"({"status":"ok"})");
        CHECK(api::render_json(doc("nothing", nullptr)) == R"({"nothing":null})");
    }
}

TEST_SUITE("serializers: XML") {
    TEST_CASE("scalars") {
        CHECK(xml_of(true) == kDecl + "<r><v>true</v></r>");
        CHECK(xml_of(false) == kDecl + "<r><v>false</v></r>");
        CHECK(xml_of(-7) == kDecl + "<r><v>-7</v></r>");
        CHECK(xml_of(16.0) == kDecl + "<r><v>16.0</v></r>");
        CHECK(xml_of(0.00001) == kDecl + "<r><v>1.0e-05</v></r>");
        CHECK(xml_of(std::nan("")) == kDecl + "<r><v>NaN</v></r>");
        CHECK(xml_of(-std::numeric_limits<double>::infinity()) == kDecl + "<r><v>-Infinity</v></r>");
    }

    TEST_CASE("null self-closes, an empty string does not") {
        CHECK(xml_of(nullptr) == kDecl + "<r><v/></r>");
        CHECK(xml_of("") == kDecl + "<r><v></v></r>");
        CHECK(api::render_xml(doc("nothing", nullptr)) == kDecl + "<nothing/>");
        CHECK(api::render_xml(doc("status", "")) == kDecl + "<status></status>");
        CHECK(api::render_xml(doc("status", "ok")) == kDecl + "<status>ok</status>");
    }

    TEST_CASE("attribute values") {
        Node n = Node::object();
        n.attr("b", true).attr("i", 3).attr("f", 2.0).attr("s", "x").attr("n", nullptr);
        CHECK(xml_of(std::move(n)) == kDecl + R"(<r><v b="true" i="3" f="2.0" s="x" n=""/></r>)");
    }

    TEST_CASE("text escaping") {
        CHECK(xml_of("a<b>&\"'c") == kDecl + "<r><v>a&lt;b&gt;&amp;\"'c</v></r>");
        CHECK(xml_of("l1\r\nl2\tx") == kDecl + "<r><v>l1\r\nl2\tx</v></r>");
        CHECK(xml_of("&amp;") == kDecl + "<r><v>&amp;amp;</v></r>");
    }

    TEST_CASE("attribute escaping follows Builder") {
        Node n = Node::object();
        n.attr("name", "a\"b<c>d&e\nf\rg\th'");
        CHECK(xml_of(std::move(n)) ==
              kDecl + "<r><v name=\"a&quot;b&lt;c&gt;d&amp;e&#10;f&#13;g\th'\"/></r>");
    }

    TEST_CASE("characters XML 1.0 forbids are dropped, invalid UTF-8 is replaced") {
        CHECK(xml_of(std::string("a\x00\x01\x08\x0B\x0C\x0E\x1F"
                                 "b",
                                 10)) == kDecl + "<r><v>ab</v></r>");
        CHECK(xml_of("a\xEF\xBF\xBE\xEF\xBF\xBF"
                     "b") == kDecl + "<r><v>ab</v></r>");
        CHECK(xml_of("a\xFF"
                     "b\xC3") == kDecl +
                                     "<r><v>a\xEF\xBF\xBD"
                                     "b\xEF\xBF\xBD</v></r>");
        Node n = Node::object();
        n.attr("name", "x\x01\xFE");
        CHECK(xml_of(std::move(n)) == kDecl + "<r><v name=\"x\xEF\xBF\xBD\"/></r>");
        CHECK(xml_of("Caf\u00e9 \U0001F600") == kDecl + "<r><v>Caf\u00e9 \U0001F600</v></r>");
    }

    TEST_CASE("objects") {
        CHECK(xml_of(named(1, "Web Shop")) == kDecl + R"(<r><v id="1" name="Web Shop"/></r>)");
        CHECK(xml_of(std::move(Node::object().set("a", 1))) == kDecl + "<r><v><a>1</a></v></r>");
        CHECK(xml_of(std::move(named(1, "x").set("a", 1))) ==
              kDecl + R"(<r><v id="1" name="x"><a>1</a></v></r>)");
        CHECK(xml_of(Node::object()) == kDecl + "<r><v/></r>");
    }

    TEST_CASE("arrays") {
        CHECK(xml_of(Node::array("x")) == kDecl + R"(<r><v type="array"></v></r>)");
        Node projects = Node::array("project");
        projects.push(named(1, "a")).push(std::move(named(2, "b").set("x", nullptr)));
        CHECK(xml_of(std::move(projects)) == kDecl + R"(<r><v type="array"><project id="1" name="a"/>)"
                                                     R"(<project id="2" name="b"><x/></project></v></r>)");
        Node mixed = Node::array("i");
        mixed.push(1).push("").push(nullptr).push(1.5);
        CHECK(xml_of(std::move(mixed)) ==
              kDecl + R"(<r><v type="array"><i>1</i><i></i><i/><i>1.5</i></v></r>)");
    }

    TEST_CASE("multi-value custom field") {
        Node field = named(1, "Tags");
        field.attr("multiple", true).set("value", std::move(Node::array("value").push("a").push("b")));
        Document d = doc("custom_fields", std::move(Node::array("custom_field").push(std::move(field))));
        CHECK(api::render_xml(d) ==
              kDecl + R"(<custom_fields type="array"><custom_field id="1" name="Tags" multiple="true">)"
                      R"(<value type="array"><value>a</value><value>b</value></value>)"
                      R"(</custom_field></custom_fields>)");
        CHECK(api::render_json(d) ==
              R"({"custom_fields":[{"id":1,"name":"Tags","multiple":true,"value":["a","b"]}]})");
    }

    TEST_CASE("an array as an array item is named by the outer item name") {
        Node rows = Node::array("row");
        rows.push(std::move(Node::array("cell").push(1).push(2))).push(Node::array("cell"));
        CHECK(xml_of(std::move(rows)) ==
              kDecl + R"(<r><v type="array"><row type="array"><cell>1</cell><cell>2</cell>)"
                      R"(</row><row type="array"></row></v></r>)");
    }

    TEST_CASE("list roots") {
        CHECK(api::render_xml(doc("issues", Node::array("issue"))) ==
              kDecl + R"(<issues type="array"></issues>)");
        Document meta{"issues", Node::array("issue"), {{"total_count", 0}, {"offset", 0}, {"limit", 25}}};
        CHECK(api::render_xml(meta) ==
              kDecl + R"(<issues total_count="0" offset="0" limit="25" type="array"></issues>)");
        Document ids{"ids", std::move(Node::array("id").push(1).push(2)), {{"total_count", 2}}};
        CHECK(api::render_xml(ids) ==
              kDecl + R"(<ids total_count="2" type="array"><id>1</id><id>2</id></ids>)");
    }

    TEST_CASE("meta precedes an object root's own attributes") {
        Document d{"thing", std::move(Node::object().attr("id", 1).set("a", "b")), {{"total_count", 3}}};
        CHECK(api::render_xml(d) == kDecl + R"(<thing total_count="3" id="1"><a>b</a></thing>)");
    }
}

TEST_SUITE("serializers: render and errors_document") {
    TEST_CASE("render dispatches on the format") {
        Document d = doc("role", std::move(Node::object().set("id", 4)));
        CHECK(api::render(d, Format::Json) == R"({"role":{"id":4}})");
        CHECK(api::render(d, Format::Xml) == kDecl + "<role><id>4</id></role>");
    }

    TEST_CASE("errors_document") {
        Document d = api::errors_document({"Name cannot be blank", "Identifier is <too> short & \"bad\""});
        CHECK(d.root == "errors");
        CHECK(api::render_json(d) ==
              R"({"errors":["Name cannot be blank","Identifier is \u003ctoo\u003e short \u0026 \"bad\""]})");
        CHECK(api::render_xml(d) ==
              kDecl + R"(<errors type="array"><error>Name cannot be blank</error>)"
                      R"(<error>Identifier is &lt;too&gt; short &amp; "bad"</error></errors>)");
        Document none = api::errors_document({});
        CHECK(api::render_json(none) == R"({"errors":[]})");
        CHECK(api::render_xml(none) == kDecl + R"(<errors type="array"></errors>)");
    }
}

TEST_SUITE("serializers: parse_body JSON") {
    TEST_CASE("an empty body is an empty object; a blank one does not parse (Rails answers 400)") {
        for (Format f : {Format::Json, Format::Xml}) {
            CHECK(api::parse_body("", f) == json::object());
            CHECK_THROWS_AS(api::parse_body(" \r\n\t", f), api::BadBody);
        }
    }

    TEST_CASE("object bodies") {
        json body =
            json_body(R"({"issue":{"subject":"x","project_id":1,"estimated_hours":2.5,"is_private":true,
                                  "assigned_to_id":null,"custom_fields":[{"id":1,"value":["a","b"]}]}})");
        CHECK(body == json::parse(R"({"issue":{"subject":"x","project_id":1,"estimated_hours":2.5,
            "is_private":true,"assigned_to_id":null,"custom_fields":[{"id":1,"value":["a","b"]}]}})"));
        CHECK(body["issue"]["subject"] == "x");
        CHECK(body["issue"]["project_id"].is_number_integer());
    }

    TEST_CASE("malformed JSON") {
        CHECK_THROWS_AS(json_body("{"), api::BadBody);
        CHECK_THROWS_AS(json_body(R"({"a":1,})"), api::BadBody);
        CHECK_THROWS_AS(json_body("<issue/>"), api::BadBody);
        CHECK_THROWS_AS(json_body(R"({"a":1} x)"), api::BadBody);
        CHECK_THROWS_AS(json_body("{\"a\":\"\xFF\"}"), api::BadBody);
    }

    TEST_CASE("a top level that is not an object is {\"_json\": value}, as Rails' JSON params parser gives it") {
        CHECK(json_body("[]") == json{{"_json", json::array()}});
        CHECK(json_body("\"issue\"") == json{{"_json", "issue"}});
        CHECK(json_body("1") == json{{"_json", 1}});
        CHECK(json_body("null") == json{{"_json", nullptr}});
    }

    TEST_CASE("nesting is limited to 100 levels, Ruby's JSON max_nesting") {
        CHECK(json_body("{\"a\":" + nested_json(99) + "}")["a"].is_array());
        CHECK_THROWS_AS(json_body("{\"a\":" + nested_json(100) + "}"), api::BadBody);
        CHECK_THROWS_AS(json_body("{\"a\":" + nested_json(100000) + "}"), api::BadBody);
    }
}

TEST_SUITE("serializers: parse_body XML") {
    TEST_CASE("the root element is the single top-level key") {
        CHECK(xml_body("<issue><subject>x</subject></issue>") == json::parse(R"({"issue":{"subject":"x"}})"));
        CHECK(xml_body("<subject>x</subject>") == json::parse(R"({"subject":"x"})"));
        CHECK(xml_body(
                  R"(<?xml version="1.0" encoding="UTF-8"?><!-- c --><issue><!-- c --><a>1</a></issue>)") ==
              json::parse(R"({"issue":{"a":"1"}})"));
    }

    TEST_CASE("dashes become underscores and types are honoured") {
        json body = xml_body(
            R"(<issue><project-id type="integer">1</project-id>)"
            R"(<estimated-hours type="float">2.5</estimated-hours>)"
            R"(<done-ratio type="decimal"> 10 </done-ratio><is-private type="boolean">true</is-private>)"
            R"(<a type="boolean">1</a><b type="boolean">false</b><c type="boolean">yes</c>)"
            R"(<neg type="integer">-12</neg><start-date type="date">2024-01-02</start-date></issue>)");
        CHECK(body == json::parse(R"({"issue":{"project_id":1,"estimated_hours":2.5,"done_ratio":10.0,
            "is_private":true,"a":true,"b":false,"c":false,"neg":-12,"start_date":"2024-01-02"}})"));
        CHECK(body["issue"]["project_id"].is_number_integer());
        CHECK(body["issue"]["done_ratio"].is_number_float());
    }

    TEST_CASE("nil, empty and typed-empty elements") {
        CHECK(xml_body(R"(<i><a nil="true"/><b/><c></c><d type="integer"/><e type="string"/>)"
                       R"(<f type="integer" nil="true"></f><g>  </g></i>)") ==
              json::parse(R"({"i":{"a":null,"b":"","c":"","d":null,"e":"","f":null,"g":"  "}})"));
    }

    TEST_CASE("arrays take their children's values whatever their names") {
        CHECK(
            xml_body(R"(<issue><watcher-user-ids type="array"><watcher-user-id>1</watcher-user-id><id>2</id>)"
                     R"(</watcher-user-ids></issue>)") ==
            json::parse(R"({"issue":{"watcher_user_ids":["1","2"]}})"));
        CHECK(xml_body(R"(<ids type="array"><id type="integer">1</id></ids>)") ==
              json::parse(R"({"ids":[1]})"));
        CHECK(xml_body(R"(<i><a type="array"/><b type="array"></b><c type="array">  </c></i>)") ==
              json::parse(R"({"i":{"a":[],"b":[],"c":[]}})"));
    }

    TEST_CASE("repeated children become an array") {
        CHECK(xml_body("<r><v>a</v><w>b</w><v>c</v></r>") == json::parse(R"({"r":{"v":["a","c"],"w":"b"}})"));
        CHECK(xml_body("<r><v>a</v></r>") == json::parse(R"({"r":{"v":"a"}})"));
    }

    TEST_CASE("attributes") {
        CHECK(xml_body(R"(<custom_field id="1"><value>x</value></custom_field>)") ==
              json::parse(R"({"custom_field":{"id":"1","value":"x"}})"));
        CHECK(xml_body(R"(<r><project id="1" some-name="x"/></r>)") ==
              json::parse(R"({"r":{"project":{"id":"1","some_name":"x"}}})"));
        // An element's text wins over its attributes, as in Hash.from_xml.
        CHECK(xml_body(R"(<r><v id="1">text</v></r>)") == json::parse(R"({"r":{"v":"text"}})"));
    }

    TEST_CASE("custom fields from an ActiveResource client") {
        json body = xml_body(
            R"(<issue><custom_fields type="array"><custom_field id="1"><value>x</value></custom_field>)"
            R"(<custom_field id="2"><value type="array"><value>a</value><value>b</value></value>)"
            R"(</custom_field></custom_fields></issue>)");
        CHECK(body == json::parse(R"({"issue":{"custom_fields":[{"id":"1","value":"x"},
                                     {"id":"2","value":["a","b"]}]}})"));
    }

    TEST_CASE("indentation between elements is ignored, text is unescaped") {
        json body = xml_body(
            "<?xml version=\"1.0\"?>\n<issue>\n  <subject>a &amp; b &lt;c&gt; &#233;</subject>\n"
            "  <notes><![CDATA[<raw> & ]]></notes>\n  <ids type=\"array\">\n    <id>1</id>\n"
            "  </ids>\n</issue>\n");
        CHECK(body ==
              json::parse(
                  "{\"issue\":{\"subject\":\"a & b <c> \u00e9\",\"notes\":\"<raw> & \",\"ids\":[\"1\"]}}"));
    }

    TEST_CASE("JSON and XML read the same") {
        json from_json = json_body(R"({"issue":{"subject":"x","project_id":1,"watcher_user_ids":[2,3]}})");
        json from_xml =
            xml_body(R"(<issue><subject>x</subject><project_id type="integer">1</project_id>)"
                     R"(<watcher_user_ids type="array"><id type="integer">2</id><id type="integer">3</id>)"
                     R"(</watcher_user_ids></issue>)");
        CHECK(from_json == from_xml);
    }

    TEST_CASE("invalid UTF-8 is replaced so the value stays serialisable") {
        json body = xml_body("<r><v a=\"\xFF\">x\xC3</v><w>\xFE</w></r>");
        CHECK(body == json::parse("{\"r\":{\"v\":\"x\uFFFD\",\"w\":\"\uFFFD\"}}"));
        CHECK_NOTHROW((void)body.dump());
    }

    TEST_CASE("malformed XML") {
        CHECK_THROWS_AS(xml_body("<issue>"), api::BadBody);
        CHECK_THROWS_AS(xml_body("<a></b>"), api::BadBody);
        CHECK_THROWS_AS(xml_body("not xml"), api::BadBody);
        CHECK_THROWS_AS(xml_body(R"({"issue":{}})"), api::BadBody);
        CHECK_THROWS_AS(xml_body("<a/><b/>"), api::BadBody);
        CHECK_THROWS_AS(xml_body("<a x=1/>"), api::BadBody);
    }

    TEST_CASE("bad typed values and disallowed types") {
        CHECK_THROWS_AS(xml_body(R"(<a type="integer">12abc</a>)"), api::BadBody);
        CHECK_THROWS_AS(xml_body(R"(<a type="integer">99999999999999999999</a>)"), api::BadBody);
        CHECK_THROWS_AS(xml_body(R"(<a type="float">x</a>)"), api::BadBody);
        CHECK_THROWS_AS(xml_body(R"(<a type="float">inf</a>)"), api::BadBody);
        CHECK_THROWS_AS(xml_body(R"(<a type="yaml">--- 1</a>)"), api::BadBody);
        CHECK_THROWS_AS(xml_body(R"(<a type="symbol">x</a>)"), api::BadBody);
    }

    TEST_CASE("a DOCTYPE is refused") {
        CHECK_THROWS_AS(xml_body("<!DOCTYPE issue><issue/>"), api::BadBody);
        CHECK_THROWS_AS(xml_body(R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">)"
                                 R"(<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>)"
                                 R"(<lolz>&lol2;</lolz>)"),
                        api::BadBody);
        CHECK_THROWS_AS(xml_body(R"(<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>)"),
                        api::BadBody);
    }

    TEST_CASE("nesting is limited to 100 levels, as Rails reads XML params") {
        CHECK(xml_body(nested_xml(100)).contains("a"));
        CHECK_THROWS_AS(xml_body(nested_xml(101)), api::BadBody);
        CHECK_THROWS_AS(xml_body(nested_xml(100000)), api::BadBody);
    }
}
