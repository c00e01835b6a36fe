// fuzz_tile_program: the harness's tile-program reader (sim/harness/program.h). Any input
// gives either a program whose limits hold (finite bandwidth > 0, memory size in range, every
// dump region inside the memory) or a message; it never crashes or throws.
#include <cstdint>
#include <cstdio>

#include "../sim/harness/program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const RtlParams rp = { 2, 2, 0, 8, 8, 32, 1, 1, 1 };
	FILE *f = fmemopen(const_cast<uint8_t *>(data), size, "r");
	Program p;

	if (!f)
		return 0;
	const char *err = parse_program(f, rp, p);
	fclose(f);
	if (err) {
		if (!err[0])
			__builtin_trap();
		return 0;
	}
	if (!(p.bw > 0) || !std::isfinite(p.bw) || p.nmem < 0 || p.nmem > PROGRAM_MAX_WORDS)
		__builtin_trap();
	for (const Region &r : p.dumps)
		if (r.base < 0 || r.count < 0 || r.base + r.count > p.nmem)
			__builtin_trap();
	return 0;
}
