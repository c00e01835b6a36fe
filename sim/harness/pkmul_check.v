// pkmul_check.v: every packing of hwnas_pkmul that rtl/ instantiates, side by side, for
// pkmul_check.cpp (tests/test_sim.c builds both with Verilator). Not part of rtl/.
/* verilator lint_off UNUSEDSIGNAL */
module pkmul_check (
    input  wire [31:0] x0, input wire [31:0] y0, output wire [63:0] p0,
    input  wire [31:0] x1, input wire [31:0] y1, output wire [63:0] p1,
    input  wire [31:0] x2, input wire [31:0] y2, output wire [63:0] p2,
    input  wire [31:0] x3, input wire [31:0] y3, output wire [63:0] p3,
    input  wire [31:0] x4, input wire [31:0] y4, output wire [63:0] p4,
    input  wire [31:0] x5, input wire [31:0] y5, output wire [63:0] p5,
    input  wire [31:0] x6, input wire [31:0] y6, output wire [63:0] p6,
    input  wire [31:0] x7, input wire [31:0] y7, output wire [63:0] p7,
    input  wire [31:0] x8, input wire [31:0] y8, output wire [63:0] p8,
    input  wire [31:0] x9, input wire [31:0] y9, output wire [63:0] p9,
    input  wire [31:0] x10, input wire [31:0] y10, output wire [63:0] p10,
    input  wire [31:0] x11, input wire [31:0] y11, output wire [63:0] p11,
    input  wire [31:0] x12, input wire [31:0] y12, output wire [63:0] p12,
    input  wire [31:0] x13, input wire [31:0] y13, output wire [63:0] p13,
    input  wire [31:0] x14, input wire [31:0] y14, output wire [63:0] p14,
    input  wire [31:0] x15, input wire [31:0] y15, output wire [63:0] p15
);
    wire [31:0] q0;
    hwnas_pkmul #(.XB(8), .YB(8), .NX(2), .NY(1), .LUT(0)) m0 (
        .x(x0[15:0]), .y(y0[7:0]), .p(q0));
    assign p0 = {{32{1'b0}}, q0};
    wire [31:0] q1;
    hwnas_pkmul #(.XB(8), .YB(8), .NX(1), .NY(2), .LUT(0)) m1 (
        .x(x1[7:0]), .y(y1[15:0]), .p(q1));
    assign p1 = {{32{1'b0}}, q1};
    wire [23:0] q2;
    hwnas_pkmul #(.XB(4), .YB(8), .NX(2), .NY(1), .LUT(0)) m2 (
        .x(x2[7:0]), .y(y2[7:0]), .p(q2));
    assign p2 = {{40{1'b0}}, q2};
    wire [23:0] q3;
    hwnas_pkmul #(.XB(8), .YB(4), .NX(2), .NY(1), .LUT(0)) m3 (
        .x(x3[15:0]), .y(y3[3:0]), .p(q3));
    assign p3 = {{40{1'b0}}, q3};
    wire [23:0] q4;
    hwnas_pkmul #(.XB(4), .YB(8), .NX(1), .NY(2), .LUT(0)) m4 (
        .x(x4[3:0]), .y(y4[15:0]), .p(q4));
    assign p4 = {{40{1'b0}}, q4};
    wire [23:0] q5;
    hwnas_pkmul #(.XB(8), .YB(4), .NX(1), .NY(2), .LUT(0)) m5 (
        .x(x5[7:0]), .y(y5[7:0]), .p(q5));
    assign p5 = {{40{1'b0}}, q5};
    wire [15:0] q6;
    hwnas_pkmul #(.XB(4), .YB(4), .NX(2), .NY(1), .LUT(0)) m6 (
        .x(x6[7:0]), .y(y6[3:0]), .p(q6));
    assign p6 = {{48{1'b0}}, q6};
    wire [15:0] q7;
    hwnas_pkmul #(.XB(4), .YB(4), .NX(1), .NY(2), .LUT(0)) m7 (
        .x(x7[3:0]), .y(y7[7:0]), .p(q7));
    assign p7 = {{48{1'b0}}, q7};
    wire [31:0] q8;
    hwnas_pkmul #(.XB(4), .YB(4), .NX(2), .NY(2), .LUT(0)) m8 (
        .x(x8[7:0]), .y(y8[7:0]), .p(q8));
    assign p8 = {{32{1'b0}}, q8};
    wire [15:0] q9;
    hwnas_pkmul #(.XB(8), .YB(8), .NX(1), .NY(1), .LUT(0)) m9 (
        .x(x9[7:0]), .y(y9[7:0]), .p(q9));
    assign p9 = {{48{1'b0}}, q9};
    wire [7:0] q10;
    hwnas_pkmul #(.XB(4), .YB(4), .NX(1), .NY(1), .LUT(0)) m10 (
        .x(x10[3:0]), .y(y10[3:0]), .p(q10));
    assign p10 = {{56{1'b0}}, q10};
    wire [11:0] q11;
    hwnas_pkmul #(.XB(4), .YB(8), .NX(1), .NY(1), .LUT(1)) m11 (
        .x(x11[3:0]), .y(y11[7:0]), .p(q11));
    assign p11 = {{52{1'b0}}, q11};
    wire [11:0] q12;
    hwnas_pkmul #(.XB(8), .YB(4), .NX(1), .NY(1), .LUT(1)) m12 (
        .x(x12[7:0]), .y(y12[3:0]), .p(q12));
    assign p12 = {{52{1'b0}}, q12};
    wire [7:0] q13;
    hwnas_pkmul #(.XB(4), .YB(4), .NX(1), .NY(1), .LUT(1)) m13 (
        .x(x13[3:0]), .y(y13[3:0]), .p(q13));
    assign p13 = {{56{1'b0}}, q13};
    wire [19:0] q14;
    hwnas_pkmul #(.XB(4), .YB(16), .NX(1), .NY(1), .LUT(1)) m14 (
        .x(x14[3:0]), .y(y14[15:0]), .p(q14));
    assign p14 = {{44{1'b0}}, q14};
    wire [19:0] q15;
    hwnas_pkmul #(.XB(16), .YB(4), .NX(1), .NY(1), .LUT(1)) m15 (
        .x(x15[15:0]), .y(y15[3:0]), .p(q15));
    assign p15 = {{44{1'b0}}, q15};
endmodule
