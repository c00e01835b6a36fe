/* test_arch.c: layers, the GEMM lowering, the zoo against published figures, and the network
 * readers (JSON, SCALE-Sim) with their error messages. Run from the repository root. */
#include "../arch/arch.h"
#include "test.h"

#include <stdint.h>
#include <time.h>

#define NETS "tests/data/nets/"

/* ---- layers ---- */

static void conv_output_should_follow_torch_floor_rule_with_padding_and_dilation(void)
{
	struct arch_layer l = arch_conv("c", 1, 8, 32, 31, 8, 3, 2, 2, 1);

	l.dil_h = 2;             /* (32 + 4 - 2*2 - 1) / 2 + 1 = 16 (31/2 floors) */
	l.s = 5;
	l.stride_w = 3;
	l.pad_w = 1;
	l.dil_w = 3;             /* (31 + 2 - 3*4 - 1) / 3 + 1 = 7 */
	CHECK_EQ_I64(arch_out_h(&l), 16);
	CHECK_EQ_I64(arch_out_w(&l), 7);
	/* resnet conv1: 224, k7 s2 p3 -> 112; maxpool k3 s2 p1 -> 56 */
	l = arch_conv("conv1", 1, 3, 224, 224, 64, 7, 2, 3, 1);
	CHECK_EQ_I64(arch_out_h(&l), 112);
	l = arch_pool("maxpool", 1, 64, 112, 112, 3, 2, 1, 1);
	CHECK_EQ_I64(arch_out_w(&l), 56);
}

static void conv_output_should_be_zero_when_the_kernel_does_not_fit(void)
{
	struct arch_layer l = arch_conv("c", 1, 3, 4, 4, 8, 5, 1, 0, 1);

	CHECK_EQ_I64(arch_out_h(&l), 0);
	l.dil_h = 2; /* span 9 > 4 + 2 pad */
	l.pad_h = 1;
	CHECK_EQ_I64(arch_out_h(&l), 0);
}

static void conv_should_lower_to_an_im2col_gemm(void)
{
	struct arch_layer l = arch_conv("c", 2, 64, 56, 56, 128, 3, 2, 1, 1);
	struct arch_gemm g = arch_gemm(&l);

	CHECK_EQ_I64(g.g, 1);
	CHECK_EQ_I64(g.m, 2 * 28 * 28);
	CHECK_EQ_I64(g.n, 128);
	CHECK_EQ_I64(g.k, 64 * 9);
	CHECK_EQ_I64(g.elems_in, 2 * 64 * 56 * 56);
	CHECK_EQ_I64(g.elems_out, 2 * 128 * 28 * 28);
	CHECK_EQ_I64(g.b_is_act, 0);
	CHECK_EQ_I64(arch_layer_macs(&l), 2LL * 28 * 28 * 128 * 64 * 9);
}

static void grouped_conv_should_lower_to_one_gemm_per_group(void)
{
	struct arch_layer l = arch_conv("c", 1, 64, 14, 14, 128, 3, 1, 1, 4);
	struct arch_gemm g = arch_gemm(&l);

	CHECK_EQ_I64(g.g, 4);
	CHECK_EQ_I64(g.m, 196);
	CHECK_EQ_I64(g.n, 32);
	CHECK_EQ_I64(g.k, 16 * 9);
	CHECK_EQ_I64(arch_layer_macs(&l), 4LL * 196 * 32 * 144);
	CHECK_EQ_I64(arch_layer_params(&l), 128LL * 16 * 9);
}

static void depthwise_conv_macs_should_be_channels_times_pq_times_rs(void)
{
	/* MobileNetV2 features.2.conv.1.0: 96 channels, 112 -> 56, 3 x 3 */
	struct arch_layer l = arch_conv("dw", 1, 96, 112, 112, 96, 3, 2, 1, 96);
	struct arch_gemm g = arch_gemm(&l);

	CHECK_EQ_I64(g.g, 96);
	CHECK_EQ_I64(g.n, 1);
	CHECK_EQ_I64(g.k, 9);
	CHECK_EQ_I64(arch_layer_macs(&l), 96LL * 56 * 56 * 9);
	l.bn = 1;
	CHECK_EQ_I64(arch_layer_params(&l), 96 * 9 + 2 * 96);
}

static void fc_should_lower_to_rows_by_out_by_in(void)
{
	struct arch_layer l = arch_fc("fc", 256, 768, 3072);
	struct arch_gemm g = arch_gemm(&l);

	CHECK_EQ_I64(g.g, 1);
	CHECK_EQ_I64(g.m, 256);
	CHECK_EQ_I64(g.n, 3072);
	CHECK_EQ_I64(g.k, 768);
	CHECK_EQ_I64(g.elems_in, 256 * 768);
	CHECK_EQ_I64(g.elems_out, 256 * 3072);
	l.bias = 1;
	CHECK_EQ_I64(arch_layer_params(&l), 768 * 3072 + 3072);
	l.bn = 1;
	l.extra_params = 5;
	CHECK_EQ_I64(arch_layer_params(&l), 768 * 3072 + 3 * 3072 + 5);
}

static void matmul_should_lower_with_an_activation_as_b(void)
{
	struct arch_layer l = arch_matmul("qk", 24, 128, 64, 128);
	struct arch_gemm g = arch_gemm(&l);

	CHECK_EQ_I64(g.g, 24);
	CHECK_EQ_I64(g.m, 128);
	CHECK_EQ_I64(g.k, 64);
	CHECK_EQ_I64(g.n, 128);
	CHECK_EQ_I64(g.b_is_act, 1);
	CHECK_EQ_I64(g.elems_in, 24 * 128 * 64);
	CHECK_EQ_I64(g.elems_out, 24 * 128 * 128);
	CHECK_EQ_I64(arch_layer_macs(&l), 24LL * 128 * 64 * 128);
	CHECK_EQ_I64(arch_layer_params(&l), 0);
}

