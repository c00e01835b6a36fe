// hwnas_spad: one scratchpad (ibuf, wbuf or obuf), banked so that the DMA writes or reads a
// whole line of NB words per cycle while the array reads (and, for the obuf, writes) one word.
// Word address w lives in bank (w % NB), line (w / NB). NB is a power of two.
// Reads are asynchronous (distributed RAM / registers); see docs/rtl.md.
module hwnas_spad #(
    parameter WB = 8,         // bits per word
    parameter NB = 1,         // banks = words per DMA line (power of two)
    parameter LINES = 16,     // lines (the buffer holds LINES * NB words)
    parameter LAW = 4,        // line address bits, >= clog2(LINES)
    parameter AW = 4          // word address bits, >= clog2(LINES * NB)
) (
    input  wire               clk,
    // DMA side: one line per cycle
    input  wire               lwe,
    input  wire [LAW-1:0]     lidx,
    input  wire [NB*WB-1:0]   lwdata,
    output wire [NB*WB-1:0]   lrdata,
    // array side: one word per cycle
    input  wire [AW-1:0]      raddr,
    output wire [WB-1:0]      rdata,
    input  wire               we,
    input  wire [AW-1:0]      waddr,
    input  wire [WB-1:0]      wdata
);
    localparam LNB = (NB > 1) ? $clog2(NB) : 1;

    wire [AW-1:0] ridx;
    wire [AW-1:0] widx;
    wire [LNB-1:0] rbank;
    wire [LNB-1:0] wbank;
    generate
        if (NB > 1) begin : g_sel
            assign rbank = raddr[LNB-1:0];
            assign wbank = waddr[LNB-1:0];
            assign ridx = raddr >> LNB;
            assign widx = waddr >> LNB;
        end else begin : g_one
            assign rbank = 1'b0;
            assign wbank = 1'b0;
            assign ridx = raddr;
            assign widx = waddr;
        end
    endgenerate

    wire [WB-1:0] q [0:NB-1];

    genvar b;
    generate
        for (b = 0; b < NB; b = b + 1) begin : g_bank
            localparam [LNB-1:0] BI = b;
            reg [WB-1:0] mem [0:LINES-1];
            always @(posedge clk) begin
                if (lwe)
                    mem[lidx] <= lwdata[b*WB +: WB];
                if (we && wbank == BI)
                    mem[widx[LAW-1:0]] <= wdata;
            end
            assign lrdata[b*WB +: WB] = mem[lidx];
            assign q[b] = mem[ridx[LAW-1:0]];
        end
    endgenerate

    assign rdata = q[rbank];

    // Only the low LAW bits of a line index are meaningful.
    wire unused_ok = &{1'b0, ridx, widx};
endmodule
