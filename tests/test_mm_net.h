/* test_mm_net.h: the one network the whole-network runners refuse by kind, shared by
 * tests/test_whole.c and tests/test_whole_axi.c: "mm", a matmul of two activations
 * (q: 4 x 6, k: 6 x 4). */
#ifndef TEST_MM_NET_H
#define TEST_MM_NET_H

#include "../arch/arch.h"

/* 0, or the first failing arch_net_* call's code. */
static inline int mm_net(struct arch_net *net)
{
	const int64_t q[2] = { 4, 6 }, k[2] = { 6, 4 };
	struct arch_layer m = arch_matmul("attn", 1, 4, 6, 4);
	int ret;

	arch_net_init(net, "mm", 1);
	m.n_in = 2;
	m.in[0] = ARCH_SRC_INPUT(0);
	m.in[1] = ARCH_SRC_INPUT(1);
	if ((ret = arch_net_add_input(net, "q", 2, q)) < 0 ||
	    (ret = arch_net_add_input(net, "k", 2, k)) < 0 || (ret = arch_net_add(net, &m)) < 0)
		return ret;
	return arch_net_add_output(net, 0);
}

#endif
