/* sim_note.c: telling the caller that a long build starts (Verilator: 5-60 s, Yosys: 10 s to
 * minutes) and how long the last build of that tool took, so that a command is never silent
 * for a minute without saying why. The last duration is kept in the cache folder
 * (last-build-<tool>: seconds as text), shared by every hwnas that uses the cache. */
#include "sim_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void note_path(const char *cache, const char *tool, char *buf, size_t size)
{
	snprintf(buf, size, "%s/last-build-%s", cache, tool);
}

void sim_note_build_start(sim_build_fn fn, void *ctx, const char *cache, const char *tool,
			  const char *what)
{
	char path[1200];
	double last = -1;
	FILE *f;

	if (!fn)
		return;
	note_path(cache, tool, path, sizeof(path));
	if ((f = fopen(path, "r"))) {
		if (fscanf(f, "%lf", &last) != 1 || !(last >= 0))
			last = -1;
		fclose(f);
	}
	fn(ctx, tool, what, last);
}

void sim_note_build_done(const char *cache, const char *tool, double seconds)
{
	char path[1200], tmp[1300];
	FILE *f;

	note_path(cache, tool, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	if (!(f = fopen(tmp, "w")))
		return; /* a hint only: a read-only cache loses nothing else */
	fprintf(f, "%.1f\n", seconds);
	if (fclose(f) == 0)
		rename(tmp, path);
	else
		remove(tmp);
}
