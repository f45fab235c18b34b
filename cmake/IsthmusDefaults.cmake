# Project-wide compiler settings and the registration of tests, fuzz targets,
# demos and benchmarks.
#
# Every target in the tree gets C17 with -Wall -Wextra -Werror. ISTHMUS_SANITIZE
# builds everything under AddressSanitizer + UndefinedBehaviorSanitizer (make
# test SAN=1); ISTHMUS_FUZZ builds with clang for libFuzzer (make fuzz). Demos,
# benchmarks and fuzzers are written to lists in the build folder, which
# scripts/run-registered runs for make demo, make bench and make fuzz.

set(CMAKE_C_STANDARD 17)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

option(ISTHMUS_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(ISTHMUS_FUZZ "Build fuzz targets for libFuzzer (needs clang)" OFF)

add_compile_options(-Wall -Wextra -Werror)
# The project's code is written for glibc on Linux; ask for its full API.
add_compile_definitions(_GNU_SOURCE)

if(ISTHMUS_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ISTHMUS_FUZZ needs clang (configure with CC=clang; make fuzz does)")
  endif()
  # Everything gets coverage and sanitizers; only fuzz targets link libFuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(ISTHMUS_SANITIZE)
  set(ISTHMUS_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  add_compile_options(${ISTHMUS_SANITIZE_FLAGS})
  add_link_options(${ISTHMUS_SANITIZE_FLAGS})
endif()

# Environment for every test: sanitizers stop at the first error and say where.
set(ISTHMUS_TEST_ENV
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
    "ISTHMUS_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    "ISTHMUS_BINARY_DIR=${PROJECT_BINARY_DIR}")

# isthmus_add_test(NAME name COMMAND cmd... [WORKING_DIRECTORY dir] [TIMEOUT s]
#                  [LABELS l...] [ENVIRONMENT K=V...])
# A test exits 0 on success and 77 when it cannot run on this machine, after
# printing a line "SKIPPED: <reason>" (lib/testkit does both).
function(isthmus_add_test)
  cmake_parse_arguments(T "" "NAME;WORKING_DIRECTORY;TIMEOUT" "COMMAND;LABELS;ENVIRONMENT" ${ARGN})
  if(NOT T_NAME OR NOT T_COMMAND)
    message(FATAL_ERROR "isthmus_add_test needs NAME and COMMAND")
  endif()
  if(NOT T_WORKING_DIRECTORY)
    set(T_WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_COMMAND} WORKING_DIRECTORY ${T_WORKING_DIRECTORY})
  set_tests_properties(${T_NAME} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT ${T_TIMEOUT}
                       ENVIRONMENT "${ISTHMUS_TEST_ENV};${T_ENVIRONMENT}")
  if(T_LABELS)
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()

# Quote one argument for a POSIX shell.
function(_isthmus_shell_quote out arg)
  string(REPLACE "'" "'\\''" arg "${arg}")
  set(${out} "'${arg}'" PARENT_SCOPE)
endfunction()

# _isthmus_register(KIND NAME name COMMAND cmd... [WORKING_DIRECTORY dir])
# Appends one line "name<TAB>dir<TAB>shell command" to the KIND list.
# Generator expressions such as $<TARGET_FILE:x> are allowed in COMMAND. As
# everywhere in CMake, a ";" inside an argument splits it into two.
function(_isthmus_register kind)
  cmake_parse_arguments(R "" "NAME;WORKING_DIRECTORY" "COMMAND" ${ARGN})
  if(NOT R_NAME OR NOT R_COMMAND)
    message(FATAL_ERROR "isthmus_add_${kind} needs NAME and COMMAND")
  endif()
  if(NOT R_WORKING_DIRECTORY)
    set(R_WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  set(line "")
  foreach(arg IN LISTS R_COMMAND)
    _isthmus_shell_quote(q "${arg}")
    string(APPEND line " ${q}")
  endforeach()
  string(STRIP "${line}" line)
  set_property(GLOBAL APPEND PROPERTY ISTHMUS_${kind}_LINES
               "${R_NAME}\t${R_WORKING_DIRECTORY}\t${line}")
endfunction()

# isthmus_add_fuzzer(NAME name SOURCES src... [LIBS lib...] CORPUS dir)
# A libFuzzer target: SOURCES define LLVMFuzzerTestOneInput. In ordinary builds
# the target links lib/testkit/fuzz_replay.c and the test NAME replays every
# file in CORPUS (the seeds kept in the repository); with ISTHMUS_FUZZ it links
# libFuzzer and make fuzz runs it from those seeds.
function(isthmus_add_fuzzer)
  cmake_parse_arguments(F "" "NAME;CORPUS" "SOURCES;LIBS" ${ARGN})
  if(NOT F_NAME OR NOT F_SOURCES OR NOT F_CORPUS)
    message(FATAL_ERROR "isthmus_add_fuzzer needs NAME, SOURCES and CORPUS")
  endif()
  get_filename_component(corpus ${F_CORPUS} ABSOLUTE)
  add_executable(${F_NAME} ${F_SOURCES})
  target_link_libraries(${F_NAME} PRIVATE ${F_LIBS})
  if(ISTHMUS_FUZZ)
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    _isthmus_register(fuzz NAME ${F_NAME}
                      COMMAND ${PROJECT_SOURCE_DIR}/scripts/fuzz-one $<TARGET_FILE:${F_NAME}>
                              ${corpus} ${CMAKE_CURRENT_BINARY_DIR}/fuzz-${F_NAME})
  else()
    target_link_libraries(${F_NAME} PRIVATE isthmus_fuzz_replay)
    isthmus_add_test(NAME ${F_NAME} COMMAND ${F_NAME} ${corpus} LABELS fuzz)
  endif()
endfunction()

# isthmus_add_demo(NAME system COMMAND cmd... [WORKING_DIRECTORY dir])
# The main job of a system on built-in defaults; make demo runs each in turn.
function(isthmus_add_demo)
  _isthmus_register(demo ${ARGN})
endfunction()

# isthmus_add_bench(NAME name COMMAND cmd... [WORKING_DIRECTORY dir])
# A benchmark that prints a ratio against a peer or baseline; make bench runs them.
function(isthmus_add_bench)
  _isthmus_register(bench ${ARGN})
endfunction()

# Writes build/registered/{demo,bench,fuzz}.list; called once, at the end of the top
# CMakeLists.txt, after every folder has registered its entries.
function(isthmus_write_registered)
  foreach(kind demo bench fuzz)
    get_property(lines GLOBAL PROPERTY ISTHMUS_${kind}_LINES)
    set(content "")
    foreach(line IN LISTS lines)
      string(APPEND content "${line}\n")
    endforeach()
    file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/registered/${kind}.list CONTENT "${content}")
  endforeach()
endfunction()
