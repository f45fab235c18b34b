# Core: the event model and the engine that turns kernel records into events,
# HTTP messages and LLM exchanges.
add_library(as_core STATIC src/event.c src/engine.c src/hmap.c)
target_include_directories(as_core PUBLIC ${AS_SRC} ${CMAKE_CURRENT_SOURCE_DIR}/bpf)
target_link_libraries(as_core PUBLIC as_llmapi as_proto PkgConfig::JANSSON)

add_executable(as_engine_test tests/engine/engine_test.c)
target_include_directories(as_engine_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/bpf)
target_link_libraries(as_engine_test PRIVATE as_core isthmus_testkit ZLIB::ZLIB)
isthmus_add_test(NAME as_engine COMMAND as_engine_test)

# The command line.
add_executable(agentsight src/main.c src/session.c)
target_link_libraries(agentsight PRIVATE as_capture as_core as_store)
install(TARGETS agentsight)
