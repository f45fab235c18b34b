# deploy.cmake: SchedCP's core (docs/schedcp.md): the sched_ext VM harness,
# the policy repository, the Execution Verifier, deployment with rollback
# (the static library scx_core) and the `schedcp` CLI, with their tests.
# Included by schedcp/CMakeLists.txt (SCX_DIR); mcp.cmake adds its sources
# to the targets defined here.
#
# The BPF policies and the guest loader are NOT built here: they must be
# compiled against the sched_ext kernel's BTF and trixie's libbpf 1.5, which
# schedcp/vm/fetch.sh downloads at run time into SCX_CACHE_DIR (the build
# folder, never the repository), so that the build needs no network.
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET openssl)
find_library(SCX_LIBELF elf REQUIRED)

set(SCX_CACHE_DIR ${PROJECT_BINARY_DIR}/schedcp-cache CACHE PATH
    "Where SchedCP keeps the sched_ext kernel, libbpf 1.5 and its tools")
set(SCX_SRC ${SCX_DIR}/src)

add_library(scx_core STATIC
  ${SCX_SRC}/scx_core.c
  ${SCX_SRC}/scx_build.c
  ${SCX_SRC}/scx_result.c
  ${SCX_SRC}/scx_vm.c
  ${SCX_SRC}/scx_static.c
  ${SCX_SRC}/scx_repo.c
  ${SCX_SRC}/scx_verify.c
  ${SCX_SRC}/scx_deploy.c)
target_include_directories(scx_core PUBLIC ${SCX_SRC})
target_compile_definitions(scx_core PRIVATE SCX_DEFAULT_CACHE="${SCX_CACHE_DIR}"
                           SCX_SHARE_DIR="${SCX_DIR}")
target_link_libraries(scx_core PUBLIC PkgConfig::JANSSON PkgConfig::SQLITE3
                      PkgConfig::OPENSSL ${SCX_LIBELF})

add_executable(schedcp ${SCX_SRC}/scx_cli.c)
target_link_libraries(schedcp PRIVATE scx_core)
install(TARGETS schedcp)

# ---- tests --------------------------------------------------------------------

set(SCX_TESTS ${SCX_DIR}/tests)
add_library(scx_testenv STATIC ${SCX_TESTS}/scx_testenv.c)
target_link_libraries(scx_testenv PUBLIC scx_core isthmus_testkit)
target_include_directories(scx_testenv PUBLIC ${SCX_TESTS})
target_compile_definitions(scx_testenv PUBLIC SCX_TEST_CACHE="${SCX_CACHE_DIR}"
                           SCX_TEST_SHARE="${SCX_DIR}")

# Without a VM: the serial-console parser and the repository.
foreach(t result repo)
  add_executable(scx_${t}_test ${SCX_TESTS}/${t}_test.c)
  target_link_libraries(scx_${t}_test PRIVATE scx_testenv)
  isthmus_add_test(NAME scx_${t} COMMAND scx_${t}_test)
endforeach()

isthmus_add_fuzzer(NAME fuzz_scx_result SOURCES ${SCX_TESTS}/fuzz_scx_result.c LIBS scx_core
                   CORPUS ${SCX_TESTS}/corpus/fuzz_scx_result)
isthmus_add_fuzzer(NAME fuzz_scx_meta SOURCES ${SCX_TESTS}/fuzz_scx_meta.c LIBS scx_core
                   CORPUS ${SCX_TESTS}/corpus/fuzz_scx_meta)

# With the sched_ext kernel (fetched into SCX_CACHE_DIR on a first run; they
# print SKIPPED without root, qemu or network): the sandboxed compile and
# static checks, then the VM tests. RUN_SERIAL: each boots qemu on both cores.
foreach(t static deploy reject tamper badvm)
  add_executable(scx_${t}_test ${SCX_TESTS}/${t}_test.c)
  target_link_libraries(scx_${t}_test PRIVATE scx_testenv)
endforeach()
isthmus_add_test(NAME scx_static COMMAND scx_static_test TIMEOUT 900 LABELS root)
isthmus_add_test(NAME scx_vm_deploy COMMAND scx_deploy_test TIMEOUT 900 LABELS root)
foreach(r verifier starve lose)
  isthmus_add_test(NAME scx_reject_${r} COMMAND scx_reject_test ${r} TIMEOUT 600 LABELS root)
endforeach()
isthmus_add_test(NAME scx_reject_tampered COMMAND scx_tamper_test TIMEOUT 600 LABELS root)
isthmus_add_test(NAME scx_vm_badinput COMMAND scx_badvm_test TIMEOUT 600 LABELS root)
set_tests_properties(scx_vm_deploy scx_reject_verifier scx_reject_starve scx_reject_lose
                     scx_reject_tampered scx_vm_badinput PROPERTIES RUN_SERIAL TRUE)

# ---- benchmark ----------------------------------------------------------------

add_executable(scx_bench_makespan ${SCX_DIR}/bench/makespan.c)
target_link_libraries(scx_bench_makespan PRIVATE scx_core)
target_compile_definitions(scx_bench_makespan PRIVATE SCX_DEFAULT_CACHE="${SCX_CACHE_DIR}"
                           SCX_SHARE_DIR="${SCX_DIR}")
isthmus_add_bench(NAME scx_makespan COMMAND $<TARGET_FILE:scx_bench_makespan>)

isthmus_add_test(NAME scx_cli COMMAND sh ${SCX_TESTS}/cli_test.sh $<TARGET_FILE:schedcp>)

# make demo: seed, verify, deploy and roll back a policy in the sched_ext VM.
isthmus_add_demo(NAME schedcp COMMAND ${SCX_DIR}/demo.sh ${PROJECT_BINARY_DIR})
