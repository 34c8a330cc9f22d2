/* npu-presets: the compiled-in NPUs and where their numbers come from. */
#include "config.h"

#include <string.h>

#include "array.h"
#include "npu.h"

#define KIB 1024ull
#define GIB_S_IN_GB_S(x) ((x) * 1.073741824)

/*
 * Numbers marked "assumed" in a preset's sources are our choices, made to
 * be plausible for the class of chip; everything else cites a public
 * source (../shared/reference/npu-facts.md in the design repository).
 *
 * Energy, the same rule for every preset (mastrace-npu(5)): a 16 nm
 * process is assumed, and 45 nm and 40 nm figures are scaled to it
 * linearly with feature size (assumed).  MAC: an fp16 multiply (1.1 pJ)
 * and an fp32 add (0.9 pJ) at 45 nm (M. Horowitz, "Computing's energy
 * problem", ISSCC 2014), x 16/45 = 0.71 pJ.  Vector operation: an fp16
 * add (0.4 pJ, ibid.) x 16/45 = 0.14 pJ.  SRAM per byte: CACTI 7 at
 * 40 nm with a 64-bit port (Accelergy-Project/accelergy-cacti-plug-in,
 * cacti/out.csv) gives 0.731 pJ/B for 8 KiB and 3.384 pJ/B for 100 KiB
 * (mean of read and write); the power law through the two,
 * 0.731 (C / 8 KiB)^0.607, for the capacity C of one bank (an access
 * goes to one bank: assumed), x 16/40.  DRAM per byte: the DRAM table of
 * the same plug-in (cacti_wrapper.py: LPDDR4 8 pJ/bit, HBM2 3.9 pJ/bit).
 */
#define ENERGY_RULE \
	"Energy (16 nm assumed; mastrace-npu(5) gives the rule): MAC 0.71 pJ,\n" \
	"an fp16 multiply and fp32 add at 45 nm (Horowitz, ISSCC 2014) x 16/45;\n" \
	"vector op 0.14 pJ, an fp16 add x 16/45; SRAM per byte by CACTI 7 at\n" \
	"40 nm (Accelergy CACTI plug-in) for the capacity of one bank, x 16/40:\n"
