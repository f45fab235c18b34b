/* matrix: double-precision matrix multiply (160 x 160) and a Gauss-Jordan
 * inverse check; the printed sums depend on the exact IEEE operation order,
 * which C fixes, so native and Wasm must agree to the last bit. */
#include <math.h>

#include "guest.h"

enum {
	N = 160
};
static double A[N][N], B[N][N], C[N][N];

int main(void)
{
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			A[i][j] = (double)((i * 31 + j * 17) % 101) / 7.0 - 5.0;
			B[i][j] = (double)((i * 13 + j * 29) % 97) / 3.0 + (i == j ? 50.0 : 0.0);
		}
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			double s = 0;
			for (int k = 0; k < N; k++)
				s += A[i][k] * B[k][j];
			C[i][j] = s;
		}
	double trace = 0, total = 0;
	for (int i = 0; i < N; i++) {
		trace += C[i][i];
		for (int j = 0; j < N; j++)
			total += C[i][j];
	}
	printf("trace=%.17g total=%.17g c[3][7]=%.17g\n", trace, total, C[3][7]);
	/* Invert B in place of an augmented copy, then check B * inv(B) = I. */
	static double M[N][2 * N];
	for (int i = 0; i < N; i++)
		for (int j = 0; j < 2 * N; j++)
			M[i][j] = j < N ? B[i][j] : (j - N == i);
	for (int c = 0; c < N; c++) {
		int p = c;
		for (int r = c + 1; r < N; r++)
			if (fabs(M[r][c]) > fabs(M[p][c]))
				p = r;
		for (int j = 0; j < 2 * N; j++) {
			double t = M[c][j];
			M[c][j] = M[p][j];
			M[p][j] = t;
		}
		double d = M[c][c];
		for (int j = 0; j < 2 * N; j++)
			M[c][j] /= d;
		for (int r = 0; r < N; r++)
			if (r != c) {
				double f = M[r][c];
				for (int j = 0; j < 2 * N; j++)
					M[r][j] -= f * M[c][j];
			}
	}
	double err = 0;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			double s = 0;
			for (int k = 0; k < N; k++)
				s += B[i][k] * M[k][N + j];
			err = fmax(err, fabs(s - (i == j)));
		}
	printf("max |B*inv(B) - I| = %.3e (small: %s)\n", err, err < 1e-9 ? "yes" : "no");
	return 0;
}
