/* bench matmul (floating point, cache): C = A * B for 400 x 400 doubles in
 * the i-k-j order, twelve times; prints the trace and a sum. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 400;
	double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n);
	double *c = calloc((size_t)n * n, sizeof(double));
	if (!a || !b || !c) {
		free(a);
		free(b);
		free(c);
		return 1;
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			a[i * n + j] = (double)((i * 7 + j * 3) % 17) / 16.0 - 0.5;
			b[i * n + j] = (double)((i * 5 + j * 11) % 13) / 12.0 - 0.25;
		}
	for (int rep = 0; rep < 12; rep++)
		for (int i = 0; i < n; i++)
			for (int k = 0; k < n; k++) {
				double x = a[i * n + k];
				for (int j = 0; j < n; j++)
					c[i * n + j] += x * b[k * n + j];
			}
	double trace = 0, sum = 0;
	for (int i = 0; i < n; i++) {
		trace += c[i * n + i];
		for (int j = 0; j < n; j++)
			sum += c[i * n + j];
	}
	printf("trace=%.6f sum=%.6f\n", trace, sum);
	free(a);
	free(b);
	free(c);
	return 0;
}
