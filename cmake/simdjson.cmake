# simdjson from its single-file source, the same one the addon compiles
# (scripts/native-deps.js names it for both builds), as the static library
# target hookwise_simdjson. Built with upstream's own warnings (not ours) and
# without exceptions, as in the addon: SIMDJSON_EXCEPTIONS=0 is PUBLIC so every
# user of simdjson.h sees the same API.
# Needs the npm dependencies installed (npm install puts @nozbe/simdjson in node_modules).
get_filename_component(_hookwise_root ${CMAKE_CURRENT_LIST_DIR} DIRECTORY)
find_program(HOOKWISE_NODE node REQUIRED)
execute_process(
  COMMAND ${HOOKWISE_NODE} scripts/native-deps.js simdjson-dir
  WORKING_DIRECTORY ${_hookwise_root}
  OUTPUT_VARIABLE HOOKWISE_SIMDJSON_DIR
  RESULT_VARIABLE _simdjson_status)
if(NOT _simdjson_status EQUAL 0 OR NOT EXISTS "${HOOKWISE_SIMDJSON_DIR}/simdjson.cpp")
  message(FATAL_ERROR "simdjson's source was not found: run `npm install` first (it installs @nozbe/simdjson)")
endif()
add_library(hookwise_simdjson STATIC ${HOOKWISE_SIMDJSON_DIR}/simdjson.cpp)
target_include_directories(hookwise_simdjson SYSTEM PUBLIC ${HOOKWISE_SIMDJSON_DIR})
target_compile_definitions(hookwise_simdjson PUBLIC SIMDJSON_EXCEPTIONS=0)
set_target_properties(hookwise_simdjson PROPERTIES POSITION_INDEPENDENT_CODE ON)
