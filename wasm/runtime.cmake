# runtime.cmake: the Isthmus WebAssembly runtime proper (docs/wasm.md).
#
# isthmus_wasm: decoder (decode.c), validator and compiler to internal
# register code (compile.c), interpreter and execution contexts (interp.c),
# instances and their objects (instance.c), and the state API (state.c).
# Its tests: the API unit test, hostile modules, the spec suite converted
# with wast2json at build time, and a fuzz target.
set(WASM_DIR ${CMAKE_CURRENT_SOURCE_DIR})

add_library(isthmus_wasm STATIC
  ${WASM_DIR}/src/decode.c
  ${WASM_DIR}/src/compile.c
  ${WASM_DIR}/src/interp.c
  ${WASM_DIR}/src/instance.c
  ${WASM_DIR}/src/state.c)
target_include_directories(isthmus_wasm PUBLIC ${WASM_DIR}/include PRIVATE ${WASM_DIR}/src)
target_link_libraries(isthmus_wasm PUBLIC m)

# The same library with safe points compiled out, to measure their cost.
add_library(isthmus_wasm_nosp STATIC
  ${WASM_DIR}/src/decode.c
  ${WASM_DIR}/src/compile.c
  ${WASM_DIR}/src/interp.c
  ${WASM_DIR}/src/instance.c
  ${WASM_DIR}/src/state.c)
target_include_directories(isthmus_wasm_nosp PUBLIC ${WASM_DIR}/include PRIVATE ${WASM_DIR}/src)
target_compile_definitions(isthmus_wasm_nosp PRIVATE WASM_NO_SAFEPOINTS)
target_link_libraries(isthmus_wasm_nosp PUBLIC m)
set_target_properties(isthmus_wasm_nosp PROPERTIES EXCLUDE_FROM_ALL ON)

# ---- tests -------------------------------------------------------------------

pkg_check_modules(WASM_JANSSON REQUIRED IMPORTED_TARGET jansson)

# The spec test runner, and the suite converted by wast2json into this build
# folder: one CTest test per .wast file (SIMD files excluded).
add_executable(wasm_spectest ${WASM_DIR}/tests/spectest.c)
target_link_libraries(wasm_spectest PRIVATE isthmus_wasm PkgConfig::WASM_JANSSON)

set(WASM_SPEC_DATA ${CMAKE_SOURCE_DIR}/../shared/data/wasm-spec)
find_program(WAST2JSON wast2json)
set(WASM_SPEC_FLAGS_1.0 --disable-saturating-float-to-int --disable-sign-extension
    --disable-multi-value --disable-bulk-memory --disable-reference-types --disable-simd)
