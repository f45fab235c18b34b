# bench.cmake: the same eBPF tool natively (libbpf skeleton) and as a Wasm
# module; bench/run.py prints the ratios (make bench). Included by
# wasm-bpf/CMakeLists.txt.
set(WBPF_BENCH ${WBPF_DIR}/bench)
wbpf_add_tool(wbpf_evbench BPF ${WBPF_BENCH}/evbench.bpf.c SOURCES ${WBPF_BENCH}/evbench_wasm.c
              INCLUDES ${WBPF_BENCH} ${WBPF_SDK_DIR})
add_executable(wbpf_evbench_native ${WBPF_BENCH}/evbench_native.c)
target_include_directories(wbpf_evbench_native PRIVATE ${WBPF_BENCH} ${WBPF_SDK_DIR})
target_link_libraries(wbpf_evbench_native PRIVATE wbpf_evbench_bpf_skel)
add_executable(wbpf_evgen ${WBPF_BENCH}/evgen.c)
isthmus_add_bench(NAME wasm_bpf_vs_native
  COMMAND ${WBPF_BENCH}/run.py $<TARGET_FILE:wasm-bpf> $<TARGET_PROPERTY:wbpf_evbench,WASM_FILE>
          $<TARGET_FILE:wbpf_evbench_native> $<TARGET_FILE:wbpf_evgen>)
