// Processing elements: one signed MAC per cycle. Products and sums wrap modulo 2^ACC
// (two's complement), the integer semantics sim/ reproduces in C.

// Stationary-operand PE (ws, and is run as ws on the transposed problem). The stationary
// value shifts down one row per cycle while wload is high; the streamed operand moves right,
// the partial sum down.
module hwnas_pe_ws #(
    parameter SB = 8,         // stationary operand bits
    parameter FB = 8,         // flowing operand bits
    parameter ACC = 32
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  wload,
    input  wire signed [SB-1:0]  w_in,
    output reg  signed [SB-1:0]  w,
    input  wire signed [FB-1:0]  a_in,
    output reg  signed [FB-1:0]  a_out,
    input  wire signed [ACC-1:0] p_in,
    output wire signed [ACC-1:0] p_next,   // this cycle's sum (used by the bottom row)
    output reg  signed [ACC-1:0] p_out
);
    wire signed [ACC-1:0] ax = {{(ACC-FB){a_in[FB-1]}}, a_in};
    wire signed [ACC-1:0] wx = {{(ACC-SB){w[SB-1]}}, w};
    assign p_next = p_in + ax * wx;
    always @(posedge clk) begin
        if (rst) begin
            w <= {SB{1'b0}};
            a_out <= {FB{1'b0}};
            p_out <= {ACC{1'b0}};
        end else begin
            if (wload)
                w <= w_in;
            a_out <= a_in;
            p_out <= p_next;
        end
    end
endmodule
