// pkmul_check.cpp: checks every product of every packing of hwnas_pkmul (rtl/hwnas_pkmul.v)
// against the integer product, exhaustively ("all") or over the corner values of each operand
// (min, min + 1, -1, 0, 1, max - 1, max) and 200,000 random pairs ("quick"). Prints one line
// per variant and exits 1 on a mismatch. Built by tests/test_sim.c.
#include "Vpkmul_check.h"
#include <cstdint>
#include <cstdio>
#include <cstring>

struct Variant { int xb, yb, nx, ny, lut; };
static const Variant variants[] = {
	{ 8, 8, 2, 1, 0 },
	{ 8, 8, 1, 2, 0 },
	{ 4, 8, 2, 1, 0 },
	{ 8, 4, 2, 1, 0 },
	{ 4, 8, 1, 2, 0 },
	{ 8, 4, 1, 2, 0 },
	{ 4, 4, 2, 1, 0 },
	{ 4, 4, 1, 2, 0 },
	{ 4, 4, 2, 2, 0 },
	{ 8, 8, 1, 1, 0 },
	{ 4, 4, 1, 1, 0 },
	{ 4, 8, 1, 1, 1 },
	{ 8, 4, 1, 1, 1 },
	{ 4, 4, 1, 1, 1 },
	{ 4, 16, 1, 1, 1 },
	{ 16, 4, 1, 1, 1 }
};
static const int NVAR = (int)(sizeof(variants) / sizeof(variants[0]));

static int64_t sext(uint64_t v, int b)
{
	v &= (1ULL << b) - 1;
	return (v >> (b - 1)) ? (int64_t)v - (int64_t)(1ULL << b) : (int64_t)v;
}

static uint64_t eval(Vpkmul_check &m, int i, uint32_t x, uint32_t y)
{
	switch (i) {
	case 0: m.x0 = x; m.y0 = y; m.eval(); return m.p0;
	case 1: m.x1 = x; m.y1 = y; m.eval(); return m.p1;
	case 2: m.x2 = x; m.y2 = y; m.eval(); return m.p2;
	case 3: m.x3 = x; m.y3 = y; m.eval(); return m.p3;
	case 4: m.x4 = x; m.y4 = y; m.eval(); return m.p4;
	case 5: m.x5 = x; m.y5 = y; m.eval(); return m.p5;
	case 6: m.x6 = x; m.y6 = y; m.eval(); return m.p6;
	case 7: m.x7 = x; m.y7 = y; m.eval(); return m.p7;
	case 8: m.x8 = x; m.y8 = y; m.eval(); return m.p8;
	case 9: m.x9 = x; m.y9 = y; m.eval(); return m.p9;
	case 10: m.x10 = x; m.y10 = y; m.eval(); return m.p10;
	case 11: m.x11 = x; m.y11 = y; m.eval(); return m.p11;
	case 12: m.x12 = x; m.y12 = y; m.eval(); return m.p12;
	case 13: m.x13 = x; m.y13 = y; m.eval(); return m.p13;
	case 14: m.x14 = x; m.y14 = y; m.eval(); return m.p14;
	case 15: m.x15 = x; m.y15 = y; m.eval(); return m.p15;
	}
	return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next()
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

// One operand word of n values of b bits: exhaustive index, or corners / random.
static uint32_t corner(int b, int k)
{
	const int64_t lo = -(1LL << (b - 1)), hi = (1LL << (b - 1)) - 1;
	const int64_t c[7] = { lo, lo + 1, -1, 0, 1, hi - 1, hi };
	return (uint32_t)((uint64_t)c[k] & ((1ULL << b) - 1));
}

static long check(Vpkmul_check &m, int i, uint32_t x, uint32_t y, long *bad)
{
	const Variant &v = variants[i];
	const int s = v.xb + v.yb;
	uint64_t p = eval(m, i, x, y);
	for (int iy = 0; iy < v.ny; iy++)
		for (int ix = 0; ix < v.nx; ix++) {
			int f = ix + v.nx * iy;
			int64_t want = sext(x >> (ix * v.xb), v.xb) * sext(y >> (iy * v.yb), v.yb);
			int64_t got = sext(p >> (f * s), s);
			if (got != want && (*bad)++ < 3)
				printf("  XB=%d YB=%d NX=%d NY=%d LUT=%d x=%#x y=%#x field %d: want %lld, got %lld\n",
				       v.xb, v.yb, v.nx, v.ny, v.lut, x, y, f, (long long)want, (long long)got);
		}
	return v.nx * v.ny;
}

int main(int argc, char **argv)
{
	const bool all = argc > 1 && !strcmp(argv[1], "all");
	Vpkmul_check m;
	long total_bad = 0;

	for (int i = 0; i < NVAR; i++) {
		const Variant &v = variants[i];
		const int xw = v.nx * v.xb, yw = v.ny * v.yb;
		long n = 0, bad = 0;
		if (all || xw + yw <= 20) {
			for (uint64_t x = 0; x < (1ULL << xw); x++)
				for (uint64_t y = 0; y < (1ULL << yw); y++)
					n += check(m, i, (uint32_t)x, (uint32_t)y, &bad);
		} else {
			int kx = v.nx == 2 ? 49 : 7, ky = v.ny == 2 ? 49 : 7;
			for (int a = 0; a < kx; a++)
				for (int b = 0; b < ky; b++) {
					uint32_t x = corner(v.xb, a % 7) | (v.nx == 2 ? corner(v.xb, a / 7) << v.xb : 0);
					uint32_t y = corner(v.yb, b % 7) | (v.ny == 2 ? corner(v.yb, b / 7) << v.yb : 0);
					n += check(m, i, x, y, &bad);
				}
			for (int r = 0; r < 200000; r++)
				n += check(m, i, (uint32_t)(next() & ((1ULL << xw) - 1)),
					   (uint32_t)(next() & ((1ULL << yw) - 1)), &bad);
		}
		printf("XB=%d YB=%d NX=%d NY=%d LUT=%d: %ld products, %ld wrong\n", v.xb, v.yb, v.nx,
		       v.ny, v.lut, n, bad);
		total_bad += bad;
	}
	return total_bad ? 1 : 0;
}
