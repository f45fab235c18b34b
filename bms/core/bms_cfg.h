/* bms_cfg: build-time configuration of the BMS core (ECM identification).
 *
 * The core runs on a microcontroller: no heap, every buffer sized here at
 * compile time, every loop bounded by one of these limits. bms_real is
 * float when BMS_REAL_FLOAT is defined (Cortex-M4 single-precision FPU) and
 * double otherwise (host). The math macros pick the matching libm function.
 */
#ifndef BMS_CFG_H
#define BMS_CFG_H

#include <math.h>

#ifdef BMS_REAL_FLOAT
typedef float bms_real;
#define BMS_R(x)     (x##f)
#define BMS_SQRT     sqrtf
#define BMS_EXP	     expf
#define BMS_LOG	     logf
#define BMS_SIN	     sinf
#define BMS_COS	     cosf
#define BMS_FABS     fabsf
#define BMS_ATAN2    atan2f
#define BMS_HYPOT    hypotf
#define BMS_EPS	     BMS_R(1.2e-7)
#define BMS_REAL_MAX BMS_R(3.0e38)
#else
typedef double bms_real;
#define BMS_R(x)     (x)
#define BMS_SQRT     sqrt
#define BMS_EXP	     exp
#define BMS_LOG	     log
#define BMS_SIN	     sin
#define BMS_COS	     cos
#define BMS_FABS     fabs
#define BMS_ATAN2    atan2
#define BMS_HYPOT    hypot
#define BMS_EPS	     BMS_R(2.2e-16)
#define BMS_REAL_MAX BMS_R(1.0e300)
#endif

#define BMS_PI BMS_R(3.14159265358979323846)

/* Fixed limits: memory of every core function follows from these. */
#define BMS_MAX_PARAMS	 16  /* parameters of one circuit */
#define BMS_MAX_NODES	 32  /* elements plus series/parallel nodes */
#define BMS_MAX_FREQS	 128 /* points of one spectrum */
#define BMS_MAX_RC	 16  /* RC pairs of a simulation model */
#define BMS_LADDER_TERMS 6   /* RC terms replacing one Warburg element */
#define BMS_LM_MAX_ITER	 500 /* hard cap on Levenberg-Marquardt iterations */
#define BMS_MAX_TABLE	 128 /* points of a 1-D lookup table (OCV) */
#define BMS_MAX_TONES	 8   /* tones of one multi-sine */

/* Error codes of the core; bms_strerror() names them. */
enum bms_err {
	BMS_OK = 0,
	BMS_ERR_ARG = -1,	  /* null pointer or out-of-range argument */
	BMS_ERR_SIZE = -2,	  /* above a compile-time limit */
	BMS_ERR_NONFINITE = -3,	  /* NaN or infinity in the input */
	BMS_ERR_FREQ = -4,	  /* frequency not positive, duplicate or unsorted */
	BMS_ERR_FEW = -5,	  /* too few points for the unknowns */
	BMS_ERR_NOCONV = -6,	  /* iteration limit reached without convergence */
	BMS_ERR_SINGULAR = -7,	  /* singular system (parameters not identifiable) */
	BMS_ERR_UNSUPPORTED = -8, /* circuit cannot be turned into a time model */
	BMS_ERR_RANGE = -9,	  /* result outside the physical range */
};

const char *bms_strerror(int err);

/* 1 when x is neither NaN nor infinite. */
static inline int bms_finite(bms_real x)
{
	return x == x && x < BMS_REAL_MAX && x > -BMS_REAL_MAX;
}

#endif /* BMS_CFG_H */
