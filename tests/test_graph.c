/* test_graph.c: networks as graphs (docs/network_format.md "Graphs"): the zoo's and the
 * search spaces' connections, the graph check's errors on hand-built broken graphs, the
 * topological order, the DRAM tensor plan against a brute-force overlap check, and the
 * generative round trip (random graphs written and read back; random corruptions give clean
 * errors). HWNAS_SEED=N replays a generative run, HWNAS_LONG=1 runs more cases. */
#include "../arch/arch.h"
#include "test.h"

#include <stdint.h>
#include <time.h>

static int parse(const char *text, struct arch_net *net, struct hn_err *err)
{
	return arch_net_parse_json(text, strlen(text), "g.json", net, err);
}

static int find(const struct arch_net *net, const char *name)
{
	for (int i = 0; i < net->n_layers; i++)
		if (!strcmp(net->layers[i].name, name))
			return i;
	return -100;
}

/* The names layer `name` reads, "a,b". */
static const char *reads(const struct arch_net *net, const char *name, char *buf, size_t size)
{
	int i = find(net, name);

	buf[0] = '\0';
	if (i < 0)
		return "(no such layer)";
	for (int s = 0; s < net->layers[i].n_in; s++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", s ? "," : "",
			 arch_net_tensor_name(net, net->layers[i].in[s]));
	return buf;
}

/* Every layer after all it reads in order[]; each layer once. */
static void check_order(const struct arch_net *net, const int *order)
{
	int *pos = calloc((size_t)net->n_layers + 1, sizeof(int));

	for (int i = 0; i < net->n_layers; i++)
		pos[i] = -1;
	for (int k = 0; k < net->n_layers; k++) {
		CHECK(order[k] >= 0 && order[k] < net->n_layers && pos[order[k]] < 0);
		if (order[k] >= 0 && order[k] < net->n_layers)
			pos[order[k]] = k;
	}
	for (int i = 0; i < net->n_layers; i++)
		for (int s = 0; s < net->layers[i].n_in; s++)
			if (net->layers[i].in[s] >= 0)
				CHECK(pos[net->layers[i].in[s]] < pos[i]);
	free(pos);
}

/* ---- the zoo and the spaces ---- */

static void zoo_networks_should_be_graphs_that_pass_the_check(void)
{
	/* MACs at batch 1, as test_arch.c checks them against the published figures */
	static const struct { const char *name; int64_t macs; int adds; } want[] = {
		{ "alexnet", 714188480, 0 }, { "vgg16", 15470264320, 0 },
		{ "resnet18", 1814073344, 8 }, { "resnet50", 4089184256, 16 },
		{ "mobilenet_v2", 300774272, 10 }, { "efficientnet_b0", 0, 9 },
		{ "bert_base", 0, 25 },
	};
	struct hn_err err = { 0 };

	CHECK_EQ_I64(arch_zoo_count(), 7);
	for (int z = 0; z < arch_zoo_count(); z++) {
		struct arch_net net;
		int adds = 0, *order;

		CHECK(!strcmp(arch_zoo_name(z), want[z].name));
		CHECK(arch_zoo_build(arch_zoo_name(z), 2, &net, &err) == 0);
		CHECK(net.graph == 1 && net.n_outputs == 1);
		CHECK_EQ_I64(arch_net_check_graph(&net, NULL, &err), 0);
		if (err.msg[0])
			fprintf(stderr, "%s: %s\n", arch_zoo_name(z), err.msg);
		if (want[z].macs)
			CHECK_EQ_I64(arch_net_macs(&net), 2 * want[z].macs);
		for (int i = 0; i < net.n_layers; i++)
			if (net.layers[i].kind == ARCH_ADD) {
				adds++;
				CHECK(net.layers[i].in[0] != net.layers[i].in[1]);
			}
		CHECK_EQ_I64(adds, want[z].adds);
		/* the zoo lists its layers in an execution order */
		order = malloc(sizeof(int) * (size_t)net.n_layers);
		CHECK(arch_net_topo_order(&net, order, &err) == 0);
		for (int i = 0; i < net.n_layers; i++)
			CHECK_EQ_I64(order[i], i);
		free(order);
		arch_net_release(&net);
	}
}

static void zoo_residual_adds_should_read_the_block_and_its_shortcut(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;
	char b[128];

	CHECK(arch_zoo_build("resnet18", 1, &net, &err) == 0);
	CHECK(!strcmp(reads(&net, "conv1", b, sizeof(b)), "image"));
	CHECK(!strcmp(reads(&net, "layer1.0.add", b, sizeof(b)), "layer1.0.conv2,maxpool"));
	CHECK(!strcmp(reads(&net, "layer1.1.conv1", b, sizeof(b)), "layer1.0.add"));
	CHECK(!strcmp(reads(&net, "layer2.0.downsample.0", b, sizeof(b)), "layer1.1.add"));
	CHECK(!strcmp(reads(&net, "layer2.0.add", b, sizeof(b)),
		      "layer2.0.conv2,layer2.0.downsample.0"));
	CHECK(!strcmp(reads(&net, "fc", b, sizeof(b)), "avgpool"));
	CHECK(!strcmp(arch_net_tensor_name(&net, net.outputs[0]), "fc"));
	arch_net_release(&net);

	CHECK(arch_zoo_build("resnet50", 1, &net, &err) == 0);
	CHECK(!strcmp(reads(&net, "layer3.2.add", b, sizeof(b)), "layer3.2.conv3,layer3.1.add"));
	arch_net_release(&net);

	/* MobileNetV2: features.3 is the second block of stage 24 (the first has stride 2) */
	CHECK(arch_zoo_build("mobilenet_v2", 1, &net, &err) == 0);
	CHECK(!strcmp(reads(&net, "features.3.add", b, sizeof(b)),
		      "features.3.conv.2,features.2.conv.2"));
	CHECK(!strcmp(reads(&net, "features.4.conv.0.0", b, sizeof(b)), "features.3.add"));
	CHECK(!strcmp(reads(&net, "features.1.conv.0.0", b, sizeof(b)), "features.0.0"));
	arch_net_release(&net);

	/* EfficientNet: the projection reads the depthwise output; the SE branch ends in fc2 */
	CHECK(arch_zoo_build("efficientnet_b0", 1, &net, &err) == 0);
	CHECK(!strcmp(reads(&net, "features.2.1.block.3.0", b, sizeof(b)),
		      "features.2.1.block.1.0"));
	CHECK(!strcmp(reads(&net, "features.2.1.block.2.fc1", b, sizeof(b)),
		      "features.2.1.block.2.avgpool"));
	CHECK(!strcmp(reads(&net, "features.2.1.add", b, sizeof(b)),
		      "features.2.1.block.3.0,features.2.0.block.3.0"));
	arch_net_release(&net);

	/* BERT: Q K^T, P V, the residual LayerNorms, the pooler on [CLS] */
	CHECK(arch_zoo_build("bert_base", 1, &net, &err) == 0);
	CHECK(net.n_inputs == 2);
	CHECK(!strcmp(reads(&net, "encoder.layer.3.attention.self.scores", b, sizeof(b)),
		      "encoder.layer.3.attention.self.query,encoder.layer.3.attention.self.key"));
	CHECK(!strcmp(reads(&net, "encoder.layer.3.attention.self.context", b, sizeof(b)),
		      "encoder.layer.3.attention.self.scores,encoder.layer.3.attention.self.value"));
	CHECK(!strcmp(reads(&net, "encoder.layer.3.output.LayerNorm", b, sizeof(b)),
		      "encoder.layer.3.output.dense,encoder.layer.3.attention.output.LayerNorm"));
	CHECK(!strcmp(reads(&net, "encoder.layer.0.attention.self.query", b, sizeof(b)),
		      "embeddings"));
	CHECK(!strcmp(reads(&net, "pooler.dense", b, sizeof(b)),
		      "encoder.layer.11.output.LayerNorm"));
	CHECK(net.layers[find(&net, "pooler.dense")].first_token == 1);
	arch_net_release(&net);
}

