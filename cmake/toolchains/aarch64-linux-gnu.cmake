# CMake toolchain file: cross-compile for aarch64 Linux with Debian's
# aarch64-linux-gnu-gcc (package gcc-aarch64-linux-gnu). Programs built with it run
# on x86-64 under qemu-aarch64-static (qemu-user-static), which CMake uses as
# the emulator for try_run and tests. Vessels' cross-ISA test
# (vessel/tests/cross_isa.sh) uses it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
find_program(ISTHMUS_QEMU_aarch64 qemu-aarch64-static)
if(ISTHMUS_QEMU_aarch64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${ISTHMUS_QEMU_aarch64})
endif()
