'use strict';
// The layout of the native envelope (src/addon/envelope_layout.h) is defined
// once, in C++, and read by lib/engine/native/envelope.js at load. These tests
// hold the exported description to what the JS side relies on.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const native = require('../../lib/native');

const layout = native.envelopeLayout;
const source = fs.readFileSync(path.join(__dirname, '../../lib/engine/native/envelope.js'), 'utf8');

function slotIndices(group) {
  const { size, ...slots } = layout[group];
  return { size, values: Object.values(slots) };
}

test('header and member slots are 0..size-1, each once', () => {
  for (const group of ['header', 'member']) {
    const { size, values } = slotIndices(group);
    assert.ok(Number.isInteger(size) && size > 0, group);
    assert.deepEqual([...values].sort((a, b) => a - b), Array.from({ length: size }, (_, i) => i), group);
  }
  // outSize = header + a whole number of member blocks.
  assert.ok(Number.isInteger((layout.outSize - layout.header.size) / layout.member.size));
});

test('flags are distinct single bits, sentinels distinct negatives, kinds distinct with none = 0', () => {
  const flags = Object.values(layout.flags);
  assert.ok(flags.length >= 4);
  for (const f of flags) assert.ok(Number.isInteger(f) && f > 0 && (f & (f - 1)) === 0, `flag ${f}`);
  assert.equal(new Set(flags).size, flags.length);
  const lengths = Object.values(layout.jsLength);
  for (const l of lengths) assert.ok(Number.isInteger(l) && l < 0);
  assert.equal(new Set(lengths).size, lengths.length);
  const kinds = Object.values(layout.kinds);
  assert.equal(new Set(kinds).size, kinds.length);
  assert.equal(layout.kinds.none, 0, 'an absent nested field has kind 0 (zero-filled)');
});

test('every name lib/engine/native/envelope.js reads from the layout exists', () => {
  // The destructuring lines `const { a: A, b: B } = layout.<group>;`
  const reads = [...source.matchAll(/const \{([^}]+)\} = layout\.(\w+)(?:\.(\w+))?;/g)];
  assert.ok(reads.length >= 8, 'the reader destructures the layout');
  for (const [, names, group] of reads) {
    for (const entry of names.split(',')) {
      const name = entry.split(':')[0].trim();
      assert.equal(typeof layout[group][name], 'number', `layout.${group}.${name}`);
    }
  }
});

test('no numeric slot offset is written by hand in the reader', () => {
  assert.doesNotMatch(source, /out\[\d|slot \+ \d/);
});