static void nb201_cells_should_wire_their_nodes_as_sums_of_edges(void)
{
	/* the best CIFAR-10 cell of the table */
	static const char *best = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+"
				  "|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
	struct hn_err err = { 0 };
	int ops[ARCH_NB201_EDGES], *order;
	struct arch_net net;
	char b[128];

	CHECK(arch_nb201_parse(best, ops, &err) == 0);
	CHECK(arch_nb201_build(ops, ARCH_NB201_CIFAR10, 1, &net, &err) == 0);
	CHECK(net.graph && arch_net_check_graph(&net, NULL, &err) == 0);
	/* node1 = e0(node0); node2 = e1(node0) + e2(node1); node3 = node0 + e4(node1) + e5(node2) */
	CHECK(!strcmp(reads(&net, "s1c0.e0.conv3x3", b, sizeof(b)), "stem"));
	CHECK(!strcmp(reads(&net, "s1c0.e2.conv3x3", b, sizeof(b)), "s1c0.e0.conv3x3"));
	CHECK(!strcmp(reads(&net, "s1c0.n2.add1", b, sizeof(b)),
		      "s1c0.e1.conv3x3,s1c0.e2.conv3x3"));
	CHECK(!strcmp(reads(&net, "s1c0.e4.conv3x3", b, sizeof(b)), "s1c0.e0.conv3x3"));
	CHECK(!strcmp(reads(&net, "s1c0.e5.conv1x1", b, sizeof(b)), "s1c0.n2.add1"));
	CHECK(!strcmp(reads(&net, "s1c0.n3.add1", b, sizeof(b)), "stem,s1c0.e4.conv3x3"));
	CHECK(!strcmp(reads(&net, "s1c0.n3.add2", b, sizeof(b)),
		      "s1c0.n3.add1,s1c0.e5.conv1x1"));
	CHECK(!strcmp(reads(&net, "s1c1.e0.conv3x3", b, sizeof(b)), "s1c0.n3.add2"));
	CHECK(!strcmp(reads(&net, "red1.conv_a", b, sizeof(b)), "s1c4.n3.add2"));
	CHECK(!strcmp(reads(&net, "red1.add", b, sizeof(b)), "red1.conv_b,red1.short.conv"));
	CHECK(!strcmp(reads(&net, "red1.short.pool", b, sizeof(b)), "s1c4.n3.add2"));
	/* the list puts e5 before the node-2 add it reads: the order moves it after */
	order = malloc(sizeof(int) * (size_t)net.n_layers);
	CHECK(arch_net_topo_order(&net, order, &err) == 0);
	check_order(&net, order);
	CHECK(order[find(&net, "s1c0.e5.conv1x1")] != find(&net, "s1c0.e5.conv1x1"));
	free(order);
	arch_net_release(&net);

	/* node 1 all none: e2 reads node 0 in its place; node 3 only from node 2 */
	CHECK(arch_nb201_parse("|none~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|none~0|none~1|"
			       "skip_connect~2|", ops, &err) == 0);
	CHECK(arch_nb201_build(ops, ARCH_NB201_CIFAR100, 1, &net, &err) == 0);
	CHECK(!strcmp(reads(&net, "s2c3.e2.pool", b, sizeof(b)), "s2c2.n2.add1"));
	CHECK(!strcmp(reads(&net, "s2c3.n2.add1", b, sizeof(b)), "s2c3.e1.conv1x1,s2c3.e2.pool"));
	CHECK(!strcmp(reads(&net, "s2c4.e1.conv1x1", b, sizeof(b)), "s2c3.n2.add1"));
	arch_net_release(&net);
}

