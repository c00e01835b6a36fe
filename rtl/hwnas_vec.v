// hwnas_vec: the vector unit (docs/rtl.md "Vector unit"): LANES lanes beside the DMA for the
// MAC-free layers, fed one input word (LANES act_bits values, channels along the lanes) per
// cycle by a vector request; every G input words (a group) make one output word:
//   vop 1 max pool:  y = max over the group (the window; padding arrives as -2^(a-1))
//   vop 2 avg pool:  s = sum over the group, wrapping at ACC_BITS; y = out(s)
//   vop 3 add:       word 1 of a pair: r1 = rq((x1 - zp1) << ls, m1, s1);
//                    word 2: r2 = rq((x2 - zp2) << ls, m2, s2); y = out(r1 + r2)
// with rq(v, m, s) = RoundingDivideByPOT(SRDHM(v, m), s) (hwnas_requant without zero point
// or clamp, exact) and out(v) = clamp(rq(v, mo, so) + zp, lo, hi). out() is the output
// stage's requantiser in the DMA (the DMA serves one request at a time, so a final store
// and a vector request never need it together): this unit gives its operand, osrc (acc_bits
// + 1 bits: the add's exact sum, or the sign-extended average sum), and the max. Both are
// combinational in the cycle of a group's last word; the DMA converts and registers them.
module hwnas_vec #(
    parameter LANES = 4,
    parameter A_BITS = 8,
    parameter ACC_BITS = 32
) (
    input  wire                      clk,
    input  wire [1:0]                vop,
    input  wire                      in_valid,
    input  wire                      in_first,   // the group's first word
    input  wire [LANES*A_BITS-1:0]   in_word,
    input  wire [31:0]               zp1,
    input  wire [31:0]               zp2,
    input  wire [31:0]               m1,
    input  wire [31:0]               m2,
    input  wire [31:0]               sh,         // [5:0] s1, [13:8] s2, [29:24] ls
    output wire [LANES*(ACC_BITS+1)-1:0] osrc,   // out()'s operand (vop 2, 3)
    output wire [LANES*A_BITS-1:0]   mx_out      // the max (vop 1)
);
    localparam SW = ACC_BITS + 1;            // the add's sum, exact
    wire [5:0] s1 = sh[5:0], s2 = sh[13:8], ls = sh[29:24];
    wire [63:0] zp1x = {{32{zp1[31]}}, zp1};
    wire [63:0] zp2x = {{32{zp2[31]}}, zp2};
    genvar e;
    generate
        for (e = 0; e < LANES; e = e + 1) begin : g_lane
            wire signed [A_BITS-1:0] x = in_word[e*A_BITS +: A_BITS];
            wire signed [ACC_BITS-1:0] xe = {{(ACC_BITS-A_BITS){x[A_BITS-1]}}, x};
            reg  signed [A_BITS-1:0] mx;
            reg  [ACC_BITS-1:0] sum;
            reg  [ACC_BITS-1:0] r1;
            wire signed [A_BITS-1:0] nmx = (in_first || x > mx) ? x : mx;
            wire [ACC_BITS-1:0] nsum = in_first ? xe : sum + xe;
            // the add's input requantisation: word 1 of the pair with (zp1, m1, s1), word 2
            // with (zp2, m2, s2)
            wire [ACC_BITS-1:0] ain = (xe - (in_first ? zp1x[ACC_BITS-1:0] : zp2x[ACC_BITS-1:0]))
                                      << ls;
            wire [SW-1:0] rin;
            wire [A_BITS-1:0] unused_yin;
            hwnas_requant #(.ACC_BITS(ACC_BITS), .A_BITS(A_BITS)) rq_in (
                .en(in_valid && vop == 2'd3), .acc(ain), .bias({ACC_BITS{1'b0}}),
                .mult(in_first ? m1 : m2), .shift(in_first ? s1 : s2),
                .zp(32'd0), .lo(32'd0), .hi(32'd0),
                .y(unused_yin), .r_out(rin));
            wire [SW-1:0] r1e = {r1[ACC_BITS-1], r1};
            wire [SW-1:0] asum = r1e + rin;
            assign osrc[e*SW +: SW] = (vop == 2'd2) ? {nsum[ACC_BITS-1], nsum} : asum;
            assign mx_out[e*A_BITS +: A_BITS] = nmx;
            always @(posedge clk)
                if (in_valid) begin
                    mx <= nmx;
                    sum <= nsum;
                    if (in_first)
                        r1 <= rin[ACC_BITS-1:0];
                end
            wire unused_l = &{1'b0, unused_yin, rin[SW-1]};
        end
    endgenerate
    wire unused_v = &{1'b0, sh[7:6], sh[23:14], sh[31:30], zp1x, zp2x};
endmodule
