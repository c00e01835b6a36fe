// hwnas_skew: N lanes of W bits, lane i delayed i cycles (REV = 1: N-1-i), each lane 0 while
// valid is low (gated before the delay). With B > 1 (packed MACs, docs/rtl.md "Packed MACs")
// lane i takes the delay of lane i - i % B, the first of its block. The systolic array's input skew (row i, or column
// j, enters i cycles after row 0) and its output deskew (column j's sum, which leaves the
// array j cycles after column 0's, held N-1-j cycles so a whole row reaches the obuf
// together). One module, so a timing change of the array's edges is made in one place
// (docs/rtl.md "Compute (one tile step)"). d and q are one buffer line wide.
module hwnas_skew #(
    parameter W = 8,
    parameter N = 4,
    parameter REV = 0,
    parameter B = 1,          // lanes in blocks of B take their block's first lane's delay
    parameter RST = 1
) (
    input  wire           clk,
    input  wire           rst,
    input  wire           valid,
    input  wire [N*W-1:0] d,
    output wire [N*W-1:0] q
);
    genvar i;
    generate
        for (i = 0; i < N; i = i + 1) begin : g_lane
            wire [W-1:0] f = valid ? d[i*W +: W] : {W{1'b0}};
            hwnas_delay #(.W(W), .D(REV != 0 ? N - 1 - (i - i % B) : i - i % B), .RST(RST)) dl (
                .clk(clk), .rst(rst), .d(f), .q(q[i*W +: W]));
        end
    endgenerate
endmodule
