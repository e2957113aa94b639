#include "src/core/event_envelope.h"

#include <simdjson.h>

#include <bit>
#include <cstring>
#include <memory>
#include <new>

namespace hookwise {

static_assert(kEnvelopePadding >= simdjson::SIMDJSON_PADDING);

namespace {

// A per-thread parser keeps its buffers between calls (simdjson's advice);
// past this size they are released after the parse, so one huge body does
// not pin ~14 bytes of parser memory per body byte for the thread's lifetime.
constexpr std::size_t kRetainedCapacity = std::size_t{2} << 20;

// simdjson reads up to SIMDJSON_PADDING bytes past the end of the text. A JS
// Buffer gives no such guarantee, so the body is copied into this buffer
// (measured: the copy is a small fraction of HMAC + parse, see
// docs/BENCHMARKS.md); the padding's contents do not matter.
class PaddedCopy {
 public:
  const std::uint8_t* Fill(std::span<const std::uint8_t> bytes) {
    const std::size_t needed = bytes.size() + simdjson::SIMDJSON_PADDING;
    if (needed > capacity_) {
      data_.reset(new (std::nothrow) std::uint8_t[needed]);
      if (!data_) {
        capacity_ = 0;
        return nullptr;
      }
      capacity_ = needed;
      std::memset(data_.get(), 0, needed);
    }
    if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
    return data_.get();
  }
  void ReleaseIfOver(std::size_t limit) {
    if (capacity_ > limit + simdjson::SIMDJSON_PADDING) {
      data_.reset();
      capacity_ = 0;
    }
  }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t capacity_ = 0;
};

struct ThreadState {
  simdjson::dom::parser parser;
  PaddedCopy copy;
};

ThreadState& State() {
  thread_local ThreadState state;
  return state;
}

bool IsJsonWhitespace(std::uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

FallbackReason ReasonFor(simdjson::error_code error) {
  switch (error) {
    case simdjson::DEPTH_ERROR:
      return FallbackReason::kTooDeep;
    case simdjson::MEMALLOC:
      return FallbackReason::kOutOfMemory;
    case simdjson::CAPACITY:
      return FallbackReason::kTooLarge;
    default:
      return FallbackReason::kInvalidJson;
  }
}

int KnownKeyCode(std::string_view key) {
  for (std::size_t i = 0; i < kKnownTopLevelKeys.size(); ++i) {
    if (kKnownTopLevelKeys[i] == key) return static_cast<int>(i);
  }
  return -1;
}

// JSON.parse's value for tokens of the form -?[1-9][0-9]{0,14} or 0: every
// such integer is exactly representable. Anything else (fractions, exponents,
// "-0", long digit strings) is left to the JS side, which converts the token
// text exactly as JSON.parse does.
bool ExactSmallInteger(std::string_view token, double& value) {
  bool negative = false;
  if (!token.empty() && token.front() == '-') {
    negative = true;
    token.remove_prefix(1);
  }
  if (token.empty() || token.size() > 15) return false;
  if (token.front() == '0' && (token.size() > 1 || negative)) return false;
  std::int64_t n = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  value = static_cast<double>(negative ? -n : n);
  return true;
}

bool IsAscii(const std::uint8_t* bytes, std::size_t size) {
  std::uint64_t any = 0;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    any |= word;
  }
  for (; i < size; ++i) any |= bytes[i];
  return (any & 0x8080808080808080ULL) == 0;
}

bool IsAscii(std::string_view text) {
  return IsAscii(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// Walks the structural indexes of a document simdjson has already validated.
// Stage 1 records the position of every `{}[],:` and of the first byte of
// every scalar (a string's opening quote), so member boundaries can be read
// off it without looking at the bytes in between. The checks on the byte at
// each position cannot fail for a validated document; they turn a mistake
// here into a fallback instead of a wrong answer.
class StructuralWalker {
 public:
  StructuralWalker(const std::uint8_t* text, const std::uint32_t* index, std::size_t count)
      : text_(text), index_(index), count_(count) {}

  std::uint8_t At(std::size_t i) const { return text_[index_[i]]; }
  std::uint32_t Pos(std::size_t i) const { return index_[i]; }
  std::size_t count() const { return count_; }

  // The key whose opening quote is structural `i` (its colon is at i + 1).
  bool ReadKey(std::size_t i, TopLevelMember& m) const {
    if (i + 1 >= count_ || At(i) != '"' || At(i + 1) != ':') return false;
    std::uint32_t end = Pos(i + 1);
    while (end > Pos(i) && IsJsonWhitespace(text_[end - 1])) --end;
    if (end <= Pos(i) + 1 || text_[end - 1] != '"') return false;
    m.key = {Pos(i) + 1, end - 1};
    m.key_is_ascii = IsAscii(text_ + m.key.begin, m.key.size());
    return true;
  }

  // The scalar starting at structural `i`; structural i + 1 follows it.
  bool ReadScalar(std::size_t i, TopLevelMember& m) const {
    if (i + 1 >= count_) return false;
    const std::uint32_t begin = Pos(i);
    std::uint32_t end = Pos(i + 1);
    while (end > begin && IsJsonWhitespace(text_[end - 1])) --end;
    if (end <= begin) return false;
    m.value = {begin, end};
    const auto token = std::string_view(reinterpret_cast<const char*>(text_) + begin, end - begin);
    switch (text_[begin]) {
      case '"':
        m.kind = JsonKind::kString;
        m.value_has_escape = token.find('\\') != std::string_view::npos;
        return true;
      case 't':
        m.kind = JsonKind::kTrue;
        return true;
      case 'f':
        m.kind = JsonKind::kFalse;
        return true;
      case 'n':
        m.kind = JsonKind::kNull;
        return true;
      case '{':
      case '[':
      case '}':
      case ']':
      case ',':
      case ':':
        return false;
      default:
        m.kind = JsonKind::kNumber;
        m.number_is_exact = ExactSmallInteger(token, m.number);
        return true;
    }
  }

  // The structural index of the bracket that opens the container closed at `close`.
  bool MatchOpen(std::size_t close, std::size_t& open) const {
    std::size_t depth = 0;
    for (std::size_t k = close + 1; k-- > 0;) {
      const std::uint8_t c = At(k);
      if (c == '}' || c == ']') {
        ++depth;
      } else if (c == '{' || c == '[') {
        if (--depth == 0) {
          open = k;
          return true;
        }
      }
    }
    return false;
  }

 private:
  const std::uint8_t* text_;
  const std::uint32_t* index_;
  std::size_t count_;
};

JsonKind ContainerKind(std::uint8_t c) { return c == '{' ? JsonKind::kObject : JsonKind::kArray; }

// Fills the top-level members of a validated root object with `total` members.
// Walks forward while values are scalars; at the first container it walks
// backward from the root's closing brace instead, so the big member (in
// practice `data`) is never walked through: its span is what lies between.
bool ReadMembers(const StructuralWalker& w, std::size_t total, EventEnvelope& out) {
  if (w.count() < 2 || w.At(0) != '{' || w.At(w.count() - 1) != '}') return false;
  out.member_count = total;
  if (total == 0) return true;

  std::size_t i = 1;
  std::size_t m = 0;
  for (; m < total; ++m) {
    TopLevelMember& member = out.members[m];
    member = {};
    if (!w.ReadKey(i, member)) return false;
    const std::size_t v = i + 2;
    if (v >= w.count()) return false;
    const std::uint8_t c = w.At(v);
    if (c == '{' || c == '[') break;
    if (!w.ReadScalar(v, member)) return false;
    i = v + 2;  // past the value and the comma
  }
  if (m == total) return w.At(i - 1) == '}' && i == w.count();

  // Member m's value is a container starting at structural i + 2.
  const std::size_t first = i + 2;
  std::size_t j = w.count() - 2;  // the last value's last structural
  for (std::size_t k = total - 1; k > m; --k) {
    TopLevelMember& member = out.members[k];
    member = {};
    std::size_t start = j;
    const std::uint8_t c = w.At(j);
    if (c == '}' || c == ']') {
      if (!w.MatchOpen(j, start)) return false;
      member.kind = ContainerKind(w.At(start));
      member.value = {w.Pos(start), w.Pos(j) + 1};
    } else if (!w.ReadScalar(j, member)) {
      return false;
    }
    if (start < 4 || w.At(start - 3) != ',' || !w.ReadKey(start - 2, member)) return false;
    j = start - 4;
  }
  if (j < first) return false;
  const std::uint8_t open = w.At(first);
  const std::uint8_t close = w.At(j);
  if (!((open == '{' && close == '}') || (open == '[' && close == ']'))) return false;
  out.members[m].kind = ContainerKind(open);
  out.members[m].value = {w.Pos(first), w.Pos(j) + 1};
  return true;
}

// The last member named `key` of `object` (JSON.parse keeps the last of
// duplicates), and how many there were.
simdjson::dom::element LastMember(simdjson::dom::object object, std::string_view key, int& count) {
  simdjson::dom::element found;
  count = 0;
  for (simdjson::dom::key_value_pair field : object) {
    if (field.key == key) {
      found = field.value;
      ++count;
    }
  }
  return found;
}

void ReadNested(simdjson::dom::element element, int count, NestedField& out) {
  out = {};
  if (count == 0) return;
  switch (element.type()) {
    case simdjson::dom::element_type::STRING: {
      out.kind = JsonKind::kString;
      std::string_view text;
      if (element.get_string().get(text) != simdjson::SUCCESS) return;
      // A duplicated key: JSON.parse keeps the last, which is the one read
      // here, but let the caller read it from the object to stay obviously right.
      if (count == 1 && IsAscii(text) && text.size() <= out.storage.size()) {
        out.known = true;
        out.length = text.size();
        std::memcpy(out.storage.data(), text.data(), text.size());
      }
      return;
    }
    case simdjson::dom::element_type::ARRAY:
      out.kind = JsonKind::kArray;
      return;
    case simdjson::dom::element_type::OBJECT:
      out.kind = JsonKind::kObject;
      return;
    case simdjson::dom::element_type::NULL_VALUE:
      out.kind = JsonKind::kNull;
      return;
    case simdjson::dom::element_type::BOOL:
      out.kind = element.get_bool().value_unsafe() ? JsonKind::kTrue : JsonKind::kFalse;
      return;
    default:
      out.kind = JsonKind::kNumber;
      return;
  }
}

// data.object.id and data.object.object, read on the DOM tape (which skips
// whole subtrees), never by walking data's bytes.
void ReadDataObject(simdjson::dom::object root, EventEnvelope& out) {
  out.data_object_id = {};
  out.data_object_object = {};
  int count = 0;
  simdjson::dom::element data = LastMember(root, "data", count);
  simdjson::dom::object data_object;
  if (count == 0 || data.get_object().get(data_object) != simdjson::SUCCESS) return;
  simdjson::dom::element object = LastMember(data_object, "object", count);
  simdjson::dom::object object_fields;
  if (count == 0 || object.get_object().get(object_fields) != simdjson::SUCCESS) return;
  // With a duplicated data.object, JSON.parse keeps the last one; the fields
  // read here come from it, but are reported as not known (see NestedField).
  const bool unique = count == 1;
  auto effective = [unique](int found) { return found == 0 ? 0 : (unique ? found : 2); };
  simdjson::dom::element id = LastMember(object_fields, "id", count);
  ReadNested(id, effective(count), out.data_object_id);
  simdjson::dom::element kind = LastMember(object_fields, "object", count);
  ReadNested(kind, effective(count), out.data_object_object);
}

bool HasDuplicateOrProtoKey(const std::uint8_t* text, const EventEnvelope& out,
                            FallbackReason& reason) {
  auto key = [&](std::size_t i) {
    const ByteSpan s = out.members[i].key;
    return std::string_view(reinterpret_cast<const char*>(text) + s.begin, s.size());
  };
  for (std::size_t i = 0; i < out.member_count; ++i) {
    const std::string_view k = key(i);
    if (k == "__proto__") {
      reason = FallbackReason::kProtoKey;
      return true;
    }
    if (k.find('\\') != std::string_view::npos) {
      reason = FallbackReason::kEscapedKey;
      return true;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (key(j) == k) {
        reason = FallbackReason::kDuplicateKey;
        return true;
      }
    }
  }
  return false;
}

void Fallback(EventEnvelope& out, FallbackReason reason) {
  out.status = EnvelopeStatus::kFallback;
  out.reason = reason;
  out.member_count = 0;
  out.data_object_id = {};
  out.data_object_object = {};
}

// `padded` holds text.size() bytes followed by kEnvelopePadding readable ones.
void ParseInto(ThreadState& state, const std::uint8_t* padded, std::span<const std::uint8_t> text,
               std::uint32_t offset, EventEnvelope& out) {
  if (padded == nullptr) return Fallback(out, FallbackReason::kOutOfMemory);
  simdjson::dom::element root;
  const simdjson::error_code error =
      state.parser.parse(padded, text.size(), /*realloc_if_needed=*/false).get(root);
  if (error != simdjson::SUCCESS) return Fallback(out, ReasonFor(error));
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Fallback(out, FallbackReason::kNotAnObject);
  }
  const std::size_t total = object.size();
  if (total > kMaxTopLevelMembers) return Fallback(out, FallbackReason::kTooManyMembers);

  const auto& impl = *state.parser.implementation;
  const StructuralWalker walker(padded, impl.structural_indexes.get(), impl.n_structural_indexes);
  if (!ReadMembers(walker, total, out)) return Fallback(out, FallbackReason::kInvalidJson);
  FallbackReason reason = FallbackReason::kNone;
  if (HasDuplicateOrProtoKey(padded, out, reason)) return Fallback(out, reason);

  for (std::size_t i = 0; i < total; ++i) {
    TopLevelMember& m = out.members[i];
    m.value_is_ascii =
        m.value.size() <= kAsciiCheckLimit && IsAscii(padded + m.value.begin, m.value.size());
    m.key_code = KnownKeyCode(
        std::string_view(reinterpret_cast<const char*>(padded) + m.key.begin, m.key.size()));
    m.key.begin += offset;
    m.key.end += offset;
    m.value.begin += offset;
    m.value.end += offset;
  }
  ReadDataObject(object, out);
  out.status = EnvelopeStatus::kOk;
  out.reason = FallbackReason::kNone;
}

std::uint32_t BomLength(std::span<const std::uint8_t> body, bool skip_bom) {
  const bool bom =
      skip_bom && body.size() >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF;
  return bom ? 3 : 0;
}

void Parse(std::span<const std::uint8_t> body, bool skip_bom, bool padded, EventEnvelope& out) {
  if (body.size() > kMaxEnvelopeBodyBytes) return Fallback(out, FallbackReason::kTooLarge);
  const std::uint32_t offset = BomLength(body, skip_bom);
  const std::span<const std::uint8_t> text = body.subspan(offset);
  ThreadState& state = State();
  ParseInto(state, padded ? text.data() : state.copy.Fill(text), text, offset, out);
  if (body.size() > kRetainedCapacity) {
    state.parser = simdjson::dom::parser{};
    state.copy.ReleaseIfOver(kRetainedCapacity);
  }
}

}  // namespace

void ParseEventEnvelope(std::span<const std::uint8_t> body, bool skip_bom, EventEnvelope& out) {
  Parse(body, skip_bom, /*padded=*/false, out);
}

void ParsePaddedEventEnvelope(std::span<const std::uint8_t> body, bool skip_bom,
                              EventEnvelope& out) {
  Parse(body, skip_bom, /*padded=*/true, out);
}

std::size_t CountUtf16Units(std::span<const std::uint8_t> bytes) {
  // Every UTF-8 sequence is one UTF-16 unit except 4-byte ones (two units):
  // units = bytes - continuation bytes (10xxxxxx) + 4-byte leaders (11110xxx).
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  std::size_t units = bytes.size();
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t x;
    std::memcpy(&x, bytes.data() + i, 8);
    if ((x & kHigh) == 0) continue;
    const std::uint64_t continuation = x & ~(x << 1) & kHigh;
    const std::uint64_t four_byte = x & (x << 1) & (x << 2) & (x << 3) & kHigh;
    units -= static_cast<std::size_t>(std::popcount(continuation));
    units += static_cast<std::size_t>(std::popcount(four_byte));
  }
  for (; i < bytes.size(); ++i) {
    const std::uint8_t c = bytes[i];
    if ((c & 0xC0) == 0x80) --units;
    if (c >= 0xF0) ++units;
  }
  return units;
}

}  // namespace hookwise
