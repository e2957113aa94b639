// Linked only into the prebuilt binaries (scripts/prebuild.js), which are
// built against glibc 2.31 so that they load on Debian 11, Ubuntu 20.04 and
// Amazon Linux 2023. The static libstdc++ and libgcc of the g++ 12 that
// builds them were compiled against a newer glibc and refer to two symbols
// that glibc 2.31 lacks; without a definition here dlopen fails there with
// "undefined symbol". Both definitions are local to the addon
// (src/addon/exports.map), so the host's own glibc is never shadowed.

// glibc 2.32+: libstdc++ skips atomic reference counting while this is
// non-zero. Zero means "maybe multi-threaded": always atomic, always correct.
extern "C" {
char __libc_single_threaded = 0;  // NOLINT(bugprone-reserved-identifier)
}

// glibc 2.35+: the unwinder asks it for the frame tables of a code address.
// Answering "not found" is safe because the addon never unwinds: it is built
// without exceptions, and a C++ exception thrown inside the standard library
// aborts the process either way.
extern "C" int _dl_find_object(void*, void*) { return -1; }  // NOLINT(bugprone-reserved-identifier)
