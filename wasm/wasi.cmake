# wasi.cmake: WASI preview 1 (the library isthmus_wasi), the `vessel` command,
# the guest programs checked against their native builds, the SQLite
# workload and bench/ (docs/wasm-wasi.md). Included by wasm/CMakeLists.txt
# after runtime.cmake, which defines isthmus_wasm.
set(WASI_DIR ${CMAKE_CURRENT_SOURCE_DIR})
set(WASI_GUESTS ${WASI_DIR}/tests/guests)

# ---- the library and the command ----------------------------------------------

add_library(isthmus_wasi STATIC
  ${WASI_DIR}/src/wasi.c
  ${WASI_DIR}/src/wasi_fs.c
  ${WASI_DIR}/src/wasi_path.c)
target_include_directories(isthmus_wasi PUBLIC ${WASI_DIR}/src ${WASI_DIR}/include)

# The WASI unit test drives every host function through a stand-in for the
# few runtime calls WASI makes (guest memory, exit, registration), so it
# needs no interpreter: the same sources, without isthmus_wasm.
add_executable(wasi_unit_test ${WASI_GUESTS}/unit/wasi_unit_test.c
  ${WASI_DIR}/src/wasi.c ${WASI_DIR}/src/wasi_fs.c ${WASI_DIR}/src/wasi_path.c)
target_include_directories(wasi_unit_test PRIVATE ${WASI_DIR}/src ${WASI_DIR}/include)
target_link_libraries(wasi_unit_test PRIVATE isthmus_testkit)
isthmus_add_test(NAME wasi_unit COMMAND wasi_unit_test)

set(WASI_HAVE_RUNTIME OFF)
if(TARGET isthmus_wasm)
  set(WASI_HAVE_RUNTIME ON)
  target_link_libraries(isthmus_wasi PUBLIC isthmus_wasm)
  add_executable(vessel ${WASI_DIR}/src/cli.c)
  target_link_libraries(vessel PRIVATE isthmus_wasi isthmus_wasm)
  install(TARGETS vessel)
endif()
# The path sandbox parses what a guest passes: fuzzed with paths against a
# folder salted with links that point out; any escape or leaked fd aborts.
if(WASI_HAVE_RUNTIME)
  isthmus_add_fuzzer(NAME fuzz_wasi_path SOURCES ${WASI_GUESTS}/unit/fuzz_wasi_path.c
                     LIBS isthmus_wasi CORPUS ${WASI_GUESTS}/unit/corpus/fuzz_wasi_path)
  target_include_directories(fuzz_wasi_path PRIVATE ${WASI_DIR}/src)
endif()
# (The vessel command's own test, cli_test.sh, is registered after the
# guests it runs.)

# ---- guests -------------------------------------------------------------------

# wasi_native_guest(NAME SOURCES src... [CFLAGS ...] [LIBS ...])
# The native twin of a Wasm guest, built with the same optimisation and
# without the project's sanitizer flags: like the Wasm build it is input to
# the runtime's tests, not part of the code under test (a trapping guest must
# die of its signal, not of a sanitizer report).
function(wasi_native_guest name)
  cmake_parse_arguments(G "" "" "SOURCES;CFLAGS;LIBS" ${ARGN})
  set(srcs "")
  foreach(s IN LISTS G_SOURCES)
    get_filename_component(abs ${s} ABSOLUTE)
    list(APPEND srcs ${abs})
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_C_COMPILER} -O2 -std=gnu17 -Wall -Wextra -Werror ${G_CFLAGS} ${srcs}
            -o ${out} ${G_LIBS} -lm
    DEPENDS ${srcs}
    COMMENT "native guest ${name}"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out})
  set_target_properties(${name} PROPERTIES NATIVE_FILE ${out})
endfunction()

