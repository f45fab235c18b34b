/* ecm_readers_test: every instrument file in shared/data/eis parses to the
 * number of data rows it holds, and malformed input gives a clear error.
 *
 * The expected counts were taken independently of the parser, by reading
 * each file and counting its numeric data rows with awk/grep:
 *   *.z (ZPlot2)      awk '/End Comments/{s=1;next} s && $1+0==$1' F | wc -l
 *   exampleData.csv   grep -c '^[0-9]' F
 *   Autolab           grep -c '^[0-9]' F, minus the two numeric header lines
 *                     ("0,2,0,1,0.1,10000" and "41")
 *   ZPlot noComments  awk 'NR>10' F | grep -c '^[0-9]'
 *   BioLogic          awk 'NR>61' F | grep -c '^[0-9]' (61 header lines)
 *   CH Instruments    awk '/^Freq/{s=1;next} s' F | grep -c '^[0-9]'
 *   Gamry             awk '/^ZCURVE/{s=1;next} s' F | grep -ac '^<TAB>[0-9]'
 *   Gamry ABORT       the same, stopping at the EXPERIMENTABORTED line
 *   Parstat           awk -F'\t' 'NR>1 && $4+0 != 0' F | wc -l   (and == 0: DC rows)
 *   PowerSuite        tr '\r' '\n' < F | grep -c '^[0-9]'
 *   VersaStudio       rows between <Segment1> and </Segment1> starting with a digit
 * Two ZPlot files announce more points in their header than they hold
 * (56 and 79); the rows present are what counts, and the header figure is
 * reported apart.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bms_eisio.h"
#include "testkit.h"

static const struct {
	const char *file;
	size_t rows;
	const char *format;
} files[] = {
	{"Circuit1_EIS_1.z", 48, "zplot"},
	{"Circuit1_EIS_2.z", 48, "zplot"},
	{"Circuit2_EIS_1.z", 56, "zplot"},
	{"Circuit2_EIS_2.z", 56, "zplot"},
	{"Circuit3_EIS_1.z", 53, "zplot"},
	{"Circuit3_EIS_2.z", 53, "zplot"},
	{"exampleData.csv", 66, "csv"},
	{"exampleDataAutolab.txt", 41, "zview"},
	{"exampleDataBioLogic.mpt", 43, "biologic"},
	{"exampleDataCHInstruments.txt", 73, "chi"},
	{"exampleDataGamry.DTA", 72, "gamry"},
	{"exampleDataGamryABORT.DTA", 72, "gamry"},
	{"exampleDataParstat.txt", 31, "parstat"},
	{"exampleDataPowersuite.txt", 30, "powersuite"},
	{"exampleDataVersaStudio.par", 61, "versastudio"},
	{"exampleDataZPlot.z", 21, "zplot"},
	{"exampleDataZPlot_noComments.z", 31, "zview"},
};

static int parse_str(const char *s, struct bms_spectrum *sp, char *err, size_t n)
{
	return bms_eis_parse(s, strlen(s), "test", sp, err, n);
}

static void expect_error(const char *name, const char *text, const char *needle)
{
	struct bms_spectrum sp;
	char err[512] = "";
	int rc = parse_str(text, &sp, err, sizeof(err));
	TK_CHECK(rc != 0, "%s: parsed without error", name);
	TK_CHECK(strstr(err, needle) != NULL, "%s: error '%s' does not mention '%s'", name, err,
		 needle);
	if (rc == 0)
		bms_spectrum_free(&sp);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		tk_skip("usage: ecm_readers_test EIS_DIR");
	char path[1024], err[512];
	snprintf(path, sizeof(path), "%s/exampleData.csv", argv[1]);
	if (access(path, R_OK) != 0)
		tk_skip("%s not found (shared/data is not beside the tree)", path);

	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct bms_spectrum sp;
		snprintf(path, sizeof(path), "%s/%s", argv[1], files[k].file);
		int rc = bms_eis_read_file(path, &sp, err, sizeof(err));
		TK_CHECK(rc == 0, "%s: %s", files[k].file, err);
		if (rc)
			continue;
		TK_CHECK(sp.n == files[k].rows, "%s: %zu rows, expected %zu", files[k].file, sp.n,
			 files[k].rows);
		TK_CHECK(strcmp(sp.format, files[k].format) == 0, "%s: format %s, expected %s",
			 files[k].file, sp.format, files[k].format);
		bms_spectrum_free(&sp);
	}

	/* values: first and last rows as printed in the files */
	struct bms_spectrum sp;
	snprintf(path, sizeof(path), "%s/exampleData.csv", argv[1]);
	TK_REQUIRE(bms_eis_read_file(path, &sp, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(fabs(sp.f_hz[0] - 3.1623e-3) < 1e-12, "first f %g", sp.f_hz[0]);
	TK_CHECK(fabs(sp.zim_ohm[sp.n - 1] - 1.015747456493823649e-02) < 1e-15,
		 "inductive last point kept: Im %g", sp.zim_ohm[sp.n - 1]);
	bms_spectrum_free(&sp);
	/* BioLogic holds -Im(Z): the first row's 3.8998979E-001 is Im Z = -0.38998979 */
	snprintf(path, sizeof(path), "%s/exampleDataBioLogic.mpt", argv[1]);
	TK_REQUIRE(bms_eis_read_file(path, &sp, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(fabs(sp.zim_ohm[0] + 0.38998979) < 1e-9, "BioLogic sign: %g", sp.zim_ohm[0]);
	TK_CHECK(fabs(sp.f_hz[0] - 1000.3201) < 1e-6, "BioLogic f0 %g", sp.f_hz[0]);
	bms_spectrum_free(&sp);
	snprintf(path, sizeof(path), "%s/exampleDataParstat.txt", argv[1]);
	TK_REQUIRE(bms_eis_read_file(path, &sp, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(sp.dc_rows == 781, "Parstat DC rows %zu, expected 781", sp.dc_rows);
	bms_spectrum_free(&sp);
	snprintf(path, sizeof(path), "%s/exampleDataZPlot.z", argv[1]);
	TK_REQUIRE(bms_eis_read_file(path, &sp, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(sp.header_points == 56, "ZPlot header count %ld", sp.header_points);
	bms_spectrum_free(&sp);

	/* The BioLogic file without its frequency column is an error, not a guess. */
	snprintf(path, sizeof(path), "%s/exampleDataBioLogic_MissingFreq.mpt", argv[1]);
	TK_CHECK(bms_eis_read_file(path, &sp, err, sizeof(err)) != 0, "MissingFreq parsed");
	TK_CHECK(strstr(err, "missing column freq/Hz") != NULL, "MissingFreq error: %s", err);

	/* malformed input */
	expect_error("empty", "", "empty file");
	expect_error("missing column", "1,2,3\n0.5,2\n", "missing columns");
	expect_error("NaN", "1,2,-3\n0.5,nan,-1\n", "NaN");
	expect_error("negative f", "1,2,-3\n-0.5,2,-1\n", "not positive");
	expect_error("zero f", "1,2,-3\n0,2,-1\n", "not positive");
	expect_error("duplicate", "1,2,-3\n1,2,-1\n", "duplicate frequency");
	expect_error("unsorted", "1,2,-3\n2,2,-1\n1.5,2,-1\n", "sort order");
	expect_error("text", "f,re,im\n1,2,-3\nabc,1,2\n", "not a number");
	expect_error("gamry no table", "EXPLAIN\nTAG\tEISPOT\n", "ZCURVE");
	expect_error("biologic no header count", "EC-Lab ASCII FILE\nfoo\n", "Nb header lines");
	/* a header line is allowed, descending order too */
	TK_CHECK(parse_str("freq,re,im\n100,1,-1\n10,2,-2\n1,3,-3\n", &sp, err, sizeof(err)) == 0,
		 "csv with header: %s", err);
	TK_CHECK(sp.n == 3 && sp.zim_ohm[2] == -3.0, "csv values");
	bms_spectrum_free(&sp);
	return tk_finish();
}
