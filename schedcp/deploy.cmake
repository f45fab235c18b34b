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
