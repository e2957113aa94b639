'use strict';
// hookwise/portable: the whole API (API.md sections 1-5) over the portable
// engine (lib/engine/portable). Never loads the addon and no Node built-in at
// module scope, so it evaluates in workerd, Vercel Edge, Convex's default
// runtime, Deno, Bun and browsers as well as in Node.
const { createApi } = require('./api');

module.exports = createApi(require('./engine/portable'));