static const struct npu_preset presets[] = {
	{
		"edge",
		"DaVinci-like edge NPU core: 16x16x16 fp16 cube, 128-lane vector unit, 256 KiB unified buffer, L0A/L0B/L0C",
		"Preset 'edge': a DaVinci-like edge NPU core, the kind of chip\n"
		"MAS-Attention was measured on (Huawei Kirin NPU in a MatePad).\n"
		"Sourced: Cube, Vector and data movers run as separate pipelines; a\n"
		"16x16x16 fp16 cube (4096 MACs/cycle); operands staged in L0A/L0B,\n"
		"results in L0C; 512-byte transfers are best (hiascend.com Ascend C\n"
		"guide, 'Storage Units' and 'Compute Units').\n"
		"Assumed: 1 GHz clock; 256 KiB unified buffer in 16 banks with\n"
		"256 B/cycle read and write ports; L0A/L0B 32 KiB, L0C 64 KiB, filled\n"
		"at 256 B/cycle; 128 fp16 lanes with exp 4x and divide 8x the cost of\n"
		"an add; 25.6 GB/s LPDDR4X-class DRAM with 100 ns latency and 64-byte\n"
		"bursts; 2 DMA channels (in and out); static power 100 mW.\n"
		ENERGY_RULE
		"L0A/L0B 32 KiB: 0.68 pJ/B (L0C taken alike); L1 in 16 banks of\n"
		"16 KiB: 0.45 pJ/B; LPDDR4: 64 pJ/B.",
		{
			.name = "edge",
			.description = "DaVinci-like edge NPU core (16x16x16 fp16 cube, 128-lane vector, 256 KiB UB)",
			.clock_mhz = 1000,
			.mac = { NPU_MAC_CUBE, 16, 16, 16, 8 },
			.vec = { .lanes = 128, .pipeline_cycles = 6, .max_cycles = 1,
				 .add_cycles = 1, .mul_cycles = 1, .exp_cycles = 4, .div_cycles = 8 },
			.l1 = { 256 * KIB, 16, 256, 256 },
			.l0 = { 32 * KIB, 32 * KIB, 64 * KIB, 256 },
			.dram = { 25.6, 100, 64 },
			.dma = { 2 },
			.energy = { .mac_pj = 0.71, .vec_op_pj = 0.14, .l0_byte_pj = 0.68,
				    .l1_byte_pj = 0.45, .dram_byte_pj = 64.0, .static_mw = 100 },
		},
	},
	{
		"flat-edge",
		"FLAT's edge platform as re-modelled by FuseMax: 32x32 PEs at 940 MHz, 512 KiB buffer, 50 GiB/s",
		"Preset 'flat-edge': FLAT's edge accelerator as re-modelled in the\n"
		"FuseMax artifact (FPSG-UIUC/micro24-fusemax-artifact, src/accel/flat.py\n"
		"and arch-2d.yaml).\n"
		"Sourced: 32x32 TPUv3-like 2-D PE array at 940 MHz, 16-bit data,\n"
		"512 KiB on-chip buffer, 50 GiB/s LPDDR4 DRAM, softmax on a separate\n"
		"1-D array of 32 lanes (the PE dimension).\n"
		"Assumed: systolic fill/drain latency 64 cycles; vector costs (exp 4,\n"
		"divide 4 cycles); one bank with 128 B/cycle ports; 100 ns DRAM latency,\n"
		"64-byte bursts; 2 DMA channels; no L0 buffers (the array reads the\n"
		"buffer directly); static power 100 mW.\n"
		ENERGY_RULE
		"buffer in one 512 KiB bank: 3.65 pJ/B; LPDDR4: 64 pJ/B.",
		{
			.name = "flat-edge",
			.description = "FLAT edge platform (FuseMax model): 32x32 PEs, 512 KiB, 50 GiB/s",
			.clock_mhz = 940,
			.mac = { NPU_MAC_SYSTOLIC, 1, 32, 32, 64 },
			.vec = { .lanes = 32, .pipeline_cycles = 4, .max_cycles = 1,
				 .add_cycles = 1, .mul_cycles = 1, .exp_cycles = 4, .div_cycles = 4 },
			.l1 = { 512 * KIB, 1, 128, 128 },
			.l0 = { 0, 0, 0, 64 },
			.dram = { GIB_S_IN_GB_S(50), 100, 64 },
			.dma = { 2 },
			.energy = { .mac_pj = 0.71, .vec_op_pj = 0.14, .l0_byte_pj = 0.68,
				    .l1_byte_pj = 3.65, .dram_byte_pj = 64.0, .static_mw = 100 },
		},
	},
	{
		"flat-cloud",
		"FLAT's cloud platform as re-modelled by FuseMax: 256x256 PEs at 940 MHz, 32 MiB buffer, 400 GiB/s",
		"Preset 'flat-cloud': FLAT's cloud accelerator as re-modelled in the\n"
		"FuseMax artifact (src/accel/flat.py, arch-2d.yaml).\n"
		"Sourced: 256x256 PE array at 940 MHz, 16-bit data, 32 MiB on-chip\n"
		"buffer, 400 GiB/s DRAM, softmax on a 256-lane 1-D array.\n"
		"Assumed: fill/drain latency 512 cycles; vector costs as 'flat-edge';\n"
		"32 banks with 1024 B/cycle ports; 100 ns DRAM latency, 64-byte bursts;\n"
		"4 DMA channels; no L0 buffers; static power 2 W; HBM2-class DRAM\n"
		"for 400 GiB/s.\n"
		ENERGY_RULE
		"buffer in 32 banks of 1 MiB: 5.56 pJ/B; HBM2: 3.9 pJ/bit, 31.2 pJ/B\n"
		"(the same table).",
		{
			.name = "flat-cloud",
			.description = "FLAT cloud platform (FuseMax model): 256x256 PEs, 32 MiB, 400 GiB/s",
			.clock_mhz = 940,
			.mac = { NPU_MAC_SYSTOLIC, 1, 256, 256, 512 },
			.vec = { .lanes = 256, .pipeline_cycles = 4, .max_cycles = 1,
				 .add_cycles = 1, .mul_cycles = 1, .exp_cycles = 4, .div_cycles = 4 },
			.l1 = { 32768 * KIB, 32, 1024, 1024 },
			.l0 = { 0, 0, 0, 1024 },
			.dram = { GIB_S_IN_GB_S(400), 100, 64 },
			.dma = { 4 },
			.energy = { .mac_pj = 0.71, .vec_op_pj = 0.14, .l0_byte_pj = 0.68,
				    .l1_byte_pj = 5.56, .dram_byte_pj = 31.2, .static_mw = 2000 },
		},
	},
	{
		"tileflow-edge",
		"TileFlow's edge architecture: 32x32 MACs, 4 x 64 KB L1, DRAM 4 16-bit words per cycle",
		"Preset 'tileflow-edge': TileFlow's edge architecture\n"
		"(pku-liang/TileFlow, tests/cases/13-test-attention/arch/edge.yaml).\n"
		"Sourced: 32x32 PEs, L1 = 4 instances x 64 KB (modelled as 4 banks of\n"
		"one 256 KiB buffer), 16-bit words, DRAM read bandwidth 4 words per\n"
		"cycle (8 B/cycle, which is 8 GB/s at the assumed clock).\n"
		"Assumed: 1 GHz clock (TileFlow counts cycles only); fill/drain 64\n"
		"cycles; a 32-lane vector unit with exp 4 and divide 4 cycles; 64 B/cycle\n"
		"L1 ports; 100 ns DRAM latency, 64-byte bursts; 1 DMA channel; no L0;\n"
		"LPDDR4 DRAM; static power 100 mW.\n"
		ENERGY_RULE
		"L1 in 4 banks of 64 KiB: 1.03 pJ/B; LPDDR4: 64 pJ/B.",
		{
			.name = "tileflow-edge",
			.description = "TileFlow edge architecture: 32x32 MACs, 4 x 64 KB L1, 8 B/cycle DRAM",
			.clock_mhz = 1000,
			.mac = { NPU_MAC_SYSTOLIC, 1, 32, 32, 64 },
			.vec = { .lanes = 32, .pipeline_cycles = 4, .max_cycles = 1,
				 .add_cycles = 1, .mul_cycles = 1, .exp_cycles = 4, .div_cycles = 4 },
			.l1 = { 256 * KIB, 4, 64, 64 },
			.l0 = { 0, 0, 0, 64 },
			.dram = { 8.0, 100, 64 },
			.dma = { 1 },
			.energy = { .mac_pj = 0.71, .vec_op_pj = 0.14, .l0_byte_pj = 0.68,
				    .l1_byte_pj = 1.03, .dram_byte_pj = 64.0, .static_mw = 100 },
		},
	},
};

size_t
npu_preset_count(void)
{
	return ARRAY_LEN(presets);
}

const struct npu_preset *
npu_preset_at(size_t i)
{
	return i < npu_preset_count() ? &presets[i] : NULL;
}

const struct npu_preset *
npu_preset_find(const char *name)
{
	size_t i;

	for (i = 0; i < npu_preset_count(); i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}
