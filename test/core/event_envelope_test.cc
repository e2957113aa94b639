#include "src/core/event_envelope.h"
#include "test/core/bytes.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <string>

using hookwise::EnvelopeStatus;
using hookwise::EventEnvelope;
using hookwise::FallbackReason;
using hookwise::JsonKind;

using hookwise::test::AsBytes;

namespace {

// EventEnvelope is large (64 members); keep it off the test's stack.
std::unique_ptr<EventEnvelope> Parse(std::string_view body, bool skip_bom = false) {
  auto out = std::make_unique<EventEnvelope>();
  hookwise::ParseEventEnvelope(AsBytes(body), skip_bom, *out);
  return out;
}

std::string_view Slice(std::string_view body, hookwise::ByteSpan span) {
  return body.substr(span.begin, span.size());
}

int Code(std::string_view key) {
  for (std::size_t i = 0; i < hookwise::kKnownTopLevelKeys.size(); ++i) {
    if (hookwise::kKnownTopLevelKeys[i] == key) return static_cast<int>(i);
  }
  return -1;
}

const std::string kEvent = R"({
  "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy",
  "object": "event",
  "api_version": "2025-03-31.basil",
  "created": 1686089970,
  "data": {
    "object": {
      "id": "sub_1NG8Dt2eZvKYlo2C",
      "object": "subscription",
      "items": {"object": "list", "data": [{"id": "si_1", "current_period_end": 1688681970}]},
      "metadata": {"note": "braces } and ] in \" strings {["}
    },
    "previous_attributes": {"status": "incomplete"}
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {
    "id": "req_ABC",
    "idempotency_key": null
  },
  "type": "customer.subscription.updated"
}
)";

}  // namespace

TEST_CASE("a Stripe event: members in order, spans, kinds and the nested envelope") {
  auto e = Parse(kEvent);
  REQUIRE(e->status == EnvelopeStatus::kOk);
  REQUIRE(e->member_count == 9);
  const char* keys[] = {"id",       "object",           "api_version", "created", "data",
                        "livemode", "pending_webhooks", "request",     "type"};
  for (std::size_t i = 0; i < 9; ++i) {
    CHECK(Slice(kEvent, e->members[i].key) == keys[i]);
    CHECK(e->members[i].key_code == Code(keys[i]));
  }
  CHECK(Slice(kEvent, e->members[0].value) == "\"evt_1NG8Du2eZvKYlo2CUI79vXWy\"");
  CHECK(e->members[0].kind == JsonKind::kString);
  CHECK(e->members[3].kind == JsonKind::kNumber);
  CHECK(e->members[3].number_is_exact);
  CHECK(e->members[3].number == 1686089970.0);
  CHECK(e->members[4].kind == JsonKind::kObject);
  const std::string_view data = Slice(kEvent, e->members[4].value);
  CHECK(data.front() == '{');
  CHECK(data.back() == '}');
  CHECK(data.find("\"previous_attributes\"") != std::string_view::npos);
  CHECK(data.find("\"livemode\"") == std::string_view::npos);
  CHECK(e->members[5].kind == JsonKind::kFalse);
  CHECK(e->members[7].kind == JsonKind::kObject);
  CHECK(Slice(kEvent, e->members[7].value) ==
        "{\n    \"id\": \"req_ABC\",\n    \"idempotency_key\": null\n  }");
  CHECK(Slice(kEvent, e->members[8].value) == "\"customer.subscription.updated\"");
  CHECK(e->Find(Code("type")) == 8);
  CHECK(e->Find(Code("account")) == -1);

  CHECK(e->data_object_id.kind == JsonKind::kString);
  CHECK(e->data_object_id.known);
  CHECK(e->data_object_id.text() == "sub_1NG8Dt2eZvKYlo2C");
  CHECK(e->data_object_object.text() == "subscription");
}

TEST_CASE("containers anywhere among the top-level members") {
  const std::string body = R"({"a":[1,[2]],"b":1,"c":{"d":{}},"e":"x","f":[],"g":{"h":[{}]}})";
  auto e = Parse(body);
  REQUIRE(e->status == EnvelopeStatus::kOk);
  REQUIRE(e->member_count == 6);
  CHECK(Slice(body, e->members[0].value) == "[1,[2]]");
  CHECK(e->members[0].kind == JsonKind::kArray);
  CHECK(Slice(body, e->members[1].value) == "1");
  CHECK(Slice(body, e->members[2].value) == R"({"d":{}})");
  CHECK(Slice(body, e->members[3].value) == "\"x\"");
  CHECK(Slice(body, e->members[4].value) == "[]");
  CHECK(Slice(body, e->members[5].value) == R"({"h":[{}]})");
  CHECK(Slice(body, e->members[5].key) == "g");
  CHECK(e->members[2].key_code == -1);
}

