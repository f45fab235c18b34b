# sdk.cmake: the guest SDK of Wasm-bpf and the rule that builds a tool
# (docs/wasm-bpf.md). Included by wasm-bpf/CMakeLists.txt.
#
# wbpf_add_tool(NAME BPF x.bpf.c SOURCES guest.c... [INCLUDES dir...] [LDFLAGS flag...])
#   compiles x.bpf.c with the repository's eBPF rule (isthmus_bpf_skeleton:
#   vmlinux.h of the running kernel, CO-RE), embeds the .bpf.o into a
#   generated C file, and builds NAME.wasm (wasm32-wasi) from SOURCES, that
#   file and the SDK library. The target NAME has the property WASM_FILE;
#   NAME_bpf_skel is the native skeleton of the same object (for native
#   twins such as bench/).
set(WBPF_SDK_DIR ${CMAKE_CURRENT_LIST_DIR})

function(wbpf_add_tool name)
  cmake_parse_arguments(T "" "BPF" "SOURCES;INCLUDES;LDFLAGS" ${ARGN})
  get_filename_component(bpf_src ${T_BPF} ABSOLUTE)
  isthmus_bpf_skeleton(${name}_bpf ${bpf_src} INCLUDES ${T_INCLUDES})
  get_target_property(obj ${name}_bpf_skel BPF_OBJECT)
  set(embed ${CMAKE_CURRENT_BINARY_DIR}/${name}_obj.c)
  add_custom_command(OUTPUT ${embed}
    COMMAND ${CMAKE_COMMAND} -DIN=${obj} -DOUT=${embed} -P ${WBPF_SDK_DIR}/embed.cmake
    DEPENDS ${obj} ${WBPF_SDK_DIR}/embed.cmake
    COMMENT "embedding ${name}.bpf.o"
    VERBATIM)
  isthmus_add_wasm_guest(${name}
    SOURCES ${T_SOURCES} ${WBPF_SDK_DIR}/wbpf_sdk.c ${embed}
    INCLUDES ${WBPF_SDK_DIR} ${T_INCLUDES} LDFLAGS ${T_LDFLAGS})
endfunction()
