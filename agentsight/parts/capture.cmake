# Capture: the eBPF programs, their loader, and TLS library discovery.
isthmus_bpf_skeleton(agentsight bpf/agentsight.bpf.c)

find_library(LIBELF_LIBRARY elf REQUIRED)
add_library(as_capture STATIC src/capture.c src/elfsym.c)
target_include_directories(as_capture PUBLIC ${AS_SRC} ${CMAKE_CURRENT_SOURCE_DIR}/bpf)
target_link_libraries(as_capture PUBLIC agentsight_skel isthmus_bpfenv ${LIBELF_LIBRARY})
