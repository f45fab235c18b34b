# Core: the event model and the engine that turns kernel records into events,
# HTTP messages and LLM exchanges.
add_library(as_core STATIC src/event.c)
target_include_directories(as_core PUBLIC ${AS_SRC})
target_link_libraries(as_core PUBLIC as_llmapi as_proto PkgConfig::JANSSON)
