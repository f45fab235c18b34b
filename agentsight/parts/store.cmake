# store: AgentSight's SQLite store of recordings, `agentsight report` and
# `agentsight serve` (the web UI, embedded from web/), as the static library
# as_store, with their tests and fuzz targets. Included by
# agentsight/CMakeLists.txt, which defines AS_SRC and the pkg-config targets.

# The UI's files become C arrays (parts/store-embed.cmake), rebuilt when one changes.
set(AS_WEB_DIR ${CMAKE_CURRENT_SOURCE_DIR}/web)
set(AS_WEB_FILES index.html app.js style.css favicon.svg)
set(as_web_spec "")
set(as_web_deps "")
foreach(f IN LISTS AS_WEB_FILES)
  if(as_web_spec)
    string(APPEND as_web_spec "|")
  endif()
  string(APPEND as_web_spec "${f}=${AS_WEB_DIR}/${f}")
  list(APPEND as_web_deps ${AS_WEB_DIR}/${f})
endforeach()
set(AS_WEB_C ${CMAKE_CURRENT_BINARY_DIR}/as_web_files.c)
add_custom_command(
  OUTPUT ${AS_WEB_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${AS_WEB_C} "-DFILES=${as_web_spec}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/parts/store-embed.cmake
  DEPENDS ${as_web_deps} ${CMAKE_CURRENT_SOURCE_DIR}/parts/store-embed.cmake
  COMMENT "Embedding the AgentSight web UI"
  VERBATIM)

add_library(as_store STATIC ${AS_SRC}/store.c ${AS_SRC}/report.c ${AS_SRC}/serve.c ${AS_WEB_C})
target_include_directories(as_store PUBLIC ${AS_SRC})
target_link_libraries(as_store PUBLIC as_core PkgConfig::SQLITE3 PkgConfig::MHD
                      PkgConfig::JANSSON m)

set(AS_STORE_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/store)
set(AS_WEB_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/web)

# A synthetic recorded session that the tests and the UI test share.
add_library(as_store_scenario STATIC ${AS_STORE_TESTS}/scenario.c)
target_include_directories(as_store_scenario PUBLIC ${AS_STORE_TESTS})
target_link_libraries(as_store_scenario PUBLIC as_store)

foreach(t roundtrip crash baddb report)
  add_executable(as_store_${t}_test ${AS_STORE_TESTS}/${t}_test.c)
  target_link_libraries(as_store_${t}_test PRIVATE as_store_scenario isthmus_testkit)
  isthmus_add_test(NAME as_store_${t} COMMAND as_store_${t}_test ${AS_STORE_TESTS}/data)
endforeach()

add_executable(as_web_serve_test ${AS_WEB_TESTS}/serve_test.c)
target_link_libraries(as_web_serve_test PRIVATE as_store_scenario isthmus_testkit)
isthmus_add_test(NAME as_web_serve COMMAND as_web_serve_test)

# The browser test: a server over the synthetic session (as_web_fixture),
# driven by Debian's chromium through playwright-core, which npm installs
# into the build folder the first time.
add_executable(as_web_fixture ${AS_WEB_TESTS}/fixture.c)
target_link_libraries(as_web_fixture PRIVATE as_store_scenario)
isthmus_add_test(NAME as_web_ui
                 COMMAND ${AS_WEB_TESTS}/ui_test.sh $<TARGET_FILE:as_web_fixture>
                         ${AS_WEB_TESTS}/ui_test.mjs ${CMAKE_BINARY_DIR}/npm-cache
                         ${CMAKE_CURRENT_BINARY_DIR}/as_web_ui
                 TIMEOUT 600)

isthmus_add_fuzzer(NAME fuzz_as_store_db SOURCES ${AS_STORE_TESTS}/fuzz_store_db.c
                   LIBS as_store CORPUS ${AS_STORE_TESTS}/corpus/fuzz_as_store_db)
isthmus_add_fuzzer(NAME fuzz_as_serve_route SOURCES ${AS_WEB_TESTS}/fuzz_serve_route.c
                   LIBS as_store CORPUS ${AS_WEB_TESTS}/corpus/fuzz_as_serve_route)
