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
// Every intermediate is exact in IW bits, so the result is the C reference's whatever the
// parameters: with A = ACC_BITS, |x mult| < 2^(A-1) 2^31, and x mult + 2^30 stays below
// 2^(A+30), so A + 31 bits hold the product; h and r lie in [-2^(A-1), 2^(A-1)) and
// r + zp in 34 bits or A + 2; the mask's 2^shift needs 64 at shift 63. Hence IW = max(64,
// A + 31): 64 (one machine word in the simulation) up to ACC_BITS = 33, the width of the
// output stage's lanes at acc_bits 32 (ACC_BITS + 33 before: three words, and the wide-word
// arithmetic that issue 19's profile found). sim/harness/requant_check.cpp checks every
// width rtl/ builds against the formula above.
//
// en gates the lane: without it y and r_out are 0. Its users take y or r_out only in cycles
// with en (a final store's conversion, a vector request's input word). The gate is for the
// simulation: Verilator evaluates combinational logic on every evaluation, and this lane's
// arithmetic, done every cycle, made an 8x8 model 8x slower (issue 19); under the if it runs
// only when en is set. In hardware it is A_BITS + A + 1 AND gates; the multiply is unchanged.
module hwnas_requant #(
    parameter ACC_BITS = 32,
    parameter A_BITS = 8,
    parameter IW = (ACC_BITS + 31 > 64) ? ACC_BITS + 31 : 64
) (
    input  wire                en,
    input  wire [ACC_BITS-1:0] acc,
    input  wire [ACC_BITS-1:0] bias,
    input  wire [31:0]         mult,    // bit 31 ignored: mult in [0, 2^31)
    input  wire [5:0]          shift,
    input  wire [31:0]         zp,      // signed
    input  wire [31:0]         lo,      // signed, lo <= hi, both within the act_bits range
    input  wire [31:0]         hi,
    output reg  [A_BITS-1:0]   y,
    output reg  [ACC_BITS:0]   r_out    // r, before the zero point and the clamp
);
    reg signed [ACC_BITS-1:0] x;
    reg signed [IW-1:0] h, r, v;
    reg [IW-1:0] mask;
    always @(*) begin
        y = {A_BITS{1'b0}};
        r_out = {(ACC_BITS+1){1'b0}};
        {x, h, r, v, mask} = {(ACC_BITS+4*IW){1'b0}};
        if (en) begin
            x = $signed(acc + bias);
            h = ($signed({{(IW-ACC_BITS){x[ACC_BITS-1]}}, x}) *
                 $signed({{(IW-31){1'b0}}, mult[30:0]}) + (1 <<< 30)) >>> 31;
            mask = ({{(IW-1){1'b0}}, 1'b1} << shift) - 1'b1;
            r = (h >>> shift) +
                (((h & mask) > (mask >> 1) + {{(IW-1){1'b0}}, h[IW-1]}) ? 1 : 0);
            v = r + $signed({{(IW-32){zp[31]}}, zp});
            if (v < $signed({{(IW-32){lo[31]}}, lo}))
                y = lo[A_BITS-1:0];
            else if (v > $signed({{(IW-32){hi[31]}}, hi}))
                y = hi[A_BITS-1:0];
            else
                y = v[A_BITS-1:0];
            r_out = r[ACC_BITS:0];
        end
    end
    wire unused_rq = &{1'b0, mult[31], lo[31:A_BITS], hi[31:A_BITS]};
endmodule
