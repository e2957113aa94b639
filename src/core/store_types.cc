#include "src/core/store_types.h"

namespace hookwise {

std::string_view EventStatusName(EventStatus status) {
  switch (status) {
    case EventStatus::kProcessing:
      return "processing";
    case EventStatus::kCompleted:
      return "completed";
    case EventStatus::kFailed:
      return "failed";
    case EventStatus::kDeadLettered:
      return "dead_lettered";
  }
  return "processing";
}

std::optional<EventStatus> ParseEventStatus(std::string_view name) {
  if (name == "processing") return EventStatus::kProcessing;
  if (name == "completed") return EventStatus::kCompleted;
  if (name == "failed") return EventStatus::kFailed;
  if (name == "dead_lettered") return EventStatus::kDeadLettered;
  return std::nullopt;
}

std::string_view ClaimStatusName(ClaimStatus status) {
  switch (status) {
    case ClaimStatus::kAcquired:
      return "acquired";
    case ClaimStatus::kDuplicate:
      return "duplicate";
    case ClaimStatus::kInProgress:
      return "in_progress";
    case ClaimStatus::kDeadLettered:
      return "dead_lettered";
    case ClaimStatus::kStale:
      return "stale";
    case ClaimStatus::kBlocked:
      return "blocked";
  }
  return "acquired";
}

std::string_view StoreErrorCodeName(StoreErrorCode code) {
  switch (code) {
    case StoreErrorCode::kNone:
      return "ok";
    case StoreErrorCode::kInvalidArgument:
      return "invalid_argument";
    case StoreErrorCode::kClosed:
      return "closed";
    case StoreErrorCode::kCannotOpen:
      return "cannot_open";
    case StoreErrorCode::kReadOnly:
      return "read_only";
    case StoreErrorCode::kNotADatabase:
      return "not_a_database";
    case StoreErrorCode::kForeignDatabase:
      return "foreign_database";
    case StoreErrorCode::kCorrupt:
      return "corrupt";
    case StoreErrorCode::kDiskFull:
      return "disk_full";
    case StoreErrorCode::kBusy:
      return "busy";
    case StoreErrorCode::kIo:
      return "io_error";
    case StoreErrorCode::kSchemaTooNew:
      return "schema_too_new";
    case StoreErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace hookwise
