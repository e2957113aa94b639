'use strict';
// Atomic ordering (docs/stores.md, "Optional store capabilities: atomic
// ordering"), the rules every store applies inside its one atomic step, in
// JavaScript for the JS-side stores (the portable MemoryStore, and the
// ReferenceStore built on it). The native core (src/core/store_rules.cc), the
// SQL stores and the Redis and Convex scripts state the same rules in their
// own language; the contract suite (lib/testing.js) holds them all to them.
//
// A marker is { created, rank } of the newest event applied to an object; an
// event is older than the marker ("stale") when its created is smaller, or
// the same second with a smaller lifecycle rank (lib/lifecycle-rank.js). An
// equal (created, rank) is not stale: nothing orders the two.

/** True when the marker is strictly newer than `order` ({ created, rank }). */
function markerIsNewer(marker, order) {
  if (marker === undefined || marker === null) return false;
  return marker.created > order.created || (marker.created === order.created && marker.rank > order.rank);
}

/** True when another event's unexpired lease holds the slot ({ eventId, expiresAt }). */
function slotHeldByOther(slot, eventId, now) {
  return slot !== undefined && slot !== null && slot.eventId !== eventId && now < slot.expiresAt;
}

module.exports = { markerIsNewer, slotHeldByOther };
