{
  # The Node-API addon. The core sources come from src/core/sources.txt (shared
  # with CMakeLists.txt); what it links with comes from scripts/native-deps.js
  # (shared with CMakeLists.txt and scripts/prebuild.js): simdjson compiled
  # from its single-file source, SQLite, libsodium and OpenSSL's libcrypto as
  # static archives, libstdc++ static, and only the Node-API entry points
  # exported (src/addon/exports.map). Build through scripts/build-addon.js,
  # which checks the libraries first and points node-gyp at the Node headers
  # already on the machine.
  "variables": {
    "simdjson_dir": "<!(node scripts/native-deps.js simdjson-dir --relative)",
    # 1 for the prebuilt binaries, built against glibc 2.31 (scripts/prebuild.js).
    "hookwise_glibc_compat%": 0
  },
  "target_defaults": {
    "cflags": ["-fPIC", "-fvisibility=hidden", "-ffunction-sections", "-fdata-sections"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
    "defines": ["SIMDJSON_EXCEPTIONS=0"],
    "configurations": {
      "Release": {
        "cflags_cc": ["-O2", "-D_FORTIFY_SOURCE=2"]
      }
    }
  },
  "targets": [
    {
      # simdjson's own code, built with its own (upstream) warning level.
      "target_name": "simdjson",
      "type": "static_library",
      "sources": ["<(simdjson_dir)/simdjson.cpp"],
      "include_dirs": ["<(simdjson_dir)"],
      "cflags_cc": ["-std=c++20", "-fno-exceptions"]
    },
    {
      "target_name": "hookwise",
      "dependencies": ["simdjson"],
      "sources": [
        "<!@(node scripts/core-sources.js)",
        "src/addon/addon.cc",
        "src/addon/verify_binding.cc",
        "src/addon/event_binding.cc",
        "src/addon/envelope_layout.cc",
        "src/addon/parallel_parse.cc",
        "src/addon/hmac_binding.cc",
        "src/addon/secret_strings.cc",
        "src/addon/memory_store_binding.cc",
        "src/addon/sqlite_store_binding.cc",
        "src/addon/standard_webhook_binding.cc",
        "src/addon/store_binding.cc",
        "src/addon/store_conversion.cc",
        "src/addon/value_conversion.cc",
        "src/addon/verify_inputs.cc"
      ],
      "include_dirs": [
        ".",
        "<(simdjson_dir)",
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "libraries": ["<!@(node scripts/native-deps.js link-args)"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags_cc": [
        "-std=c++20",
        "-fno-exceptions",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-Wno-unused-parameter"
      ],
      "ldflags": [
        "-static-libstdc++",
        "-static-libgcc",
        "-Wl,--exclude-libs,ALL",
        "-Wl,--version-script=<(module_root_dir)/src/addon/exports.map",
        "-Wl,--gc-sections",
        "-Wl,-z,relro,-z,now"
      ],
      "conditions": [
        ["hookwise_glibc_compat==1", { "sources": ["src/addon/glibc_compat.cc"] }]
      ],
      "configurations": {
        "Debug": {
          "defines": ["NODE_ADDON_API_ENABLE_TYPE_CHECK_ON_AS"]
        }
      }
    }
  ]
}
