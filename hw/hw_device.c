/* hw_device.c: the FPGA device catalogue.
 *
 * Logic figures (DSP slices, 36 Kb block RAMs, UltraRAMs, LUTs, flip-flops) are the device
 * totals from the vendor's product overview; the memory bandwidth is the board's peak
 * (data rate x bus width) from the board's user guide or reference manual; the clock is a
 * typical clock of a DSP-based systolic accelerator on that family, not a data-sheet figure.
 * docs/resources.md repeats every figure with its source and says which ones are less certain. */
#include "hw.h"

#include <string.h>

static const struct hw_device devices[] = {
	/* DS891 (Zynq UltraScale+ MPSoC Data Sheet: Overview), ZU9EG column: 2,520 DSP48E2,
	 * 912 BRAM36 (32.1 Mb), no UltraRAM, 274,080 LUTs, 548,160 FFs.
	 * UG1182 (ZCU102 Evaluation Board User Guide): PS-side DDR4, 64-bit, 2400 MT/s:
	 * 2400e6 x 8 B = 19.2 GB/s peak. The PL reaches it through the PS's HP/HPC AXI ports. */
	{ "zcu102", "XCZU9EG", "zynqmp", 2520, 912, 0, 274080, 548160, 19.2, 200.0, 27, 18,
	  "DS891 (ZU9EG); UG1182 (ZCU102: PS DDR4 64-bit 2400 MT/s)" },
	/* DS891, ZU7EV column: 1,728 DSP48E2, 312 BRAM36 (11 Mb), 96 UltraRAM (27 Mb),
	 * 230,400 LUTs, 460,800 FFs. UG1267 (ZCU104 Evaluation Board User Guide): PS-side DDR4,
	 * 64-bit, 2400 MT/s: 19.2 GB/s peak. */
	{ "zcu104", "XCZU7EV", "zynqmp", 1728, 312, 96, 230400, 460800, 19.2, 200.0, 27, 18,
	  "DS891 (ZU7EV); UG1267 (ZCU104: PS DDR4 64-bit 2400 MT/s)" },
	/* DS891, ZU3EG column: 360 DSP48E2, 216 BRAM36 (7.6 Mb), no UltraRAM, 70,560 LUTs,
	 * 141,120 FFs. Ultra96 (96Boards / Avnet hardware user guide): 2 GB LPDDR4, 32-bit.
	 * We take 2133 MT/s (the PS controller's LPDDR4 rate in the board's preset):
	 * 2133e6 x 4 B = 8.5 GB/s peak. Less certain than the other boards: see resources.md. */
	{ "ultra96", "XCZU3EG", "zynqmp", 360, 216, 0, 70560, 141120, 8.5, 200.0, 27, 18,
	  "DS891 (ZU3EG); Ultra96 hardware user guide (LPDDR4 32-bit, 2133 MT/s assumed)" },
	/* DS190 (Zynq-7000 SoC Data Sheet: Overview), Z-7020 column: 220 DSP48E1, 140 BRAM36
	 * (4.9 Mb), 53,200 LUTs, 106,400 FFs. PYNQ-Z1 reference manual (Digilent): 512 MB DDR3,
	 * one x16 device, 1050 Mb/s per pin: 1050e6 x 2 B = 2.1 GB/s peak. */
	{ "pynq_z1", "XC7Z020", "zynq7", 220, 140, 0, 53200, 106400, 2.1, 100.0, 25, 18,
	  "DS190 (Z-7020); PYNQ-Z1 reference manual (DDR3 16-bit 1050 MT/s)" },
	/* DS180 (7 Series FPGAs Data Sheet: Overview), XC7VX485T column: 2,800 DSP48E1,
	 * 1,030 BRAM36 (37,080 Kb), 303,600 LUTs, 607,200 FFs. UG885 (VC707 Evaluation Board
	 * User Guide): DDR3 SODIMM, 64-bit, 1600 MT/s: 1600e6 x 8 B = 12.8 GB/s peak. */
	{ "vc707", "XC7VX485T", "virtex7", 2800, 1030, 0, 303600, 607200, 12.8, 200.0, 25, 18,
	  "DS180 (XC7VX485T); UG885 (VC707: DDR3 SODIMM 64-bit 1600 MT/s)" },
	/* DS962 (Alveo U200 and U250 Data Center Accelerator Cards Data Sheet), U250 column:
	 * 12,288 DSP slices, 2,688 BRAM36, 1,280 UltraRAM, 1,728,000 LUTs, 3,456,000 registers;
	 * four DDR4-2400 channels, 64 data bits each (72 with ECC): 4 x 19.2 = 76.8, "77 GB/s".
	 * These are device totals; the card's shell (static region) takes a part of them. */
	{ "u250", "XCU250", "alveo", 12288, 2688, 1280, 1728000, 3456000, 77.0, 300.0, 27, 18,
	  "DS962 (Alveo U250: 4 x DDR4-2400 64-bit, 77 GB/s)" },
};

int hw_device_count(void)
{
	return (int)(sizeof(devices) / sizeof(devices[0]));
}

const struct hw_device *hw_device_at(int i)
{
	if (i < 0 || i >= hw_device_count())
		return NULL;
	return &devices[i];
}

const struct hw_device *hw_device_find(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; i < hw_device_count(); i++)
		if (!strcmp(devices[i].name, name))
			return &devices[i];
	return NULL;
}
