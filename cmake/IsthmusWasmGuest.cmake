# The Wasm guest build: C programs compiled to wasm32-wasi with Debian's clang,
# wasi-libc and compiler-rt's wasm32 builtins (libclang-rt-14-dev-wasm32).
# The Wasm runtime, Vessels and Wasm-bpf use these guests as test programs.
#
# A guest is built with the same flags whatever the host build type is, and
# never with sanitizers: it is input to the runtime, not part of it.

find_program(ISTHMUS_WASM_CLANG NAMES clang clang-14 DOC "clang used for wasm32-wasi guests")
set(ISTHMUS_WASM_TARGET wasm32-wasi CACHE STRING "Target triple of Wasm guests")
set(ISTHMUS_WASM_CFLAGS -O2 -Wall -Wextra -Werror CACHE STRING "Flags for Wasm guests")
# wasi-libc leaves long double out of printf/scanf unless asked; guests are
# meant to print what the same program prints natively, so ask.
set(ISTHMUS_WASM_LDFLAGS -lc-printscan-long-double CACHE STRING "Link flags for Wasm guests")

# Fail at configure time, with the packages to install, if the toolchain
# cannot build a guest.
if(NOT ISTHMUS_WASM_TOOLCHAIN_OK)
  set(_probe_dir ${CMAKE_BINARY_DIR}/CMakeFiles/wasm-probe)
  file(WRITE ${_probe_dir}/probe.c "#include <stdio.h>\nint main(void) { puts(\"ok\"); return 0; }\n")
  execute_process(COMMAND ${ISTHMUS_WASM_CLANG} --target=${ISTHMUS_WASM_TARGET} -O2
                          ${_probe_dir}/probe.c -o ${_probe_dir}/probe.wasm
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err OUTPUT_QUIET)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR
      "cannot build wasm32-wasi guests with ${ISTHMUS_WASM_CLANG}: ${_err}\n"
      "They need Debian's wasi-libc, libclang-rt-14-dev-wasm32 and lld (run scripts/setup).")
  endif()
  set(ISTHMUS_WASM_TOOLCHAIN_OK ON CACHE INTERNAL "wasm32-wasi guests build")
endif()

# isthmus_add_wasm_guest(NAME SOURCES src... [CFLAGS flag...] [LDFLAGS flag...]
#                        [INCLUDES dir...])
# Builds NAME.wasm in the current binary folder as part of 'all'. The target
# NAME has the property WASM_FILE, the path of the module, for use in tests as
# $<TARGET_PROPERTY:NAME,WASM_FILE>.
function(isthmus_add_wasm_guest name)
  cmake_parse_arguments(G "" "" "SOURCES;CFLAGS;LDFLAGS;INCLUDES" ${ARGN})
  if(NOT G_SOURCES)
    message(FATAL_ERROR "isthmus_add_wasm_guest(${name}) needs SOURCES")
  endif()
  set(srcs "")
  set(implicit "")
  foreach(s IN LISTS G_SOURCES)
    get_filename_component(abs ${s} ABSOLUTE)
    list(APPEND srcs ${abs})
    list(APPEND implicit C ${abs})
  endforeach()
  set(incs "")
  foreach(d IN LISTS G_INCLUDES)
    list(APPEND incs -I${d})
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${ISTHMUS_WASM_CLANG} --target=${ISTHMUS_WASM_TARGET} ${ISTHMUS_WASM_CFLAGS}
            ${G_CFLAGS} ${incs} ${srcs} ${ISTHMUS_WASM_LDFLAGS} ${G_LDFLAGS} -o ${out}
    DEPENDS ${srcs}
    IMPLICIT_DEPENDS ${implicit}
    COMMENT "wasm32-wasi guest ${name}.wasm"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out})
  set_target_properties(${name} PROPERTIES WASM_FILE ${out})
endfunction()
