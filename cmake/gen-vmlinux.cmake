# Writes vmlinux.h (all kernel types, as C) from a kernel's BTF with bpftool.
# Run as: cmake -DBTF=file -DBPFTOOL=path -DOUT=vmlinux.h -P gen-vmlinux.cmake
if(NOT EXISTS "${BTF}")
  message(FATAL_ERROR
    "vmlinux.h: kernel BTF '${BTF}' does not exist. The eBPF programs need a kernel "
    "built with CONFIG_DEBUG_INFO_BTF=y (its BTF is /sys/kernel/btf/vmlinux), or "
    "configure with -DISTHMUS_VMLINUX_BTF=<a vmlinux or .btf file>.")
endif()
get_filename_component(dir "${OUT}" DIRECTORY)
file(MAKE_DIRECTORY "${dir}")
execute_process(COMMAND "${BPFTOOL}" btf dump file "${BTF}" format c
                OUTPUT_FILE "${OUT}.tmp" ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE "${OUT}.tmp")
  message(FATAL_ERROR "vmlinux.h: '${BPFTOOL} btf dump file ${BTF} format c' failed (${rc}): ${err}")
endif()
file(RENAME "${OUT}.tmp" "${OUT}")
