/* bench_onnx: import time of an ONNX model (arch_net_parse_onnx: the nesting check, protobuf-c
 * unpacking, ordering and shape inference) for ResNet-50 (126 nodes, 'hwnas zoo show
 * resnet50 --onnx') and BERT-base (hwnas's export). Target (issue 16): a 100-node graph in
 * milliseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../arch/arch.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench(const char *zoo)
{
	char path[] = "/tmp/hwnas_bench_onnx_XXXXXX", file[64], wfile[80], *bytes = NULL;
	struct arch_net net, back;
	struct hn_err err = { 0 };
	size_t len = 0;
	int fd = mkstemp(path), n = 0, ret = 1;
	double t0, t1;

	if (fd < 0)
		return 1;
	close(fd);
	unlink(path);
	snprintf(file, sizeof(file), "%s.onnx", path);
	snprintf(wfile, sizeof(wfile), "%s.weights", file);
	if (arch_zoo_build(zoo, 1, &net, &err) || arch_net_write_onnx(&net, file, NULL, &err) ||
	    hn_read_file(file, &bytes, &len, &err)) {
		fprintf(stderr, "bench_onnx: %s\n", err.msg);
		goto out;
	}
	t0 = now_s();
	do {
		if (arch_net_parse_onnx(bytes, len, file, NULL, &back, &err)) {
			fprintf(stderr, "bench_onnx: %s\n", err.msg);
			goto out;
		}
		if (back.n_layers != net.n_layers) {
			fprintf(stderr, "bench_onnx: %s read back with %d layers, not %d\n", zoo,
				back.n_layers, net.n_layers);
			arch_net_release(&back);
			goto out;
		}
		arch_net_release(&back);
		n++;
		t1 = now_s();
	} while (t1 - t0 < 1.0);
	printf("onnx: %s (%zu bytes, %d layers) imports in %.3f ms (%d imports in %.1f s; "
	       "target: milliseconds)\n", zoo, len, net.n_layers, 1e3 * (t1 - t0) / n, n, t1 - t0);
	ret = 0;
out:
	free(bytes);
	arch_net_release(&net);
	unlink(file);
	unlink(wfile);
	return ret;
}

int main(void)
{
	return bench("resnet50") || bench("bert_base");
}
