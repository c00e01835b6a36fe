/* arch_int.h: helpers shared inside arch/ only (nothing outside the folder includes it). */
#ifndef ARCH_INT_H
#define ARCH_INT_H

#include "arch.h"

#include <stddef.h>

/* A name -> tensor id index over a network's layers and inputs (open addressing). */
#define ARCH_NAMES_EMPTY INT32_MIN
struct arch_names {
	int32_t *slot;           /* tensor ids, ARCH_NAMES_EMPTY when free */
	size_t mask;
};

/* Indexes every layer and input name of net. Returns 0, 1 when two tensors share a name
 * (*dup the later one's id, *first the earlier's; the index is then released), or HN_ENOMEM.
 * The caller releases a built index with arch_names_release. */
int arch_names_build(struct arch_names *ix, const struct arch_net *net, int32_t *dup,
		     int32_t *first);
/* The id of name, or ARCH_NAMES_EMPTY. */
int32_t arch_names_find(const struct arch_names *ix, const struct arch_net *net,
			const char *name);
void arch_names_release(struct arch_names *ix);
/* The HN_EINVAL message of a duplicate arch_names_build found. */
int arch_names_fail(struct hn_err *err, const char *origin, const struct arch_net *net,
		    int32_t dup, int32_t first);

/* A min-heap of n ints in h (capacity the caller's): Kahn's topological order that keeps
 * a file's order where it already is one (arch_graph.c, arch_onnx.c). */
void arch_heap_push(int *h, int *n, int v);
int arch_heap_pop(int *h, int *n);

/* "[1, 64, 56, 56]" into buf. */
void arch_shape_text(const struct arch_shape *s, char *buf, size_t size);

#endif
