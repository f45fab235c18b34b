/* bms_eisio: readers for impedance spectra in the export formats of common
 * potentiostats (the files in shared/data/eis/), detected from the content:
 *   csv         three numeric columns f, Re Z, Im Z (impedance.py's format)
 *   zplot       ZPlot2 ASCII (.z): table after "End Comments", tab separated
 *   zview       ZPlotW / Autolab (Z60W) exports: rows after the "Freq(Hz)" header
 *   gamry       Gamry .DTA: the ZCURVE table (Freq, Zreal, Zimag)
 *   biologic    EC-Lab .mpt: columns freq/Hz, Re(Z)/Ohm, -Im(Z)/Ohm
 *   chi         CH Instruments: Freq/Hz, Z'/ohm, Z"/ohm
 *   parstat     Parstat: Frequency (Hz), Zre, Zim; rows at 0 Hz are the DC
 *               record around the sweep and are counted apart, not read
 *   powersuite  PowerSuite: Frequency, Zre, Zimg
 *   versastudio VersaStudio .par: Segment rows, Frequency(Hz), Z Real, Z Imag
 * Every data row is kept, inductive points (Im Z > 0) included. Rows with
 * NaN, a missing column, a frequency that is not positive, a duplicate or a
 * break in the sort order stop the read with an error naming the line.
 * Memory is bounded: files up to 16 MiB and a million lines, spectra up to
 * 100000 points.
 */
#ifndef BMS_EISIO_H
#define BMS_EISIO_H

#include <stddef.h>

#define BMS_EIS_MAX_BYTES  (16u << 20)
#define BMS_EIS_MAX_POINTS 100000
#define BMS_EIS_MAX_LINES  1000000

struct bms_spectrum {
	size_t n;
	double *f_hz;
	double *zre_ohm;
	double *zim_ohm;
	char format[16];
	long header_points; /* points the file's header announces; -1: none */
	size_t dc_rows;	    /* Parstat rows at 0 Hz, not part of the spectrum */
};

int bms_eis_parse(const char *buf, size_t len, const char *name, struct bms_spectrum *sp, char *err,
		  size_t errlen);
int bms_eis_read_file(const char *path, struct bms_spectrum *sp, char *err, size_t errlen);
void bms_spectrum_free(struct bms_spectrum *sp);

/* Reads a whole file (bounded by max bytes) into a NUL-terminated buffer. */
char *bms_read_all(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif /* BMS_EISIO_H */
