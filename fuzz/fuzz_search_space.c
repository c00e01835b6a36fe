/* fuzz_search_space: the search-space reader (search_space_parse_json, docs/search.md); an
 * accepted space maps its first and last points to indices and back, and describes them. */
#include "fuzz.h"
#include "../search/search.h"

static void check_point(const struct search_space *sp, uint64_t index)
{
	struct search_point pt;
	struct hw_config hw;
	char desc[256];

	memset(&pt, 0, sizeof(pt));
	search_point_from_index(sp, index, &pt);
	FUZZ_ASSERT(search_point_index(sp, &pt) == index);
	search_space_hw(sp, &pt, &hw);
	for (int t = 0; t < search_space_target_count(sp); t++)
		search_space_target_hw(sp, t, &pt, &hw);
	search_space_describe_nn(sp, &pt, desc, sizeof(desc));
	FUZZ_ASSERT(memchr(desc, '\0', sizeof(desc)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	static struct search_space sp; /* large: keep it off the stack */
	struct hn_err err = { 0 };
	uint64_t n;
	int ret;

	memset(&sp, 0, sizeof(sp));
	ret = search_space_parse_json(text, size, "space.json", &sp, &err);
	if (ret) {
		fuzz_check_error(ret, &err);
		goto out_free_text;
	}
	n = search_space_size(&sp);
	if (n > 0) {
		check_point(&sp, 0);
		check_point(&sp, n - 1);
		check_point(&sp, n / 2);
	}
	/* an objective's label reads back as the same metric and place */
	for (int i = 0; i < sp.n_obj; i++) {
		char label[64], names[SEARCH_MAX_TARGETS][SEARCH_TARGET_NAME];
		int m, at;
		for (int t = 0; t < sp.n_targets; t++)
			memcpy(names[t], sp.targets[t].name, sizeof(names[t]));
		search_metric_label(&sp, sp.obj[i].metric, sp.obj[i].at, label, sizeof(label));
		FUZZ_ASSERT(search_metric_label_parse(label, (const char (*)[SEARCH_TARGET_NAME])names,
						      sp.n_targets, &m, &at) == 0);
		FUZZ_ASSERT(m == sp.obj[i].metric && at == sp.obj[i].at);
	}
out_free_text:
	free(text);
	return 0;
}
