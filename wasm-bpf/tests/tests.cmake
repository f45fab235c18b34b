# tests.cmake: the hostile guest and its host-side test (acceptance 2 of
# issue 6), and the command's own test. Included by wasm-bpf/CMakeLists.txt.
set(WBPF_TESTS ${WBPF_DIR}/tests)
wbpf_add_tool(wbpf_hostile BPF ${WBPF_TESTS}/hostile.bpf.c SOURCES ${WBPF_TESTS}/hostile.c
              INCLUDES ${WBPF_TESTS} ${WBPF_SDK_DIR} LDFLAGS -mexec-model=reactor)
add_executable(wbpf_hostile_test ${WBPF_TESTS}/hostile_test.c)
target_link_libraries(wbpf_hostile_test PRIVATE isthmus_wbpf isthmus_wasi isthmus_bpfenv
                      isthmus_testkit)
add_dependencies(wbpf_hostile_test wbpf_hostile)
isthmus_add_test(NAME wbpf_hostile COMMAND wbpf_hostile_test
                 $<TARGET_PROPERTY:wbpf_hostile,WASM_FILE> LABELS bpf root)
isthmus_add_test(NAME wbpf_cli COMMAND ${WBPF_TESTS}/cli_test.sh $<TARGET_FILE:wasm-bpf>)

# The host functions under libFuzzer, called through fuzz_guest.wat (built
# with wat2wasm) with fuzzed memory and arguments. Without ISTHMUS_FUZZ it
# replays the corpus as the test fuzz_wbpf_host.
find_program(WBPF_WAT2WASM wat2wasm)
if(WBPF_WAT2WASM)
  set(WBPF_FUZZ_WASM ${CMAKE_CURRENT_BINARY_DIR}/fuzz_guest.wasm)
  add_custom_command(OUTPUT ${WBPF_FUZZ_WASM}
    COMMAND ${WBPF_WAT2WASM} ${WBPF_TESTS}/fuzz_guest.wat -o ${WBPF_FUZZ_WASM}
    DEPENDS ${WBPF_TESTS}/fuzz_guest.wat VERBATIM)
  add_custom_target(wbpf_fuzz_guest ALL DEPENDS ${WBPF_FUZZ_WASM})
  isthmus_add_fuzzer(NAME fuzz_wbpf_host SOURCES ${WBPF_TESTS}/fuzz_wbpf_host.c
                     LIBS isthmus_wbpf isthmus_bpfenv CORPUS ${WBPF_TESTS}/corpus/fuzz_wbpf_host)
  target_compile_definitions(fuzz_wbpf_host PRIVATE WBPF_FUZZ_WASM="${WBPF_FUZZ_WASM}")
  add_dependencies(fuzz_wbpf_host wbpf_fuzz_guest)
endif()

# wbpf-genhdr: the guest header of a struct with every layout hazard
# (tests/genhdr) against bpftool's reading of the same BTF and against
# offsets written out by hand, for wasm32 and i386.
isthmus_bpf_skeleton(wbpf_genhdr_layout ${WBPF_TESTS}/genhdr/layout.bpf.c)
get_target_property(WBPF_GENHDR_OBJ wbpf_genhdr_layout_skel BPF_OBJECT)
add_custom_target(wbpf_genhdr_obj ALL DEPENDS ${WBPF_GENHDR_OBJ})
isthmus_add_test(NAME wbpf_genhdr
  COMMAND ${WBPF_TESTS}/genhdr/genhdr_test.sh $<TARGET_FILE:wbpf-genhdr> ${WBPF_GENHDR_OBJ}
          ${ISTHMUS_BPFTOOL} ${ISTHMUS_WASM_CLANG} ${WBPF_TESTS}/genhdr)
