'use strict';
// require('hookwise') in Node and Bun: the native engine (the C++ core through
// lib/native.js), chosen once, here (API.md section 7):
// - HOOKWISE_IMPLEMENTATION=portable: the portable engine, the addon never loaded;
// - HOOKWISE_IMPLEMENTATION=native: the addon, and its load error thrown at import;
// - otherwise the addon, or, when it cannot load, the portable engine after
//   one console.warn naming the cause (the loader's first line).
// The exports are lib/api.js's over the chosen engine; `implementation` says which.
const { environment } = require('./runtime');

const CHOICES = ['native', 'portable'];

// The loader's error (code HOOKWISE_NATIVE_UNAVAILABLE) starts with the cause in
// one line and lists "Possible solutions", the likeliest first (leaving hookwise
// out of a bundle, when it was bundled): the warning gives the cause and that one.
function fallbackWarning(err) {
  const lines = err && err.message ? String(err.message).split('\n') : [String(err)];
  const at = lines.indexOf('Possible solutions:');
  const fix = [];
  if (at !== -1 && lines[at + 1] && lines[at + 1].startsWith('- ')) {
    fix.push(lines[at + 1].slice(2));
    for (let i = at + 2; i < lines.length && lines[i].startsWith('  '); i++) fix.push(lines[i].trim());
  }
  return (
    `${lines[0]}\n` +
    'hookwise: using the portable implementation instead (same API, slower verification)' +
    (fix.length > 0 ? `; to load the addon: ${fix.join(' ')}` : '') +
    '\nhookwise: set HOOKWISE_IMPLEMENTATION=native to make this an error, or =portable to choose the portable one without this warning.'
  );
}

function choose() {
  const forced = environment().HOOKWISE_IMPLEMENTATION;
  if (forced !== undefined && forced !== '' && !CHOICES.includes(forced)) {
    throw new Error(
      `hookwise: HOOKWISE_IMPLEMENTATION must be "native" or "portable", got ${JSON.stringify(String(forced).slice(0, 40))}`,
    );
  }
  if (forced === 'portable') return require('./portable');
  let engine;
  try {
    engine = require('./engine/native');
  } catch (err) {
    if (forced === 'native') throw err;
    console.warn(fallbackWarning(err));
    return require('./portable');
  }
  const { createApi } = require('./api');
  return createApi(engine);
}

module.exports = choose();
