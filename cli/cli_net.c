/* cli_net.c: what the command layer says about a loaded network beyond its layers: the nodes
 * of an imported graph that are not executed (counted by op type) and the unknown ops skipped
 * on request (a warning: the figures leave them out). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../arch/arch.h"

void cli_net_notes(const struct arch_net *net, FILE *out)
{
	int printed = 0;

	for (int i = 0; i < net->n_skipped; i++) {
		const struct arch_skip *s = &net->skipped[i];
		int count = 0, folded = 0, seen = 0;

		for (int j = 0; j < i && !seen; j++)
			seen = !strcmp(net->skipped[j].op, s->op);
		if (seen)
			continue;
		for (int j = i; j < net->n_skipped; j++)
			if (!strcmp(net->skipped[j].op, s->op)) {
				count++;
				folded += !strncmp(net->skipped[j].note, "folded", 6) ||
					  !strncmp(net->skipped[j].note, "bias, folded", 12);
			}
		fprintf(out, "%s%d %s%s", printed ? ", " : "not executed (no layer): ", count, s->op,
			folded == count ? " (folded)" : folded ? " (some folded)" : "");
		printed = 1;
	}
	if (printed)
		fputc('\n', out);
	for (int i = 0; i < net->n_skipped; i++)
		if (net->skipped[i].unknown)
			fprintf(stderr, "hwnas: warning: node '%s' (%s) skipped (--skip-unknown-ops): "
				"the figures leave out whatever it computes\n", net->skipped[i].name,
				net->skipped[i].op);
}
