// requant_check.v: hwnas_requant at the widths rtl/ builds it with (the vector unit's input
// lanes at acc_bits, the output stage's at acc_bits + 1), side by side, for requant_check.cpp
// (tests/test_sim.c builds both with Verilator). Not part of rtl/. Every instance takes the
// low ACC_BITS bits of acc and bias.
/* verilator lint_off UNUSEDSIGNAL */
module requant_check (
    input  wire        en,
    input  wire [65:0] acc,
    input  wire [65:0] bias,
    input  wire [31:0] mult,
    input  wire [5:0]  shift,
    input  wire [31:0] zp,
    input  wire [31:0] lo,
    input  wire [31:0] hi,
    output wire [15:0] y0,
    output wire [66:0] r0,
    output wire [15:0] y1,
    output wire [66:0] r1,
    output wire [15:0] y2,
    output wire [66:0] r2,
    output wire [15:0] y3,
    output wire [66:0] r3,
    output wire [15:0] y4,
    output wire [66:0] r4,
    output wire [15:0] y5,
    output wire [66:0] r5,
    output wire [15:0] y6,
    output wire [66:0] r6,
    output wire [15:0] y7,
    output wire [66:0] r7,
    output wire [15:0] y8,
    output wire [66:0] r8,
    output wire [15:0] y9,
    output wire [66:0] r9
);
    wire [3:0] q0;
    wire [5:0] s0;
    hwnas_requant #(.ACC_BITS(5), .A_BITS(4)) m0 (
        .en(en), .acc(acc[4:0]), .bias(bias[4:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q0), .r_out(s0));
    assign y0 = {{12{1'b0}}, q0};
    assign r0 = {{61{1'b0}}, s0};
    wire [7:0] q1;
    wire [9:0] s1;
    hwnas_requant #(.ACC_BITS(9), .A_BITS(8)) m1 (
        .en(en), .acc(acc[8:0]), .bias(bias[8:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q1), .r_out(s1));
    assign y1 = {{8{1'b0}}, q1};
    assign r1 = {{57{1'b0}}, s1};
    wire [7:0] q2;
    wire [17:0] s2;
    hwnas_requant #(.ACC_BITS(17), .A_BITS(8)) m2 (
        .en(en), .acc(acc[16:0]), .bias(bias[16:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q2), .r_out(s2));
    assign y2 = {{8{1'b0}}, q2};
    assign r2 = {{49{1'b0}}, s2};
    wire [7:0] q3;
    wire [24:0] s3;
    hwnas_requant #(.ACC_BITS(24), .A_BITS(8)) m3 (
        .en(en), .acc(acc[23:0]), .bias(bias[23:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q3), .r_out(s3));
    assign y3 = {{8{1'b0}}, q3};
    assign r3 = {{42{1'b0}}, s3};
    wire [7:0] q4;
    wire [32:0] s4;
    hwnas_requant #(.ACC_BITS(32), .A_BITS(8)) m4 (
        .en(en), .acc(acc[31:0]), .bias(bias[31:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q4), .r_out(s4));
    assign y4 = {{8{1'b0}}, q4};
    assign r4 = {{34{1'b0}}, s4};
    wire [7:0] q5;
    wire [33:0] s5;
    hwnas_requant #(.ACC_BITS(33), .A_BITS(8)) m5 (
        .en(en), .acc(acc[32:0]), .bias(bias[32:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q5), .r_out(s5));
    assign y5 = {{8{1'b0}}, q5};
    assign r5 = {{33{1'b0}}, s5};
    wire [15:0] q6;
    wire [34:0] s6;
    hwnas_requant #(.ACC_BITS(34), .A_BITS(16)) m6 (
        .en(en), .acc(acc[33:0]), .bias(bias[33:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q6), .r_out(s6));
    assign y6 = q6;
    assign r6 = {{32{1'b0}}, s6};
    wire [15:0] q7;
    wire [48:0] s7;
    hwnas_requant #(.ACC_BITS(48), .A_BITS(16)) m7 (
        .en(en), .acc(acc[47:0]), .bias(bias[47:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q7), .r_out(s7));
    assign y7 = q7;
    assign r7 = {{18{1'b0}}, s7};
    wire [7:0] q8;
    wire [64:0] s8;
    hwnas_requant #(.ACC_BITS(64), .A_BITS(8)) m8 (
        .en(en), .acc(acc[63:0]), .bias(bias[63:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q8), .r_out(s8));
    assign y8 = {{8{1'b0}}, q8};
    assign r8 = {{2{1'b0}}, s8};
    wire [7:0] q9;
    wire [65:0] s9;
    hwnas_requant #(.ACC_BITS(65), .A_BITS(8)) m9 (
        .en(en), .acc(acc[64:0]), .bias(bias[64:0]), .mult(mult), .shift(shift),
        .zp(zp), .lo(lo), .hi(hi), .y(q9), .r_out(s9));
    assign y9 = {{8{1'b0}}, q9};
    assign r9 = {{1{1'b0}}, s9};
endmodule
