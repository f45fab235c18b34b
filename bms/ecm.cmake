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
target_link_libraries(bms_host PUBLIC bms_core PkgConfig::BMS_JANSSON PkgConfig::BMS_CAIRO m)

add_executable(bms ${BMS_DIR}/src/cli.c)
target_link_libraries(bms PRIVATE bms_host)
install(TARGETS bms)


