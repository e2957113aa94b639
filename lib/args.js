'use strict';
// Small predicates and the one error helper for argument checks (sharp's
// lib/is.js habit): validate in JS, before any native call.

const isString = (v) => typeof v === 'string';
const isBytes = (v) => v instanceof Uint8Array;
const isPlainObject = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !isBytes(v) &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const isFunction = (v) => typeof v === 'function';

// stripe-node's definition of a blank secret: empty or only ASCII whitespace.
const BLANK = /^[ \t\r\n\f\v]*$/;
const isBlank = (s) => BLANK.test(s);

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isBytes(value)) return value.constructor.name;
  if (typeof value === 'object') return value.constructor ? `a ${value.constructor.name}` : 'an object';
  return `a ${typeof value}`;
}

function invalidArgument(name, expected, actual) {
  return new TypeError(`hookwise: ${name} must be ${expected}, got ${describe(actual)}`);
}

module.exports = { isString, isBytes, isPlainObject, isFunction, isBlank, describe, invalidArgument };
