'use strict';
// The `Stripe-Signature` header, parsed by the rules of the native core
// (src/core/signature_header.h), which are stripe-node's except where API.md
// makes hookwise stricter:
// - items are separated by ','; an item's key is the text before its first '='
//   (the whole item when there is none), its value the text between the first
//   '=' and the next '=' (or the item's end); nothing is trimmed;
// - empty items and unknown keys (v0, …) are ignored;
// - `t` must be one or more ASCII digits, once; anything else is malformed;
// - every `v1` value is a candidate, in order, empty ones included (they never match).
// The signed timestamp text is String(parseInt(t, 10)), as stripe-node signs it.

const DIGITS = /^[0-9]+$/;

/**
 * @returns {{ code: 'malformed_header' | 'no_signatures' } |
 *           { code: null, timestamp: number, timestampText: string, signatures: string[] }}
 */
function parseSignatureHeader(header) {
  let timestampText;
  let timestampOk = true;
  const signatures = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    const key = eq === -1 ? item : item.slice(0, eq);
    if (key !== 't' && key !== 'v1') continue;
    let value = '';
    if (eq !== -1) {
      const next = item.indexOf('=', eq + 1);
      value = next === -1 ? item.slice(eq + 1) : item.slice(eq + 1, next);
    }
    if (key === 't') {
      if (timestampText !== undefined || eq === -1 || !DIGITS.test(value)) timestampOk = false;
      timestampText = value;
    } else {
      signatures.push(value);
    }
  }
  if (timestampText === undefined || !timestampOk) return { code: 'malformed_header' };
  if (signatures.length === 0) return { code: 'no_signatures' };
  const timestamp = parseInt(timestampText, 10);
  return { code: null, timestamp, timestampText: String(timestamp), signatures };
}

module.exports = { parseSignatureHeader };
