# proto: AgentSight's protocol parsers (HTTP/1.1 with chunked and gzip, SSE,
# HTTP/2 with HPACK) as the static library as_proto, with their tests and
# fuzz targets. Included by agentsight/CMakeLists.txt, which sets AS_SRC.
add_library(as_proto STATIC
  ${AS_SRC}/http.c
  ${AS_SRC}/decode.c
  ${AS_SRC}/http1.c
  ${AS_SRC}/sse.c
  ${AS_SRC}/hpack.c
  ${AS_SRC}/hpack_huffman.c
  ${AS_SRC}/http2.c)
target_include_directories(as_proto PUBLIC ${AS_SRC})
target_link_libraries(as_proto PUBLIC ZLIB::ZLIB)

set(AS_PROTO_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/proto)

# Tests: each a program over testkit; data files are found through AS_PROTO_DATA.
foreach(t detect http1 decode sse hpack http2)
  add_executable(as_proto_${t}_test ${AS_PROTO_TESTS}/${t}_test.c)
  target_link_libraries(as_proto_${t}_test PRIVATE as_proto isthmus_testkit ZLIB::ZLIB)
  target_compile_definitions(as_proto_${t}_test PRIVATE AS_PROTO_DATA="${AS_PROTO_TESTS}/data")
  isthmus_add_test(NAME as_proto_${t} COMMAND as_proto_${t}_test)
endforeach()

# The HPACK cross-check against nghttp2's encoder and decoder (a reference
# implementation) needs libnghttp2-dev.
pkg_check_modules(AS_NGHTTP2 IMPORTED_TARGET libnghttp2)
if(AS_NGHTTP2_FOUND)
  add_executable(as_proto_hpack_nghttp2_test ${AS_PROTO_TESTS}/hpack_nghttp2_test.c)
  target_link_libraries(as_proto_hpack_nghttp2_test PRIVATE as_proto isthmus_testkit
                        PkgConfig::AS_NGHTTP2)
  isthmus_add_test(NAME as_proto_hpack_nghttp2 COMMAND as_proto_hpack_nghttp2_test)
endif()

foreach(f http1 sse hpack http2)
  isthmus_add_fuzzer(NAME fuzz_as_${f} SOURCES ${AS_PROTO_TESTS}/fuzz_${f}.c LIBS as_proto
                     CORPUS ${AS_PROTO_TESTS}/corpus/fuzz_as_${f})
endforeach()
