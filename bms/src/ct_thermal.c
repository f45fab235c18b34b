/* ct_thermal: the lumped two-state model and the radial finite-volume model
 * of a cylindrical cell (see ct_thermal.h).
 */
#include "ct_thermal.h"

#include <math.h>
#include <string.h>

const struct ct_thermal_params ct_thermal_nominal = {
	.Cc_JK = 62.7,
	.Cs_JK = 4.5,
	.Rc_KW = 1.94,
	.Ru_KW = 3.08,
};

static double side_area(void)
{
	return 2.0 * M_PI * CT_CELL_RADIUS_M * CT_CELL_LENGTH_M;
}

double ct_h_of_flow(double Ru_ref, double flow)
{
	double h_ref = 1.0 / (Ru_ref * side_area());
	if (flow < 0.0)
		flow = 0.0;
	return CT_H_NATURAL + (h_ref - CT_H_NATURAL) * pow(flow / CT_FLOW_REF_MPS, 0.8);
}

double ct_ru_of_flow(double Ru_ref, double flow)
{
	return 1.0 / (ct_h_of_flow(Ru_ref, flow) * side_area());
}

void ct_lumped_step(const struct ct_thermal_params *p, double *Tc, double *Ts, double Q, double Tf,
		    double flow, double dt)
{
	double gc = 1.0 / p->Rc_KW, gu = 1.0 / ct_ru_of_flow(p->Ru_KW, flow);
	double a11 = p->Cc_JK / dt + gc, a12 = -gc;
	double a21 = a12, a22 = p->Cs_JK / dt + gu + gc;
	double b1 = p->Cc_JK / dt * *Tc + Q, b2 = p->Cs_JK / dt * *Ts + gu * Tf;
	double det = a11 * a22 - a12 * a21;
	*Tc = (b1 * a22 - a12 * b2) / det;
	*Ts = (a11 * b2 - a21 * b1) / det;
}

int ct_radial_init(struct ct_radial *m, const struct ct_thermal_params *p, int n, double k_z,
		   double end_ratio, double T0)
{
	if (n < 2 || n > CT_RADIAL_MAX_SHELLS || p->Rc_KW <= 0.0 || p->Ru_KW <= 0.0 ||
	    p->Cc_JK <= 0.0 || p->Cs_JK < 0.0 || k_z < 0.0 || end_ratio < 0.0)
		return -1;
	memset(m, 0, sizeof(*m));
	m->n = n;
	m->radius_m = CT_CELL_RADIUS_M;
	m->length_m = CT_CELL_LENGTH_M;
	m->k_r = 1.0 / (4.0 * M_PI * m->length_m * p->Rc_KW);
	m->k_z = k_z;
	m->rho_cp = (p->Cc_JK + p->Cs_JK) / (M_PI * m->radius_m * m->radius_m * m->length_m);
	m->Ru_ref = p->Ru_KW;
	m->h_ref = 1.0 / (p->Ru_KW * side_area());
	m->end_ratio = end_ratio;
	for (int i = 0; i < n; i++)
		m->T[i] = T0;
	return 0;
}

double ct_radial_r(const struct ct_radial *m, int i)
{
	return (i + 0.5) * m->radius_m / m->n;
}

/* Conductance from the outermost node through the side to the coolant. */
static double boundary_g(const struct ct_radial *m, double h, double *g_conv)
{
	double L = m->length_m, R = m->radius_m;
	double g_cond = 2.0 * M_PI * L * m->k_r / log(R / ct_radial_r(m, m->n - 1));
	*g_conv = h * 2.0 * M_PI * R * L;
	return 1.0 / (1.0 / g_cond + 1.0 / *g_conv);
}

void ct_radial_step(struct ct_radial *m, double Q, double Tf, double flow, double dt)
{
	int n = m->n;
	if (n < 2 || n > CT_RADIAL_MAX_SHELLS)
		return;
	double L = m->length_m, R = m->radius_m, dr = R / n;
	double h = ct_h_of_flow(m->Ru_ref, flow);
	double g_conv;
	double gb = boundary_g(m, h, &g_conv);
	double q = Q / (M_PI * R * R * L);
	double h_end = h * m->end_ratio;
	double end_res =
		(m->k_z > 0.0 ? L / (2.0 * m->k_z) : 0.0) + (h_end > 0.0 ? 1.0 / h_end : 0.0);
	double a[CT_RADIAL_MAX_SHELLS], b[CT_RADIAL_MAX_SHELLS] = {0}, c[CT_RADIAL_MAX_SHELLS],
					d[CT_RADIAL_MAX_SHELLS] = {0};
	for (int i = 0; i < n; i++) {
		double ri = i * dr, ro = (i + 1) * dr;
		double area = M_PI * (ro * ro - ri * ri);
		double vol = area * L;
		double cap = m->rho_cp * vol / dt;
		double g_in = i > 0 ? 2.0 * M_PI * L * m->k_r /
					      log(ct_radial_r(m, i) / ct_radial_r(m, i - 1))
				    : 0.0;
		double g_out = i < n - 1 ? 2.0 * M_PI * L * m->k_r /
						   log(ct_radial_r(m, i + 1) / ct_radial_r(m, i))
					 : 0.0;
		double g_ax = (m->k_z > 0.0 && h_end > 0.0) ? 2.0 * area / end_res : 0.0;
		double g_side = i == n - 1 ? gb : 0.0;
		a[i] = -g_in;
		c[i] = -g_out;
		b[i] = cap + g_in + g_out + g_ax + g_side;
		d[i] = cap * m->T[i] + q * vol + (g_ax + g_side) * Tf;
	}
	/* Thomas algorithm: the matrix is diagonally dominant. */
	for (int i = 1; i < n; i++) {
		double w = a[i] / b[i - 1];
		b[i] -= w * c[i - 1];
		d[i] -= w * d[i - 1];
	}
	m->T[n - 1] = d[n - 1] / b[n - 1];
	for (int i = n - 2; i >= 0; i--)
		m->T[i] = (d[i] - c[i] * m->T[i + 1]) / b[i];
}

double ct_radial_core(const struct ct_radial *m)
{
	return m->T[0];
}

double ct_radial_surface(const struct ct_radial *m, double Tf, double flow)
{
	double g_conv;
	double gb = boundary_g(m, ct_h_of_flow(m->Ru_ref, flow), &g_conv);
	return Tf + gb * (m->T[m->n - 1] - Tf) / g_conv;
}

double ct_radial_mean(const struct ct_radial *m)
{
	double s = 0.0, dr = m->radius_m / m->n;
	for (int i = 0; i < m->n; i++) {
		double ri = i * dr, ro = (i + 1) * dr;
		s += m->T[i] * (ro * ro - ri * ri);
	}
	return s / (m->radius_m * m->radius_m);
}
