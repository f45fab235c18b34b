/* target.c: the program the uprobe tool's test probes: calls
 * wbpf_target_add(a, b) once with its two arguments and prints the sum. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline, used)) int wbpf_target_add(int a, int b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	printf("%d\n", wbpf_target_add(atoi(argv[1]), atoi(argv[2])));
	return 0;
}