static void pool_and_add_should_have_no_macs_and_count_elements(void)
{
	struct arch_layer p = arch_pool("p", 2, 64, 112, 112, 3, 2, 1, 1);
	struct arch_layer a = arch_add("a", 2, 256, 56, 56);
	struct arch_gemm gp = arch_gemm(&p), ga = arch_gemm(&a);

	CHECK_EQ_I64(gp.g + gp.m + gp.n + gp.k, 0);
	CHECK_EQ_I64(gp.elems_in, 2 * 64 * 112 * 112);
	CHECK_EQ_I64(gp.elems_out, 2 * 64 * 56 * 56);
	CHECK_EQ_I64(ga.g + ga.m + ga.n + ga.k, 0);
	CHECK_EQ_I64(ga.elems_in, 2 * 2 * 256 * 56 * 56);
	CHECK_EQ_I64(ga.elems_out, 2 * 256 * 56 * 56);
	CHECK_EQ_I64(arch_layer_macs(&p) + arch_layer_macs(&a), 0);
	a.extra_params = 1536;
	CHECK_EQ_I64(arch_layer_params(&a), 1536);
	CHECK_EQ_I64(arch_layer_params(&p), 0);
}

static void layer_check_should_accept_every_constructor(void)
{
	struct hn_err err = { 0 };
	struct arch_layer ls[] = {
		arch_conv("c", 1, 3, 224, 224, 64, 7, 2, 3, 1),
		arch_fc("f", 1, 512, 1000),
		arch_matmul("m", 12, 128, 64, 128),
		arch_pool("p", 1, 64, 112, 112, 3, 2, 1, 1),
		arch_add("a", 1, 64, 56, 56),
	};

	for (size_t i = 0; i < sizeof(ls) / sizeof(ls[0]); i++)
		CHECK_EQ_I64(arch_layer_check(&ls[i], &err), 0);
}

static void layer_check_should_name_groups_not_dividing_c(void)
{
	struct hn_err err = { 0 };
	struct arch_layer l = arch_conv("conv3", 1, 64, 56, 56, 64, 3, 1, 1, 3);

	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'conv3': 'groups' (3) must divide 'c' (64)");
	l = arch_conv("conv4", 1, 64, 56, 56, 50, 3, 1, 1, 4);
	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'conv4': 'groups' (4) must divide 'k' (50)");
}

static void layer_check_should_reject_non_positive_fields(void)
{
	struct hn_err err = { 0 };
	struct arch_layer l = arch_conv("conv1", 1, 3, 224, 224, 64, 7, 2, 3, 1);

	l.stride_w = 0;
	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'conv1': 'stride_w' must be >= 1, got 0");
	l = arch_fc("fc", 1, 0, 10);
	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'fc': 'c' must be >= 1, got 0");
	l = arch_conv("conv1", 1, 3, 224, 224, 64, 7, 2, -1, 1);
	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "padding must be >= 0");
	l = arch_add("a", 1, 8, 8, 8);
	l.extra_params = -1;
	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "'extra_params' must be >= 0");
}

static void layer_check_should_reject_a_kernel_larger_than_the_input(void)
{
	struct hn_err err = { 0 };
	struct arch_layer l = arch_conv("big", 1, 3, 4, 4, 8, 5, 1, 0, 1);

	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'big': output size must be >= 1, got 0 x 0");
}

static void layer_check_should_reject_shapes_whose_macs_overflow_int64(void)
{
	struct hn_err err = { 0 };
	struct arch_layer l = arch_conv("huge", 1, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 1, 1, 0, 1);

	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'huge': shape too large");
	l = arch_fc("wide", INT64_MAX / 2, 4, 4);
	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "overflow int64");
	/* fits int64 but not the cost model's byte and cycle counts: rejected, with the limit */
	l = arch_fc("big", 1 << 20, 1 << 20, 1 << 20);
	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'big': shape too large: MACs, input (im2col) and output "
			   "must each be at most 2^50");
	/* 2^50 MACs exactly: accepted */
	l = arch_fc("ok", 1 << 20, 1 << 10, 1 << 20);
	CHECK_EQ_I64(arch_layer_check(&l, &err), 0);
	CHECK_EQ_I64(arch_layer_macs(&l), (int64_t)1 << 50);
}

