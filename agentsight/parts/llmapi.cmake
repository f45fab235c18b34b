# llmapi: AgentSight's readers of LLM API bodies (OpenAI chat completions,
# OpenAI responses, Anthropic messages) into the exchange model, and the
# redaction of credentials before anything is stored. Included by
# agentsight/CMakeLists.txt, where AS_SRC and PkgConfig::JANSSON are defined.
add_library(as_llmapi STATIC
  ${AS_SRC}/llmapi.c
  ${AS_SRC}/llmapi_openai_chat.c
  ${AS_SRC}/llmapi_openai_responses.c
  ${AS_SRC}/llmapi_anthropic.c
  ${AS_SRC}/llmapi_stream.c
  ${AS_SRC}/llmapi_json.c
  ${AS_SRC}/llmapi_cost.c
  ${AS_SRC}/redact.c)
target_include_directories(as_llmapi PUBLIC ${AS_SRC})
target_link_libraries(as_llmapi PUBLIC PkgConfig::JANSSON)

get_filename_component(AS_LLMAPI_TESTS ${CMAKE_CURRENT_LIST_DIR}/../tests/llmapi ABSOLUTE)

# Tests: each program reads its fixtures from the data folder given to it.
foreach(t detect openai_chat openai_responses anthropic agent malformed json redact)
  add_executable(as_llmapi_${t}_test ${AS_LLMAPI_TESTS}/${t}_test.c ${AS_LLMAPI_TESTS}/fixture.c)
  target_link_libraries(as_llmapi_${t}_test PRIVATE as_llmapi isthmus_testkit m)
  isthmus_add_test(NAME as_llmapi_${t} COMMAND as_llmapi_${t}_test ${AS_LLMAPI_TESTS}/data)
endforeach()

isthmus_add_fuzzer(NAME fuzz_as_llm_request SOURCES ${AS_LLMAPI_TESTS}/fuzz_as_llm_request.c
                   LIBS as_llmapi CORPUS ${AS_LLMAPI_TESTS}/corpus/fuzz_as_llm_request)
isthmus_add_fuzzer(NAME fuzz_as_llm_stream SOURCES ${AS_LLMAPI_TESTS}/fuzz_as_llm_stream.c
                   LIBS as_llmapi CORPUS ${AS_LLMAPI_TESTS}/corpus/fuzz_as_llm_stream)
isthmus_add_fuzzer(NAME fuzz_as_redact SOURCES ${AS_LLMAPI_TESTS}/fuzz_as_redact.c
                   LIBS as_llmapi CORPUS ${AS_LLMAPI_TESTS}/corpus/fuzz_as_redact)
