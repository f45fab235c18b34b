# examples.cmake: the example tools (each NAME.bpf.c + NAME.c guest + NAME.h
# shared event layout) and their tests, which run as root and cause the
# events they assert. Included by wasm-bpf/CMakeLists.txt.
set(WBPF_EX ${WBPF_DIR}/examples)
set(WBPF_TOOLS execsnoop)
foreach(t IN LISTS WBPF_TOOLS)
  wbpf_add_tool(wbpf_${t} BPF ${WBPF_EX}/${t}/${t}.bpf.c SOURCES ${WBPF_EX}/${t}/${t}.c
                INCLUDES ${WBPF_EX}/${t} ${WBPF_SDK_DIR})
endforeach()
foreach(t IN LISTS WBPF_TOOLS)
  isthmus_add_test(NAME wbpf_${t}
    COMMAND ${WBPF_EX}/${t}/test.sh $<TARGET_FILE:wasm-bpf> $<TARGET_PROPERTY:wbpf_${t},WASM_FILE>
    LABELS bpf root)
endforeach()