TEST_CASE("scalars only, empty object, whitespace variants") {
  auto e = Parse(" \t\r\n{ \"id\" : \"a\\\"b\" ,\n\"n\" :-1.5e3 , \"t\":true,\"z\":null }\n ");
  REQUIRE(e->status == EnvelopeStatus::kOk);
  REQUIRE(e->member_count == 4);
  CHECK(e->members[0].value_has_escape);
  CHECK(e->members[1].kind == JsonKind::kNumber);
  CHECK_FALSE(e->members[1].number_is_exact);
  CHECK(e->members[2].kind == JsonKind::kTrue);
  CHECK(e->members[3].kind == JsonKind::kNull);

  auto empty = Parse("{}");
  REQUIRE(empty->status == EnvelopeStatus::kOk);
  CHECK(empty->member_count == 0);
}

TEST_CASE("numbers: only tokens JSON.parse reads exactly as integers are converted") {
  auto e = Parse(R"({"a":0,"b":-0,"c":999999999999999,"d":1234567890123456,"e":1.0,"f":-42})");
  REQUIRE(e->status == EnvelopeStatus::kOk);
  CHECK(e->members[0].number_is_exact);
  CHECK(e->members[0].number == 0.0);
  CHECK_FALSE(e->members[1].number_is_exact);  // -0: the JS side keeps the sign
  CHECK(e->members[2].number_is_exact);
  CHECK_FALSE(e->members[3].number_is_exact);
  CHECK_FALSE(e->members[4].number_is_exact);
  CHECK(e->members[5].number == -42.0);
}

TEST_CASE("a leading BOM is skipped only when asked, and spans stay offsets into the body") {
  const std::string body = "\xEF\xBB\xBF{\"id\":\"x\"}";
  auto skipped = Parse(body, true);
  REQUIRE(skipped->status == EnvelopeStatus::kOk);
  CHECK(Slice(body, skipped->members[0].value) == "\"x\"");
  CHECK(Parse(body, false)->status == EnvelopeStatus::kFallback);
  CHECK(Parse("\xEF\xBB\xBF\xEF\xBB\xBF{}", true)->status == EnvelopeStatus::kFallback);
}

TEST_CASE("falls back wherever JSON.parse could answer differently") {
  struct Case {
    std::string body;
    FallbackReason reason;
  };
  const Case cases[] = {
      {"{\"a\":1,}", FallbackReason::kInvalidJson},
      {"{\"a\":1", FallbackReason::kInvalidJson},
      {"{\"a\":1} x", FallbackReason::kInvalidJson},
      {"{\"a\":NaN}", FallbackReason::kInvalidJson},
      {"{\"a\":\"\x01\"}", FallbackReason::kInvalidJson},
      {"{\"a\":\"\xff\"}", FallbackReason::kInvalidJson},
      {"{\"a\":1e400}", FallbackReason::kInvalidJson},
      {"[1,2]", FallbackReason::kNotAnObject},
      {"\"str\"", FallbackReason::kNotAnObject},
      {"{\"id\":1,\"id\":2}", FallbackReason::kDuplicateKey},
      {"{\"__proto__\":{}}", FallbackReason::kProtoKey},
      {"{\"i\\u0064\":1}", FallbackReason::kEscapedKey},
      {"", FallbackReason::kInvalidJson},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    auto e = Parse(c.body);
    CHECK(e->status == EnvelopeStatus::kFallback);
    CHECK(e->reason == c.reason);
    CHECK(e->member_count == 0);
  }
  // JSON.parse accepts lone-surrogate escapes; simdjson either rejects them or
  // the value is read by JSON.parse anyway (the span is returned, not the text).
  auto lone = Parse(R"({"a":"\ud800"})");
  if (lone->status == EnvelopeStatus::kOk) CHECK(lone->members[0].value_has_escape);
}

TEST_CASE("nesting: deep documents within simdjson's limit parse, deeper ones fall back") {
  const std::string ok = "{\"a\":" + std::string(1000, '[') + std::string(1000, ']') + "}";
  CHECK(Parse(ok)->status == EnvelopeStatus::kOk);
  const std::string deep = "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
  auto e = Parse(deep);
  CHECK(e->status == EnvelopeStatus::kFallback);
  CHECK(e->reason == FallbackReason::kTooDeep);
}

TEST_CASE("too many top-level members fall back") {
  std::string body = "{";
  for (int i = 0; i < 65; ++i) body += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  body += "}";
  CHECK(Parse(body)->reason == FallbackReason::kTooManyMembers);
}