static void every_nb201_cell_and_mobilenet_config_should_pass_the_graph_check(void)
{
	struct hn_err err = { 0 };
	int ops[ARCH_NB201_EDGES], bad = 0, *order = malloc(sizeof(int) * 4096);
	struct arch_mb_config c = arch_mb_default();
	struct arch_net net;

	for (int code = 0; code < ARCH_NB201_CELLS; code++) {
		arch_nb201_decode(code, ops);
		CHECK(arch_nb201_build(ops, code % 3, 1 + code % 2, &net, &err) == 0);
		if (arch_net_check_graph(&net, NULL, &err) || arch_net_topo_order(&net, order, &err))
			bad++;
		arch_net_release(&net);
	}
	CHECK_EQ_I64(bad, 0);
	/* the default MobileNet config is the zoo's MobileNetV2 layer for layer */
	CHECK(arch_mb_build(&c, 1, &net, &err) == 0);
	CHECK_EQ_I64(arch_net_macs(&net), 300774272);
	CHECK(arch_net_check_graph(&net, NULL, &err) == 0);
	arch_net_release(&net);
	for (int i = 0; i < 200; i++) {
		for (int s = 0; s < ARCH_MB_STAGES; s++) {
			c.kernel[s] = 3 + 2 * ((i * 7 + s) % 3);
			c.expand[s] = 1 + (i + s) % 6;
			c.depth[s] = 1 + (i * 3 + s) % 4;
		}
		c.width = 0.35 + 0.05 * (i % 20);
		c.resolution = 96 + 32 * (i % 5);
		CHECK(arch_mb_build(&c, 1, &net, &err) == 0);
		if (arch_net_check_graph(&net, NULL, &err))
			bad++;
		arch_net_release(&net);
	}
	CHECK_EQ_I64(bad, 0);
	free(order);
}

/* ---- the reader's errors on broken graphs ---- */

static void check_error(const char *text, const char *expect)
{
	struct hn_err err = { 0 };
	struct arch_net net = { 0 };
	int ret = parse(text, &net, &err);

	if (ret != HN_EINVAL) {
		fprintf(stderr, "accepted (%d): %s\n", ret, text);
		test_failed_checks++;
		if (ret == 0)
			arch_net_release(&net);
		return;
	}
	CHECK_STR_CONTAINS(err.msg, expect);
	CHECK(net.layers == NULL);
}

#define IN "\"inputs\": [{\"name\": \"x\", \"shape\": [3, 8, 8]}]"
#define C1 "{\"name\": \"c1\", \"type\": \"conv\", \"inputs\": [\"x\"], \"in\": [3, 8, 8], " \
	"\"out_channels\": 4, \"kernel\": 3, \"padding\": 1}"
#define C2 "{\"name\": \"c2\", \"type\": \"conv\", \"inputs\": [\"c1\"], \"in\": [4, 8, 8], " \
	"\"out_channels\": 4, \"kernel\": 3, \"padding\": 1}"