static void layer_check_should_reject_groups_or_filter_on_kinds_without_them(void)
{
	struct hn_err err = { 0 };
	struct arch_layer l = arch_fc("fc", 1, 8, 8);

	l.groups = 2;
	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'fc': 'groups' must be 1 for a fc layer, got 2");
	l = arch_matmul("mm", 1, 8, 8, 8);
	l.r = 3;
	CHECK_EQ_I64(arch_layer_check(&l, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "layer 'mm': a matmul layer has no filter");
}

static void kind_names_should_parse_back(void)
{
	for (int k = 0; k < ARCH_KIND_COUNT; k++)
		CHECK_EQ_I64(arch_kind_parse(arch_kind_name((enum arch_kind)k)), k);
	CHECK_EQ_I64(arch_kind_parse("lstm"), -1);
	CHECK_EQ_I64(arch_kind_parse(NULL), -1);
	CHECK(!strcmp(arch_kind_name(ARCH_MATMUL), "matmul"));
}

static void net_add_should_keep_every_layer_in_order(void)
{
	struct arch_net net;
	char name[32];

	arch_net_init(&net, "n", 1);
	for (int i = 0; i < 1000; i++) {
		struct arch_layer l;

		snprintf(name, sizeof(name), "fc%d", i);
		l = arch_fc(name, 1, i + 1, 2);
		CHECK_EQ_I64(arch_net_add(&net, &l), 0);
	}
	CHECK_EQ_I64(net.n_layers, 1000);
	CHECK(!strcmp(net.layers[999].name, "fc999"));
	CHECK_EQ_I64(net.layers[517].c, 518);
	CHECK_EQ_I64(arch_net_params(&net), 2LL * 1000 * 1001 / 2);
	arch_net_release(&net);
	CHECK_EQ_I64(net.n_layers, 0);
	CHECK(net.layers == NULL);
}

/* ---- zoo ---- */

static struct arch_net build(const char *name, int64_t batch)
{
	struct hn_err err = { 0 };
	struct arch_net net = { 0 };

	if (arch_zoo_build(name, batch, &net, &err)) {
		fprintf(stderr, "arch_zoo_build(%s): %s\n", name, err.msg);
		test_failed_checks++;
	}
	return net;
}

/* torchvision publishes "GFLOPS" that are MACs, rounded to 2 decimals. */
static void check_published_macs(const struct arch_net *net, double published_g)
{
	double ours = (double)arch_net_macs(net) / 1e9;
	double tol = published_g * 0.005 > 0.005 ? published_g * 0.005 : 0.005;

	if (!(fabs(ours - published_g) <= tol)) {
		fprintf(stderr, "%s: %.4f GMACs vs published %.2f\n", net->name, ours, published_g);
		test_failed_checks++;
	}
}

static void zoo_alexnet_should_match_torchvision(void)
{
	struct arch_net net = build("alexnet", 1);

	CHECK_EQ_I64(arch_net_params(&net), 61100840);
	CHECK_NEAR(arch_net_params(&net), 61100840, 0.005);
	/* 70,276,800 + 223,948,800 + 112,140,288 + 149,520,384 + 99,680,256 (convs)
	 * + 37,748,736 + 16,777,216 + 4,096,000 (classifier) */
	CHECK_EQ_I64(arch_net_macs(&net), 714188480);
	check_published_macs(&net, 0.71);
	arch_net_release(&net);
}

static void zoo_vgg16_should_match_torchvision(void)
{
	struct arch_net net = build("vgg16", 1);

	CHECK_EQ_I64(arch_net_params(&net), 138357544);
	CHECK_NEAR(arch_net_params(&net), 138357544, 0.005);
	CHECK_EQ_I64(arch_net_macs(&net), 15470264320LL);
	check_published_macs(&net, 15.47);
	arch_net_release(&net);
}

static void zoo_resnet18_should_match_torchvision(void)
{
	struct arch_net net = build("resnet18", 1);

	CHECK_EQ_I64(arch_net_params(&net), 11689512);
	CHECK_NEAR(arch_net_params(&net), 11689512, 0.005);
	CHECK_EQ_I64(arch_net_macs(&net), 1814073344);
	check_published_macs(&net, 1.81);
	arch_net_release(&net);
}

static void zoo_resnet50_should_match_torchvision_params_and_macs(void)
{
	struct arch_net net = build("resnet50", 1);

	CHECK_EQ_I64(arch_net_params(&net), 25557032);
	CHECK_NEAR(arch_net_params(&net), 25557032, 0.005);
	CHECK_EQ_I64(arch_net_macs(&net), 4089184256LL);
	check_published_macs(&net, 4.09);
	arch_net_release(&net);
}

static void zoo_mobilenet_v2_should_match_torchvision_and_the_paper(void)
{
	struct arch_net net = build("mobilenet_v2", 1);

	CHECK_EQ_I64(arch_net_params(&net), 3504872);
	CHECK_NEAR(arch_net_params(&net), 3504872, 0.005);
	/* the paper's "300M multiply-adds"; 299,493,272 in the convs + 1,280,000 classifier */
	CHECK_EQ_I64(arch_net_macs(&net), 300774272);
	check_published_macs(&net, 0.30);
	arch_net_release(&net);
}

static void zoo_efficientnet_b0_should_match_torchvision_and_the_paper(void)
{
	struct arch_net net = build("efficientnet_b0", 1);

	CHECK_EQ_I64(arch_net_params(&net), 5288548);
	CHECK_NEAR(arch_net_params(&net), 5288548, 0.005);
	/* the paper's 0.39B FLOPs (multiply-adds); the SE scaling multiplies are not counted */
	CHECK_EQ_I64(arch_net_macs(&net), 385814752);
	check_published_macs(&net, 0.39);
	arch_net_release(&net);
}

static void zoo_bert_base_should_match_huggingface_params_and_derived_macs(void)
{
	struct arch_net net = build("bert_base", 1);
	/* per layer at sequence 128: Q, K, V, output 4 x 128 x 768 x 768; scores and context
	 * 2 x 12 x 128 x 128 x 64; FFN 2 x 128 x 768 x 3072 */
	int64_t per_layer = 4LL * 128 * 768 * 768 + 2LL * 12 * 128 * 128 * 64 + 2LL * 128 * 768 * 3072;

	CHECK_EQ_I64(per_layer, 931135488);
	CHECK_EQ_I64(arch_net_params(&net), 109482240);
	CHECK_NEAR(arch_net_params(&net), 109482240, 0.005);
	CHECK_EQ_I64(arch_net_macs(&net), 12 * per_layer + 768 * 768);
	arch_net_release(&net);
}

static const struct arch_layer *find_layer(const struct arch_net *net, const char *name)
{
	for (int i = 0; i < net->n_layers; i++)
		if (!strcmp(net->layers[i].name, name))
			return &net->layers[i];
	return NULL;
}

static void zoo_layers_should_carry_torchvision_module_names(void)
{
	struct arch_net net = build("resnet50", 1);
	const struct arch_layer *l = find_layer(&net, "layer1.0.conv1");

	CHECK(l && l->kind == ARCH_CONV && l->c == 64 && l->k == 64 && l->r == 1);
	l = find_layer(&net, "layer2.0.conv2");  /* v1.5: the stride is in the 3 x 3 */
	CHECK(l && l->stride_h == 2 && l->r == 3 && arch_out_h(l) == 28);
	l = find_layer(&net, "layer4.2.add");
	CHECK(l && l->kind == ARCH_ADD && l->c == 2048 && l->h == 7);
	l = find_layer(&net, "fc");
	CHECK(l && l->kind == ARCH_FC && l->bias && l->c == 2048 && l->k == 1000);
	arch_net_release(&net);

	net = build("efficientnet_b0", 1);
	l = find_layer(&net, "features.2.0.block.1.0");
	CHECK(l && l->groups == 96 && l->c == 96 && l->stride_h == 2);
	l = find_layer(&net, "features.2.0.block.2.fc1"); /* SE squeeze: 16 / 4 = 4 channels */
	CHECK(l && l->h == 1 && l->w == 1 && l->k == 4 && l->bias);
	arch_net_release(&net);

	net = build("mobilenet_v2", 1);
	l = find_layer(&net, "features.17.conv.1.0");
	CHECK(l && l->groups == 960 && l->h == 7);
	arch_net_release(&net);

	net = build("bert_base", 1);
	l = find_layer(&net, "encoder.layer.11.attention.self.scores");
	CHECK(l && l->kind == ARCH_MATMUL && l->n == 12 && l->h == 128 && l->c == 64 && l->k == 128);
	l = find_layer(&net, "encoder.layer.0.attention.self.context");
	CHECK(l && l->kind == ARCH_MATMUL && l->c == 128 && l->k == 64);
	l = find_layer(&net, "pooler.dense");
	CHECK(l && l->n == 1 && l->c == 768 && l->k == 768);
	arch_net_release(&net);
}

static void zoo_layers_should_all_pass_the_check_with_unique_names(void)
{
	for (int i = 0; i < arch_zoo_count(); i++) {
		struct arch_net net = build(arch_zoo_name(i), 2);
		struct hn_err err = { 0 };

		CHECK(net.n_layers > 0);
		CHECK(arch_zoo_describe(i) && arch_zoo_describe(i)[0]);
		for (int j = 0; j < net.n_layers; j++) {
			if (arch_layer_check(&net.layers[j], &err)) {
				fprintf(stderr, "%s: %s\n", net.name, err.msg);
				test_failed_checks++;
			}
			for (int k = 0; k < j; k++)
				CHECK(strcmp(net.layers[j].name, net.layers[k].name));
		}
		arch_net_release(&net);
	}
	CHECK_EQ_I64(arch_zoo_count(), 7);
	CHECK(arch_zoo_name(7) == NULL);
}

static void zoo_macs_should_scale_linearly_with_batch(void)
{
	for (int i = 0; i < arch_zoo_count(); i++) {
		struct arch_net one = build(arch_zoo_name(i), 1);
		struct arch_net four = build(arch_zoo_name(i), 4);

		CHECK_EQ_I64(arch_net_macs(&four), 4 * arch_net_macs(&one));
		CHECK_EQ_I64(arch_net_params(&four), arch_net_params(&one));
		CHECK_EQ_I64(four.batch, 4);
		arch_net_release(&one);
		arch_net_release(&four);
	}
}

static void zoo_should_reject_an_unknown_name_and_a_bad_batch(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_zoo_build("resnet51", 1, &net, &err), HN_ENOTFOUND);
	CHECK_STR_CONTAINS(err.msg, "unknown network 'resnet51'");
	CHECK_EQ_I64(arch_zoo_build("resnet50", 0, &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "resnet50: batch must be between 1 and");
}

/* ---- JSON ---- */

static int parse(const char *text, struct arch_net *net, struct hn_err *err)
{
	return arch_net_parse_json(text, strlen(text), "net.json", net, err);
}

/* Parses text, which must fail, and checks the message. */
static void check_json_error(const char *text, const char *expect)
{
	struct hn_err err = { 0 };
	struct arch_net net = { 0 };

	if (parse(text, &net, &err) != HN_EINVAL) {
		fprintf(stderr, "accepted: %s\n", text);
		test_failed_checks++;
		arch_net_release(&net);
		return;
	}
	CHECK_STR_CONTAINS(err.msg, expect);
	CHECK(net.layers == NULL);
}

#define CONV1 "{\"name\": \"conv1\", \"type\": \"conv\", \"in\": [3, 32, 32], " \
	"\"out_channels\": 16, \"kernel\": 3}"

static void json_should_read_the_sample_network_file(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;
	const struct arch_layer *l;

	CHECK_EQ_I64(arch_net_load(NETS "small_net.json", &net, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "%s\n", err.msg);
	CHECK(!strcmp(net.name, "small_net"));
	CHECK_EQ_I64(net.batch, 2);
	CHECK_EQ_I64(net.n_layers, 8);
	l = find_layer(&net, "dw");
	CHECK(l && l->groups == 16 && l->dil_h == 2 && l->pad_w == 2 && l->n == 2 && l->bn);
	CHECK(l && arch_out_h(l) == 16);
	l = find_layer(&net, "pool");  /* stride defaults to the kernel */
	CHECK(l && l->pool_max && l->stride_h == 2 && arch_out_h(l) == 8);
	l = find_layer(&net, "gap");
	CHECK(l && !l->pool_max && arch_out_w(l) == 1);
	l = find_layer(&net, "attn"); /* matmul batch x network batch */
	CHECK(l && l->n == 8 && l->h == 16 && l->c == 8 && l->k == 16);
	l = find_layer(&net, "fc");
	CHECK(l && l->n == 2 && l->bias && arch_layer_params(l) == 330);
	/* stem 2*16*16*16*27 + dw 2*16*16*16*9 + pw 2*32*16*16*16 + attn 8*16*8*16 + fc 2*32*10 */
	CHECK_EQ_I64(arch_net_macs(&net), 221184 + 73728 + 262144 + 16384 + 640);
	arch_net_release(&net);
}

static void json_should_default_name_stride_and_batch(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;
	const char *t = "{\"layers\": [" CONV1 ", {\"type\": \"fc\", \"in_features\": 4, "
			"\"out_features\": 2, \"tokens\": 3}]}";

	CHECK_EQ_I64(arch_net_parse_json(t, strlen(t), "dir/my.net.json", &net, &err), 0);
	CHECK(!strcmp(net.name, "my.net"));
	CHECK_EQ_I64(net.batch, 1);
	CHECK(!strcmp(net.layers[1].name, "fc1"));
	CHECK_EQ_I64(net.layers[1].n, 3);
	CHECK_EQ_I64(net.layers[0].stride_w, 1);
	arch_net_release(&net);
}

static void json_should_report_the_line_and_column_of_a_syntax_error(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_load(NETS "bad_syntax.json", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, NETS "bad_syntax.json:4:57: JSON syntax error");
	CHECK_STR_CONTAINS(err.msg, "near '\"out_channels\"");
	check_json_error("{\"layers\": [\n" CONV1 "\n]} trailing", "net.json:3:4: JSON syntax error");
	check_json_error("", "net.json: JSON syntax error: empty file");
}

static void json_should_name_the_layer_and_field_of_a_bad_kernel(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_load(NETS "bad_kernel.json", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, NETS "bad_kernel.json: layers[1] 'conv2': 'kernel' must be a "
			   "positive integer or [h, w], got -1");
	check_json_error("{\"layers\": [{\"type\": \"conv\", \"in\": [3, 8, 8], \"out_channels\": 4, "
			 "\"kernel\": [3, 2.5]}]}",
			 "net.json: layers[0]: 'kernel' must be a positive integer or [h, w], got [3,2.5]");
	check_json_error("{\"layers\": [{\"type\": \"conv\", \"in\": [3, 8, 8], \"out_channels\": 4, "
			 "\"kernel\": \"3\"}]}", "'kernel' must be a positive integer or [h, w], got \"3\"");
	check_json_error("{\"layers\": [{\"type\": \"conv\", \"in\": [3, 8, 8], \"out_channels\": 4, "
			 "\"kernel\": 3, \"padding\": -1}]}",
			 "'padding' must be a non-negative integer or [h, w], got -1");
}

static void json_should_reject_wrong_types_and_missing_fields(void)
{
	check_json_error("{\"layers\": [{\"name\": \"c\", \"type\": \"conv\", \"in\": [3, 8], "
			 "\"out_channels\": 4, \"kernel\": 3}]}",
			 "net.json: layers[0] 'c': 'in' must be [C, H, W] of positive integers, got [3,8]");
	check_json_error("{\"layers\": [{\"name\": \"c\", \"type\": \"conv\", \"in\": [3, 8, 8], "
			 "\"kernel\": 3}]}",
			 "net.json: layers[0] 'c': missing required field 'out_channels'");
	check_json_error("{\"layers\": [{\"name\": \"c\", \"type\": \"conv\", \"in\": [3, 8, 8], "
			 "\"out_channels\": 4, \"kernel\": 3, \"bias\": 1}]}",
			 "layers[0] 'c': 'bias' must be true or false, got 1");
	check_json_error("{\"layers\": [{\"name\": \"f\", \"type\": \"fc\", \"in_features\": 4, "
			 "\"out_features\": 0}]}",
			 "layers[0] 'f': 'out_features' must be a positive integer, got 0");
	check_json_error("{\"layers\": [{\"name\": \"m\", \"type\": \"matmul\", \"m\": 4, \"k\": 4}]}",
			 "layers[0] 'm': missing required field 'n'");
	check_json_error("{\"layers\": [{\"name\": \"p\", \"type\": \"pool\", \"in\": [3, 8, 8], "
			 "\"kernel\": 2, \"op\": \"min\"}]}",
			 "layers[0] 'p': 'op' must be \"max\" or \"avg\", got \"min\"");
	check_json_error("{\"layers\": [{\"name\": \"p\", \"type\": \"pool\", \"in\": [3, 8, 8], "
			 "\"kernel\": 2}]}", "layers[0] 'p': missing required field 'op'");
	check_json_error("{\"layers\": [{\"name\": \"p\"}]}",
			 "layers[0] 'p': missing required field 'type'");
	check_json_error("{\"layers\": [{\"name\": 7, \"type\": \"add\", \"in\": [1, 1, 1]}]}",
			 "layers[0]: 'name' must be a non-empty string, got 7");
	check_json_error("{\"layers\": [" CONV1 ", 5]}",
			 "net.json: layers[1]: a layer must be an object, got 5");
	check_json_error("{\"batch\": 0, \"layers\": [" CONV1 "]}",
			 "net.json: 'batch' must be an integer between 1 and 16777216, got 0");
	check_json_error("{\"name\": \"\", \"layers\": [" CONV1 "]}",
			 "net.json: 'name' must be a string of 1 to 47 bytes (UTF-8)");
}

static void json_should_reject_an_unknown_type(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_load(NETS "bad_type.json", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad_type.json: layers[0] 'lstm1': 'type' must be one of conv, "
			   "fc, matmul, pool, add, got \"lstm\"");
}

static void json_should_reject_unknown_fields_to_catch_typos(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_load(NETS "bad_unknown_field.json", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad_unknown_field.json: layers[0] 'conv1': unknown field "
			   "'strides' for a conv layer (did you mean 'stride'?)");
	check_json_error("{\"layer\": []}", "net.json: unknown top-level field 'layer'");
	/* "dilation" belongs to conv only */
	check_json_error("{\"layers\": [{\"name\": \"p\", \"type\": \"pool\", \"in\": [3, 8, 8], "
			 "\"kernel\": 2, \"op\": \"max\", \"dilation\": 2}]}",
			 "layers[0] 'p': unknown field 'dilation' for a pool layer "
			 "(see docs/network_format.md)");
}

static void json_should_reject_an_empty_layer_list_and_a_non_object_root(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_load(NETS "bad_empty.json", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad_empty.json: 'layers' must be a non-empty array, got []");
	check_json_error("[1, 2]", "net.json: the top level must be an object");
	check_json_error("{\"name\": \"x\"}", "net.json: missing required field 'layers'");
	check_json_error("{\"layers\": {}}", "net.json: 'layers' must be a non-empty array, got {}");
}

static void json_should_reject_duplicate_layer_names(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_load(NETS "bad_duplicate.json", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad_duplicate.json: layers[1] 'conv1': duplicate layer name "
			   "(also layers[0])");
}

static void json_should_check_groups_and_output_size(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_load(NETS "bad_groups.json", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad_groups.json: layers[0] 'conv3': 'groups' (3) must divide "
			   "the input channels in[0] (64)");
	CHECK_EQ_I64(arch_net_load(NETS "bad_output_size.json", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad_output_size.json: layers[0] 'big': output size must be >= 1");
	check_json_error("{\"layers\": [{\"name\": \"h\", \"type\": \"fc\", \"in_features\": 4194304, "
			 "\"out_features\": 4194304, \"tokens\": 4194304}]}",
			 "net.json: layers[0] 'h': shape too large");
}

static int layer_eq(const struct arch_layer *a, const struct arch_layer *b)
{
	return !strcmp(a->name, b->name) && a->kind == b->kind && a->n == b->n && a->c == b->c &&
	       a->h == b->h && a->w == b->w && a->k == b->k && a->r == b->r && a->s == b->s &&
	       a->stride_h == b->stride_h && a->stride_w == b->stride_w && a->pad_h == b->pad_h &&
	       a->pad_w == b->pad_w && a->dil_h == b->dil_h && a->dil_w == b->dil_w &&
	       a->groups == b->groups && a->bias == b->bias && a->bn == b->bn &&
	       (a->kind != ARCH_POOL || a->pool_max == b->pool_max) &&
	       a->extra_params == b->extra_params;
}

static void json_writer_output_should_read_back_as_the_same_network(void)
{
	const int64_t batches[] = { 1, 3 };

	for (int i = 0; i < arch_zoo_count(); i++) {
		for (int bi = 0; bi < 2; bi++) {
			struct arch_net net = build(arch_zoo_name(i), batches[bi]), back;
			struct hn_err err = { 0 };
			char *text = arch_net_to_json(&net);

			CHECK(text != NULL);
			if (!text || arch_net_parse_json(text, strlen(text), "zoo.json", &back, &err)) {
				fprintf(stderr, "%s: %s\n", net.name, err.msg);
				test_failed_checks++;
				free(text);
				arch_net_release(&net);
				continue;
			}
			CHECK(!strcmp(back.name, net.name));
			CHECK_EQ_I64(back.batch, net.batch);
			CHECK_EQ_I64(back.n_layers, net.n_layers);
			for (int j = 0; j < net.n_layers && j < back.n_layers; j++)
				if (!layer_eq(&net.layers[j], &back.layers[j])) {
					fprintf(stderr, "%s: layer %s differs\n", net.name,
						net.layers[j].name);
					test_failed_checks++;
				}
			CHECK_EQ_I64(arch_net_macs(&back), arch_net_macs(&net));
			CHECK_EQ_I64(arch_net_params(&back), arch_net_params(&net));
			free(text);
			arch_net_release(&net);
			arch_net_release(&back);
		}
	}
}

static void json_writer_should_print_totals_and_gemm_per_layer(void)
{
	struct arch_net net = build("resnet50", 1);
	char *text = arch_net_to_json(&net);

	CHECK_STR_CONTAINS(text, "\"macs\":\t4089184256");
	CHECK_STR_CONTAINS(text, "\"params\":\t25557032");
	CHECK_STR_CONTAINS(text, "\"name\":\t\"layer1.0.conv2\"");
	CHECK_STR_CONTAINS(text, "\"gemm\":");
	free(text);
	arch_net_release(&net);
}

/* ---- loading by name ---- */

static void resolve_should_prefer_the_zoo_then_a_file(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_resolve("resnet18", 2, &net, &err), 0);
	CHECK_EQ_I64(arch_net_macs(&net), 2 * 1814073344LL);
	arch_net_release(&net);
	CHECK_EQ_I64(arch_net_resolve("resnet18", 0, &net, &err), 0);
	CHECK_EQ_I64(net.batch, 1);
	arch_net_release(&net);
	CHECK_EQ_I64(arch_net_resolve(NETS "small_net.json", 0, &net, &err), 0);
	CHECK_EQ_I64(net.batch, 2);
	CHECK_EQ_I64(arch_net_macs(&net), 574080);
	arch_net_release(&net);
	/* another batch rescales every layer's batch dimension */
	CHECK_EQ_I64(arch_net_resolve(NETS "small_net.json", 6, &net, &err), 0);
	CHECK_EQ_I64(net.batch, 6);
	CHECK_EQ_I64(arch_net_macs(&net), 3 * 574080);
	arch_net_release(&net);
	CHECK_EQ_I64(arch_net_resolve(NETS "scalesim_resnet_head.csv", 0, &net, &err), 0);
	CHECK(!strcmp(net.name, "scalesim_resnet_head"));
	arch_net_release(&net);
}

static void resolve_should_explain_an_unknown_name(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_resolve("resnet9000", 1, &net, &err), HN_ENOTFOUND);
	CHECK_STR_CONTAINS(err.msg, "unknown network 'resnet9000' (not in the zoo, no such file); "
			   "'hwnas zoo list' shows the zoo");
	CHECK_EQ_I64(arch_net_resolve("tests/data", 1, &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "tests/data: is a directory, not a network file");
}

/* ---- SCALE-Sim ---- */

#define SS_HEADER "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, " \
	"Channels, Num Filter, Strides,\n"

static int parse_ss(const char *text, struct arch_net *net, struct hn_err *err)
{
	return arch_net_parse_scalesim(text, strlen(text), "topo.csv", net, err);
}

static void check_ss_error(const char *text, const char *expect)
{
	struct hn_err err = { 0 };
	struct arch_net net = { 0 };

	if (parse_ss(text, &net, &err) != HN_EINVAL) {
		fprintf(stderr, "accepted: %s\n", text);
		test_failed_checks++;
		arch_net_release(&net);
		return;
	}
	CHECK_STR_CONTAINS(err.msg, expect);
}

static void check_ss_error_len(const char *text, size_t len, const char *expect)
{
	struct hn_err err = { 0 };
	struct arch_net net = { 0 };

	if (arch_net_parse_scalesim(text, len, "topo.csv", &net, &err) != HN_EINVAL) {
		fprintf(stderr, "accepted: %s\n", text);
		test_failed_checks++;
		arch_net_release(&net);
		return;
	}
	CHECK_STR_CONTAINS(err.msg, expect);
}

static void scalesim_should_read_the_sample_topology(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;
	const struct arch_layer *l;

	CHECK_EQ_I64(arch_net_load(NETS "scalesim_resnet_head.csv", &net, &err), 0);
	CHECK_EQ_I64(net.n_layers, 7);
	CHECK_EQ_I64(net.batch, 1);
	/* SCALE-Sim's rule: ceil((230 - 7 + 2) / 2) = 113 (torch's floor on 230 would be 112);
	 * read as an IFMAP of 112 x 2 + 7 = 231 rows; 113^2 x 7^2 x 3 x 64 MACs */
	l = find_layer(&net, "conv1");
	CHECK(l && l->pad_h == 0 && arch_out_h(l) == 113 && arch_out_w(l) == 113 &&
	      l->stride_w == 2 && l->h == 231);
	CHECK(l && arch_layer_macs(l) == 120130752);
	l = find_layer(&net, "layer1.0.conv2"); /* (58 - 3 + 1) / 1 = 56, exact */
	CHECK(l && arch_out_w(l) == 56 && l->h == 58 && arch_layer_macs(l) == 115605504);
	l = find_layer(&net, "layer2.0.conv2"); /* ceil((58 - 3 + 2) / 2) = 29 */
	CHECK(l && arch_out_h(l) == 29 && arch_layer_macs(l) == 29 * 29 * 9 * 128 * 128);
	l = find_layer(&net, "fc"); /* an FC row: a 1 x 1 conv on a 1 x 1 map */
	CHECK(l && l->kind == ARCH_CONV && arch_layer_macs(l) == 2048000);
	arch_net_release(&net);
}

static void scalesim_should_accept_crlf_blank_lines_and_no_trailing_comma(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(parse_ss("\r\nLayer name,IFMAP Height,IFMAP Width,Filter Height,Filter Width,"
			      "Channels,Num Filter,Strides\r\n\r\n"
			      "a, 8, 8, 3, 3, 4, 8, 1\r\n"
			      "  \r\n"
			      "b,6,6,3,1,8,16,2,\r\n", &net, &err), 0);
	CHECK_EQ_I64(net.n_layers, 2);
	CHECK(net.n_layers == 2 && !strcmp(net.layers[1].name, "b"));
	/* ceil((6 - 3 + 2) / 2) = 3 rows, ceil((6 - 1 + 2) / 2) = 4 columns */
	CHECK(net.n_layers == 2 && net.layers[1].s == 1 && arch_out_h(&net.layers[1]) == 3 &&
	      arch_out_w(&net.layers[1]) == 4);
	arch_net_release(&net);
	/* issue 14: CR-only line ends (reported as "no layers" before) */
	CHECK_EQ_I64(parse_ss("Layer name,IFMAP Height,IFMAP Width,Filter Height,Filter Width,"
			      "Channels,Num Filter,Strides,\ra,8,8,3,3,4,8,1,\rb,8,8,1,1,4,8,1,\r",
			      &net, &err), 0);
	CHECK_EQ_I64(net.n_layers, 2);
	arch_net_release(&net);
}

/* issue 13: a SCALE-Sim file means what it means in SCALE-Sim: output ceil((H - F + S) / S),
 * no padding. Rows with the shapes of SCALE-Sim's published topologies (scale-sim-v2,
 * topologies/conv_nets), outputs and MACs worked out by hand. */
static void scalesim_should_size_outputs_as_scalesim_does(void)
{
	static const struct {
		const char *row;
		int64_t out_h, out_w, macs;
	} rows[] = {
		/* alexnet.csv Conv1: ceil(217 / 4) = 55 (torch's floor: 54) */
		{ "Conv1, 224, 224, 11, 11, 3, 96, 4,", 55, 55, 55LL * 55 * 11 * 11 * 3 * 96 },
		/* alexnet.csv Conv2: 27 - 5 + 1 = 23 */
		{ "Conv2, 27, 27, 5, 5, 96, 256, 1,", 23, 23, 23LL * 23 * 25 * 96 * 256 },
		/* alexnet.csv Conv3: 13 - 3 + 1 = 11 */
		{ "Conv3, 13, 13, 3, 3, 256, 384, 1,", 11, 11, 11LL * 11 * 9 * 256 * 384 },
		/* Resnet18.csv / Googlenet.csv Conv1: ceil(219 / 2) = 110 (floor: 109) */
		{ "Conv1, 224, 224, 7, 7, 3, 64, 2,", 110, 110, 110LL * 110 * 49 * 3 * 64 },
		/* Resnet18.csv Conv3_1a: ceil(55 / 2) = 28 (floor: 27) */
		{ "Conv3_1a, 56, 56, 3, 3, 64, 128, 2,", 28, 28, 28LL * 28 * 9 * 64 * 128 },
		/* Resnet18.csv Conv2_1a: 56 - 3 + 1 = 54 */
		{ "Conv2_1a, 56, 56, 3, 3, 64, 64, 1,", 54, 54, 54LL * 54 * 9 * 64 * 64 },
		/* mobilenet.csv Conv1: ceil(223 / 2) = 112 (floor: 111) */
		{ "Conv1, 224, 224, 3, 3, 3, 32, 2,", 112, 112, 112LL * 112 * 9 * 3 * 32 },
		/* mobilenet.csv Conv4: ceil(111 / 2) = 56 */
		{ "Conv4, 112, 112, 3, 3, 64, 1, 2,", 56, 56, 56LL * 56 * 9 * 64 },
		/* a non-square case: rows ceil(9 / 3) = 3, columns ceil(6 / 3) = 2 */
		{ "r, 10, 7, 4, 4, 2, 5, 3,", 3, 2, 3LL * 2 * 16 * 2 * 5 },
		/* a depthwise row (a name with "DP", SCALE-Sim's rule): 16 one-channel convs of 2
		 * filters, ceil(13 / 2) = 7 */
		{ "DP1, 16, 16, 5, 5, 16, 2, 2,", 7, 7, 7LL * 7 * 25 * 16 * 2 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[256];
		struct hn_err err = { 0 };
		struct arch_net net;
		snprintf(text, sizeof(text), SS_HEADER "%s\n", rows[i].row);
		CHECK_EQ_I64(parse_ss(text, &net, &err), 0);
		if (net.n_layers != 1)
			continue;
		const struct arch_layer *l = &net.layers[0];
		CHECK_EQ_I64(arch_out_h(l), rows[i].out_h);
		CHECK_EQ_I64(arch_out_w(l), rows[i].out_w);
		CHECK_EQ_I64(arch_layer_macs(l), rows[i].macs);
		CHECK_EQ_I64(l->pad_h + l->pad_w, 0);
		arch_net_release(&net);
	}
	/* a filter larger than the IFMAP: ceil((5 - 7 + 1) / 1) = 0 */
	check_ss_error(SS_HEADER "a, 5, 5, 7, 7, 3, 64, 1,\n",
		       "topo.csv:2: layer 'a': output size must be >= 1, got ceil((5 - 7 + 1) / 1) = 0");
	/* but a filter 1 row larger than the IFMAP with stride 2 has one window in SCALE-Sim */
	{
		struct hn_err err = { 0 };
		struct arch_net net;
		CHECK_EQ_I64(parse_ss(SS_HEADER "a, 4, 4, 5, 5, 3, 8, 2,\n", &net, &err), 0);
		CHECK(net.n_layers == 1 && arch_out_h(&net.layers[0]) == 1);
		arch_net_release(&net);
	}
}

/* issue 14: reading a network is linear in its layer count (the duplicate-name check was
 * pairwise: 40k layers 3.4 s, 200k layers 276 s). 150k layers of each format; the quadratic
 * check took about 45 s for the CSV alone, the linear reader well under a second. */
static void readers_should_be_linear_in_the_layer_count(void)
{
	const int n = 150000;
	size_t cap = (size_t)n * 96 + 256, len = 0;
	char *buf = malloc(cap);
	struct hn_err err = { 0 };
	struct arch_net net;
	struct timespec t0, t1;

	CHECK(buf != NULL);
	if (!buf)
		return;
	len = (size_t)snprintf(buf, cap, SS_HEADER);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "L%d, 10, 10, 3, 3, 8, 8, 1,\n", i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ_I64(arch_net_parse_scalesim(buf, len, "big.csv", &net, &err), 0);
	CHECK_EQ_I64(net.n_layers, n);
	arch_net_release(&net);
	len = (size_t)snprintf(buf, cap, "{\"layers\": [");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s{\"name\": \"c%d\", \"type\": \"fc\", "
					"\"in_features\": 8, \"out_features\": 8}", i ? "," : "", i);
	len += (size_t)snprintf(buf + len, cap - len, "]}");
	CHECK_EQ_I64(arch_net_parse_json(buf, len, "big.json", &net, &err), 0);
	CHECK_EQ_I64(net.n_layers, n);
	arch_net_release(&net);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	printf("  %d-layer CSV + JSON read in %.2f s\n", n, secs);
	CHECK(secs < 15);
	/* a duplicate among them is still found, with both places named */
	len = (size_t)snprintf(buf, cap, SS_HEADER);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "L%d, 10, 10, 3, 3, 8, 8, 1,\n",
					i == n - 1 ? 77 : i);
	CHECK_EQ_I64(arch_net_parse_scalesim(buf, len, "big.csv", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "big.csv:150001: column 1 'Layer name': duplicate layer name "
			   "'L77' (also layer 78, line 79)");
	free(buf);
}

static void scalesim_errors_should_name_the_line_and_column(void)
{
	struct hn_err err = { 0 };
	struct arch_net net;

	CHECK_EQ_I64(arch_net_load(NETS "bad_scalesim.csv", &net, &err), HN_EINVAL);
	CHECK_STR_CONTAINS(err.msg, "bad_scalesim.csv:3: column 5 'Filter Width' must be a positive "
			   "integer, got 'x'");
	check_ss_error(SS_HEADER "a, 8, 8, 3, 3, 4, 0, 1,\n",
		       "topo.csv:2: column 7 'Num Filter' must be a positive integer");
	check_ss_error(SS_HEADER "a, 8, 8, 3, 3, 4, 8\n", "topo.csv:2: column 8 'Strides' is missing");
	check_ss_error(SS_HEADER "a, 8, 8, 3, 3, 4, 8, 1, 9,\n",
		       "topo.csv:2: column 9: unexpected field after 'Strides'");
	check_ss_error("Layer, IFMAP Height\n", "topo.csv:1: column 1 of the header must be "
		       "'Layer name', got 'Layer'");
	check_ss_error(SS_HEADER "\n", "topo.csv: no layers after the header");
	check_ss_error("", "topo.csv: empty file");
	check_ss_error(SS_HEADER "a, 4, 4, 5, 5, 4, 8, 1,\n",
		       "topo.csv:2: layer 'a': output size must be >= 1");
	check_ss_error(SS_HEADER "a, 8, 8, 3, 3, 4, 8, 1,\na, 8, 8, 3, 3, 4, 8, 1,\n",
		       "topo.csv:3: column 1 'Layer name': duplicate layer name 'a' (also layer 1, "
		       "line 2)");
	/* issue 14: a NUL in a column is named there, not as a later column missing */
	check_ss_error_len(SS_HEADER "a, 8, 8, 3\0, 3, 4, 8, 1,\n", sizeof(SS_HEADER) + 24,
			   "topo.csv:2: column 4: a NUL byte");
	check_ss_error(SS_HEADER ", 8, 8, 3, 3, 4, 8, 1,\n", "topo.csv:2: column 1 'Layer name' is empty");
}

int main(void)
{
	RUN(conv_output_should_follow_torch_floor_rule_with_padding_and_dilation);
	RUN(conv_output_should_be_zero_when_the_kernel_does_not_fit);
	RUN(conv_should_lower_to_an_im2col_gemm);
	RUN(grouped_conv_should_lower_to_one_gemm_per_group);
	RUN(depthwise_conv_macs_should_be_channels_times_pq_times_rs);
	RUN(fc_should_lower_to_rows_by_out_by_in);
	RUN(matmul_should_lower_with_an_activation_as_b);
	RUN(pool_and_add_should_have_no_macs_and_count_elements);
	RUN(layer_check_should_accept_every_constructor);
	RUN(layer_check_should_name_groups_not_dividing_c);
	RUN(layer_check_should_reject_non_positive_fields);
	RUN(layer_check_should_reject_a_kernel_larger_than_the_input);
	RUN(layer_check_should_reject_shapes_whose_macs_overflow_int64);
	RUN(layer_check_should_reject_groups_or_filter_on_kinds_without_them);
	RUN(kind_names_should_parse_back);
	RUN(net_add_should_keep_every_layer_in_order);
	RUN(zoo_alexnet_should_match_torchvision);
	RUN(zoo_vgg16_should_match_torchvision);
	RUN(zoo_resnet18_should_match_torchvision);
	RUN(zoo_resnet50_should_match_torchvision_params_and_macs);
	RUN(zoo_mobilenet_v2_should_match_torchvision_and_the_paper);
	RUN(zoo_efficientnet_b0_should_match_torchvision_and_the_paper);
	RUN(zoo_bert_base_should_match_huggingface_params_and_derived_macs);
	RUN(zoo_layers_should_carry_torchvision_module_names);
	RUN(zoo_layers_should_all_pass_the_check_with_unique_names);
	RUN(zoo_macs_should_scale_linearly_with_batch);
	RUN(zoo_should_reject_an_unknown_name_and_a_bad_batch);
	RUN(json_should_read_the_sample_network_file);
	RUN(json_should_default_name_stride_and_batch);
	RUN(json_should_report_the_line_and_column_of_a_syntax_error);
	RUN(json_should_name_the_layer_and_field_of_a_bad_kernel);
	RUN(json_should_reject_wrong_types_and_missing_fields);
	RUN(json_should_reject_an_unknown_type);
	RUN(json_should_reject_unknown_fields_to_catch_typos);
	RUN(json_should_reject_an_empty_layer_list_and_a_non_object_root);
	RUN(json_should_reject_duplicate_layer_names);
	RUN(json_should_check_groups_and_output_size);
	RUN(json_writer_output_should_read_back_as_the_same_network);
	RUN(json_writer_should_print_totals_and_gemm_per_layer);
	RUN(resolve_should_prefer_the_zoo_then_a_file);
	RUN(resolve_should_explain_an_unknown_name);
	RUN(scalesim_should_read_the_sample_topology);
	RUN(scalesim_should_accept_crlf_blank_lines_and_no_trailing_comma);
	RUN(scalesim_errors_should_name_the_line_and_column);
	RUN(scalesim_should_size_outputs_as_scalesim_does);
	RUN(readers_should_be_linear_in_the_layer_count);
	return TEST_SUMMARY();
}
