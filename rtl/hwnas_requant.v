// hwnas_requant: the output stage of one lane (docs/rtl.md "Output stage"), combinational.
// The integer-only requantisation of Jacob et al. (CVPR 2018) as gemmlowp and TFLite write it:
//   x = acc + bias                          wraps at ACC_BITS, like the accumulator itself
//   h = (x * mult + 2^30) >>> 31            SaturatingRoundingDoublingHighMul(x, mult) for
//                                           mult in [0, 2^31) (its only saturating case,
//                                           mult = -2^31, cannot occur)
//   r = RoundingDivideByPOT(h, shift)       (h >>> s) + (rem > (mask >> 1) + (h < 0)),
//                                           mask = 2^s - 1, rem = h & mask: round half away
//                                           from zero
//   y = clamp(r + zp, lo, hi)               lo, hi: the activation's range inside the
//                                           act_bits range (none, ReLU, ReLU6)
// Every intermediate is exact (PW bits), so the result is the C reference's whatever the
// parameters.
module hwnas_requant #(
    parameter ACC_BITS = 32,
    parameter A_BITS = 8,
    parameter PW = ACC_BITS + 33     // exact width of every intermediate
) (
    input  wire [ACC_BITS-1:0] acc,
    input  wire [ACC_BITS-1:0] bias,
    input  wire [31:0]         mult,    // bit 31 ignored: mult in [0, 2^31)
    input  wire [5:0]          shift,
    input  wire [31:0]         zp,      // signed
    input  wire [31:0]         lo,      // signed, lo <= hi, both within the act_bits range
    input  wire [31:0]         hi,
    output wire [A_BITS-1:0]   y,
    output wire [PW-1:0]       r_out    // r, before the zero point and the clamp
);
    wire signed [ACC_BITS-1:0] x = $signed(acc + bias);
    wire signed [PW-1:0] xw = {{33{x[ACC_BITS-1]}}, x};
    wire signed [PW-1:0] mw = {{(PW-31){1'b0}}, mult[30:0]};
    wire signed [PW-1:0] p = xw * mw;
    wire signed [PW-1:0] h = (p + (1 <<< 30)) >>> 31;
    wire [PW-1:0] mask = ({{(PW-1){1'b0}}, 1'b1} << shift) - 1'b1;
    wire [PW-1:0] rem = h & mask;
    wire [PW-1:0] thr = (mask >> 1) + {{(PW-1){1'b0}}, h[PW-1]};
    wire signed [PW-1:0] r = (h >>> shift) + ((rem > thr) ? 1 : 0);
    wire signed [PW-1:0] v = r + {{(PW-32){zp[31]}}, zp};
    wire signed [PW-1:0] lw = {{(PW-32){lo[31]}}, lo};
    wire signed [PW-1:0] hw = {{(PW-32){hi[31]}}, hi};
    wire signed [PW-1:0] c = (v < lw) ? lw : (v > hw) ? hw : v;
    assign y = c[A_BITS-1:0];
    assign r_out = r;
    wire unused_rq = &{1'b0, mult[31], c[PW-1:A_BITS]};
endmodule
