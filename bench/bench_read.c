/* bench_read: seconds to read a network of 40k and 200k layers, as network JSON and as a
 * SCALE-Sim CSV (issue 14: the pairwise duplicate-name check made reading quadratic, 3.4 s for
 * 40k layers and 276 s for 200k). Target: linear, 200k layers of either format in about a
 * second; fails above 10 s. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../arch/arch.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The text of an n-layer network: CSV rows or JSON conv layers. Caller frees. */
static char *network_text(int n, int csv, size_t *len)
{
	size_t cap = (size_t)n * 128 + 256, o = 0;
	char *b = malloc(cap);

	if (!b)
		return NULL;
	if (csv) {
		o += (size_t)snprintf(b, cap, "Layer name, IFMAP Height, IFMAP Width, Filter Height, "
				      "Filter Width, Channels, Num Filter, Strides,\n");
		for (int i = 0; i < n; i++)
			o += (size_t)snprintf(b + o, cap - o, "L%d, 10, 10, 3, 3, 8, 8, 1,\n", i);
	} else {
		o += (size_t)snprintf(b, cap, "{\"name\": \"big\", \"layers\": [\n");
		for (int i = 0; i < n; i++)
			o += (size_t)snprintf(b + o, cap - o, "%s{\"name\": \"c%d\", \"type\": \"conv\", "
					      "\"in\": [8, 8, 8], \"out_channels\": 8, \"kernel\": 3, "
					      "\"padding\": 1}\n", i ? "," : "", i);
		o += (size_t)snprintf(b + o, cap - o, "]}\n");
	}
	*len = o;
	return b;
}

int main(void)
{
	static const int sizes[] = { 40000, 200000 };
	int fail = 0;

	for (int csv = 0; csv < 2; csv++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct arch_net net;
			struct hn_err err;
			size_t len;
			char *text = network_text(sizes[i], csv, &len);
			double t;
			int ret;

			if (!text)
				return 1;
			t = now_s();
			ret = csv ? arch_net_parse_scalesim(text, len, "big.csv", &net, &err) :
				    arch_net_parse_json(text, len, "big.json", &net, &err);
			t = now_s() - t;
			if (ret < 0) {
				fprintf(stderr, "bench_read: %s\n", err.msg);
				return 1;
			}
			printf("read %s of %d layers (%.1f MB): %.3f s\n", csv ? "SCALE-Sim CSV" :
			       "network JSON", net.n_layers, (double)len / 1e6, t);
			fail |= t > 10;
			arch_net_release(&net);
			free(text);
		}
	return fail;
}
