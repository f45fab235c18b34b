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
