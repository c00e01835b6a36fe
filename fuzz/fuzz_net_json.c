/* fuzz_net_json: the network JSON reader (arch_net_parse_json), then the writer and the reader
 * again: an accepted network must read back with the same layers and the same graph, which
 * passes its check, orders and plans. */
#include "fuzz.h"
#include "../arch/arch.h"

static void same_layer(const struct arch_layer *a, const struct arch_layer *b)
{
	FUZZ_ASSERT(!strcmp(a->name, b->name));
	FUZZ_ASSERT(a->kind == b->kind);
	FUZZ_ASSERT(a->n == b->n && a->c == b->c && a->h == b->h && a->w == b->w);
	FUZZ_ASSERT(a->k == b->k && a->r == b->r && a->s == b->s);
	FUZZ_ASSERT(a->stride_h == b->stride_h && a->stride_w == b->stride_w);
	FUZZ_ASSERT(a->pad_h == b->pad_h && a->pad_w == b->pad_w);
	FUZZ_ASSERT(a->dil_h == b->dil_h && a->dil_w == b->dil_w && a->groups == b->groups);
	FUZZ_ASSERT(a->bias == b->bias && a->bn == b->bn && a->extra_params == b->extra_params);
	FUZZ_ASSERT(arch_layer_macs(a) == arch_layer_macs(b));
	FUZZ_ASSERT(arch_layer_params(a) == arch_layer_params(b));
	FUZZ_ASSERT(a->n_in == b->n_in && a->first_token == b->first_token);
	for (int s = 0; s < a->n_in; s++)
		FUZZ_ASSERT(a->in[s] == b->in[s]);
}

/* A graph's order puts every layer after what it reads; its DRAM plan builds. */
static void check_graph(const struct arch_net *net)
{
	struct arch_plan_opts o = { 1, 1, 64, 1 };
	struct hn_err err = { 0 };
	struct arch_plan plan;
	int *order, *pos;

	FUZZ_ASSERT(arch_net_check_graph(net, "fuzz.json", &err) == 0);
	order = malloc(sizeof(int) * ((size_t)net->n_layers + 1));
	pos = malloc(sizeof(int) * ((size_t)net->n_layers + 1));
	FUZZ_ASSERT(order && pos);
	FUZZ_ASSERT(arch_net_topo_order(net, order, &err) == 0);
	for (int k = 0; k < net->n_layers; k++)
		pos[order[k]] = k;
	for (int i = 0; i < net->n_layers; i++)
		for (int s = 0; s < net->layers[i].n_in; s++)
			FUZZ_ASSERT(net->layers[i].in[s] < 0 || pos[net->layers[i].in[s]] < pos[i]);
	if (net->graph && net->n_layers <= 2000) {
		int r = arch_plan_build(net, &o, &plan, &err);

		FUZZ_ASSERT(r == 0 || r == HN_EINVAL);
		if (r == 0)
			arch_plan_release(&plan);
	}
	free(order);
	free(pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *out;
	struct arch_net net, back;
	struct hn_err err = { 0 };
	int ret;

	ret = arch_net_parse_json(text, size, "fuzz.json", &net, &err);
	if (ret) {
		fuzz_check_error(ret, &err);
		goto out_free_text;
	}
	FUZZ_ASSERT(net.n_layers >= 1 && net.batch >= 1);
	for (int i = 0; i < net.n_layers; i++) {
		FUZZ_ASSERT(arch_layer_check(&net.layers[i], &err) == 0);
		FUZZ_ASSERT(arch_layer_macs(&net.layers[i]) >= 0);
		FUZZ_ASSERT(arch_layer_params(&net.layers[i]) >= 0);
	}
	FUZZ_ASSERT(arch_net_macs(&net) >= 0);
	check_graph(&net);
	out = arch_net_to_json(&net);
	FUZZ_ASSERT(out != NULL);
	ret = arch_net_parse_json(out, strlen(out), "written.json", &back, &err);
	if (ret)
		fprintf(stderr, "written network does not read back: %s\n%s\n", err.msg, out);
	FUZZ_ASSERT(ret == 0);
	FUZZ_ASSERT(back.n_layers == net.n_layers);
	FUZZ_ASSERT(back.graph == net.graph && back.n_inputs == net.n_inputs &&
		    back.n_outputs == net.n_outputs);
	for (int i = 0; i < net.n_outputs; i++)
		FUZZ_ASSERT(back.outputs[i] == net.outputs[i]);
	for (int i = 0; i < net.n_layers; i++)
		same_layer(&net.layers[i], &back.layers[i]);
	arch_net_release(&back);
	free(out);
	arch_net_release(&net);
out_free_text:
	free(text);
	return 0;
}
