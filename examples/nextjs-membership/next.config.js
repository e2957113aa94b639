// hookwise loads a native addon (build/Release/hookwise.node). Next.js bundles
// the dependencies of App Router routes, and a bundled copy cannot find that
// file ("hookwise: the native addon could not be loaded" at `next build`).
// Listed here, hookwise is left out of the bundle and require()d from
// node_modules at run time. (better-sqlite3 is on Next.js's own list.)
/** @type {import('next').NextConfig} */
module.exports = {
  serverExternalPackages: ['hookwise'],
};
