# Capture: the eBPF programs, their loader, and TLS library discovery.
isthmus_bpf_skeleton(agentsight bpf/agentsight.bpf.c)

find_library(LIBELF_LIBRARY elf REQUIRED)
add_library(as_capture STATIC src/capture.c src/elfsym.c)
target_include_directories(as_capture PUBLIC ${AS_SRC} ${CMAKE_CURRENT_SOURCE_DIR}/bpf)
target_link_libraries(as_capture PUBLIC agentsight_skel isthmus_bpfenv ${LIBELF_LIBRARY})

# Tests of the ELF symbol and signature searches.
find_file(AS_LIBSSL_A libssl.a PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE} /usr/lib64 /usr/lib
          NO_DEFAULT_PATH)
find_file(AS_LIBCRYPTO_A libcrypto.a PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE} /usr/lib64
          /usr/lib NO_DEFAULT_PATH)
if(NOT AS_LIBSSL_A OR NOT AS_LIBCRYPTO_A)
  message(FATAL_ERROR "libssl.a/libcrypto.a not found: install libssl-dev (scripts/setup)")
endif()
set(AS_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/tests)
add_executable(as_tls_static_probe tests/capture/tls_static_probe.c)
target_link_libraries(as_tls_static_probe PRIVATE ${AS_LIBSSL_A} ${AS_LIBCRYPTO_A} dl pthread)
add_custom_command(TARGET as_tls_static_probe POST_BUILD
                   COMMAND strip -o as_tls_static_probe_stripped as_tls_static_probe
                   WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} VERBATIM)

add_executable(as_elfsym_test tests/capture/elfsym_test.c)
target_link_libraries(as_elfsym_test PRIVATE as_capture isthmus_testkit)
add_dependencies(as_elfsym_test as_tls_static_probe)
isthmus_add_test(NAME as_capture_elfsym
                 COMMAND as_elfsym_test ${AS_LIBSSL_A} $<TARGET_FILE:as_tls_static_probe>
                         ${CMAKE_CURRENT_BINARY_DIR}/as_tls_static_probe_stripped)

isthmus_add_fuzzer(NAME fuzz_as_elfsym SOURCES tests/capture/fuzz_elfsym.c src/elfsym.c
                   LIBS ${LIBELF_LIBRARY} CORPUS tests/capture/corpus/fuzz_elfsym)
target_include_directories(fuzz_as_elfsym PRIVATE ${AS_SRC})
