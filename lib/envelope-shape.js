'use strict';
// The envelope both engines hand the handler beside the event (routing and
// dedup read nothing else): the event's own top-level values, and
// data.object.id / data.object.object. `readNested(index, field)` reads those
// two, so the native engine can answer them from its parse without building
// `data`; `dataObjectField` is the plain read, every engine's fallback.

function dataObjectField(event, field) {
  const data = event.data;
  const object = data !== null && typeof data === 'object' ? data.object : undefined;
  return object !== null && typeof object === 'object' ? object[field] : undefined;
}

/** { id, type, created, livemode, apiVersion, account, object, objectId, objectType, native } */
function envelopeOf(event, readNested, native) {
  const isObject = event !== null && typeof event === 'object' && !Array.isArray(event);
  const top = isObject ? event : {};
  return {
    id: top.id,
    type: top.type,
    created: top.created,
    livemode: top.livemode,
    apiVersion: top.api_version,
    account: top.account,
    object: top.object,
    objectId: isObject ? readNested(0, 'id') : undefined,
    objectType: isObject ? readNested(1, 'object') : undefined,
    native,
  };
}

module.exports = { envelopeOf, dataObjectField };
