# sdk.cmake: the guest SDK of Wasm-bpf and the rule that builds a tool
# (docs/wasm-bpf.md). Included by wasm-bpf/CMakeLists.txt.
#
# wbpf_add_tool(NAME BPF x.bpf.c SOURCES guest.c... [INCLUDES dir...] [LDFLAGS flag...]
#               [GEN_HEADER struct...])
#   compiles x.bpf.c with the repository's eBPF rule (isthmus_bpf_skeleton:
#   vmlinux.h of the running kernel, CO-RE), embeds the .bpf.o into a
#   generated C file, and builds NAME.wasm (wasm32-wasi) from SOURCES, that
#   file and the SDK library. The target NAME has the property WASM_FILE;
#   NAME_bpf_skel is the native skeleton of the same object (for native
#   twins such as bench/). GEN_HEADER runs wbpf-genhdr on the built object
#   and writes x_gen.h (x from x.bpf.c) with the named structs in the
#   kernel's layout for the guest, which finds it on its include path; the
#   structs must be in the object's BTF (a typed global keeps them).
set(WBPF_SDK_DIR ${CMAKE_CURRENT_LIST_DIR})

add_executable(wbpf-genhdr ${CMAKE_CURRENT_LIST_DIR}/../tools/wbpf-genhdr.c)
target_link_libraries(wbpf-genhdr PRIVATE PkgConfig::LIBBPF)

function(wbpf_add_tool name)
  cmake_parse_arguments(T "" "BPF" "SOURCES;INCLUDES;LDFLAGS;GEN_HEADER" ${ARGN})
  get_filename_component(bpf_src ${T_BPF} ABSOLUTE)
  isthmus_bpf_skeleton(${name}_bpf ${bpf_src} INCLUDES ${T_INCLUDES})
  get_target_property(obj ${name}_bpf_skel BPF_OBJECT)
  set(embed ${CMAKE_CURRENT_BINARY_DIR}/${name}_obj.c)
  add_custom_command(OUTPUT ${embed}
    COMMAND ${CMAKE_COMMAND} -DIN=${obj} -DOUT=${embed} -P ${WBPF_SDK_DIR}/embed.cmake
    DEPENDS ${obj} ${WBPF_SDK_DIR}/embed.cmake
    COMMENT "embedding ${name}.bpf.o"
    VERBATIM)
  set(gen_inc "")
  if(T_GEN_HEADER)
    get_filename_component(base ${bpf_src} NAME)
    string(REGEX REPLACE "\\.bpf\\.c$" "" base ${base})
    set(gen_inc ${CMAKE_CURRENT_BINARY_DIR}/${name}_gen)
    set(gen_h ${gen_inc}/${base}_gen.h)
    add_custom_command(OUTPUT ${gen_h}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${gen_inc}
      COMMAND wbpf-genhdr ${obj} ${gen_h} ${T_GEN_HEADER}
      DEPENDS ${obj} wbpf-genhdr
      COMMENT "guest header ${base}_gen.h from ${name}.bpf.o"
      VERBATIM)
  endif()
  isthmus_add_wasm_guest(${name}
    SOURCES ${T_SOURCES} ${WBPF_SDK_DIR}/wbpf_sdk.c ${embed}
    INCLUDES ${gen_inc} ${WBPF_SDK_DIR} ${T_INCLUDES} LDFLAGS ${T_LDFLAGS})
  if(T_GEN_HEADER)
    add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm APPEND DEPENDS ${gen_h})
  endif()
endfunction()
