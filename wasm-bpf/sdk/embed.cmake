# embed.cmake: writes a C file that holds an eBPF object as the arrays the
# guest SDK expects (wbpf_embedded_object, wbpf_embedded_object_size).
# cmake -DIN=x.bpf.o -DOUT=x_obj.c -P embed.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR size "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
file(WRITE ${OUT}.tmp
  "/* Generated from ${IN} by wasm-bpf/sdk/embed.cmake: do not edit. */\n"
  "const unsigned char wbpf_embedded_object[] __attribute__((aligned(8))) = {\n${body}\n};\n"
  "const unsigned int wbpf_embedded_object_size = ${size};\n")
file(RENAME ${OUT}.tmp ${OUT})