TEST_CASE("nested envelope fields: duplicates, non-ASCII and non-strings are left to the caller") {
  auto dup = Parse(R"({"data":{"object":{"id":"a","id":"b","object":"x"}}})");
  REQUIRE(dup->status == EnvelopeStatus::kOk);
  CHECK(dup->data_object_id.kind == JsonKind::kString);
  CHECK_FALSE(dup->data_object_id.known);
  CHECK(dup->data_object_object.known);

  auto escaped = Parse(R"({"data":{"object":{"id":"\u0061b","object":"caf\u00e9"}}})");
  CHECK(escaped->data_object_id.text() == "ab");
  CHECK(escaped->data_object_object.kind == JsonKind::kString);
  CHECK_FALSE(escaped->data_object_object.known);

  auto number = Parse(R"({"data":{"object":{"id":7}}})");
  CHECK(number->data_object_id.kind == JsonKind::kNumber);
  CHECK(number->data_object_object.kind == JsonKind::kNone);

  auto no_object = Parse(R"({"data":[1]})");
  CHECK(no_object->data_object_id.kind == JsonKind::kNone);
}

TEST_CASE("bodies of 16 MiB and more parse, and the parser is reusable afterwards") {
  std::string body = R"({"id":"evt_big","data":{"object":{"id":"in_1","lines":[)";
  const std::string line =
      R"({"id":"il_123","amount":1999,"description":"a line item, plain text"},)";
  while (body.size() < (std::size_t{17} << 20)) body += line;
  body.pop_back();
  body += R"(]}},"type":"invoice.paid"})";
  auto e = Parse(body);
  REQUIRE(e->status == EnvelopeStatus::kOk);
  REQUIRE(e->member_count == 3);
  CHECK(e->members[1].value.end ==
        body.size() - std::string_view(R"(,"type":"invoice.paid"})").size());
  CHECK(e->data_object_id.text() == "in_1");
  auto small = Parse(kEvent);
  CHECK(small->status == EnvelopeStatus::kOk);
  CHECK(small->data_object_id.text() == "sub_1NG8Dt2eZvKYlo2C");
}

TEST_CASE("CountUtf16Units counts what JS's string length counts") {
  CHECK(hookwise::CountUtf16Units(AsBytes("")) == 0);
  CHECK(hookwise::CountUtf16Units(AsBytes("plain ascii text, longer than 8")) == 31);
  // é (2 bytes, 1 unit), € (3 bytes, 1 unit), 😀 (4 bytes, 2 units)
  const std::string mixed = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
  CHECK(hookwise::CountUtf16Units(AsBytes(mixed)) == 6);
  std::string repeated;
  for (int i = 0; i < 13; ++i) repeated += mixed;
  CHECK(hookwise::CountUtf16Units(AsBytes(repeated)) == 6 * 13);
}

TEST_CASE("a padded body parses in place, with the same answer as a copied one") {
  std::string padded = kEvent + std::string(hookwise::kEnvelopePadding, 'x');
  EventEnvelope in_place;
  hookwise::ParsePaddedEventEnvelope(AsBytes(std::string_view(padded).substr(0, kEvent.size())),
                                     false, in_place);
  auto copied = Parse(kEvent);
  REQUIRE(in_place.status == EnvelopeStatus::kOk);
  REQUIRE(in_place.member_count == copied->member_count);
  for (std::size_t i = 0; i < in_place.member_count; ++i) {
    CHECK(in_place.members[i].value.begin == copied->members[i].value.begin);
    CHECK(in_place.members[i].value.end == copied->members[i].value.end);
  }
}

TEST_CASE("ASCII flags on keys and string values") {
  auto e = Parse("{\"caf\xC3\xA9\":\"x\",\"k\":\"\xE2\x82\xAC\"}");
  REQUIRE(e->status == EnvelopeStatus::kOk);
  CHECK_FALSE(e->members[0].key_is_ascii);
  CHECK(e->members[0].value_is_ascii);
  CHECK(e->members[1].key_is_ascii);
  CHECK_FALSE(e->members[1].value_is_ascii);

  // Containers are checked too, up to kAsciiCheckLimit bytes; longer values
  // are reported as not known to be ASCII.
  const std::string big(hookwise::kAsciiCheckLimit, 'a');
  auto c = Parse("{\"s\":[\"x\"],\"t\":{\"k\":\"\xC3\xA9\"},\"u\":\"" + big + "\"}");
  REQUIRE(c->status == EnvelopeStatus::kOk);
  CHECK(c->members[0].value_is_ascii);
  CHECK_FALSE(c->members[1].value_is_ascii);
  CHECK_FALSE(c->members[2].value_is_ascii);
}

TEST_CASE("a duplicated data.object without id or object fields") {
  auto e = Parse(R"({"data":{"object":{"a":1},"object":{"b":2}}})");
  REQUIRE(e->status == EnvelopeStatus::kOk);
  CHECK(e->data_object_id.kind == JsonKind::kNone);
  CHECK(e->data_object_object.kind == JsonKind::kNone);
  auto last = Parse(R"({"data":{"object":{"id":"a"},"object":{"id":"b"}}})");
  CHECK(last->data_object_id.kind == JsonKind::kString);
  CHECK_FALSE(last->data_object_id.known);
}