# name|run_guest.sh options|arguments|engines that match native (lists
# within a field are separated by commas)
# "node" in the last column: Node.js's WASI (uvwasi) runs the guest exactly as
# the native build does, so the test wasi_node_<name> checks the guest itself
# against an engine independent of Isthmus. Where it is missing, uvwasi
# departs from POSIX (the reason is in docs/wasm-wasi.md).
set(WASI_GUEST_LIST
  "args||hello,two words,ünïcode,x=y|node"
  "env|--env,GUEST_GREETING=hi,--env,LANGUAGE=x||node"
  "stdin_wc|--stdin,${WASI_GUESTS}/data/stdin.txt||node"
  "stdio|||node"
  "files|--workdir||node"
  "dirs|--workdir||node"
  "stat|--workdir||"
  "symlinks|--workdir||"
  "clocks|||"
  "random|||node"
  "malloc|||"
  "recursion|||node"
  "trap_div|--trap||node"
  "trap_unreachable|--trap||node"
  "trap_oob|--trap||node"
  "stack_overflow|--trap||node"
  "exit_code||7|node"
  "sorting|||node"
  "floats|||node"
  "strings|||node"
  "poll|--workdir||"
  "sieve|||node"
  "matrix|||node"
  "hashing|||node"
  "fdops|--workdir||"
  "tty|||node")

foreach(entry IN LISTS WASI_GUEST_LIST)
  # An empty field between two '|' vanishes from a CMake list: split by hand.
  string(FIND "${entry}" "|" p1)
  string(SUBSTRING "${entry}" 0 ${p1} name)
  math(EXPR p1 "${p1} + 1")
  string(SUBSTRING "${entry}" ${p1} -1 rest)
  string(FIND "${rest}" "|" p2)
  string(SUBSTRING "${rest}" 0 ${p2} opts)
  math(EXPR p2 "${p2} + 1")
  string(SUBSTRING "${rest}" ${p2} -1 rest)
  string(FIND "${rest}" "|" p3)
  string(SUBSTRING "${rest}" 0 ${p3} args)
  math(EXPR p3 "${p3} + 1")
  string(SUBSTRING "${rest}" ${p3} -1 engines)
  string(REPLACE "," ";" opts "${opts}")
  string(REPLACE "," ";" args "${args}")

  set(src ${WASI_GUESTS}/${name}.c)
  isthmus_add_wasm_guest(wasi_guest_${name} SOURCES ${src})
  wasi_native_guest(wasi_native_${name} SOURCES ${src})
  set(cmd ${WASI_GUESTS}/run_guest.sh ${opts})
  if("node" IN_LIST engines)
    isthmus_add_test(NAME wasi_node_${name}
      COMMAND ${cmd} node $<TARGET_PROPERTY:wasi_native_${name},NATIVE_FILE>
              $<TARGET_PROPERTY:wasi_guest_${name},WASM_FILE> ${args}
      LABELS wasi)
  endif()
  if(WASI_HAVE_RUNTIME)
    isthmus_add_test(NAME wasi_guest_${name}
      COMMAND ${cmd} $<TARGET_FILE:vessel> $<TARGET_PROPERTY:wasi_native_${name},NATIVE_FILE>
              $<TARGET_PROPERTY:wasi_guest_${name},WASM_FILE> ${args}
      LABELS wasi)
  endif()
endforeach()

# A guest blocked in a WASI read must give way to a stop request and finish
# when resumed (wasi_stop_test runs it on a thread).
isthmus_add_wasm_guest(wasi_guest_stop_reader SOURCES ${WASI_GUESTS}/stop_reader.c)
if(WASI_HAVE_RUNTIME)
  find_package(Threads REQUIRED)
  add_executable(wasi_stop_test ${WASI_GUESTS}/unit/wasi_stop_test.c)
  target_link_libraries(wasi_stop_test PRIVATE isthmus_wasi isthmus_wasm isthmus_testkit
                        Threads::Threads)
  isthmus_add_test(NAME wasi_stop
    COMMAND wasi_stop_test $<TARGET_PROPERTY:wasi_guest_stop_reader,WASM_FILE>
    TIMEOUT 60 LABELS wasi)
