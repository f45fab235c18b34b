/* floats: floating point formatting and parsing (printf %f %e %g %a and
 * long double, strtod round trips), IEEE arithmetic (rounding, infinities,
 * NaN, negative zero, subnormals), correctly rounded functions (sqrt, fma,
 * floor, ceil, round, trunc, fmod) and float-to-int conversions. Only
 * functions whose results IEEE 754 fixes are printed, so that glibc and
 * wasi-libc (musl) agree. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "guest.h"

int main(void)
{
	double vals[] = {0.0,	-0.0,	1.0,	       -1.5,	0.1,	 1.0 / 3.0, 2.0 / 3.0,
			 1e300, 1e-300, 123456789.125, DBL_MAX, DBL_MIN, 5e-324,    6.02214076e23};
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		double v = vals[i];
		char buf[64];
		snprintf(buf, sizeof(buf), "%.17g", v);
		double back = strtod(buf, NULL);
		uint64_t vb, bb; /* bit patterns: -0.0 must come back as -0.0 */
		memcpy(&vb, &v, sizeof(vb));
		memcpy(&bb, &back, sizeof(bb));
		/* %a of subnormals is spelled differently by glibc and musl. */
		printf("%%f=%f %%e=%e %%g=%g %%.17g=%s roundtrip=%s\n", v, v, v, buf,
		       vb == bb ? "exact" : "LOST");
		if (fpclassify(v) == FP_NORMAL)
			printf("  %%a=%a\n", v);
	}
	float f = 1.0f / 3.0f;
	printf("float %.9g %a\n", (double)f, (double)f);
	/* long double is x87's 80 bits natively and 128 bits in wasm32: print
	 * no more digits than both hold. */
	long double ld = 1.0L / 3.0L;
	printf("long double %.18Lg\n", ld);
	volatile double zero = 0.0, one = 1.0;
	printf("inf=%f -inf=%f nan is nan: %d\n", one / zero, -one / zero, isnan(zero / zero));
	printf("signbit(-0.0)=%d 1/-0=%f\n", signbit(-zero) != 0, one / -zero);
	printf("0.1+0.2=%.17g == 0.3: %d\n", 0.1 + 0.2, 0.1 + 0.2 == 0.3);
	printf("sqrt(2)=%.17g sqrt(-1) nan: %d\n", sqrt(2.0), isnan(sqrt(-one)));
	printf("fma(0.1, 10, -1)=%.17g\n", fma(0.1, 10.0, -1.0));
	double r[] = {2.5, -2.5, 3.5, -0.5, 1e16 + 1};
	for (int i = 0; i < 5; i++)
		printf("x=%.17g floor=%g ceil=%g round=%g trunc=%g rint=%g\n", r[i], floor(r[i]),
		       ceil(r[i]), round(r[i]), trunc(r[i]), rint(r[i]));
	printf("fmod(10.5, 3)=%g fmod(-7, 2)=%g\n", fmod(10.5, 3.0), fmod(-7.0, 2.0));
	printf("(int)2.9=%d (int)-2.9=%d (long long)1e18=%lld (unsigned)3e9=%u\n", (int)2.9,
	       (int)-2.9, (long long)1e18, (unsigned)3e9);
	int e;
	double mant = frexp(1000.0, &e);
	printf("ldexp(1, -1074)=%g frexp(1000)=%g * 2^%d\n", ldexp(1.0, -1074), mant, e);
	double sum = 0;
	for (int i = 1; i <= 1000000; i++)
		sum += 1.0 / ((double)i * i);
	printf("sum 1/i^2 to 1e6 = %.17g\n", sum);
	float fs = 0;
	for (int i = 0; i < 1000; i++)
		fs += 0.1f;
	printf("float sum of 0.1 x1000 = %.9g\n", (double)fs);
	printf("strtod(\"0x1.8p1\")=%g strtod(\"1e-400\")=%g strtod(\"inf\")=%f\n",
	       strtod("0x1.8p1", NULL), strtod("1e-400", NULL), strtod("inf", NULL));
	return 0;
}
