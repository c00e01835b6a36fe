// hwnas_spad: one scratchpad memory in the shape of a block RAM in simple dual-port mode:
// one write port a line (NB words of WB bits) wide with a write enable per word, and one
// synchronous read port a line wide (read-first: a read of the line being written returns
// its old contents). ram_style asks synthesis for block RAM also for small buffers, as the
// resource model counts (docs/resources.md). hwnas_top builds the word-wide array ports on
// top of it (docs/rtl.md "Scratchpads").
module hwnas_spad #(
    parameter WB = 8,         // bits per word
    parameter NB = 1,         // words per line (DMA beat)
    parameter LINES = 16,
    parameter LAW = 4         // line address bits, >= clog2(LINES)
) (
    input  wire               clk,
    input  wire [NB-1:0]      wen,
    input  wire [LAW-1:0]     waddr,
    input  wire [NB*WB-1:0]   wdata,
    input  wire               ren,
    input  wire [LAW-1:0]     raddr,
    output reg  [NB*WB-1:0]   rdata     // line raddr of the previous cycle with ren
);
    (* ram_style = "block" *)
    reg [NB*WB-1:0] mem [0:LINES-1];
    integer b;

    always @(posedge clk) begin
        for (b = 0; b < NB; b = b + 1)
            if (wen[b])
                mem[waddr][b*WB +: WB] <= wdata[b*WB +: WB];
        if (ren)
            rdata <= mem[raddr];
    end
endmodule