static void json_graph_should_read_connections_and_default_the_outputs(void)
{
	const char *t = "{" IN ", \"layers\": [" C1 ", " C2 ", {\"name\": \"r\", \"type\": "
			"\"add\", \"inputs\": [\"c2\", \"c1\"], \"in\": [4, 8, 8]}, {\"name\": "
			"\"side\", \"type\": \"pool\", \"inputs\": [\"c1\"], \"in\": [4, 8, 8], "
			"\"kernel\": 2, \"op\": \"max\"}]}";
	struct hn_err err = { 0 };
	struct arch_net net;
	char b[64];

	CHECK_EQ_I64(parse(t, &net, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "%s\n", err.msg);
	CHECK(net.graph == 1 && net.n_inputs == 1 && net.inputs[0].rank == 3);
	CHECK(!strcmp(reads(&net, "r", b, sizeof(b)), "c2,c1"));
	CHECK_EQ_I64(net.layers[0].in[0], ARCH_SRC_INPUT(0));
	/* outputs default to the layers no layer reads: r and side */
	CHECK_EQ_I64(net.n_outputs, 2);
	CHECK(net.outputs[0] == 2 && net.outputs[1] == 3);
	arch_net_release(&net);
}

static void json_graph_should_read_the_documented_residual_block(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;
	char b[64];

	CHECK_EQ_I64(arch_net_load("tests/data/nets/res_block.json", &net, &err), 0);
	CHECK(net.graph && net.n_layers == 6 && net.n_outputs == 1 && net.outputs[0] == 5);
	CHECK(!strcmp(reads(&net, "add", b, sizeof(b)), "conv_b,stem"));
	CHECK(!strcmp(reads(&net, "stem", b, sizeof(b)), "image"));
	/* stem 16*32*32*27 + two 16*32*32*144 + fc 16*10 */
	CHECK_EQ_I64(arch_net_macs(&net), 442368 + 2 * 2359296 + 160);
	arch_net_release(&net);
	/* at batch 4 the input rescales with the layers */
	CHECK_EQ_I64(arch_net_resolve("tests/data/nets/res_block.json", 4, &net, &err), 0);
	CHECK_EQ_I64(arch_net_check_graph(&net, NULL, &err), 0);
	CHECK_EQ_I64(arch_net_macs(&net), 4 * (442368 + 2 * 2359296 + 160));
	arch_net_release(&net);
}

static void json_graph_errors_should_name_the_file_layer_and_field(void)
{
	check_error("{" IN ", \"layers\": [{\"name\": \"c1\", \"type\": \"conv\", \"inputs\": "
		    "[\"nope\"], \"in\": [3, 8, 8], \"out_channels\": 4, \"kernel\": 3}]}",
		    "g.json: layers[0] 'c1': 'inputs'[0] names 'nope', which is neither a layer "
		    "nor a network input");
	/* the producer's output [1, 3, 8, 8] against a conv declaring 16 x 16 */
	check_error("{" IN ", \"layers\": [{\"name\": \"c1\", \"type\": \"conv\", \"inputs\": "
		    "[\"x\"], \"in\": [3, 16, 16], \"out_channels\": 4, \"kernel\": 3}]}",
		    "g.json: layers[0] 'c1': 'inputs'[0] 'x' is [1, 3, 8, 8] but the layer reads "
		    "[1, 3, 16, 16]");
	check_error("{" IN ", \"layers\": [" C1 ", {\"name\": \"a\", \"type\": \"add\", \"inputs\": "
		    "[\"c1\", \"x\"], \"in\": [4, 8, 8]}]}",
		    "g.json: layers[1] 'a': 'inputs'[1] 'x' has 3 channels, the add's operands have 4");
	check_error("{" IN ", \"layers\": [" C1 ", {\"name\": \"a\", \"type\": \"add\", \"inputs\": "
		    "[\"c1\"], \"in\": [4, 8, 8]}]}",
		    "g.json: layers[1] 'a': 'inputs' must be an array of 2 tensor names for an add "
		    "layer, got [\"c1\"]");
	/* a cycle: c2 reads c3, c3 reads c2 */
	check_error("{" IN ", \"layers\": [" C1 ", {\"name\": \"c2\", \"type\": \"conv\", "
		    "\"inputs\": [\"c3\"], \"in\": [4, 8, 8], \"out_channels\": 4, \"kernel\": 1}, "
		    "{\"name\": \"c3\", \"type\": \"conv\", \"inputs\": [\"c2\"], \"in\": [4, 8, 8], "
		    "\"out_channels\": 4, \"kernel\": 1}], \"outputs\": [\"c1\"]}",
		    "g.json: layers[1] 'c2': 'inputs' form a cycle (each reads the next): 'c2' <- "
		    "'c3' <- 'c2'");
	check_error("{" IN ", \"layers\": [{\"name\": \"c1\", \"type\": \"conv\", \"inputs\": "
		    "[\"c1\"], \"in\": [3, 8, 8], \"out_channels\": 3, \"kernel\": 1}], "
		    "\"outputs\": [\"x\"]}",
		    "g.json: layers[0] 'c1': 'inputs'[0] is the layer itself (a cycle)");
	check_error("{" IN ", \"layers\": [{\"name\": \"x\", \"type\": \"conv\", \"inputs\": "
		    "[\"x\"], \"in\": [3, 8, 8], \"out_channels\": 3, \"kernel\": 1}]}",
		    "g.json: layers[0] 'x': a layer cannot have the name of network input inputs[0]");
	check_error("{\"inputs\": [{\"name\": \"x\", \"shape\": [3, 8, 8]}, {\"name\": \"x\", "
		    "\"shape\": [3]}], \"layers\": [" C1 "]}",
		    "g.json: inputs[1] 'x': duplicate input name (also inputs[0])");
	check_error("{" IN ", \"layers\": [" C1 ", {\"name\": \"c2\", \"type\": \"conv\", \"in\": "
		    "[4, 8, 8], \"out_channels\": 4, \"kernel\": 1}]}",
		    "g.json: layers[1] 'c2': missing required field 'inputs' (the network has "
		    "top-level 'inputs'");
	check_error("{\"layers\": [" C1 "]}",
		    "g.json: layers[0] 'c1': 'inputs' needs the network's top-level 'inputs'");
	check_error("{\"outputs\": [\"c1\"], \"layers\": [{\"type\": \"fc\", \"in_features\": 2, "
		    "\"out_features\": 2}]}", "g.json: 'outputs' needs the network's 'inputs'");
	check_error("{" IN ", \"outputs\": [\"c9\"], \"layers\": [" C1 "]}",
		    "g.json: 'outputs'[0] names 'c9', which is neither a layer nor a network input");
	check_error("{\"inputs\": [{\"name\": \"x\", \"shape\": [3, 0]}], \"layers\": [" C1 "]}",
		    "g.json: inputs[0] 'x': 'shape' must be [C, H, W], [tokens, features] or "
		    "[features] of integers 1 .. 2^40, got [3,0]");
	check_error("{\"inputs\": [{\"name\": \"x\", \"dims\": [3]}], \"layers\": [" C1 "]}",
		    "g.json: inputs[0]: unknown field 'dims' (expected name, shape)");
	check_error("{\"inputs\": [], \"layers\": [" C1 "]}",
		    "g.json: 'inputs' must be an array of 1 to 16 network inputs");
	/* a flatten must keep the elements: 4 x 8 x 8 = 256 read as 128 features */
	check_error("{" IN ", \"layers\": [" C1 ", {\"name\": \"fc\", \"type\": \"fc\", \"inputs\": "
		    "[\"c1\"], \"in_features\": 128, \"out_features\": 10}]}",
		    "g.json: layers[1] 'fc': 'inputs'[0] 'c1' is [1, 4, 8, 8] (256 elements) but "
		    "the layer reads [1, 128] (128 elements)");
	check_error("{" IN ", \"layers\": [" C1 ", {\"name\": \"fc\", \"type\": \"fc\", \"inputs\": "
		    "[\"c1\"], \"in_features\": 3, \"out_features\": 10, \"first_token\": true}]}",
		    "g.json: layers[1] 'fc': 'inputs'[0] 'c1' is [1, 4, 8, 8] (256 elements), not a "
		    "whole number of the [1, 3] rows the layer reads ('first_token')");
	check_error("{" IN ", \"layers\": [{\"name\": \"c1\", \"type\": \"conv\", \"inputs\": "
		    "[3], \"in\": [3, 8, 8], \"out_channels\": 4, \"kernel\": 3}]}",
		    "g.json: layers[0] 'c1': 'inputs'[0] must be a tensor name (a string), got 3");
	check_error("{" IN ", \"layers\": [{\"name\": \"m\", \"type\": \"matmul\", \"inputs\": "
		    "[\"x\", \"x\"], \"batch\": 3, \"m\": 8, \"k\": 8, \"n\": 4}]}",
		    "g.json: layers[0] 'm': 'inputs'[1] 'x' is [1, 3, 8, 8] (192 elements) but the "
		    "layer reads [3, 8, 4] (96 elements)");
}

static void json_graph_should_accept_layers_in_any_order_and_order_them(void)
{
	/* listed backwards: fc, c2, c1 */
	const char *t = "{" IN ", \"layers\": [{\"name\": \"fc\", \"type\": \"fc\", \"inputs\": "
			"[\"c2\"], \"in_features\": 256, \"out_features\": 10}, " C2 ", " C1 "]}";
	struct hn_err err = { 0 };
	struct arch_net net;
	int order[3];

	CHECK_EQ_I64(parse(t, &net, &err), 0);
	CHECK_EQ_I64(arch_net_topo_order(&net, order, &err), 0);
	CHECK(order[0] == 2 && order[1] == 1 && order[2] == 0);
	CHECK(net.n_outputs == 1 && net.outputs[0] == 0);
	arch_net_release(&net);
}

static void list_form_networks_should_read_as_before_without_a_graph(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;
	char *text;
	int order[8];

	CHECK_EQ_I64(arch_net_load("tests/data/nets/small_net.json", &net, &err), 0);
	CHECK(net.graph == 0 && net.n_inputs == 0 && net.n_outputs == 0);
	for (int i = 0; i < net.n_layers; i++)
		CHECK_EQ_I64(net.layers[i].n_in, 0);
	CHECK_EQ_I64(arch_net_check_graph(&net, NULL, &err), 0);
	CHECK_EQ_I64(arch_net_topo_order(&net, order, &err), 0);
	for (int i = 0; i < net.n_layers; i++)
		CHECK_EQ_I64(order[i], i);
	text = arch_net_to_json(&net); /* no graph fields written */
	CHECK(text && !strstr(text, "\"inputs\"") && !strstr(text, "\"outputs\""));
	free(text);
	arch_net_release(&net);
}

/* A 150,000-layer graph, listed backwards (the worst order for the reader), with a residual
 * add every other layer: read, checked and ordered in linear time (as the list form is:
 * test_arch.c). The cycle check walks the whole graph. */
static void graph_reading_should_be_linear_in_the_layer_count(void)
{
	const int n = 150000;
	size_t cap = (size_t)n * 128 + 256, len = 0;
	char *buf = malloc(cap);
	struct hn_err err = { 0 };
	struct arch_net net;
	struct timespec t0, t1;
	int *order = malloc(sizeof(int) * (size_t)n);
	double secs;

	CHECK(buf && order);
	if (!buf || !order)
		return;
	len = (size_t)snprintf(buf, cap, "{\"inputs\": [{\"name\": \"x\", \"shape\": [8]}], "
			       "\"layers\": [");
	for (int i = n - 1; i >= 0; i--) {
		char prev[16], prev2[16];

		/* a_i = f_(i-1) + a_(i-2) for odd i, f_i = fc(a_(i-1)); x before the first */
		snprintf(prev, sizeof(prev), i ? "a%d" : "x", i - 1);
		snprintf(prev2, sizeof(prev2), i > 1 ? "a%d" : "x", i - 2);
		if (i % 2)
			len += (size_t)snprintf(buf + len, cap - len, "{\"name\": \"a%d\", \"type\": "
						"\"add\", \"inputs\": [\"f%d\", \"%s\"], \"in\": "
						"[8, 1, 1]},", i, i - 1, prev2);
		else
			len += (size_t)snprintf(buf + len, cap - len, "{\"name\": \"f%d\", \"type\": "
						"\"fc\", \"inputs\": [\"%s\"], \"in_features\": 8, "
						"\"out_features\": 8},", i, prev);
	}
	len--; /* the last comma */
	len += (size_t)snprintf(buf + len, cap - len, "]}");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ_I64(arch_net_parse_json(buf, len, "big.json", &net, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "%s\n", err.msg);
	CHECK_EQ_I64(net.n_layers, n);
	CHECK_EQ_I64(arch_net_topo_order(&net, order, &err), 0);
	CHECK(net.n_layers == n && order[0] == n - 1 && order[n - 1] == 0);
	CHECK(net.n_outputs == 1 && net.outputs[0] == 0);
	arch_net_release(&net);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	printf("  %d-layer graph JSON read, checked and ordered in %.2f s\n", n, secs);
	CHECK(secs < 15);
	free(order);
	free(buf);
}

/* ---- the DRAM plan ---- */

/* Brute force: every pair of tensors live at one step is disjoint, offsets aligned, inside
 * the total, after the weights; weights disjoint. Lifetimes recomputed here. */
static int plan_is_valid(const struct arch_net *net, const struct arch_plan *p, int64_t align)
{
	int bad = 0, n = net->n_layers, nt = net->n_inputs + n, *pos = calloc((size_t)n + 1, sizeof(int));
	int *first = calloc((size_t)nt + 1, sizeof(int)), *last = calloc((size_t)nt + 1, sizeof(int));

	for (int k = 0; k < n; k++)
		pos[p->order[k]] = k;
	for (int t = 0; t < nt; t++) {
		first[t] = last[t] = t < net->n_inputs ? -1 : pos[t - net->n_inputs];
		if (p->act[t].id != (t < net->n_inputs ? ARCH_SRC_INPUT(t) : t - net->n_inputs))
			bad++;
	}
	for (int i = 0; i < n; i++)
		for (int s = 0; s < net->layers[i].n_in; s++) {
			int32_t id = net->layers[i].in[s];
			int t = id < 0 ? -1 - id : net->n_inputs + id;

			if (pos[i] > last[t])
				last[t] = pos[i];
		}
	for (int k = 0; k < net->n_outputs; k++) {
		int32_t id = net->outputs[k];

		last[id < 0 ? -1 - id : net->n_inputs + id] = n - 1;
	}
	for (int t = 0; t < nt; t++) {
		const struct arch_plan_tensor *a = &p->act[t];

		if (a->first != first[t] || a->last != last[t] || a->offset % align ||
		    a->bytes % align || a->bytes <= 0 || a->offset < p->act_base ||
		    a->offset + a->bytes > p->total)
			bad++;
		for (int u = t + 1; u < nt; u++) {
			const struct arch_plan_tensor *b = &p->act[u];

			if (first[t] <= last[u] && first[u] <= last[t] &&
			    a->offset < b->offset + b->bytes && b->offset < a->offset + a->bytes)
				bad++;
		}
	}
	for (int i = 0; i < n; i++) {
		if (p->weight_offset[i] < 0)
			continue;
		if (p->weight_offset[i] % align || p->weight_offset[i] + p->weight_bytes[i] >
		    p->weights_total)
			bad++;
		for (int j = i + 1; j < n; j++)
			if (p->weight_offset[j] >= 0 &&
			    p->weight_offset[i] < p->weight_offset[j] + p->weight_bytes[j] &&
			    p->weight_offset[j] < p->weight_offset[i] + p->weight_bytes[i])
				bad++;
	}
	if (p->act_total < p->act_peak_live || p->act_base % align)
		bad++;
	{ /* the peak, step by step */
		int64_t peak = 0;

		for (int st = -1; st < n; st++) {
			int64_t live = 0;

			for (int t = 0; t < nt; t++)
				if (first[t] <= st && st <= last[t])
					live += p->act[t].bytes;
			peak = live > peak ? live : peak;
		}
		if (peak != p->act_peak_live)
			bad++;
	}
	free(pos);
	free(first);
	free(last);
	return bad;
}

static void plan_should_reuse_the_space_of_dead_tensors_on_a_chain(void)
{
	/* x [3, 8, 8] -> c1 [4, 8, 8] -> c2 [4, 8, 8] -> fc 10, int8, align 64 */
	const char *t = "{" IN ", \"layers\": [" C1 ", " C2 ", {\"name\": \"fc\", \"type\": \"fc\", "
			"\"inputs\": [\"c2\"], \"in_features\": 256, \"out_features\": 10}]}";
	struct arch_plan_opts o = { 1, 1, 64, 0 };
	struct hn_err err = { 0 };
	struct arch_plan p;
	struct arch_net net;

	CHECK_EQ_I64(parse(t, &net, &err), 0);
	CHECK_EQ_I64(arch_plan_build(&net, &o, &p, &err), 0);
	/* weights: c1 4*3*9 = 108 -> 128, c2 4*4*9 = 144 -> 192, fc 2560 -> 2560 */
	CHECK_EQ_I64(p.weight_offset[0], 0);
	CHECK_EQ_I64(p.weight_offset[1], 128);
	CHECK_EQ_I64(p.weight_offset[2], 320);
	CHECK_EQ_I64(p.weights_total, 2880);
	CHECK_EQ_I64(p.act_base, 2880);
	/* x 192 [-1, 0], c1 256 [0, 1], c2 256 [1, 2], fc 10 -> 64 [2, 2]: largest first,
	 * c1 at 0, c2 beside it at 256 (both live at step 1), x at 256 (free until step 1),
	 * fc at 0 (c1 is dead at step 2) */
	CHECK_EQ_I64(p.act[1].offset - p.act_base, 0);
	CHECK_EQ_I64(p.act[2].offset - p.act_base, 256);
	CHECK_EQ_I64(p.act[0].offset - p.act_base, 256);
	CHECK_EQ_I64(p.act[3].offset - p.act_base, 0);
	CHECK_EQ_I64(p.act_total, 512);
	CHECK_EQ_I64(p.act_peak_live, 512);
	CHECK_EQ_I64(p.total, 2880 + 512);
	CHECK_EQ_I64(plan_is_valid(&net, &p, 64), 0);
	arch_plan_release(&p);
	/* padded: x and c1 are read by 3 x 3 convs with padding 1: stored 10 x 10 */
	o.padded = 1;
	o.align = 1;
	CHECK_EQ_I64(arch_plan_build(&net, &o, &p, &err), 0);
	CHECK(p.act[0].border_h == 1 && p.act[0].border_w == 1 && p.act[0].bytes == 300);
	CHECK(p.act[1].border_h == 1 && p.act[1].bytes == 400);
	CHECK(p.act[2].border_h == 0 && p.act[2].bytes == 256); /* read by the fc */
	CHECK_EQ_I64(plan_is_valid(&net, &p, 1), 0);
	arch_plan_release(&p);
	/* bad options and a list-form network */
	o.align = 48;
	CHECK_EQ_I64(arch_plan_build(&net, &o, &p, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'align' must be a power of two 1 .. 65536, got 48");
	arch_net_release(&net);
	CHECK_EQ_I64(arch_net_load("tests/data/nets/small_net.json", &net, &err), 0);
	o.align = 1;
	CHECK_EQ_I64(arch_plan_build(&net, &o, &p, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "the DRAM plan needs a graph");
	arch_net_release(&net);
}

static void plan_of_the_zoo_should_be_valid_and_below_the_sum_of_tensors(void)
{
	struct arch_plan_opts o = { 1, 1, 4096, 1 };
	struct hn_err err = { 0 };

	for (int z = 0; z < arch_zoo_count(); z++) {
		struct arch_net net;
		struct arch_plan p;
		int64_t sum = 0;

		CHECK(arch_zoo_build(arch_zoo_name(z), 1, &net, &err) == 0);
		CHECK_EQ_I64(arch_plan_build(&net, &o, &p, &err), 0);
		CHECK_EQ_I64(plan_is_valid(&net, &p, o.align), 0);
		for (int t = 0; t < p.n_tensors; t++)
			sum += p.act[t].bytes;
		CHECK(p.act_total < sum);
		/* weights: one byte per weight (biases and BN travel with the tile program) */
		if (!strcmp(arch_zoo_name(z), "resnet18"))
			printf("  resnet18 int8 plan (padded, 4 KiB aligned): weights %lld B, "
			       "activations %lld B (peak live %lld B, %lld B without reuse)\n",
			       (long long)p.weights_total, (long long)p.act_total,
			       (long long)p.act_peak_live, (long long)sum);
		arch_plan_release(&p);
		arch_net_release(&net);
	}
}

/* ---- generative: random graphs ---- */

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33) % n;
}

/* A random valid graph: chains, branches off any earlier tensor, residual adds of a branch
 * onto its start, flattens into fc layers, matmuls of two rows tensors; then the layers
 * shuffled (the order is the graph's business) when shuffle is set. */
static void random_graph(struct arch_net *net, int shuffle)
{
	int64_t batch = 1 + rnd(2);
	int want = 2 + (int)rnd(14), nin = 1 + (int)rnd(2), guard = 0;
	struct hn_err err;

	arch_net_init(net, "gen", batch);
	for (int i = 0; i < nin; i++) {
		int64_t d[3] = { 1 + rnd(8), 4 + rnd(12), 4 + rnd(12) };
		char name[16];

		snprintf(name, sizeof(name), "in%d", i);
		arch_net_add_input(net, name, 3, d);
	}
	while (net->n_layers < want && guard++ < 1000) {
		int32_t src = rnd(2) && net->n_layers ? (int32_t)rnd((uint32_t)net->n_layers) :
			      ARCH_SRC_INPUT(rnd((uint32_t)nin));
		struct arch_shape s = arch_net_tensor_shape(net, src);
		struct arch_layer l;
		char name[16];
		int kind = (int)rnd(10);

		snprintf(name, sizeof(name), "L%d", net->n_layers);
		if (s.rank == 4 && kind < 4) {
			int r = rnd(2) ? 3 : 1;
			int32_t stride = (int32_t)(1 + rnd(2)), pad = (int32_t)(r / 2);

			if (s.d[2] + 2 * pad < r)
				continue;
			l = arch_conv(name, batch, s.d[1], s.d[2], s.d[3], 1 + rnd(8), r, stride,
				      pad, 1);
			if (rnd(3) == 0 && s.d[1] % 2 == 0)
				l.groups = 2, l.k = 2 * (1 + rnd(4));
		} else if (s.rank == 4 && kind < 6) {
			if (s.d[2] < 2 || s.d[3] < 2)
				continue;
			l = arch_pool(name, batch, s.d[1], s.d[2], s.d[3], 2, (int32_t)(1 + rnd(2)),
				      0, (int)rnd(2));
		} else if (s.rank == 4 && kind < 8) {
			/* a residual: a same-shape 3 x 3 conv branch, added back onto src */
			struct arch_layer c = arch_conv(name, batch, s.d[1], s.d[2], s.d[3], s.d[1],
							3, 1, 1, 1);

			c.n_in = 1;
			c.in[0] = src;
			arch_net_add(net, &c);
			snprintf(name, sizeof(name), "L%d", net->n_layers);
			l = arch_add(name, batch, s.d[1], s.d[2], s.d[3]);
			l.n_in = 2;
			l.in[0] = net->n_layers - 1;
			l.in[1] = src;
			arch_net_add(net, &l);
			continue;
		} else if (kind < 9 || s.rank != 2) {
			/* fc on the flattened tensor */
			int64_t e = arch_shape_elems(&s);

			if (e % batch)
				continue;
			l = arch_fc(name, batch, e / batch, 1 + rnd(16));
			l.bias = (uint8_t)rnd(2);
		} else {
			/* matmul of rows by rows: [g][m][kk] x [g][kk][nn] from an fc's [rows][f] */
			int64_t e = arch_shape_elems(&s);

			if (e % batch)
				continue;
			l = arch_matmul(name, batch, 1, e / batch, 1);
			l.n_in = 2;
			l.in[0] = src;
			l.in[1] = src;
			arch_net_add(net, &l);
			continue;
		}
		l.n_in = 1;
		l.in[0] = src;
		arch_net_add(net, &l);
	}
	{
		uint8_t *read = calloc((size_t)net->n_layers + 1, 1);

		for (int i = 0; i < net->n_layers; i++)
			for (int s = 0; s < net->layers[i].n_in; s++)
				if (net->layers[i].in[s] >= 0)
					read[net->layers[i].in[s]] = 1;
		for (int i = 0; i < net->n_layers && net->n_outputs < ARCH_IO_MAX; i++)
			if (!read[i])
				arch_net_add_output(net, i);
		if (net->n_outputs == 0)
			arch_net_add_output(net, net->n_layers ? net->n_layers - 1 : -1);
		free(read);
	}
	if (shuffle && net->n_layers > 1) {
		int n = net->n_layers, *perm = malloc(sizeof(int) * (size_t)n);
		struct arch_layer *old = malloc(sizeof(*old) * (size_t)n);

		for (int i = 0; i < n; i++)
			perm[i] = i;
		for (int i = n - 1; i > 0; i--) {
			int j = (int)rnd((uint32_t)i + 1), x = perm[i];

			perm[i] = perm[j];
			perm[j] = x;
		}
		memcpy(old, net->layers, sizeof(*old) * (size_t)n);
		for (int i = 0; i < n; i++) /* old layer i goes to perm[i] */
			net->layers[perm[i]] = old[i];
		for (int i = 0; i < n; i++)
			for (int s = 0; s < net->layers[i].n_in; s++)
				if (net->layers[i].in[s] >= 0)
					net->layers[i].in[s] = perm[net->layers[i].in[s]];
		for (int k = 0; k < net->n_outputs; k++)
			if (net->outputs[k] >= 0)
				net->outputs[k] = perm[net->outputs[k]];
		free(old);
		free(perm);
	}
	(void)err;
}

static int same_net(const struct arch_net *a, const struct arch_net *b)
{
	if (a->n_layers != b->n_layers || a->graph != b->graph || a->n_inputs != b->n_inputs ||
	    a->n_outputs != b->n_outputs || a->batch != b->batch)
		return 0;
	for (int i = 0; i < a->n_inputs; i++)
		if (strcmp(a->inputs[i].name, b->inputs[i].name) ||
		    a->inputs[i].rank != b->inputs[i].rank ||
		    memcmp(a->inputs[i].dims, b->inputs[i].dims, sizeof(a->inputs[i].dims)))
			return 0;
	if (memcmp(a->outputs, b->outputs, sizeof(int32_t) * (size_t)a->n_outputs))
		return 0;
	for (int i = 0; i < a->n_layers; i++) {
		const struct arch_layer *x = &a->layers[i], *y = &b->layers[i];

		if (strcmp(x->name, y->name) || x->kind != y->kind || x->n != y->n || x->c != y->c ||
		    x->h != y->h || x->w != y->w || x->k != y->k || x->r != y->r || x->s != y->s ||
		    x->stride_h != y->stride_h || x->stride_w != y->stride_w ||
		    x->pad_h != y->pad_h || x->pad_w != y->pad_w || x->groups != y->groups ||
		    x->pool_max != y->pool_max || x->bias != y->bias || x->n_in != y->n_in ||
		    x->first_token != y->first_token)
			return 0;
		for (int s = 0; s < x->n_in; s++)
			if (x->in[s] != y->in[s])
				return 0;
	}
	return 1;
}

/* One random edit of a written network's text. */
static void corrupt(char *t, size_t *len, const struct arch_net *net)
{
	size_t n = *len;
	int what = (int)rnd(6);

	if (n < 4)
		return;
	if (what == 0) { /* rename a reference: "L3" -> "L9"-ish, maybe a cycle or a dangle */
		char *p = strstr(t + rnd((uint32_t)n), "\"L");

		if (p && p[2] >= '0' && p[2] <= '9')
			p[2] = (char)('0' + rnd(10));
	} else if (what == 1) { /* a digit changed: shapes, channels */
		for (int k = 0; k < 64; k++) {
			size_t i = rnd((uint32_t)n);

			if (t[i] >= '0' && t[i] <= '9') {
				t[i] = (char)('0' + rnd(10));
				break;
			}
		}
	} else if (what == 2) { /* a byte range deleted */
		size_t i = rnd((uint32_t)n), k = 1 + rnd(40);

		if (i + k > n)
			k = n - i;
		memmove(t + i, t + i + k, n - i - k + 1);
		*len = n - k;
	} else if (what == 3) { /* an input name swapped for a network input's */
		char *p = strstr(t + rnd((uint32_t)n), "\"inputs\":\t[\"L");

		if (p && net->n_inputs)
			memcpy(p + 12, "in", 2);
	} else if (what == 4) { /* a random byte */
		t[rnd((uint32_t)n)] = (char)rnd(256);
	} else { /* a layer's inputs doubled or emptied */
		char *p = strstr(t + rnd((uint32_t)n), "\"inputs\":\t[");

		if (p && rnd(2))
			memcpy(p, "\"inputz\"", 8);
		else if (p)
			p[11] = ']';
	}
}

static void random_graphs_should_round_trip_and_corruptions_give_clean_errors(void)
{
	const char *env = getenv("HWNAS_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
	int cases = getenv("HWNAS_LONG") ? 20000 : 1500, accepted = 0, refused = 0, bad = 0;
	int planned = 0, cycles = 0, dangling = 0, shapes = 0;

	printf("  random graphs: seed %llu (HWNAS_SEED=%llu replays), %d cases\n",
	       (unsigned long long)seed, (unsigned long long)seed, cases);
	rng_state = seed;
	for (int c = 0; c < cases && bad < 5; c++) {
		struct hn_err err = { 0 };
		struct arch_net net, back;
		struct arch_plan plan;
		struct arch_plan_opts o = { 1 + rnd(4), 1 + rnd(2), (int64_t)1 << rnd(8),
					    (int)rnd(2) };
		char *text;
		size_t len;
		int ret;

		random_graph(&net, (int)rnd(2));
		ret = arch_net_check_graph(&net, "gen", &err);
		if (ret) {
			fprintf(stderr, "case %d: generated graph fails its check: %s\n", c, err.msg);
			bad++;
			arch_net_release(&net);
			continue;
		}
		if (arch_plan_build(&net, &o, &plan, &err) || plan_is_valid(&net, &plan, o.align)) {
			fprintf(stderr, "case %d: bad plan (%s)\n", c, err.msg);
			bad++;
		} else {
			planned++;
			arch_plan_release(&plan);
		}
		text = arch_net_to_json(&net);
		ret = parse(text, &back, &err);
		if (ret || !same_net(&net, &back)) {
			fprintf(stderr, "case %d: does not read back (%s):\n%s\n", c, err.msg, text);
			bad++;
		}
		if (!ret)
			arch_net_release(&back);
		/* a residual branch made to read its own add: the cycle must be named */
		for (int i = 0; i < net.n_layers; i++) {
			struct arch_layer *a = &net.layers[i], *cv;

			if (a->kind != ARCH_ADD || a->in[0] < 0)
				continue;
			cv = &net.layers[a->in[0]];
			if (cv->kind != ARCH_CONV || cv->in[0] != a->in[1])
				continue;
			cv->in[0] = i;
			free(text);
			text = arch_net_to_json(&net);
			cv->in[0] = a->in[1];
			ret = parse(text, &back, &err);
			if (ret != HN_EINVAL || !strstr(err.msg, "'inputs' form a cycle (each reads "
							 "the next)")) {
				fprintf(stderr, "case %d: cycle not named (%d): %s\n", c, ret, err.msg);
				bad++;
				if (!ret)
					arch_net_release(&back);
			}
			cycles++;
			free(text);
			text = arch_net_to_json(&net);
			break;
		}
		/* corruptions: clean errors or a valid network */
		for (int k = 0; k < 4; k++) {
			char *t = strdup(text);

			len = strlen(t);
			for (int e = (int)rnd(3); e >= 0; e--)
				corrupt(t, &len, &net);
			memset(&err, 0, sizeof(err));
			ret = arch_net_parse_json(t, len, "g.json", &back, &err);
			if (ret == 0) {
				int *order = malloc(sizeof(int) * ((size_t)back.n_layers + 1));

				accepted++;
				if (arch_net_check_graph(&back, NULL, &err) ||
				    arch_net_topo_order(&back, order, &err)) {
					fprintf(stderr, "case %d: accepted a bad graph: %s\n", c, err.msg);
					bad++;
				} else {
					check_order(&back, order);
				}
				free(order);
				arch_net_release(&back);
			} else {
				refused++;
				cycles += strstr(err.msg, "cycle") != NULL;
				dangling += strstr(err.msg, "which is neither a layer nor") != NULL;
				shapes += strstr(err.msg, "but the layer reads") != NULL ||
					  strstr(err.msg, "channels, the add's") != NULL;
				if (ret != HN_EINVAL || strncmp(err.msg, "g.json", 6)) {
					fprintf(stderr, "case %d: error %d '%s'\n", c, ret, err.msg);
					bad++;
				}
			}
			free(t);
		}
		free(text);
		arch_net_release(&net);
	}
	printf("  %d plans checked, %d corruptions refused with a message (%d cycles, %d dangling "
	       "names, %d shape mismatches), %d still valid\n", planned, refused, cycles, dangling,
	       shapes, accepted);
	CHECK_EQ_I64(bad, 0);
	CHECK(refused > cases);
	CHECK(cycles > 0 && dangling > 0 && shapes > 0);
}

int main(void)
{
	RUN(zoo_networks_should_be_graphs_that_pass_the_check);
	RUN(zoo_residual_adds_should_read_the_block_and_its_shortcut);
	RUN(nb201_cells_should_wire_their_nodes_as_sums_of_edges);
	RUN(every_nb201_cell_and_mobilenet_config_should_pass_the_graph_check);
	RUN(json_graph_should_read_connections_and_default_the_outputs);
	RUN(json_graph_should_read_the_documented_residual_block);
	RUN(json_graph_errors_should_name_the_file_layer_and_field);
	RUN(json_graph_should_accept_layers_in_any_order_and_order_them);
	RUN(list_form_networks_should_read_as_before_without_a_graph);
	RUN(graph_reading_should_be_linear_in_the_layer_count);
	RUN(plan_should_reuse_the_space_of_dead_tensors_on_a_chain);
	RUN(plan_of_the_zoo_should_be_valid_and_below_the_sum_of_tensors);
	RUN(random_graphs_should_round_trip_and_corruptions_give_clean_errors);
	return TEST_SUMMARY();
}
