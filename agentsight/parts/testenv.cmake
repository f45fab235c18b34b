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
