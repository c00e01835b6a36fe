// requant_check.cpp: checks hwnas_requant (rtl/hwnas_requant.v), at every width that
// requant_check.v instantiates, against the output stage's arithmetic of docs/rtl.md written
// out here on 128-bit integers: the corner values of acc and bias at each width (min, min + 1,
// -1, 0, 1, max - 1, max), multipliers at the ends of [0, 2^31) and one with bit 31 set
// (ignored), every shift 0..63, and 100,000 random draws per width; and that without en
// both outputs are 0. Prints one line per width and exits 1 on a mismatch. Built by
// tests/test_sim.c.
#include "Vrequant_check.h"
#include <cstdint>
#include <cstdio>

struct Width { int acc, act; };
static const Width widths[] = {
	{ 5, 4 }, { 9, 8 }, { 17, 8 }, { 24, 8 }, { 32, 8 }, { 33, 8 }, { 34, 16 }, { 48, 16 },
	{ 64, 8 }, { 65, 8 }
};
static const int NW = (int)(sizeof(widths) / sizeof(widths[0]));

typedef __int128 i128;
typedef unsigned __int128 u128;

// v wrapped to w bits, two's complement
static i128 wrap(i128 v, int w)
{
	u128 m = ((u128)1 << w) - 1, u = (u128)v & m;
	return (u >> (w - 1)) & 1 ? (i128)(u | ~m) : (i128)u;
}

// docs/rtl.md "Output stage": x = wrap(acc + bias), h = floor((x m + 2^30) / 2^31),
// r = round_half_away_from_zero(h / 2^s) as (h >> s) + (rem > (mask >> 1) + (h < 0)),
// y = clamp(r + zp, lo, hi); returns y's low act bits, *r_out r's low acc + 1 bits
static uint64_t reference(const Width &w, i128 acc, i128 bias, uint32_t mult, int s, int32_t zp,
			  int32_t lo, int32_t hi, u128 *r_out)
{
	i128 x = wrap(acc + bias, w.acc);
	i128 p = x * (i128)(mult & 0x7fffffffu);
	i128 h = (p + ((i128)1 << 30)) >> 31;
	i128 mask = ((i128)1 << s) - 1;
	i128 r = (h >> s) + ((h & mask) > (mask >> 1) + (h < 0 ? 1 : 0) ? 1 : 0);
	i128 v = r + zp;
	i128 c = v < lo ? lo : v > hi ? hi : v;
	*r_out = (u128)r & (((u128)1 << (w.acc + 1)) - 1);
	return (uint64_t)((u128)c & (((u128)1 << w.act) - 1));
}

static void put(VlWide<3> &p, u128 v)
{
	p[0] = (uint32_t)v;
	p[1] = (uint32_t)(v >> 32);
	p[2] = (uint32_t)(v >> 64) & 3u;
}

