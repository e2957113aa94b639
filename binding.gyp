{
  # The Node-API addon. The core sources come from src/core/sources.txt (shared
  # with CMakeLists.txt); system libraries come from pkg-config. Build through
  # scripts/build-addon.js, which checks the libraries first and points node-gyp
  # at the Node headers already on the machine.
  "variables": {
    "hookwise_pkgs": "libcrypto libsodium simdjson sqlite3"
  },
  "targets": [
    {
      "target_name": "hookwise",
      "sources": [
        "<!@(node scripts/core-sources.js)",
        "src/addon/addon.cc",
        "src/addon/verify_binding.cc",
        "src/addon/event_binding.cc",
        "src/addon/parallel_parse.cc",
        "src/addon/hmac_binding.cc",
        "src/addon/memory_store_binding.cc",
        "src/addon/sqlite_store_binding.cc",
        "src/addon/store_conversion.cc",
        "src/addon/value_conversion.cc"
      ],
      "include_dirs": [
        ".",
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(pkg-config --cflags-only-I <(hookwise_pkgs) | sed 's/-I//g')"
      ],
      "libraries": ["<!@(pkg-config --libs <(hookwise_pkgs))"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": [
        "-std=c++20",
        "-fno-exceptions",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-Wno-unused-parameter",
        "-fvisibility=hidden",
        "-ffunction-sections",
        "-fdata-sections"
      ],
      "ldflags": ["-Wl,--gc-sections"],
      "configurations": {
        "Release": {
          "cflags_cc": ["-O2", "-D_FORTIFY_SOURCE=2"]
        },
        "Debug": {
          "defines": ["NODE_ADDON_API_ENABLE_TYPE_CHECK_ON_AS"]
        }
      }
    }
  ]
}
