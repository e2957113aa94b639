// hookwise loads a native addon, which a bundled copy cannot find: leave it
// out of the bundle (pg is on Next.js's own list of such packages).
/** @type {import('next').NextConfig} */
module.exports = {
  serverExternalPackages: ['hookwise'],
};
