# CMake toolchain file: cross-compile for s390x Linux with Debian's
# s390x-linux-gnu-gcc (package gcc-s390x-linux-gnu). Programs built with it run
# on x86-64 under qemu-s390x-static (qemu-user-static), which CMake uses as
# the emulator for try_run and tests. Vessels' cross-ISA test
# (vessel/tests/cross_isa.sh) uses it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(CMAKE_C_COMPILER s390x-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/s390x-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
find_program(ISTHMUS_QEMU_s390x qemu-s390x-static)
if(ISTHMUS_QEMU_s390x)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${ISTHMUS_QEMU_s390x})
endif()
