'use strict';
// generateTestHeaderString: the header stripe-node's helper returns for the
// same options, signed by hookwise's own HMAC.
const native = require('./native');
const { isString, isBytes, invalidArgument } = require('./args');

function prepare(opts) {
  if (!opts || typeof opts !== 'object') throw new TypeError('hookwise: Options are required');
  // stripe-node's rules: a falsy timestamp means "now"; fractions are floored.
  const timestamp = (opts.timestamp && Math.floor(opts.timestamp)) || Math.floor(Date.now() / 1000);
  const scheme = opts.scheme || 'v1';
  if (!opts.signature && !isString(opts.secret) && !isBytes(opts.secret)) {
    throw invalidArgument('secret', 'a string', opts.secret);
  }
  return { opts, timestamp, scheme, signed: `${timestamp}.${opts.payload}` };
}

function generateTestHeaderString(opts) {
  const p = prepare(opts);
  const signature = p.opts.signature || native.hmacSha256Hex(p.signed, p.opts.secret);
  return `t=${p.timestamp},${p.scheme}=${signature}`;
}

async function generateTestHeaderStringAsync(opts) {
  return generateTestHeaderString(opts);
}

module.exports = { generateTestHeaderString, generateTestHeaderStringAsync };
