'use strict';
// Prints the core source list (src/core/sources.txt) for binding.gyp's
// command expansion, so node-gyp and CMake compile exactly the same files.
const fs = require('node:fs');
const path = require('node:path');

const list = fs
  .readFileSync(path.join(__dirname, '..', 'src', 'core', 'sources.txt'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
process.stdout.write(list.join(' '));
