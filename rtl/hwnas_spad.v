// hwnas_spad: one scratchpad (ibuf, wbuf or obuf). The DMA writes a whole line of NB words
// per cycle (words w = line x NB .. line x NB + NB - 1) and reads one line per cycle into a
// register (read enable lre, one cycle of latency); the array reads one word per cycle
// (asynchronous) and, for the obuf, writes one word. NB is a power of two. The line read
// is registered and enabled so that a wide obuf line costs simulation time only while a
// store runs (docs/rtl.md "Speed").
module hwnas_spad #(
    parameter WB = 8,         // bits per word
    parameter NB = 1,         // words per DMA line (power of two)
    parameter LINES = 16,     // lines (the buffer holds LINES * NB words)
    parameter LAW = 4,        // line address bits, >= clog2(LINES)
    parameter AW = 4          // word address bits, >= clog2(LINES * NB)
) (
    input  wire               clk,
    // DMA side: one line per cycle
    input  wire               lwe,
    input  wire               lre,
    input  wire [LAW-1:0]     lidx,
    input  wire [NB*WB-1:0]   lwdata,
    output reg  [NB*WB-1:0]   lrdata,   // line lidx of the previous cycle with lre
    // array side: one word per cycle
    input  wire [AW-1:0]      raddr,
    output wire [WB-1:0]      rdata,
    input  wire               we,
    input  wire [AW-1:0]      waddr,
    input  wire [WB-1:0]      wdata
);
    reg [WB-1:0] mem [0:LINES*NB-1];
    wire [31:0] lbase = {{(32-LAW){1'b0}}, lidx} * NB;
    integer b;

    always @(posedge clk) begin
        if (lwe)
            for (b = 0; b < NB; b = b + 1)
                mem[lbase[AW-1:0] + b[AW-1:0]] <= lwdata[b*WB +: WB];
        if (we)
            mem[waddr] <= wdata;
        if (lre)
            for (b = 0; b < NB; b = b + 1)
                lrdata[b*WB +: WB] <= mem[lbase[AW-1:0] + b[AW-1:0]];
    end

    assign rdata = mem[raddr];

    wire unused_ok = &{1'b0, lbase[31:AW]};
endmodule