endif()

# A hostile guest (Wasm only) that calls WASI directly to get out of its
# preopened folder; hostile_test.sh checks the guest's and the host's side.
isthmus_add_wasm_guest(wasi_hostile_escape SOURCES ${WASI_GUESTS}/hostile/escape.c)
if(WASI_HAVE_RUNTIME)
  isthmus_add_test(NAME wasi_hostile
    COMMAND ${WASI_GUESTS}/hostile/hostile_test.sh $<TARGET_FILE:vessel>
            $<TARGET_PROPERTY:wasi_hostile_escape,WASM_FILE>
    LABELS wasi)
  isthmus_add_test(NAME wasi_cli
    COMMAND ${WASI_GUESTS}/cli/cli_test.sh $<TARGET_FILE:vessel> ${CMAKE_CURRENT_BINARY_DIR}
    LABELS wasi)
endif()

# ---- the SQLite workload --------------------------------------------------------

# better-sqlite3's amalgamation, fetched with npm pack into the build folder
# and built once for both sides (tests/guests/sqlite/build.sh); SKIPPED when
# the npm registry cannot be reached.
set(WASI_SQLITE_DIR ${CMAKE_CURRENT_BINARY_DIR}/sqlite)
isthmus_add_test(NAME wasi_sqlite_node
  COMMAND ${WASI_GUESTS}/sqlite/sqlite_test.sh node ${WASI_SQLITE_DIR} ${CMAKE_C_COMPILER}
          ${ISTHMUS_WASM_CLANG} 20000
  TIMEOUT 900 LABELS wasi)
if(WASI_HAVE_RUNTIME)
  isthmus_add_test(NAME wasi_sqlite
    COMMAND ${WASI_GUESTS}/sqlite/sqlite_test.sh $<TARGET_FILE:vessel> ${WASI_SQLITE_DIR}
            ${CMAKE_C_COMPILER} ${ISTHMUS_WASM_CLANG} 20000
    TIMEOUT 900 LABELS wasi)
endif()

# ---- bench/ -------------------------------------------------------------------

# Compute kernels (integer, floating point, memory-bound, call-heavy) built
# with -O2 on both sides; bench/run.sh times them and the SQLite workload
# natively and under vessel and prints the wasm/native ratios. The Wasm side
# uses the Wasm 2.0 features that current LLVM enables for wasm32 by default
# (Debian's clang 14 still defaults to Wasm 1.0): bulk memory, so that
# memcpy/memset of variable length become memory.copy/memory.fill,
# non-trapping float-to-int and sign extension. The runtime implements all
# three; tests/guests/sqlite/build.sh builds SQLite with the same set.
set(WASI_BENCH_FEATURES -mbulk-memory -mnontrapping-fptoint -msign-ext)
foreach(k sieve nbody matmul memsort calls)
  isthmus_add_wasm_guest(wasi_bench_${k} SOURCES ${WASI_DIR}/bench/${k}.c
                         CFLAGS ${WASI_BENCH_FEATURES})
  wasi_native_guest(wasi_bench_native_${k} SOURCES ${WASI_DIR}/bench/${k}.c)
  # run.sh finds both as wasi_bench_<k>[.wasm] in the binary folder.
  add_custom_command(TARGET wasi_bench_native_${k} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_PROPERTY:wasi_bench_native_${k},NATIVE_FILE>
            ${CMAKE_CURRENT_BINARY_DIR}/wasi_bench_${k}
    VERBATIM)
endforeach()
if(WASI_HAVE_RUNTIME)
  isthmus_add_bench(NAME wasm_vs_native
    COMMAND ${WASI_DIR}/bench/run.sh $<TARGET_FILE:vessel> ${CMAKE_CURRENT_BINARY_DIR}
            ${WASI_SQLITE_DIR} ${CMAKE_C_COMPILER} ${ISTHMUS_WASM_CLANG})
endif()