static u128 get(const VlWide<3> &p)
{
	return (u128)p[0] | (u128)p[1] << 32 | (u128)(p[2] & 7u) << 64;
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t next()
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

// a random value of w bits (two's complement), uniform over its bit patterns
static i128 draw(int w)
{
	u128 u = (u128)next() | (u128)next() << 64;
	return wrap((i128)u, w);
}

struct Outs { SData *y[NW]; VlWide<3> *r[NW]; };

static long check(Vrequant_check &m, const Outs &o, int i, i128 acc, i128 bias, uint32_t mult,
		  int s, int32_t zp, int32_t lo, int32_t hi, long *bad)
{
	const Width &w = widths[i];
	u128 want_r;
	uint64_t want_y = reference(w, acc, bias, mult, s, zp, lo, hi, &want_r);
	m.en = 1;
	put(m.acc, (u128)acc);
	put(m.bias, (u128)bias);
	m.mult = mult;
	m.shift = (CData)s;
	m.zp = (uint32_t)zp;
	m.lo = (uint32_t)lo;
	m.hi = (uint32_t)hi;
	m.eval();
	uint64_t got_y = *o.y[i];
	u128 got_r = get(*o.r[i]);
	if ((got_y != want_y || got_r != want_r) && (*bad)++ < 3)
		printf("  ACC_BITS=%d A_BITS=%d acc=%lld bias=%lld mult=%#x shift=%d zp=%d lo=%d "
		       "hi=%d: want y %llu r %#llx, got y %llu r %#llx\n", w.acc, w.act,
		       (long long)acc, (long long)bias, mult, s, zp, lo, hi,
		       (unsigned long long)want_y, (unsigned long long)want_r,
		       (unsigned long long)got_y, (unsigned long long)got_r);
	return 1;
}

int main()
{
	Vrequant_check m;
	const Outs o = {
		{ &m.y0, &m.y1, &m.y2, &m.y3, &m.y4, &m.y5, &m.y6, &m.y7, &m.y8, &m.y9 },
		{ &m.r0, &m.r1, &m.r2, &m.r3, &m.r4, &m.r5, &m.r6, &m.r7, &m.r8, &m.r9 }
	};
	static const uint32_t mults[] = { 0u, 1u, (1u << 30) - 1, 1u << 30, 0x7fffffffu,
					  0x80000000u | 0x5a5a5a5u };
	long total_bad = 0;

	for (int i = 0; i < NW; i++) {
		const Width &w = widths[i];
		const i128 amin = -((i128)1 << (w.acc - 1)), amax = ((i128)1 << (w.acc - 1)) - 1;
		const i128 corner[7] = { amin, amin + 1, -1, 0, 1, amax - 1, amax };
		const int32_t qmin = -(1 << (w.act - 1)), qmax = (1 << (w.act - 1)) - 1;
		long n = 0, bad = 0;
		for (int a = 0; a < 7; a++)
			for (int b = 0; b < 7; b++)
				for (uint32_t mu : mults)
					for (int s = 0; s < 64; s++) {
						n += check(m, o, i, corner[a], corner[b], mu, s, 0, qmin,
							   qmax, &bad);
						n += check(m, o, i, corner[a], corner[b], mu, s,
							   (int32_t)next(), INT32_MIN, INT32_MAX, &bad);
					}
		for (int k = 0; k < 100000; k++) {
			// zero point and clamp: inside the act_bits range (as the tile programs
			// draw them) for half the draws, any 32-bit values with lo <= hi else
			int32_t zp = (int32_t)next(), lo, hi;
			if (k % 2) {
				lo = qmin + (int32_t)(next() % (uint64_t)(qmax - qmin + 1));
				hi = lo + (int32_t)(next() % (uint64_t)(qmax - lo + 1));
				zp = qmin + (int32_t)(next() % (uint64_t)(qmax - qmin + 1));
			} else {
				int32_t u = (int32_t)next(), v = (int32_t)next();
				lo = u < v ? u : v;
				hi = u < v ? v : u;
			}
			n += check(m, o, i, draw(w.acc), k % 4 ? 0 : draw(w.acc), (uint32_t)next(),
				   (int)(next() % 64), zp, lo, hi, &bad);
		}
		printf("ACC_BITS=%d A_BITS=%d: %ld conversions, %ld wrong\n", w.acc, w.act, n, bad);
		total_bad += bad;
	}
	// without en every lane gives 0
	long zero_bad = 0;
	for (int k = 0; k < 1000; k++) {
		m.en = 0;
		put(m.acc, (u128)draw(66));
		put(m.bias, (u128)draw(66));
		m.mult = (uint32_t)next();
		m.shift = (CData)(next() % 64);
		m.zp = (uint32_t)next();
		m.lo = 0x80000000u;
		m.hi = 0x7fffffffu;
		m.eval();
		for (int i = 0; i < NW; i++)
			if ((*o.y[i] != 0 || get(*o.r[i]) != 0) && zero_bad++ < 3)
				printf("  ACC_BITS=%d: an output is not 0 without en\n", widths[i].acc);
	}
	printf("without en: 1000 draws, %ld nonzero\n", zero_bad);
	return total_bad || zero_bad ? 1 : 0;
}
