# examples.cmake: the example tools (each NAME.bpf.c + NAME.c guest + NAME.h
# shared event layout) and their tests, which run as root and cause the
# events they assert. Included by wasm-bpf/CMakeLists.txt.
set(WBPF_EX ${WBPF_DIR}/examples)
set(WBPF_TOOLS execsnoop opensnoop bootstrap runqlat uprobe xdpcount)
# Tools whose guest takes its event structs from the object's BTF
# (NAME_gen.h, written by wbpf-genhdr) instead of the shared NAME.h.
set(WBPF_GEN_bootstrap boot_exec boot_exit)
foreach(t IN LISTS WBPF_TOOLS)
  wbpf_add_tool(wbpf_${t} BPF ${WBPF_EX}/${t}/${t}.bpf.c SOURCES ${WBPF_EX}/${t}/${t}.c
                INCLUDES ${WBPF_EX}/${t} ${WBPF_SDK_DIR} GEN_HEADER ${WBPF_GEN_${t}})
endforeach()
# The program the uprobe tool probes.
add_executable(wbpf_uprobe_target ${WBPF_EX}/uprobe/target.c)
set_target_properties(wbpf_uprobe_target PROPERTIES EXCLUDE_FROM_ALL OFF)

# Tests registered once they pass.
set(WBPF_TESTED ${WBPF_TOOLS})
foreach(t IN LISTS WBPF_TESTED)
  set(extra "")
  if(t STREQUAL "uprobe")
    set(extra $<TARGET_FILE:wbpf_uprobe_target>)
  endif()
  isthmus_add_test(NAME wbpf_${t}
    COMMAND ${WBPF_EX}/${t}/test.sh $<TARGET_FILE:wasm-bpf> $<TARGET_PROPERTY:wbpf_${t},WASM_FILE>
            ${extra}
    LABELS bpf root)
endforeach()