set(WASM_SPEC_FLAGS_2.0 "")
# Files whose every command passes; the others are listed in docs/wasm.md.
set(WASM_SPEC_EXCLUDE "")
set(wasm_spec_outputs "")
foreach(set 1.0 2.0)
  file(GLOB wasts ${WASM_SPEC_DATA}/wasm-${set}/*.wast)
  foreach(w IN LISTS wasts)
    get_filename_component(name ${w} NAME_WE)
    if(name MATCHES "^simd_")
      continue()
    endif()
    set(outdir ${CMAKE_CURRENT_BINARY_DIR}/spec/${set})
    set(out ${outdir}/${name}.json)
    if(WAST2JSON)
      add_custom_command(OUTPUT ${out}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
        COMMAND ${WAST2JSON} ${WASM_SPEC_FLAGS_${set}} ${w} -o ${out}
        DEPENDS ${w} VERBATIM)
      list(APPEND wasm_spec_outputs ${out})
    endif()
    if(NOT "${set}/${name}" IN_LIST WASM_SPEC_EXCLUDE)
      set(extra "")
      if(set STREQUAL "1.0")
        set(extra --wasm-1.0)
      endif()
      isthmus_add_test(NAME wasm_spec_${set}_${name} COMMAND wasm_spectest ${out} ${extra}
                       LABELS wasm_spec)
    endif()
  endforeach()
endforeach()
add_custom_target(wasm_spec_json ALL DEPENDS ${wasm_spec_outputs})
if(NOT EXISTS ${WASM_SPEC_DATA}/wasm-1.0)
  # No data: one test that says so (the runner skips a missing file).
  isthmus_add_test(NAME wasm_spec COMMAND wasm_spectest ${WASM_SPEC_DATA}/wasm-1.0/missing.json
                   LABELS wasm_spec)
endif()

# Test modules written as text, assembled by wat2wasm (Debian's wabt).
find_program(WAT2WASM wat2wasm)
set(WASM_TEST_WASM ${CMAKE_CURRENT_BINARY_DIR}/testwasm)
set(wasm_test_modules "")
foreach(w api fusion forward state)
  if(WAT2WASM)
    add_custom_command(OUTPUT ${WASM_TEST_WASM}/${w}.wasm
      COMMAND ${CMAKE_COMMAND} -E make_directory ${WASM_TEST_WASM}
      COMMAND ${WAT2WASM} ${WASM_DIR}/tests/wat/${w}.wat -o ${WASM_TEST_WASM}/${w}.wasm
      DEPENDS ${WASM_DIR}/tests/wat/${w}.wat VERBATIM)
    list(APPEND wasm_test_modules ${WASM_TEST_WASM}/${w}.wasm)
  endif()
endforeach()
add_custom_target(wasm_test_modules ALL DEPENDS ${wasm_test_modules})

add_executable(wasm_api_test ${WASM_DIR}/tests/api_test.c)
find_package(Threads REQUIRED)
target_link_libraries(wasm_api_test PRIVATE isthmus_wasm isthmus_testkit Threads::Threads)
add_dependencies(wasm_api_test wasm_test_modules)
isthmus_add_test(NAME wasm_api COMMAND wasm_api_test ${WASM_TEST_WASM}/api.wasm)

# Fused compare-and-branch forms against the plain compares.
add_executable(wasm_fusion_test ${WASM_DIR}/tests/fusion_test.c)
target_link_libraries(wasm_fusion_test PRIVATE isthmus_wasm isthmus_testkit)
add_dependencies(wasm_fusion_test wasm_test_modules)
isthmus_add_test(NAME wasm_fusion COMMAND wasm_fusion_test ${WASM_TEST_WASM}/fusion.wasm)
# forwarding pairs: results against C, and the pairs formed (reads the
# compiled code, hence the runtime's private headers)
add_executable(wasm_forward_test ${WASM_DIR}/tests/forward_test.c)
target_include_directories(wasm_forward_test PRIVATE ${WASM_DIR}/src)
target_link_libraries(wasm_forward_test PRIVATE isthmus_wasm isthmus_testkit)
add_dependencies(wasm_forward_test wasm_test_modules)
isthmus_add_test(NAME wasm_forward COMMAND wasm_forward_test ${WASM_TEST_WASM}/forward.wasm)

# Dirty-page tracking and the restore path's checks of hostile frames.
add_executable(wasm_state_test ${WASM_DIR}/tests/state_test.c)
target_link_libraries(wasm_state_test PRIVATE isthmus_wasm isthmus_testkit)
add_dependencies(wasm_state_test wasm_test_modules)
isthmus_add_test(NAME wasm_state COMMAND wasm_state_test ${WASM_TEST_WASM}/state.wasm)

# Hostile and broken modules (uses api.wasm for prefixes and mutations).
add_executable(wasm_malformed_test ${WASM_DIR}/tests/malformed_test.c)
target_link_libraries(wasm_malformed_test PRIVATE isthmus_wasm isthmus_testkit)
add_dependencies(wasm_malformed_test wasm_test_modules)
isthmus_add_test(NAME wasm_malformed COMMAND wasm_malformed_test ${WASM_TEST_WASM}/api.wasm)

# Decoding, validation, instantiation and a fuelled run of the exports.
isthmus_add_fuzzer(NAME fuzz_wasm_module SOURCES ${WASM_DIR}/tests/fuzz_module.c
                   LIBS isthmus_wasm CORPUS ${WASM_DIR}/tests/corpus/module)
