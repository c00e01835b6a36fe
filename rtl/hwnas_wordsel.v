// hwnas_wordsel: the word-wide synchronous read on top of a line-wide scratchpad read port:
// word raddr of the previous cycle (with ren), taken from the line read then (line_q), or
// from the line written in that same cycle when it is the same line (a write-through bypass
// of one word, so the reader never sees a line's contents from before that cycle's write).
module hwnas_wordsel #(
    parameter WB = 8,
    parameter NB = 1,
    parameter LAW = 4,
    parameter AW = 4
) (
    input  wire             clk,
    input  wire             ren,
    input  wire [AW-1:0]    raddr,
    input  wire [LAW-1:0]   rline,     // raddr's line (with its half)
    input  wire [NB*WB-1:0] line_q,    // the read port's registered line
    input  wire             lwe,
    input  wire [LAW-1:0]   lidx,
    input  wire [NB*WB-1:0] lwdata,
    output wire [WB-1:0]    rdata
);
    localparam LG = $clog2(NB);
    reg          byp;
    reg [WB-1:0] bword;
    wire [WB-1:0] word;

    generate
        if (NB == 1) begin : g_one
            assign word = line_q;
            always @(posedge clk)
                if (ren) begin
                    byp <= lwe && (lidx == rline);
                    bword <= lwdata;
                end
            wire unused_ws = &{1'b0, raddr};
        end else begin : g_many
            reg [LG-1:0] sel;
            always @(posedge clk)
                if (ren) begin
                    sel <= raddr[LG-1:0];
                    byp <= lwe && (lidx == rline);
                    bword <= lwdata[raddr[LG-1:0]*WB +: WB];
                end
            assign word = line_q[sel*WB +: WB];
            wire unused_ws = &{1'b0, raddr[AW-1:LG > AW ? AW - 1 : LG]};
        end
    endgenerate
    assign rdata = byp ? bword : word;
endmodule
