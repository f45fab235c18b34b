# correlate: AgentSight's process table, live correlation engine and
# detectors (prompt injection, reasoning loops, resource waste, coordination
# stalls) as the static library as_correlate, with their tests and fuzz
# target. Included by agentsight/CMakeLists.txt, which sets AS_SRC.
add_library(as_correlate STATIC
  ${AS_SRC}/proctable.c
  ${AS_SRC}/corr_match.c
  ${AS_SRC}/correlate.c
  ${AS_SRC}/detect_scan.c
  ${AS_SRC}/detect.c)
target_include_directories(as_correlate PUBLIC ${AS_SRC})
target_link_libraries(as_correlate PUBLIC as_core PkgConfig::JANSSON m)

set(AS_CORR_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/correlate)
add_library(as_correlate_harness STATIC ${AS_CORR_TESTS}/harness.c)
target_include_directories(as_correlate_harness PUBLIC ${AS_CORR_TESTS})
target_link_libraries(as_correlate_harness PUBLIC as_correlate isthmus_testkit)

foreach(t proctable match links detect bounded)
  add_executable(as_correlate_${t}_test ${AS_CORR_TESTS}/${t}_test.c)
  target_link_libraries(as_correlate_${t}_test PRIVATE as_correlate_harness)
  isthmus_add_test(NAME as_correlate_${t} COMMAND as_correlate_${t}_test)
endforeach()

isthmus_add_fuzzer(NAME fuzz_as_correlate SOURCES ${AS_CORR_TESTS}/fuzz_as_correlate.c
                   LIBS as_correlate CORPUS ${AS_CORR_TESTS}/corpus/fuzz_as_correlate)
