# Core: the event model and the engine that turns kernel records into events,
# HTTP messages and LLM exchanges.
add_library(as_core STATIC src/event.c src/engine.c src/hmap.c src/raw.c)
target_include_directories(as_core PUBLIC ${AS_SRC} ${CMAKE_CURRENT_SOURCE_DIR}/bpf)
target_link_libraries(as_core PUBLIC as_llmapi as_proto PkgConfig::JANSSON)

add_executable(as_engine_test tests/engine/engine_test.c)
target_include_directories(as_engine_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/bpf)
target_link_libraries(as_engine_test PRIVATE as_core isthmus_testkit ZLIB::ZLIB)
isthmus_add_test(NAME as_engine COMMAND as_engine_test)

# The command line.
add_executable(agentsight src/main.c src/session.c src/analyze.c src/textfmt.c)
target_link_libraries(agentsight PRIVATE as_capture as_core as_store as_correlate isthmus_llm)
install(TARGETS agentsight)

# End to end, as root: agentsight record around the scripted agents of
# tests/env against mockllm, checked by tests/e2e/record_checks.c.
function(as_record_e2e agent api stream scenario)
  set(name as_record_${agent}_${api}_${stream}_${scenario})
  if(stream STREQUAL "stream")
    set(flag --stream)
  else()
    set(flag --no-stream)
  endif()
  isthmus_add_test(NAME ${name} TIMEOUT 180 LABELS bpf root
                   COMMAND $<TARGET_FILE:as_env_e2e_test> --mockllm $<TARGET_FILE:mockllm>
                           --scenarios ${AS_ENV}/scenarios --certs ${AS_ENV_CERTS}
                           --tmp ${AS_ENV_TMP}/${name} --scenario ${scenario} --api ${api} ${flag}
                           --record $<TARGET_FILE:agentsight> -- ${AS_ENV_AGENT_${agent}})
  set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED as_env_cert)
endfunction()
foreach(agent curl gnutls node static stripped)
  foreach(stream stream nostream)
    as_record_e2e(${agent} openai ${stream} basic)
  endforeach()
endforeach()
foreach(agent curl node)
  foreach(stream stream nostream)
    as_record_e2e(${agent} openai ${stream} loop)
    as_record_e2e(${agent} openai ${stream} injection)
  endforeach()
endforeach()
as_record_e2e(gnutls anthropic stream basic)
as_record_e2e(node anthropic stream basic)

isthmus_add_bench(NAME agentsight_overhead
                  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/bench/overhead.sh ${PROJECT_BINARY_DIR})

isthmus_add_fuzzer(NAME fuzz_as_replay SOURCES tests/engine/fuzz_replay.c LIBS as_core
                   CORPUS tests/engine/corpus/fuzz_as_replay)

isthmus_add_test(NAME as_trace_filter LABELS bpf root TIMEOUT 120
                 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/e2e/trace_filter_test.sh
                         $<TARGET_FILE:agentsight> ${CMAKE_CURRENT_BINARY_DIR}/trace-filter-tmp)

isthmus_add_test(NAME as_analyze TIMEOUT 60
                 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/e2e/analyze_test.sh
                         $<TARGET_FILE:agentsight> $<TARGET_FILE:mockllm> ${AS_ENV_CERTS}
                         ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/analyze-tmp)
set_tests_properties(as_analyze PROPERTIES FIXTURES_REQUIRED as_env_cert)

isthmus_add_test(NAME as_record_http2 LABELS bpf root TIMEOUT 60
                 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/e2e/h2_capture_test.sh
                         $<TARGET_FILE:agentsight> ${AS_ENV_CERTS}
                         ${CMAKE_CURRENT_BINARY_DIR}/h2-tmp)
set_tests_properties(as_record_http2 PROPERTIES FIXTURES_REQUIRED as_env_cert)
