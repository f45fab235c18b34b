# Core temperature from physics-generated data, a neural estimator and
# unsupervised domain adaptation (arXiv 2509.10380), docs/bms-coretemp.md.
# Included by bms/CMakeLists.txt after ecm.cmake.
#
# The float32 inference (core/ct_net.c) joins bms_core through ecm.cmake's
# glob; the host side (thermal models, data generation, training, adaptation,
# the EKF baseline, plots, the `bms coretemp` command) joins bms_host. Until
# ecm.cmake defines those targets, the same sources build as bms_ct_core and
# bms_ct_host with a stand-alone `bms-coretemp` command, so this part builds
# and tests on its own.
find_package(Threads REQUIRED)
pkg_check_modules(BMS_CT_JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(BMS_CT_CAIRO REQUIRED IMPORTED_TARGET cairo)

set(BMS_CT_HOST_SOURCES
  ${BMS_DIR}/src/ct_cell.c
  ${BMS_DIR}/src/ct_thermal.c
  ${BMS_DIR}/src/ct_data.c
  ${BMS_DIR}/src/ct_nn.c
  ${BMS_DIR}/src/ct_ekf.c
  ${BMS_DIR}/src/ct_pipeline.c
  ${BMS_DIR}/src/ct_plot.c
  ${BMS_DIR}/src/ct_cli.c)
# Where the cell tables are found by default: ../shared/data/cell beside the tree.
set_source_files_properties(${BMS_DIR}/src/ct_cell.c PROPERTIES
  COMPILE_DEFINITIONS BMS_CT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

if(TARGET bms_host AND TARGET bms)
  target_sources(bms_host PRIVATE ${BMS_CT_HOST_SOURCES})
  target_link_libraries(bms_host PUBLIC Threads::Threads)
  target_compile_definitions(bms PRIVATE BMS_WITH_CORETEMP)
  set(BMS_CT_LIB bms_host)
  set(BMS_CT_CMD $<TARGET_FILE:bms> coretemp)
else()
  add_library(bms_ct_core STATIC ${BMS_DIR}/core/ct_net.c)
  target_include_directories(bms_ct_core PUBLIC ${BMS_DIR}/core)
  target_link_libraries(bms_ct_core PUBLIC m)
  add_library(bms_ct_host STATIC ${BMS_CT_HOST_SOURCES})
  target_include_directories(bms_ct_host PUBLIC ${BMS_DIR}/src)
  target_link_libraries(bms_ct_host PUBLIC bms_ct_core PkgConfig::BMS_CT_JANSSON
                        PkgConfig::BMS_CT_CAIRO Threads::Threads m)
  add_executable(bms-coretemp ${BMS_DIR}/tests/ct_main.c)
  target_link_libraries(bms-coretemp PRIVATE bms_ct_host)
  set(BMS_CT_LIB bms_ct_host)
  set(BMS_CT_CMD $<TARGET_FILE:bms-coretemp> coretemp)
endif()

# ---- tests -------------------------------------------------------------------
foreach(t thermal files pipeline cli)
  add_executable(bms_ct_${t}_test ${BMS_DIR}/tests/ct_${t}_test.c)
  target_link_libraries(bms_ct_${t}_test PRIVATE ${BMS_CT_LIB} isthmus_testkit)
  isthmus_add_test(NAME bms_ct_${t} COMMAND bms_ct_${t}_test)
endforeach()
# The exported C array must compute what the model file computes: the array
# is written at build time by ct_model_export_c from the fuzz corpus's model.
add_executable(bms_ct_export_gen ${BMS_DIR}/tests/ct_export_gen.c)
target_link_libraries(bms_ct_export_gen PRIVATE ${BMS_CT_LIB})
set(BMS_CT_TINY_C ${CMAKE_CURRENT_BINARY_DIR}/ct_weights_tiny.c)
add_custom_command(OUTPUT ${BMS_CT_TINY_C}
                   COMMAND bms_ct_export_gen ${BMS_DIR}/fuzz/ct_files/model-valid.bin ct_net_tiny
                           ${BMS_CT_TINY_C}
                   DEPENDS bms_ct_export_gen ${BMS_DIR}/fuzz/ct_files/model-valid.bin VERBATIM)
add_executable(bms_ct_export_test ${BMS_DIR}/tests/ct_export_test.c ${BMS_CT_TINY_C})
target_link_libraries(bms_ct_export_test PRIVATE ${BMS_CT_LIB} isthmus_testkit)
target_compile_definitions(bms_ct_export_test PRIVATE
  BMS_CT_TEST_MODEL="${BMS_DIR}/fuzz/ct_files/model-valid.bin")
isthmus_add_test(NAME bms_ct_export COMMAND bms_ct_export_test)
# The CLI test plots, and frees fontconfig's caches at the end (FcFini).
pkg_check_modules(BMS_CT_FONTCONFIG REQUIRED IMPORTED_TARGET fontconfig)
target_link_libraries(bms_ct_cli_test PRIVATE PkgConfig::BMS_CT_FONTCONFIG)

# The dataset, model and table readers take outside input.
isthmus_add_fuzzer(NAME bms_ct_fuzz_files SOURCES ${BMS_DIR}/tests/ct_fuzz_files.c
                   LIBS ${BMS_CT_LIB} CORPUS ${BMS_DIR}/fuzz/ct_files)

# ---- benchmarks and demo -----------------------------------------------------
add_executable(bms_ct_infer_bench ${BMS_DIR}/bench/ct_infer_bench.c)
target_link_libraries(bms_ct_infer_bench PRIVATE ${BMS_CT_LIB})
isthmus_add_bench(NAME bms_ct_infer COMMAND $<TARGET_FILE:bms_ct_infer_bench>)
isthmus_add_bench(NAME bms_ct_m4_size COMMAND ${BMS_DIR}/bench/ct_m4_size.sh ${BMS_DIR})
# The full default pipeline with the data-fidelity study: time and RMSE table.
isthmus_add_bench(NAME bms_ct_pipeline COMMAND ${BMS_CT_CMD} pipeline --size full --fidelity)
isthmus_add_demo(NAME bms-coretemp COMMAND ${BMS_CT_CMD} pipeline --size demo)
