/* ecm_linkk_plot_test: Lin-KK passes a spectrum that obeys Kramers-Kronig
 * (an RC-Warburg circuit) with tiny residuals and flags one that does not
 * (a point whose imaginary part was scaled); the plots come out as a PNG
 * (by its signature) and an SVG, and a bad file name is an error.
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bms_linkk.h"
#include "bms_plot.h"
#include "testkit.h"

int main(void)
{
	enum {
		N = 50
	};
	double f[N], zr[N], zi[N];
	for (int i = 0; i < N; i++) {
		f[i] = 1e4 * pow(10.0, -i * 7.0 / (N - 1));
		double complex jw = I * 2 * M_PI * f[i], x = csqrt(jw * 200.0);
		double complex z = 0.02 + 1.0 / (1.0 / 0.01 + jw * 2.0) +
				   1.0 / (1.0 / 0.005 + jw * 0.05) + 0.03 * ctanh(x) / x;
		zr[i] = creal(z);
		zi[i] = cimag(z);
	}
	struct bms_spectrum sp = {N, f, zr, zi, "synthetic", -1, 0};
	struct bms_linkk lk;
	char err[256];
	TK_REQUIRE(bms_linkk_run(&sp, &lk, err, sizeof(err)) == 0, "%s", err);
	printf("valid: M %d mu %.3f max %.2e\n", lk.m, lk.mu, lk.max_abs_res);
	TK_CHECK(lk.max_abs_res < 5e-3, "KK-valid spectrum: max residual %g", lk.max_abs_res);
	bms_linkk_free(&lk);
	zi[25] *= 1.2;
	TK_REQUIRE(bms_linkk_run(&sp, &lk, err, sizeof(err)) == 0, "%s", err);
	printf("corrupted: M %d max %.2e at point 25: %.2e\n", lk.m, lk.max_abs_res, lk.res_im[25]);
	TK_CHECK(lk.max_abs_res > 1e-2, "corrupted spectrum: max residual %g", lk.max_abs_res);
	TK_CHECK(fabs(lk.res_im[25]) >= 0.5 * lk.max_abs_res, "the bad point is not the worst");
	bms_linkk_free(&lk);
	sp.n = 3;
	TK_CHECK(bms_linkk_run(&sp, &lk, err, sizeof(err)) != 0, "3 points accepted");
	sp.n = N;

	char png[] = "/tmp/bms_ecm_plotXXXXXX";
	int fd = mkstemp(png);
	TK_REQUIRE(fd >= 0, "mkstemp");
	close(fd);
	char pngname[64], svgname[64];
	snprintf(pngname, sizeof(pngname), "%s.png", png);
	snprintf(svgname, sizeof(svgname), "%s.svg", png);
	struct bms_plot_series s[2] = {{N, f, zr, zi, "data", 0}, {N, f, zr, zi, "fit", 1}};
	TK_CHECK(bms_plot_spectra(pngname, "t", s, 2, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(bms_plot_spectra(svgname, "t", s, 2, err, sizeof(err)) == 0, "%s", err);
	unsigned char buf[4096] = {0};
	FILE *fp = fopen(pngname, "rb");
	TK_REQUIRE(fp, "no PNG written");
	size_t n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	TK_CHECK(n > 1000 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0, "not a PNG (%zu bytes)", n);
	fp = fopen(svgname, "rb");
	TK_REQUIRE(fp, "no SVG written");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = 0;
	TK_CHECK(strstr((char *)buf, "<svg") != NULL, "not an SVG");
	TK_CHECK(bms_plot_spectra("/tmp/x.jpg", "t", s, 2, err, sizeof(err)) != 0, "jpg accepted");
	/* a time series, as PNG */
	struct bms_plot_trace tr[2] = {{zr, "a"}, {zi, "b"}};
	TK_CHECK(bms_plot_time(pngname, "t", f, N, tr, 2, zr, err, sizeof(err)) == 0, "%s", err);
	fp = fopen(pngname, "rb");
	TK_REQUIRE(fp, "no time-series PNG written");
	n = fread(buf, 1, 8, fp);
	fclose(fp);
	TK_CHECK(n == 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0, "time series: not a PNG");
	TK_CHECK(bms_plot_time(pngname, "t", f, 1, tr, 2, zr, err, sizeof(err)) != 0,
		 "one sample plotted");
	TK_CHECK(bms_plot_spectra("/nonexistent/dir/x.png", "t", s, 2, err, sizeof(err)) != 0,
		 "unwritable path accepted");
	unlink(png);
	unlink(pngname);
	unlink(svgname);
	bms_plot_shutdown();
	return tk_finish();
}
