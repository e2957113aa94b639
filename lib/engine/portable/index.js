'use strict';
// The portable engine: the native engine's interface (lib/engine/native/index.js)
// in JavaScript, with no addon and no Node built-in at module scope, for
// runtimes where no .node file loads (workerd, Vercel Edge, Convex's default
// runtime, Deno, browsers) and as the fallback where the addon did not build.
//   verify:  WebCrypto HMAC-SHA256, one imported key per secret (cached);
//            the sync functions use node:crypto where the runtime has it
//   parse:   JSON.parse of the text stripe-node parses
//   standard: Standard Webhooks v1 (HMAC) and v1a (Ed25519) with WebCrypto
//            (lib/engine/portable/standard.js)
//   stores:  MemoryStore in JS; SqliteStore on node:sqlite / bun:sqlite
//            (lib/stores/portable-sqlite-store.js), loaded when first used
const { verify, verifyAsync } = require('./verifier');
const { parse, parseAsync, parseVerified } = require('./event');
const { standardVerify, standardVerifyAsync, standardSign } = require('./standard');
const { hmacHex, hmacHexAsync } = require('./hmac');
const { MemoryStore } = require('./memory-store');
const { portableSqliteStore } = require('./sqlite');

const engine = {
  name: 'portable',
  verify,
  verifyAsync,
  parse,
  parseAsync,
  hmacSha256Hex: (text, secret, asyncName) => hmacHex(secret, '', text, asyncName),
  hmacSha256HexAsync: (text, secret) => hmacHexAsync(secret, '', text),
  MemoryStore,
  standardVerify,
  standardVerifyAsync,
  standardSign,
  parseVerified,
};
Object.defineProperty(engine, 'SqliteStore', { get: portableSqliteStore, enumerable: true });

module.exports = Object.freeze(engine);
