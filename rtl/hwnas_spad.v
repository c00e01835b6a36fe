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

    // An address past the last line (LINES is not a power of two, and the array's read
    // address runs ahead of a tile's last word) reads and writes nothing: in Verilog such a
    // read is X, but Verilator's code reads past the end of its array (a crash when lines
    // are wide). For a power-of-two LINES the comparisons are constant true.
    wire rok = {{(32-LAW){1'b0}}, raddr} < LINES;
    wire wok = {{(32-LAW){1'b0}}, waddr} < LINES;
    always @(posedge clk) begin
        for (b = 0; b < NB; b = b + 1)
            if (wen[b] && wok)
                mem[waddr][b*WB +: WB] <= wdata[b*WB +: WB];
        if (ren && rok)
            rdata <= mem[raddr];
    end
endmodule
