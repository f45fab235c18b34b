# mcp.cmake: SchedCP's MCP server (JSON-RPC 2.0 over stdio and streamable
# HTTP), the Workload Analysis Engine (eBPF on the host's scheduler
# tracepoints) and sched-agent (docs/schedcp-mcp.md). Included by
# schedcp/CMakeLists.txt after deploy.cmake; the parts that need the policy
# repository and the VM (scx_core) are guarded by if(TARGET scx_core).
pkg_check_modules(SCX_MCP_JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(SCX_MCP_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(SCX_MCP_MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
find_package(Threads REQUIRED)

set(SCX_MCP_SRC ${SCX_DIR}/src)
set(SCX_MCP_TESTS ${SCX_DIR}/tests)

# ---- the protocol layer -------------------------------------------------------

# scx_mcp: JSON-RPC 2.0 and the MCP methods, the schema validator, and the
# stdio and HTTP transports; no tools of its own.
add_library(scx_mcp STATIC
  ${SCX_MCP_SRC}/mcp_schema.c
  ${SCX_MCP_SRC}/mcp_server.c
  ${SCX_MCP_SRC}/mcp_stdio.c
  ${SCX_MCP_SRC}/mcp_http.c)
target_include_directories(scx_mcp PUBLIC ${SCX_MCP_SRC})
target_link_libraries(scx_mcp PUBLIC PkgConfig::SCX_MCP_JANSSON PkgConfig::SCX_MCP_MHD
                      Threads::Threads m)

# ---- the Workload Analysis Engine -----------------------------------------------

# The kernel side, against the host's BTF (the profiles are taken on this host).
isthmus_bpf_skeleton(wae_sched ${SCX_DIR}/bpf/wae_sched.bpf.c)

# scx_wae_analysis: the pure part (raw counts to profile, compare, store), usable
# without BPF; scx_wae adds the profiler.
add_library(scx_wae_analysis STATIC ${SCX_MCP_SRC}/wae_analyze.c ${SCX_MCP_SRC}/wae_store.c)
target_include_directories(scx_wae_analysis PUBLIC ${SCX_MCP_SRC} ${SCX_DIR}/bpf)
target_link_libraries(scx_wae_analysis PUBLIC PkgConfig::SCX_MCP_JANSSON
                      PkgConfig::SCX_MCP_SQLITE3 m)

add_library(scx_wae STATIC ${SCX_MCP_SRC}/wae_profile.c)
target_link_libraries(scx_wae PUBLIC scx_wae_analysis wae_sched_skel isthmus_bpfenv)

add_executable(scx_wae_workload ${SCX_MCP_TESTS}/wae_workload.c)

add_executable(scx_wae_classify_test ${SCX_MCP_TESTS}/wae_classify_test.c)
target_link_libraries(scx_wae_classify_test PRIVATE scx_wae isthmus_testkit_bpf m)
isthmus_add_test(NAME scx_wae_classify LABELS bpf root TIMEOUT 180
                 COMMAND scx_wae_classify_test $<TARGET_FILE:scx_wae_workload>
                         ${CMAKE_CURRENT_BINARY_DIR}/wae-tmp)

# ---- the server ----------------------------------------------------------------

# schedcp-mcp: the MCP server program; with scx_core it also serves the policy
# tools over the repository, the verifier and deployment.
# The policy tools need scx_core's functions; while that library is still
# growing, they are built only once every function they call is defined in
# its sources, so that the tree always builds.
set(SCX_MCP_HAVE_CORE OFF)
if(TARGET scx_core)
  get_target_property(scx_core_srcs scx_core SOURCES)
  set(scx_core_text "")
  foreach(f IN LISTS scx_core_srcs)
    if(EXISTS ${f})
      file(READ ${f} t)
      string(APPEND scx_core_text "${t}")
    endif()
  endforeach()
  set(SCX_MCP_HAVE_CORE ON)
  foreach(fn scx_open scx_close scx_seed scx_policy_add scx_policy_list scx_policy_show
             scx_perf_record scx_verify_policy scx_verdict_free scx_deploy scx_rollback
             scx_status scx_history scx_env_prepare scx_vm_run scx_repo_version_id
             scx_repo_get_object scx_verdict_check scx_result_step scx_write_file scx_path)
    if(NOT scx_core_text MATCHES "[a-z_]+[ *]+${fn}\\([^)]*\\)[ \t\r\n]*{")
      message(STATUS "schedcp-mcp: scx_core does not define ${fn} yet; policy tools left out")
      set(SCX_MCP_HAVE_CORE OFF)
      break()
    endif()
  endforeach()
endif()

set(SCX_MCP_SERVER_SRC ${SCX_MCP_SRC}/mcp_main.c ${SCX_MCP_SRC}/mcp_tools_wae.c)
if(SCX_MCP_HAVE_CORE)
  list(APPEND SCX_MCP_SERVER_SRC ${SCX_MCP_SRC}/mcp_tools_scx.c ${SCX_MCP_SRC}/mcp_tools_eval.c)
endif()
add_executable(schedcp-mcp ${SCX_MCP_SERVER_SRC})
target_link_libraries(schedcp-mcp PRIVATE scx_mcp scx_wae)
if(SCX_MCP_HAVE_CORE)
  target_compile_definitions(schedcp-mcp PRIVATE SCX_MCP_HAVE_CORE=1)
  target_link_libraries(schedcp-mcp PRIVATE scx_core)
endif()
install(TARGETS schedcp-mcp)

# ---- the client, sched-agent ---------------------------------------------------

pkg_check_modules(SCX_MCP_CURL REQUIRED IMPORTED_TARGET libcurl)
add_library(scx_agent_mcp STATIC ${SCX_MCP_SRC}/agent_mcp.c)
target_include_directories(scx_agent_mcp PUBLIC ${SCX_MCP_SRC})
target_link_libraries(scx_agent_mcp PUBLIC PkgConfig::SCX_MCP_JANSSON PkgConfig::SCX_MCP_CURL)

# ---- protocol tests ------------------------------------------------------------

add_executable(scx_mcp_protocol_test ${SCX_MCP_TESTS}/mcp_protocol_test.c)
target_link_libraries(scx_mcp_protocol_test PRIVATE scx_agent_mcp scx_mcp isthmus_testkit)
isthmus_add_test(NAME scx_mcp_protocol TIMEOUT 180
                 COMMAND scx_mcp_protocol_test $<TARGET_FILE:schedcp-mcp>
                         $<TARGET_FILE:scx_wae_workload> ${CMAKE_CURRENT_BINARY_DIR}/mcp-protocol-tmp)

# The JSON-RPC / MCP layer and the schema validator under libFuzzer.
isthmus_add_fuzzer(NAME scx_mcp_fuzz_jsonrpc SOURCES ${SCX_DIR}/fuzz/mcp_fuzz_jsonrpc.c
                   LIBS scx_mcp CORPUS ${SCX_DIR}/fuzz/corpus/mcp_jsonrpc)

# The planners (the deterministic stand-in and the LLM's) and the loop.
add_library(scx_agent STATIC ${SCX_MCP_SRC}/agent_plan.c ${SCX_MCP_SRC}/agent_llm.c)
target_include_directories(scx_agent PUBLIC ${SCX_MCP_SRC})
target_link_libraries(scx_agent PUBLIC isthmus_llm PkgConfig::SCX_MCP_JANSSON m)

add_executable(sched-agent ${SCX_MCP_SRC}/agent_main.c)
target_link_libraries(sched-agent PRIVATE scx_agent scx_agent_mcp)
add_dependencies(sched-agent schedcp-mcp scx_wae_workload)
install(TARGETS sched-agent)

add_executable(scx_agent_plan_test ${SCX_MCP_TESTS}/agent_plan_test.c)
target_link_libraries(scx_agent_plan_test PRIVATE scx_agent isthmus_llm_mock isthmus_testkit)
isthmus_add_test(NAME scx_agent_plan COMMAND scx_agent_plan_test)

# The whole flow through MCP in the sched_ext VM (SKIPPED without qemu or
# the kernel); RUN_SERIAL like the core's VM tests: each boot takes both cores.
add_executable(scx_mcp_flow_test ${SCX_MCP_TESTS}/mcp_flow_test.c)
target_link_libraries(scx_mcp_flow_test PRIVATE scx_agent_mcp scx_mcp isthmus_testkit)
isthmus_add_test(NAME scx_mcp_flow TIMEOUT 900 LABELS root
                 COMMAND scx_mcp_flow_test $<TARGET_FILE:schedcp-mcp>
                         $<TARGET_FILE:scx_wae_workload> ${SCX_DIR}/bpf/fifo.bpf.c
                         ${CMAKE_CURRENT_BINARY_DIR}/mcp-flow-tmp)
set_tests_properties(scx_mcp_flow PROPERTIES RUN_SERIAL TRUE)

# sched-agent against the default scheduler in the VM: ratio and iterations.
isthmus_add_bench(NAME scx_agent_eval
                  COMMAND ${SCX_DIR}/bench/agent_eval.sh $<TARGET_FILE_DIR:sched-agent>)

add_executable(scx_mcp_schema_test ${SCX_MCP_TESTS}/mcp_schema_test.c)
target_link_libraries(scx_mcp_schema_test PRIVATE scx_mcp isthmus_testkit)

add_executable(scx_wae_analyze_test ${SCX_MCP_TESTS}/wae_analyze_test.c)
target_link_libraries(scx_wae_analyze_test PRIVATE scx_wae_analysis isthmus_testkit m)
isthmus_add_test(NAME scx_mcp_schema COMMAND scx_mcp_schema_test)
isthmus_add_test(NAME scx_wae_analyze COMMAND scx_wae_analyze_test
                 ${CMAKE_CURRENT_BINARY_DIR}/wae-analyze-tmp)

# sched-agent end to end through MCP, offline, in the VM (SKIPPED without it).
isthmus_add_test(NAME scx_agent_loop TIMEOUT 900 LABELS root
                 COMMAND sh ${SCX_MCP_TESTS}/agent_loop_test.sh $<TARGET_FILE:sched-agent>
                         $<TARGET_FILE:schedcp-mcp> ${CMAKE_CURRENT_BINARY_DIR}/agent-loop-tmp)
set_tests_properties(scx_agent_loop PROPERTIES RUN_SERIAL TRUE)

# sched-agent's LLM planner end to end through MCP against lib/llm's mock
# OpenAI server; no VM needed (the plans are refused at verification).
add_executable(scx_agent_llm_test ${SCX_MCP_TESTS}/agent_llm_test.c)
target_link_libraries(scx_agent_llm_test PRIVATE isthmus_llm_mock isthmus_testkit m)
add_dependencies(scx_agent_llm_test sched-agent schedcp-mcp)
isthmus_add_test(NAME scx_agent_llm
                 COMMAND scx_agent_llm_test $<TARGET_FILE:sched-agent> $<TARGET_FILE:schedcp-mcp>
                         ${CMAKE_CURRENT_BINARY_DIR}/agent-llm-tmp)
