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

/** "a string", "an array", "undefined", "null", "a Buffer", "an object": what `got ...` names. */
const withArticle = (noun) => `${/^[aeio]/i.test(noun) ? 'an' : 'a'} ${noun}`;

function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = Object.getPrototypeOf(value) === null ? '' : value.constructor && value.constructor.name;
    return !name || name === 'Object' ? 'an object' : withArticle(name);
  }
  return withArticle(typeof value);
}

function invalidArgument(name, expected, actual) {
  return new TypeError(`hookwise: ${name} must be ${expected}, got ${describe(actual)}`);
}

module.exports = { isString, isBytes, isPlainObject, isFunction, isBlank, describe, invalidArgument };
