# AgentSight's end-to-end test environment (tests/env/, see its README.md): a
# mock HTTPS LLM server and scripted agents over several TLS stacks, and the
# as_env_* tests that prove the environment works on its own, before any
# AgentSight code watches it.
find_package(Threads REQUIRED)
set(AS_ENV ${CMAKE_CURRENT_SOURCE_DIR}/tests/env)

# The scripted model and the server around it.
add_library(as_env_mock STATIC ${AS_ENV}/mock.c)
target_include_directories(as_env_mock PUBLIC ${AS_ENV})
target_link_libraries(as_env_mock PUBLIC PkgConfig::JANSSON)

add_executable(mockllm ${AS_ENV}/mockllm.c)
target_link_libraries(mockllm PRIVATE as_env_mock PkgConfig::MHD Threads::Threads)

# What the agents share: the tool loop, the HTTP/1.1 client, TCP connect.
add_library(as_env_agent STATIC ${AS_ENV}/agent_core.c ${AS_ENV}/h1client.c ${AS_ENV}/tcp.c)
target_include_directories(as_env_agent PUBLIC ${AS_ENV})
target_link_libraries(as_env_agent PUBLIC PkgConfig::JANSSON)

# The agents, one per TLS stack.
add_executable(agent_gnutls ${AS_ENV}/agent_gnutls.c)
target_link_libraries(agent_gnutls PRIVATE as_env_agent PkgConfig::GNUTLS)

# OpenSSL linked in from libssl.a and libcrypto.a, then a stripped copy: the
# agent AgentSight must find SSL_write in without symbols or libssl.so.
find_library(AS_ENV_LIBSSL_A NAMES libssl.a REQUIRED)
find_library(AS_ENV_LIBCRYPTO_A NAMES libcrypto.a REQUIRED)
add_executable(agent_static ${AS_ENV}/agent_static.c)
target_include_directories(agent_static PRIVATE ${OPENSSL_INCLUDE_DIRS})
target_link_libraries(agent_static PRIVATE as_env_agent ${AS_ENV_LIBSSL_A} ${AS_ENV_LIBCRYPTO_A}
                      Threads::Threads ${CMAKE_DL_LIBS})
add_custom_command(TARGET agent_static POST_BUILD
                   COMMAND ${CMAKE_STRIP} -o $<TARGET_FILE_DIR:agent_static>/agent_static_stripped
                           $<TARGET_FILE:agent_static>
                   BYPRODUCTS ${CMAKE_CURRENT_BINARY_DIR}/agent_static_stripped
                   COMMENT "Stripping agent_static into agent_static_stripped")

# The curl CLI agent is a bash script; its JSON goes through agent_json, which
# it looks for beside itself, so the script is copied next to the helper.
add_executable(agent_json ${AS_ENV}/agent_json.c)
target_link_libraries(agent_json PRIVATE as_env_agent)
configure_file(${AS_ENV}/agent_curl.sh ${CMAKE_CURRENT_BINARY_DIR}/agent_curl.sh COPYONLY)

# ---- tests ---------------------------------------------------------------
set(AS_ENV_CERTS ${CMAKE_CURRENT_BINARY_DIR}/env-certs)
set(AS_ENV_TMP ${CMAKE_CURRENT_BINARY_DIR}/env-tmp)

# The test CA and server certificate, made with the openssl CLI at test time
# (never committed); every test that serves HTTPS needs this fixture.
isthmus_add_test(NAME as_env_cert COMMAND ${AS_ENV}/gen-cert.sh ${AS_ENV_CERTS})
set_tests_properties(as_env_cert PROPERTIES FIXTURES_SETUP as_env_cert)

add_executable(as_env_e2e_test ${AS_ENV}/e2e_test.c ${CMAKE_CURRENT_SOURCE_DIR}/tests/e2e/record_checks.c)
target_include_directories(as_env_e2e_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/tests/e2e)
target_link_libraries(as_env_e2e_test PRIVATE isthmus_testkit PkgConfig::JANSSON)

