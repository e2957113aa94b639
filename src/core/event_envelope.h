// One simdjson pass over a webhook body: full validation, the envelope that
// routing and dedup need, and the byte spans of the top-level members, so that
// the JS layer can build the event (or only the parts it reads) later.
//
// The contract with the JS layer is one-sided: when the status is kOk, the
// body is valid JSON whose root is an object, and JSON.parse of the body's text
// yields an object with exactly `members` (keys and values as the spans give
// them, in this order, no key repeated). Whenever hookwise cannot promise that
// (invalid JSON, a root that is not an object, nesting beyond simdjson's depth,
// numbers simdjson refuses such as 1e400, duplicate or "__proto__" top-level
// keys, escaped top-level keys, ...) the status is kFallback and the caller
// must use JSON.parse's own result or error. Disagreeing with JSON.parse is
// never an option; falling back is always correct, only slower.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hookwise {

// [begin, end) byte offsets into the body given to ParseEventEnvelope.
struct ByteSpan {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t size() const { return end - begin; }
};

enum class JsonKind : std::uint8_t {
  kNone = 0,  // absent
  kString = 1,
  kNumber = 2,
  kTrue = 3,
  kFalse = 4,
  kNull = 5,
  kObject = 6,
  kArray = 7,
};

enum class EnvelopeStatus : int {
  kOk = 0,
  kFallback = 1,
};

// Why the parser fell back; informational (tests, diagnostics). Never shown
// with payload content.
enum class FallbackReason : int {
  kNone = 0,
  kInvalidJson = 1,     // simdjson rejected the text (JSON.parse may still accept it,
                        // e.g. 1e400 or a lone-surrogate escape)
  kTooDeep = 2,         // deeper than simdjson's max depth
  kTooLarge = 3,        // over kMaxEnvelopeBodyBytes
  kNotAnObject = 4,     // the root is an array or a scalar
  kTooManyMembers = 5,  // more than kMaxTopLevelMembers top-level keys
  kEscapedKey = 6,      // a top-level key contains a backslash escape
  kDuplicateKey = 7,    // a top-level key appears twice
  kProtoKey = 8,        // a top-level "__proto__" key
  kOutOfMemory = 9,
};

// Top-level keys the JS layer interns (it keeps the same table, in the same
// order); any other key has code -1.
inline constexpr std::array<std::string_view, 14> kKnownTopLevelKeys = {
    "id",
    "object",
    "api_version",
    "created",
    "data",
    "livemode",
    "pending_webhooks",
    "request",
    "type",
    "account",
    "context",
    "related_object",
    "reason",
    "previous_attributes",
};

inline constexpr std::size_t kMaxTopLevelMembers = 64;
// Long enough for every member the JS layer builds eagerly (containers under
// its lazy threshold, typical strings); longer ones are checked when read.
inline constexpr std::size_t kAsciiCheckLimit = 512;
// simdjson's DOM tape addresses 32-bit offsets; bodies this large are far
// beyond anything Stripe sends.
inline constexpr std::size_t kMaxEnvelopeBodyBytes = std::size_t{1} << 30;

struct TopLevelMember {
  ByteSpan key;    // between the quotes
  ByteSpan value;  // the value's text; a string's includes its quotes
  JsonKind kind = JsonKind::kNone;
  int key_code = -1;              // index into kKnownTopLevelKeys, or -1
  bool value_has_escape = false;  // a string value contains a backslash
  bool key_is_ascii = true;       // the key's bytes are all ASCII
  // The value's bytes are all ASCII. Checked for values up to
  // kAsciiCheckLimit bytes; longer ones report false (not known).
  bool value_is_ascii = true;
  bool number_is_exact = false;  // `number` equals JSON.parse's value for this token
  double number = 0;             // set when number_is_exact
};

// A string found inside `data` (data.object.id, data.object.object).
struct NestedField {
  JsonKind kind = JsonKind::kNone;
  // When kind is kString and the unescaped value is pure ASCII, its text; it
  // then equals JSON.parse's value whatever escapes the source used. Otherwise
  // (non-ASCII, a duplicated key, longer than kMaxNestedTextBytes) `known` is
  // false and the caller reads the field from the materialised object.
  bool known = false;
  std::array<char, 128> storage{};
  std::size_t length = 0;
  std::string_view text() const { return {storage.data(), length}; }
};

struct EventEnvelope {
  EnvelopeStatus status = EnvelopeStatus::kFallback;
  FallbackReason reason = FallbackReason::kNone;
  std::size_t member_count = 0;
  std::array<TopLevelMember, kMaxTopLevelMembers> members{};
  NestedField data_object_id;
  NestedField data_object_object;

  // Index into members of the known key `code`, or -1.
  int Find(int code) const {
    for (std::size_t i = 0; i < member_count; ++i) {
      if (members[i].key_code == code) return static_cast<int>(i);
    }
    return -1;
  }
};

// Parses `body` (UTF-8 bytes; a leading BOM is skipped when `skip_bom`, as
// TextDecoder drops it for byte payloads) and fills `out`. Spans are offsets
// into `body` itself (BOM included). Uses a per-thread parser and padded copy
// buffer, so concurrent calls on different threads are safe.
void ParseEventEnvelope(std::span<const std::uint8_t> body, bool skip_bom, EventEnvelope& out);

// How many readable bytes ParsePaddedEventEnvelope needs after the body
// (simdjson's SIMDJSON_PADDING; their contents do not matter).
inline constexpr std::size_t kEnvelopePadding = 64;

// The same without the copy: `body.data()` must be followed by
// kEnvelopePadding readable bytes. For callers that own a buffer anyway (the
// addon copies a Buffer payload into the snapshot the event keeps).
void ParsePaddedEventEnvelope(std::span<const std::uint8_t> body, bool skip_bom,
                              EventEnvelope& out);

// The number of UTF-16 code units that `bytes` (valid UTF-8) decodes to.
// Converts byte offsets into JS string indices.
std::size_t CountUtf16Units(std::span<const std::uint8_t> bytes);

}  // namespace hookwise
