// Unit tests of js_json: the strict parser (duplicate keys, size, depth, numbers, UTF-8) and
// JSON.stringify's exact output (expected strings produced by node's JSON.stringify).
#include "crypto/conditions/js_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace litc::crypto {
namespace {

std::string stringify(std::string_view json) {
  auto v = parse_json_strict(json);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message);
  return v.ok() ? js_stringify(v.value()) : std::string();
}

void expect_refused(std::string_view json, std::string_view fragment,
                    const JsonLimits& limits = {}) {
  auto v = parse_json_strict(json, limits);
  ASSERT_FALSE(v.ok()) << json;
  EXPECT_EQ(v.error().code, ConditionErrc::invalid_argument);
  EXPECT_NE(v.error().message.find(fragment), std::string::npos)
      << "message: " << v.error().message << "\nexpected to contain: " << fragment;
}

TEST(StrictJson, BoostParseSilentlyAcceptsDuplicateKeys) {
  // Why parse_json_strict exists: Boost.JSON 1.81's parse reports no error for a repeated key.
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(R"({"chain":"ethereum","chain":"polygon"})", ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(v.is_object());
}

TEST(StrictJson, RefusesDuplicateKeyAtTheRoot) {
  expect_refused(R"({"chain":"ethereum","chain":"polygon"})", "params: duplicate key \"chain\"");
}

TEST(StrictJson, RefusesDuplicateKeyNestedAndNamesItsObject) {
  expect_refused(R"({"a":[{"x":1},{"y":{"k":1,"k":2}}]})", "params: a[1].y: duplicate key \"k\"");
}

TEST(StrictJson, RefusesDuplicateKeySpelledWithAnEscape) {
  // "\u0061" is "a" once decoded: the same key to every reader.
  expect_refused(R"({"a":1,"\u0061":2})", "duplicate key \"a\"");
}

TEST(StrictJson, AcceptsTheSameKeyInSiblingObjects) {
  EXPECT_EQ(stringify(R"({"a":{"x":1},"b":{"x":2},"c":[{"x":3},{"x":4}]})"),
            R"({"a":{"x":1},"b":{"x":2},"c":[{"x":3},{"x":4}]})");
}

TEST(StrictJson, SizeLimitIsInclusive) {
  JsonLimits limits;
  limits.max_bytes = 10;
  EXPECT_TRUE(parse_json_strict(R"(["abcdef"])", limits).ok());  // exactly 10 bytes
  expect_refused(R"(["abcdefg"])", "params: document is 11 bytes, over the limit of 10", limits);
}

TEST(StrictJson, DefaultSizeLimitRefusesTenMegabytes) {
  const std::string big = "[\"" + std::string(10 * 1024 * 1024, 'a') + "\"]";
  expect_refused(big, "over the limit of 65536");
}

TEST(StrictJson, DepthLimit) {
  JsonLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(parse_json_strict("[[[1]]]", limits).ok());
  expect_refused("[[[[1]]]]", "invalid JSON", limits);
}

TEST(StrictJson, RefusesMalformedText) {
  expect_refused("{", "invalid JSON");
  expect_refused("{} x", "invalid JSON");
  expect_refused("[1,]", "invalid JSON");
  expect_refused("// c\n1", "invalid JSON");
  expect_refused("", "invalid JSON");
}

TEST(StrictJson, RefusesInvalidUtf8AndLoneSurrogates) {
  expect_refused("\"\xff\"", "invalid JSON");
  expect_refused("\"\xc0\x80\"", "invalid JSON");      // overlong NUL
  expect_refused("\"\xed\xa0\x80\"", "invalid JSON");  // a surrogate in UTF-8 form
  expect_refused(R"("\ud800")", "invalid JSON");       // lone high surrogate escape
  expect_refused(R"("\udc00x")", "invalid JSON");      // lone low surrogate escape
  // A proper pair is one code point, written back as UTF-8.
  EXPECT_EQ(stringify(R"("\ud83d\ude00")"), "\"\xF0\x9F\x98\x80\"");
}

TEST(StrictJson, RefusesNumbersOutsideADouble) {
  expect_refused("[1e400]", "params: [0]: number 1e400 is out of the range of a double");
  expect_refused(R"({"a":-1e400})", "params: a: number -1e400");
  expect_refused("[2e-324]", "out of the range");  // underflows to zero
  EXPECT_EQ(stringify("[5e-324]"), "[5e-324]");    // the smallest subnormal is fine
}

TEST(JsStringify, NumbersAsJavaScriptWritesThem) {
  // Expected output from node: JSON.stringify(JSON.parse(input)).
  EXPECT_EQ(stringify("[0,-0,0.0,1,-1,0.1,1E+2,1.0e-7,2e-7]"), "[0,0,0,1,-1,0.1,100,1e-7,2e-7]");
  EXPECT_EQ(stringify("[1e21,1e20,123e-20,1e-6,1.5e-7,0.000001234,123456.789,1e-5,2.5e-6]"),
            "[1e+21,100000000000000000000,1.23e-18,0.000001,1.5e-7,0.000001234,123456.789,"
            "0.00001,0.0000025]");
  EXPECT_EQ(stringify("[9007199254740993,18446744073709551615,123456789012345678901234567890]"),
            "[9007199254740992,18446744073709552000,1.2345678901234568e+29]");
  EXPECT_EQ(stringify("[1.7976931348623157e308,1.2345678901234567e21,-1.5e-10,0.3]"),
            "[1.7976931348623157e+308,1.2345678901234568e+21,-1.5e-10,0.3]");
}

TEST(JsStringify, NumberToStringDirect) {
  EXPECT_EQ(js_number_to_string(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(js_number_to_string(std::pow(2.0, 53)), "9007199254740992");
  EXPECT_EQ(js_number_to_string(-0.0), "0");
  EXPECT_EQ(js_number_to_string(INFINITY), "null");
  EXPECT_EQ(js_number_to_string(NAN), "null");
}

TEST(JsStringify, StringEscapes) {
  // node: JSON.stringify("\u0000\u001f\"\\\b\f\n\r\t\u007f\u2028é😀")
  EXPECT_EQ(stringify(R"("\u0000\u001f\"\\\b\f\n\r\t\u007f\u2028\u00e9\ud83d\ude00\/")"),
            "\"\\u0000\\u001f\\\"\\\\\\b\\f\\n\\r\\t\x7f\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80/\"");
  std::string out;
  js_quote(std::string("\x01\x0b\x1e", 3), out);
  EXPECT_EQ(out, "\"\\u0001\\u000b\\u001e\"");
}

TEST(JsStringify, LoneSurrogatesHeldInWtf8AreEscapedLowercase) {
  // Not reachable from the parser; JSON.stringify("\ud800x\udc00") === '"\\ud800x\\udc00"'.
  std::string out;
  js_quote("\xed\xa0\x80x\xed\xb0\x80", out);
  EXPECT_EQ(out, "\"\\ud800x\\udc00\"");
}

TEST(JsStringify, ArrayIndexKeysFirstThenInsertionOrder) {
  // node: JSON.stringify(JSON.parse(input))
  EXPECT_EQ(stringify(R"({"b":1,"10":2,"2":3,"a":4,"01":5,"4294967295":6,"4294967294":7})"),
            R"({"2":3,"10":2,"4294967294":7,"b":1,"a":4,"01":5,"4294967295":6})");
}

TEST(JsStringify, LiteralsAndNesting) {
  EXPECT_EQ(stringify(R"( { "z" : [ true , false , null , { } , [ ] ] , "a" : "" } )"),
            R"({"z":[true,false,null,{},[]],"a":""})");
}

}  // namespace
}  // namespace litc::crypto