# as_env_e2e(AGENT API STREAM SCENARIO): server + one agent on one scenario.
set(AS_ENV_AGENT_curl ${CMAKE_CURRENT_BINARY_DIR}/agent_curl.sh)
set(AS_ENV_EXPECT_curl --expect-length)
set(AS_ENV_AGENT_gnutls $<TARGET_FILE:agent_gnutls>)
set(AS_ENV_EXPECT_gnutls --expect-chunked --expect-one-connection --expect-record-per-event)
set(AS_ENV_AGENT_node node ${AS_ENV}/agent_node.mjs)
set(AS_ENV_EXPECT_node)
set(AS_ENV_AGENT_static $<TARGET_FILE:agent_static>)
set(AS_ENV_EXPECT_static --expect-length --expect-one-connection --expect-record-per-event)
set(AS_ENV_AGENT_stripped $<TARGET_FILE_DIR:agent_static>/agent_static_stripped)
set(AS_ENV_EXPECT_stripped ${AS_ENV_EXPECT_static})
function(as_env_e2e agent api stream scenario)
  set(name as_env_e2e_${agent}_${api}_${stream}_${scenario})
  if(stream STREQUAL "stream")
    set(flag --stream)
  else()
    set(flag --no-stream)
  endif()
  isthmus_add_test(NAME ${name} TIMEOUT 120
                   COMMAND $<TARGET_FILE:as_env_e2e_test> --mockllm $<TARGET_FILE:mockllm>
                           --scenarios ${AS_ENV}/scenarios --certs ${AS_ENV_CERTS}
                           --tmp ${AS_ENV_TMP}/${name} --scenario ${scenario} --api ${api} ${flag}
                           ${AS_ENV_EXPECT_${agent}} -- ${AS_ENV_AGENT_${agent}})
  set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED as_env_cert)
endfunction()
foreach(agent curl gnutls node static stripped)
  foreach(stream stream nostream)
    foreach(scenario basic loop injection)
      as_env_e2e(${agent} openai ${stream} ${scenario})
    endforeach()
    as_env_e2e(${agent} anthropic ${stream} basic)
  endforeach()
endforeach()
foreach(agent gnutls node)
  foreach(stream stream nostream)
    as_env_e2e(${agent} anthropic ${stream} loop)
    as_env_e2e(${agent} anthropic ${stream} injection)
  endforeach()
endforeach()

# Unit tests of the pieces, on documented examples and broken input.
add_executable(as_env_agent_core_test ${AS_ENV}/agent_core_test.c)
target_link_libraries(as_env_agent_core_test PRIVATE as_env_agent isthmus_testkit)
isthmus_add_test(NAME as_env_agent_core COMMAND as_env_agent_core_test ${AS_ENV}/corpus/reply)

# Fuzz targets: every parser of outside input (replies, scenarios and
# request bodies, HTTP/1.1 responses).
isthmus_add_fuzzer(NAME as_env_fuzz_reply SOURCES ${AS_ENV}/fuzz_reply.c LIBS as_env_agent
                   CORPUS ${AS_ENV}/corpus/reply)
isthmus_add_fuzzer(NAME as_env_fuzz_mock SOURCES ${AS_ENV}/fuzz_mock.c LIBS as_env_mock
                   CORPUS ${AS_ENV}/corpus/mock)
isthmus_add_fuzzer(NAME as_env_fuzz_h1 SOURCES ${AS_ENV}/fuzz_h1.c LIBS as_env_agent
                   CORPUS ${AS_ENV}/corpus/h1)

add_executable(as_env_mock_test ${AS_ENV}/mock_test.c)
target_link_libraries(as_env_mock_test PRIVATE as_env_mock isthmus_testkit)
isthmus_add_test(NAME as_env_mock COMMAND as_env_mock_test)

add_executable(as_env_h1client_test ${AS_ENV}/h1client_test.c)
target_link_libraries(as_env_h1client_test PRIVATE as_env_agent isthmus_testkit)
isthmus_add_test(NAME as_env_h1client COMMAND as_env_h1client_test)

isthmus_add_test(NAME as_env_mockllm
                 COMMAND ${AS_ENV}/mockllm_test.sh $<TARGET_FILE:mockllm> ${AS_ENV_CERTS}
                         ${AS_ENV}/scenarios ${AS_ENV_TMP}/as_env_mockllm)
set_tests_properties(as_env_mockllm PROPERTIES FIXTURES_REQUIRED as_env_cert)
isthmus_add_test(NAME as_env_static_symbols
                 COMMAND ${AS_ENV}/static_symbols_test.sh $<TARGET_FILE:agent_static>
                         $<TARGET_FILE_DIR:agent_static>/agent_static_stripped)
