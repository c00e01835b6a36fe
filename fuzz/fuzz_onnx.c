/* fuzz_onnx: the ONNX reader (arch_net_parse_onnx: protobuf-c unpacking, then ordering and
 * shape inference), then the JSON writer and reader: an accepted graph gives checked layers
 * that survive the network JSON round trip. */
#include "fuzz.h"
#include "../arch/arch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arch_onnx_opts o = { 0, size > 0 && (data[0] & 1) }; /* both modes of unknown ops */
	struct arch_net net, back;
	struct hn_err err = { 0 };
	char *out;
	int ret;

	ret = arch_net_parse_onnx(data, size, "fuzz.onnx", &o, &net, &err);
	if (ret) {
		fuzz_check_error(ret, &err);
		return 0;
	}
	FUZZ_ASSERT(net.n_layers >= 1 && net.batch >= 1);
	for (int i = 0; i < net.n_layers; i++) {
		FUZZ_ASSERT(arch_layer_check(&net.layers[i], &err) == 0);
		FUZZ_ASSERT(arch_layer_macs(&net.layers[i]) >= 0);
		FUZZ_ASSERT(arch_layer_params(&net.layers[i]) >= 0);
		for (int j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(net.layers[i].name, net.layers[j].name) != 0);
	}
	for (int i = 0; i < net.n_skipped; i++)
		FUZZ_ASSERT(net.skipped[i].op[0] || net.skipped[i].name[0]);
	out = arch_net_to_json(&net);
	FUZZ_ASSERT(out != NULL);
	ret = arch_net_parse_json(out, strlen(out), "written.json", &back, &err);
	if (ret)
		fprintf(stderr, "imported network does not read back as JSON: %s\n%s\n", err.msg, out);
	FUZZ_ASSERT(ret == 0);
	FUZZ_ASSERT(back.n_layers == net.n_layers && back.n_skipped == net.n_skipped);
	FUZZ_ASSERT(arch_net_macs(&back) == arch_net_macs(&net));
	arch_net_release(&back);
	free(out);
	arch_net_release(&net);
	return 0;
}
