# ECM from online impedance (arXiv 2402.07777), docs/bms.md. Included by
# bms/CMakeLists.txt before coretemp.cmake.
#
#   bms_core   the heap-free microcontroller core: every core/*.c (the
#              coretemp part's ct_*.c files join through the glob)
#   bms_host   the host library in src/ (circuit strings, instrument
#              readers, Lin-KK, plots, the cell plant, validation); coretemp
#              adds its sources with target_sources(bms_host PRIVATE ...)
#   bms        the CLI (src/cli.c)
# plus the tests (bms_ecm_*), fuzz targets, the Cortex-M4 size build, the
# benchmark and the demo.
pkg_check_modules(BMS_JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(BMS_CAIRO REQUIRED IMPORTED_TARGET cairo)
# fontconfig: only to free its caches at exit (clean leak checks)
pkg_check_modules(BMS_FONTCONFIG REQUIRED IMPORTED_TARGET fontconfig)

file(GLOB BMS_CORE_SOURCES CONFIGURE_DEPENDS ${BMS_DIR}/core/*.c)
file(GLOB BMS_ECM_CORE_SOURCES CONFIGURE_DEPENDS ${BMS_DIR}/core/bms_*.c)
add_library(bms_core STATIC ${BMS_CORE_SOURCES})
target_include_directories(bms_core PUBLIC ${BMS_DIR}/core)
target_link_libraries(bms_core PUBLIC m)

# The same core in single precision, as the microcontroller runs it.
add_library(bms_core_f32 STATIC ${BMS_ECM_CORE_SOURCES})
target_include_directories(bms_core_f32 PUBLIC ${BMS_DIR}/core)
target_compile_definitions(bms_core_f32 PUBLIC BMS_REAL_FLOAT)
target_link_libraries(bms_core_f32 PUBLIC m)

add_library(bms_host STATIC
  ${BMS_DIR}/src/bms_cstr.c
  ${BMS_DIR}/src/bms_eisio.c
  ${BMS_DIR}/src/bms_fitspec.c
  ${BMS_DIR}/src/bms_linkk.c
  ${BMS_DIR}/src/bms_plot.c
  ${BMS_DIR}/src/bms_cell.c
  ${BMS_DIR}/src/bms_plant.c
  ${BMS_DIR}/src/bms_validate.c)
target_include_directories(bms_host PUBLIC ${BMS_DIR}/src)
target_link_libraries(bms_host PUBLIC bms_core PkgConfig::BMS_JANSSON PkgConfig::BMS_CAIRO
                      PkgConfig::BMS_FONTCONFIG m)

add_executable(bms ${BMS_DIR}/src/cli.c)
target_link_libraries(bms PRIVATE bms_host)
install(TARGETS bms)



# ---- tests ---------------------------------------------------------------------
# Reference data lives beside the tree, in ../shared/data; tests get the path.
set(BMS_SHARED_DATA ${PROJECT_SOURCE_DIR}/../shared/data)

foreach(t readers cstr fit linkk_plot plant)
  add_executable(bms_ecm_${t}_test ${BMS_DIR}/tests/ecm_${t}_test.c)
  target_link_libraries(bms_ecm_${t}_test PRIVATE bms_host isthmus_testkit)
endforeach()
isthmus_add_test(NAME bms_ecm_readers COMMAND bms_ecm_readers_test ${BMS_SHARED_DATA}/eis)
isthmus_add_test(NAME bms_ecm_cstr COMMAND bms_ecm_cstr_test)
isthmus_add_test(NAME bms_ecm_fit COMMAND bms_ecm_fit_test ${BMS_SHARED_DATA}/eis)
isthmus_add_test(NAME bms_ecm_linkk_plot COMMAND bms_ecm_linkk_plot_test)
isthmus_add_test(NAME bms_ecm_plant COMMAND bms_ecm_plant_test ${BMS_SHARED_DATA}/cell)

# The core alone, in double and in float (as the microcontroller runs it).
add_executable(bms_ecm_core_test ${BMS_DIR}/tests/ecm_core_test.c)
target_link_libraries(bms_ecm_core_test PRIVATE bms_core isthmus_testkit)
isthmus_add_test(NAME bms_ecm_core COMMAND bms_ecm_core_test)
add_executable(bms_ecm_core_f32_test ${BMS_DIR}/tests/ecm_core_test.c)
target_link_libraries(bms_ecm_core_f32_test PRIVATE bms_core_f32 isthmus_testkit)
isthmus_add_test(NAME bms_ecm_core_f32 COMMAND bms_ecm_core_f32_test)

isthmus_add_test(NAME bms_ecm_cli
                 COMMAND ${BMS_DIR}/tests/ecm_cli_test.sh $<TARGET_FILE:bms>
                         ${BMS_SHARED_DATA}/eis ${BMS_SHARED_DATA}/cell)

# The Cortex-M4 build of every core file is a test; its size table is a bench.
isthmus_add_test(NAME bms_ecm_m4_build COMMAND ${BMS_DIR}/cortex-m4/size.sh)

# The instrument-file seeds are the reference files themselves, which stay
# in ../shared/data: the corpus is assembled in the build folder from them
# and from the broken inputs written for this project (fuzz/ecm_eis).
set(BMS_EIS_CORPUS ${CMAKE_CURRENT_BINARY_DIR}/corpus-ecm-eis)
file(MAKE_DIRECTORY ${BMS_EIS_CORPUS})
file(GLOB bms_eis_seeds ${BMS_DIR}/fuzz/ecm_eis/* ${BMS_SHARED_DATA}/eis/*)
file(COPY ${bms_eis_seeds} DESTINATION ${BMS_EIS_CORPUS})
isthmus_add_fuzzer(NAME bms_ecm_fuzz_eis SOURCES ${BMS_DIR}/tests/fuzz_ecm_eis.c LIBS bms_host
                   CORPUS ${BMS_EIS_CORPUS})
isthmus_add_fuzzer(NAME bms_ecm_fuzz_cstr SOURCES ${BMS_DIR}/tests/fuzz_ecm_cstr.c LIBS bms_host
                   CORPUS ${BMS_DIR}/fuzz/ecm_cstr)
isthmus_add_fuzzer(NAME bms_ecm_fuzz_cell SOURCES ${BMS_DIR}/tests/fuzz_ecm_cell.c LIBS bms_host
                   CORPUS ${BMS_DIR}/fuzz/ecm_cell)

# ---- benchmarks and demo -------------------------------------------------------
add_executable(bms_ecm_fit_bench ${BMS_DIR}/bench/ecm_fit_bench.c)
target_link_libraries(bms_ecm_fit_bench PRIVATE bms_core)
add_executable(bms_ecm_fit_bench_f32 ${BMS_DIR}/bench/ecm_fit_bench.c)
target_link_libraries(bms_ecm_fit_bench_f32 PRIVATE bms_core_f32)
isthmus_add_bench(NAME bms_ecm_fit COMMAND $<TARGET_FILE:bms_ecm_fit_bench>
                  ${BMS_SHARED_DATA}/eis/exampleData.csv)
isthmus_add_bench(NAME bms_ecm_fit_f32 COMMAND $<TARGET_FILE:bms_ecm_fit_bench_f32>
                  ${BMS_SHARED_DATA}/eis/exampleData.csv)
isthmus_add_bench(NAME bms_ecm_m4_size COMMAND ${BMS_DIR}/cortex-m4/size.sh)
isthmus_add_demo(NAME bms-ecm COMMAND $<TARGET_FILE:bms> ecm demo --data ${BMS_SHARED_DATA})
